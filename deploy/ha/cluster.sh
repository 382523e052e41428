#!/usr/bin/env bash
# The sample high-availability cluster on one machine, on loopback: three
# etcd members, and two Patroni nodes each running PostgreSQL 15 (a primary
# and a synchronous replica; patroni.yml.in). For trying failover and for
# the failover test; real deployments put each member on its own machine.
#
#   deploy/ha/cluster.sh up DIR      start it (initialises DIR on first use)
#   deploy/ha/cluster.sh status DIR  who leads, who follows, and the lag
#   deploy/ha/cluster.sh dsn DIR     the multi-host DSN shouhud's config takes
#   deploy/ha/cluster.sh down DIR    stop everything (DIR is kept)
#
# Ports: SHOUHU_HA_PORT (default 24000) + 0..2 etcd clients, +10..12 etcd
# peers, +20..21 PostgreSQL, +30..31 Patroni's REST API.
# Needs: apt-get install postgresql-15 patroni etcd-server etcd-client
# (deploy/install-deps.sh). Run as root (the servers run as `postgres`) or
# as the postgres user.
set -euo pipefail
cmd=${1:?usage: cluster.sh up|status|dsn|down DIR}
dir=${2:?usage: cluster.sh up|status|dsn|down DIR}
here=$(cd "$(dirname "$0")" && pwd)
base=${SHOUHU_HA_PORT:-24000}
etcd_hosts="127.0.0.1:$base,127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))"

# The command as the postgres user when run as root. setpriv execs it (runuser
# would stay as its parent), so a background server's recorded pid is its own.
as_postgres() {  # run it in a subshell: it execs
  if [ "$(id -u)" = 0 ]; then
    HOME=/var/lib/postgresql exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  fi
  exec "$@"
}

# Starts a server in the background: `start NAME [--as-postgres] COMMAND...`,
# its output in DIR/NAME.log and its pid in DIR/NAME.pid. The subshell execs
# the server, so the pid is the server's and no shell of this script stays
# behind holding the caller's descriptors.
start() {
  local name=$1
  shift
  if [ "$1" = --as-postgres ]; then
    shift
    (as_postgres "$@") </dev/null >"$dir/$name.log" 2>&1 &
  else
    (exec "$@") </dev/null >"$dir/$name.log" 2>&1 &
  fi
  echo $! >"$dir/$name.pid"
}

dsn() {
  echo "host=127.0.0.1,127.0.0.1 port=$((base + 20)),$((base + 21)) dbname=shouhu user=shouhu" \
       "password=$(cat "$dir/shouhu-password") target_session_attrs=read-write connect_timeout=3"
}

start_etcd() {
  local cluster="" i
  for i in 0 1 2; do cluster+="${cluster:+,}etcd$i=http://127.0.0.1:$((base + 10 + i))"; done
  for i in 0 1 2; do
    mkdir -p "$dir/etcd$i"
    start "etcd$i" etcd --name "etcd$i" --data-dir "$dir/etcd$i" \
      --listen-client-urls "http://127.0.0.1:$((base + i))" \
      --advertise-client-urls "http://127.0.0.1:$((base + i))" \
      --listen-peer-urls "http://127.0.0.1:$((base + 10 + i))" \
      --initial-advertise-peer-urls "http://127.0.0.1:$((base + 10 + i))" \
      --initial-cluster "$cluster" --initial-cluster-state new \
      --initial-cluster-token shouhu-sample
  done
  for _ in $(seq 100); do
    ETCDCTL_API=3 etcdctl --endpoints "$etcd_hosts" endpoint health >/dev/null 2>&1 && return
    sleep 0.2
  done
  echo "cluster.sh: etcd did not become healthy (see $dir/etcd*.log)" >&2
  exit 1
}

start_patroni() {
  local i name
  [ -f "$dir/superuser-password" ] || head -c 18 /dev/urandom | base64 >"$dir/superuser-password"
  [ -f "$dir/replication-password" ] || head -c 18 /dev/urandom | base64 >"$dir/replication-password"
  [ -f "$dir/shouhu-password" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/shouhu-password"
  for i in 0 1; do
    name=pg$i
    sed -e "s|@NAME@|$name|g" -e "s|@REST_PORT@|$((base + 30 + i))|g" \
        -e "s|@PG_PORT@|$((base + 20 + i))|g" -e "s|@ETCD_HOSTS@|$etcd_hosts|g" \
        -e "s|@DATA_DIR@|$dir/$name|g" -e "s|@DIR@|$dir|g" \
        -e "s|@SUPERUSER_PASSWORD@|$(cat "$dir/superuser-password")|g" \
        -e "s|@REPLICATION_PASSWORD@|$(cat "$dir/replication-password")|g" \
        "$here/patroni.yml.in" >"$dir/$name.yml"
  done
  chown -R postgres: "$dir" 2>/dev/null || true
  chmod 700 "$dir"
  for i in 0 1; do
    start "pg$i" --as-postgres patroni "$dir/pg$i.yml"
  done
}

# The leader's REST API answers 200 on /primary; the replica's on /sync once
# it streams synchronously.
wait_for() {
  local path=$1 i
  for _ in $(seq 600); do
    for i in 0 1; do
      curl -sf "http://127.0.0.1:$((base + 30 + i))/$path" >/dev/null 2>&1 && { echo $i; return; }
    done
    sleep 0.2
  done
  echo "cluster.sh: no node answered /$path (see $dir/pg*.log)" >&2
  exit 1
}

case $cmd in
  up)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    start_etcd
    start_patroni
    leader=$(wait_for primary)
    wait_for sync >/dev/null
    psql=(psql -h "$dir" -p $((base + 20 + leader)) -U postgres -d postgres -qAt -v ON_ERROR_STOP=1)
    if [ "$(as_postgres "${psql[@]}" -c "select count(*) from pg_roles where rolname = 'shouhu'")" = 0 ]; then
      (as_postgres "${psql[@]}" -c "create role shouhu login password '$(cat "$dir/shouhu-password")'")
      (as_postgres "${psql[@]}" -c "create database shouhu owner shouhu")
    fi
    # The replica applies the new database a moment after the primary has
    # it, and a client trying the hosts in order stops at the first that
    # answers "no such database": wait until both have it.
    for i in 0 1; do
      for _ in $(seq 150); do
        (as_postgres psql -h "$dir" -p $((base + 20 + i)) -U postgres -d shouhu -qAt \
          -c "select 1") >/dev/null 2>&1 && break
        sleep 0.2
      done
    done
    echo "cluster.sh: up; leader pg$leader; dsn: $(dsn)"
    ;;
  status)
    (as_postgres patronictl -c "$dir/pg0.yml" list)
    ;;
  dsn)
    dsn
    ;;
  down)
    for f in "$dir"/pg*.pid "$dir"/etcd*.pid; do
      [ -f "$f" ] || continue
      kill "$(cat "$f")" 2>/dev/null || true
    done
    for f in "$dir"/pg*.pid "$dir"/etcd*.pid; do
      [ -f "$f" ] || continue
      while kill -0 "$(cat "$f")" 2>/dev/null; do sleep 0.2; done
      rm -f "$f"
    done
    echo "cluster.sh: down"
    ;;
  *)
    echo "usage: cluster.sh up|status|dsn|down DIR" >&2
    exit 2
    ;;
esac
