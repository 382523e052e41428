#!/usr/bin/env bash
# Installs shouhu's build and test dependencies from Debian's packages.
# Idempotent: installs only what is missing; runs as root, or through sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config libsystemd-dev
  librocksdb-dev libboost-dev nlohmann-json3-dev libgtest-dev
  libcurl4-openssl-dev libssl-dev libsodium-dev libicu-dev python3-aiosmtpd
  libzip-dev libexpat1-dev libxlsxwriter-dev python3-openpyxl
  libspdlog-dev libcli11-dev clang libclang-rt-dev
  # The daemon's allocator (RocksDB recommends it).
  libjemalloc-dev
  chromium fonts-wqy-microhei
  # The PostgreSQL store (libpq) and the server its tests start.
  libpq-dev postgresql-15
  # The sample high-availability cluster (deploy/ha) and its failover test.
  patroni etcd-server etcd-client
)
# The web app builds with node and npm. Debian's `npm` conflicts with
# NodeSource's nodejs (which bundles npm), so Debian's are installed only
# when the commands are missing.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
