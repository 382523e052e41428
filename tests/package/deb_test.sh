#!/usr/bin/env bash
# The Debian package as an operator meets it, on this machine: build it
# (`cpack -G DEB`), install it, check the user, directories, key and unit it
# brings, start the service under systemd if systemd runs here or else the
# daemon as the shouhu user, file a report through the API, upgrade to the
# same package rebuilt (release 2) and find the report still there, then purge
# and find nothing left. Also prints the unit's `systemd-analyze security`
# rating and fails above 2.0.
#
# Needs root (dpkg -i); skipped (exit 77) otherwise, or when shouhu is already
# installed here (an operator's install is never touched).
# usage: deb_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "installing a package needs root"
command -v dpkg >/dev/null || skip "no dpkg on this machine"
if dpkg-query -W -f='${Status}' shouhu 2>/dev/null | grep -q installed || [ -e /etc/shouhu ]; then
  skip "shouhu is already installed on this machine"
fi

work=$(mktemp -d)
chmod 0755 "$work"  # the shouhu user reaches its credentials folder inside
daemon_pid=
stop_daemon() {
  if [ -n "$daemon_pid" ]; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
    daemon_pid=
  fi
}
cleanup() {
  stop_daemon
  if dpkg-query -W shouhu >/dev/null 2>&1; then dpkg --purge shouhu >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
under_systemd=false
[ -d /run/systemd/system ] && under_systemd=true

echo "== the unit's rating"
rating=$(systemd-analyze security --offline=yes "$source/deploy/shouhud.service" 2>&1 |
         sed -n 's/.*Overall exposure level for shouhud.service: \([0-9.]*\).*/\1/p')
[ -n "$rating" ] || fail "systemd-analyze printed no rating"
echo "systemd-analyze security shouhud.service: $rating"
awk -v r="$rating" 'BEGIN { exit !(r <= 2.0) }' || fail "exposure $rating is above 2.0"

echo "== building the packages"
(cd "$build" && cpack -G DEB -B "$work/r1" >"$work/cpack1.log" 2>&1) || { cat "$work/cpack1.log"; fail "cpack"; }
(cd "$build" && cpack -G DEB -B "$work/r2" -D CPACK_DEBIAN_PACKAGE_RELEASE=2 >"$work/cpack2.log" 2>&1) ||
  { cat "$work/cpack2.log"; fail "cpack (release 2)"; }
deb1=$(ls "$work"/r1/shouhu_*.deb)
deb2=$(ls "$work"/r2/shouhu_*.deb)
echo "built $(basename "$deb1") ($(du -h "$deb1" | cut -f1)) and $(basename "$deb2")"
depends=$(dpkg-deb -f "$deb1" Depends)
echo "Depends: $depends"
# RocksDB is linked statically (Debian ships librocksdb.a); its compression
# libraries are dependencies.
for lib in libsodium libcurl libsystemd libssl libzstd libc6; do
  case "$depends" in *"$lib"*) ;; *) fail "Depends lacks $lib" ;; esac
done

echo "== installing"
dpkg -i "$deb1" >"$work/install1.log" 2>&1 || { cat "$work/install1.log"; fail "dpkg -i"; }
getent passwd shouhu >/dev/null || fail "no shouhu user"
[ "$(stat -c '%a %U' /var/lib/shouhu)" = "700 shouhu" ] || fail "/var/lib/shouhu is $(stat -c '%a %U' /var/lib/shouhu)"
[ "$(stat -c '%a %U' /etc/shouhu/shouhud.key)" = "600 root" ] || fail "the key is $(stat -c '%a %U' /etc/shouhu/shouhud.key)"
key_sum=$(sha256sum /etc/shouhu/shouhud.key)
[ -f /usr/lib/systemd/system/shouhud.service ] || [ -f /lib/systemd/system/shouhud.service ] || fail "no unit"
for f in /usr/share/shouhu/workflows/mandatory_report.json /usr/share/shouhu/web/index.html \
         /usr/lib/shouhu/plugins/shouhu_notifier_email.so /usr/lib/sysusers.d/shouhu.conf \
         /usr/lib/tmpfiles.d/shouhu.conf; do
  [ -f "$f" ] || fail "missing $f"
done
dpkg-query -W -f='${Conffiles}\n' shouhu | grep -q /etc/shouhu/shouhud.json || fail "shouhud.json is no conffile"
# Both programs say the project's version, the package's upstream version.
version=$(dpkg-query -W -f='${Version}' shouhu)
[ "$(/usr/bin/shouhud --version)" = "shouhud ${version%-*}" ] || fail "shouhud --version"
[ "$(/usr/bin/shouhu --version)" = "shouhu ${version%-*}" ] || fail "shouhu --version"

# The credential systemd would hand the service (LoadCredential=).
creds="$work/credentials"
install -d -m 0700 -o shouhu -g shouhu "$creds"
install -m 0400 -o shouhu -g shouhu /etc/shouhu/shouhud.key "$creds/shouhud.key"
# setpriv runs the command in place as shouhu: the daemon keeps the pid the
# test signals.
as_shouhu=(setpriv --reuid=shouhu --regid=shouhu --init-groups env CREDENTIALS_DIRECTORY="$creds")

echo "== the configuration as installed"
"${as_shouhu[@]}" /usr/bin/shouhud --check-config /etc/shouhu/shouhud.json || fail "--check-config"

server=
start_service() {
  if $under_systemd; then
    systemctl restart shouhud.service
    systemctl is-active --quiet shouhud.service || fail "the service is not active"
    server=http://127.0.0.1:8620
  else
    "${as_shouhu[@]}" /usr/bin/shouhud --config /etc/shouhu/shouhud.json --listen 127.0.0.1:0 \
      >"$work/daemon.log" 2>&1 &
    daemon_pid=$!
    # Until it says it is ready, or exits (tail follows it by its pid).
    grep -q -m1 "shouhud: ready" < <(timeout 120 tail -n +1 --pid="$daemon_pid" -f "$work/daemon.log") ||
      { cat "$work/daemon.log"; fail "shouhud did not get ready"; }
    address=$(sed -n 's/^shouhud: listening on \([0-9.:]*\).*/\1/p' "$work/daemon.log")
    [ -n "$address" ] || { cat "$work/daemon.log"; fail "shouhud did not say where it listens"; }
    server="http://$address"
  fi
  curl -fsS "$server/readyz" >/dev/null || fail "not ready"
}
stop_service() {
  if $under_systemd; then systemctl stop shouhud.service; else stop_daemon; fi
}

echo "== the first administrator's token, then a report through the API"
admin=$("${as_shouhu[@]}" /usr/bin/shouhu token issue --data-dir /var/lib/shouhu/data --user u0007 \
          --label "package test" --quiet) || fail "token issue"
start_service
cli() { SHOUHU_SERVER="$server" SHOUHU_TOKEN="$1" /usr/bin/shouhu "${@:2}"; }
teacher=$(cli "$admin" token issue --user u0021 --ttl P1D --quiet) || fail "teacher's token"
police=$(cli "$admin" token issue --user u0008 --ttl P1D --quiet) || fail "officer's token"
case_id=$(cli "$teacher" report --key package-test-1 child_name=小明 category=living_alone \
            reporter_kind=mandated reporter_category=school \
            discovered_at=2026-03-02T08:00:00+08:00 'child_category:=["left_behind"]' --json |
          sed -n 's/.*"case_id": *"\([^"]*\)".*/\1/p')
[ -n "$case_id" ] || fail "the report was not filed"
cli "$police" show "$case_id" | grep -q 小明 || fail "the officer cannot read the report"
echo "filed $case_id"

echo "== upgrading to release 2"
stop_service
dpkg -i "$deb2" >"$work/install2.log" 2>&1 || { cat "$work/install2.log"; fail "upgrade"; }
[ "$(dpkg-query -W -f='${Version}' shouhu)" = "$(dpkg-deb -f "$deb2" Version)" ] || fail "not upgraded"
[ "$(sha256sum /etc/shouhu/shouhud.key)" = "$key_sum" ] || fail "the upgrade replaced the data key"
start_service
cli "$police" show "$case_id" | grep -q 小明 || fail "the report is gone after the upgrade"
stop_service

echo "== purging"
dpkg --purge shouhu >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "purge"; }
for f in /usr/bin/shouhud /usr/bin/shouhu /etc/shouhu /var/lib/shouhu /usr/share/shouhu; do
  [ ! -e "$f" ] || fail "$f is left after purge"
done
echo "PASS: installed, served a report, upgraded with the data kept, purged"
