#!/usr/bin/env bash
# `make bench`: build in Release, start a throwaway PostGIS cluster on a free loopback port (installing
# PostgreSQL 15 + PostGIS 3 from Debian when missing), run the harness, stop and delete the cluster.
# Usage: bench.sh [harness options…]   (e.g. --quick, --sizes 100k, --no-http); then the scale benchmark (ScaleBench.cs).
set -euo pipefail
cd "$(dirname "$0")/../.."
config="${CONFIG:-Release}"

pg_bin=/usr/lib/postgresql/15/bin
if [ -z "${BENCH_NO_POSTGIS:-}" ] && { [ ! -x "$pg_bin/initdb" ] || [ ! -f /usr/share/postgresql/15/extension/postgis.control ]; }; then
  echo "Installing PostgreSQL 15 with PostGIS 3 (apt)…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 >/dev/null
fi

[ -n "${BENCH_SKIP_BUILD:-}" ] || dotnet build ClusterMap.sln -c "$config" -nologo -clp:NoSummary -v:q

pg_args=()
if [ -z "${BENCH_NO_POSTGIS:-}" ]; then
  data=$(mktemp -d /tmp/clustermap-bench-pg.XXXXXX)
  chown postgres:postgres "$data"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  stop_pg() {
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$data/db" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$data"
  }
  trap stop_pg EXIT
  runuser -u postgres -- "$pg_bin/initdb" -D "$data/db" -A trust -U postgres --no-sync >/dev/null
  # Tuned for a 2-core, 24 GB machine; fsync is off because the cluster is thrown away.
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$data/db" -l "$data/log" -w -o \
    "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=2GB -c work_mem=64MB -c maintenance_work_mem=1GB -c max_wal_size=8GB -c jit=off" \
    start >/dev/null
  echo "PostGIS: throwaway cluster on 127.0.0.1:$port ($data)"
  pg_args=(--postgres "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=32")
fi

dotnet "tests/ClusterMap.Benchmarks/bin/$config/net10.0/ClusterMap.Benchmarks.dll" \
  --api-dll "src/ClusterMap.Api/bin/$config/net10.0/ClusterMap.Api.dll" "${pg_args[@]}" "$@"

# The scale benchmark (issue 8): 1M points + 200k polygons on PostGIS behind one and two API replicas; --quick loads 10k.
# BENCH_NO_SCALE=1 leaves it out.
if [ -z "${BENCH_NO_POSTGIS:-}" ] && [ -z "${BENCH_NO_SCALE:-}" ]; then
  scale_args=()
  for arg in "$@"; do [ "$arg" = "--quick" ] && scale_args+=(--quick); done
  dotnet "tests/ClusterMap.Benchmarks/bin/$config/net10.0/ClusterMap.Benchmarks.dll" scale \
    --api-dll "src/ClusterMap.Api/bin/$config/net10.0/ClusterMap.Api.dll" "${pg_args[@]}" "${scale_args[@]}"
fi
