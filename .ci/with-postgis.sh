#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL 15 + PostGIS 3 cluster on a free loopback port (installing both from
# Debian when missing), with CLUSTERMAP_POSTGRES set to its Npgsql connection string; stops and deletes the cluster
# when the command ends. Used by `make run-postgis` and `make bench`.   Usage: with-postgis.sh COMMAND [ARGS…]
# CLUSTERMAP_PG_SERVER_OPTIONS adds server settings (`-c name=value …`), e.g. the benchmark's tuning.
set -euo pipefail

pg_bin=/usr/lib/postgresql/15/bin
if [ ! -x "$pg_bin/initdb" ] || [ ! -f /usr/share/postgresql/15/extension/postgis.control ]; then
  echo "Installing PostgreSQL 15 with PostGIS 3 (apt)…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 >/dev/null
fi

data=$(mktemp -d /tmp/clustermap-pg.XXXXXX)
chown postgres:postgres "$data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop_pg() {
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$data/db" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$data"
}
trap stop_pg EXIT
runuser -u postgres -- "$pg_bin/initdb" -D "$data/db" -A trust -U postgres --no-sync >/dev/null
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$data/db" -l "$data/log" -w -o \
  "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data ${CLUSTERMAP_PG_SERVER_OPTIONS:-}" start >/dev/null
runuser -u postgres -- psql -h "$data" -p "$port" -U postgres -qc "CREATE DATABASE clustermap" >/dev/null
export CLUSTERMAP_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=clustermap"
echo "PostGIS: throwaway cluster at postgresql://postgres@127.0.0.1:$port/clustermap (deleted on exit)"
"$@"
