#!/usr/bin/env bash
# `make bench`: build in Release, start a throwaway PostGIS cluster on a free loopback port with .ci/with-postgis.sh
# (installing PostgreSQL 15 + PostGIS 3 from Debian when missing), run the harness, stop and delete the cluster.
# Usage: bench.sh [harness options…]   (e.g. --quick, --sizes 100k, --no-http); then the scale benchmark (ScaleBench.cs) and maps at scale (MapsScaleBench.cs).
set -euo pipefail
cd "$(dirname "$0")/../.."
config="${CONFIG:-Release}"

[ -n "${BENCH_SKIP_BUILD:-}" ] || dotnet build ClusterMap.sln -c "$config" -nologo -clp:NoSummary -v:q

# Run again beside a throwaway PostGIS cluster (.ci/with-postgis.sh sets CLUSTERMAP_POSTGRES), unless told not to or
# already given one. Tuned for a 2-core, 24 GB machine; fsync is off because the cluster is thrown away.
if [ -z "${BENCH_NO_POSTGIS:-}" ] && [ -z "${CLUSTERMAP_POSTGRES:-}" ]; then
  CLUSTERMAP_PG_SERVER_OPTIONS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=2GB -c work_mem=64MB -c maintenance_work_mem=1GB -c max_wal_size=8GB -c jit=off" \
    BENCH_SKIP_BUILD=1 exec bash .ci/with-postgis.sh bash tests/ClusterMap.Benchmarks/bench.sh "$@"
fi

pg_args=()
if [ -z "${BENCH_NO_POSTGIS:-}" ]; then
  pg_args=(--postgres "$CLUSTERMAP_POSTGRES;Pooling=true;Maximum Pool Size=32")
fi

dotnet "tests/ClusterMap.Benchmarks/bin/$config/net10.0/ClusterMap.Benchmarks.dll" \
  --api-dll "src/ClusterMap.Api/bin/$config/net10.0/ClusterMap.Api.dll" "${pg_args[@]}" "$@"

# The cluster analyses: 100k institutions + 20k parks in process; --quick runs 10k + 2k.
analysis_args=()
for arg in "$@"; do [ "$arg" = "--quick" ] && analysis_args+=(--institutions 10000 --parks 2000 --runs 1); done
dotnet "tests/ClusterMap.Benchmarks/bin/$config/net10.0/ClusterMap.Benchmarks.dll" analysis "${analysis_args[@]}"

# ClusterMap's tiles against Mapnik 3.1's (python3-mapnik, installed with apt-get when missing); BENCH_NO_MAPNIK=1 leaves it out.
if [ -z "${BENCH_NO_MAPNIK:-}" ]; then
  mapnik_args=()
  for arg in "$@"; do [ "$arg" = "--quick" ] && mapnik_args+=(--quick); done
  dotnet "tests/ClusterMap.Benchmarks/bin/$config/net10.0/ClusterMap.Benchmarks.dll" mapnik "${mapnik_args[@]}"
fi

# The scale benchmark: 1M points + 200k polygons on PostGIS behind one and two API replicas; --quick loads 10k.
# BENCH_NO_SCALE=1 leaves it out.
if [ -z "${BENCH_NO_POSTGIS:-}" ] && [ -z "${BENCH_NO_SCALE:-}" ]; then
  scale_args=()
  for arg in "$@"; do [ "$arg" = "--quick" ] && scale_args+=(--quick); done
  dotnet "tests/ClusterMap.Benchmarks/bin/$config/net10.0/ClusterMap.Benchmarks.dll" scale \
    --api-dll "src/ClusterMap.Api/bin/$config/net10.0/ClusterMap.Api.dll" "${pg_args[@]}" "${scale_args[@]}"
fi

# Maps on the scale benchmark's data: cold raster and vector tiles z8–z14, static maps, TileJSON and the client's
# config from one API process on PostGIS, one request at a time, with its peak RSS; --quick loads 10k.
# BENCH_NO_MAPS_SCALE=1 leaves it out.
if [ -z "${BENCH_NO_POSTGIS:-}" ] && [ -z "${BENCH_NO_MAPS_SCALE:-}" ]; then
  maps_scale_args=()
  for arg in "$@"; do [ "$arg" = "--quick" ] && maps_scale_args+=(--quick); done
  dotnet "tests/ClusterMap.Benchmarks/bin/$config/net10.0/ClusterMap.Benchmarks.dll" maps-scale \
    --api-dll "src/ClusterMap.Api/bin/$config/net10.0/ClusterMap.Api.dll" "${pg_args[@]}" "${maps_scale_args[@]}"
fi
