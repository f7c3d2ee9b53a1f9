#!/usr/bin/env bash
# make loadtest: drives the service with wrk on loopback for a bounded time over items, proximity, tiles and static
# maps (loadtest.lua), three rounds, and prints throughput, p50/p99 latency, error counts and the service's RSS.
# Usage: loadtest.sh [--duration 30s] [--connections 64] [--threads 2] [--rounds 3] [--url http://127.0.0.1:PORT]
# Without --url it starts the built service (Release) on a free port with the shipped geodata, and stops it after.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
duration=30s connections=64 threads=2 rounds=3 url="" target=universities origin=parks
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --url) url="$2"; shift 2 ;;
    --collections) target="$2"; origin="$3"; shift 3 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk, or bash .ci/install-test-deps.sh)" >&2; exit 2; }

pid=""
work=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ -n "$work" ]; then rm -rf "$work"; fi
}
trap cleanup EXIT
if [ -z "$url" ]; then
  dotnet build "$root/src/ClusterMap.Api" -c Release --nologo -v q >/dev/null
  work="$(mktemp -d)"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  url="http://127.0.0.1:$port"
  (cd "$work" && Storage__SqlitePath="$work/clustermap.db" Storage__GeodataPath="$root/geodata" \
    exec dotnet "$root/src/ClusterMap.Api/bin/Release/net10.0/ClusterMap.Api.dll" --urls "$url" >"$work/service.log" 2>&1) &
  pid=$!
  for _ in $(seq 1 120); do curl -fs "$url/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fs "$url/readyz" >/dev/null || { echo "the service did not become ready:"; cat "$work/service.log"; exit 1; }
fi

# One request of each kind before the rounds (the same as loadtest.lua's), so that the first round measures a warm
# service rather than its one-off start-up work (fonts, China outline, proximity snapshot): on a busy machine those
# first answers can take longer than a short round, which then completes no request at all.
for path in "/collections/$target/items?limit=50" "/proximity/within?target=$target&radius_m=5000&lon=121.47&lat=31.23" \
  "/proximity/matrix?from=$origin&to=$target&k=3" "/maps/static.png?center=121.47,31.23&zoom=11&width=400&height=300" \
  "/tiles/basemap/12/3427/1675.png" "/tiles/$target/12/3427/1675.mvt"; do
  curl -fs -o /dev/null --max-time 300 "$url$path" || { echo "warm-up request failed: $url$path" >&2; exit 1; }
done

rss() { if [ -n "$pid" ]; then awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$pid/status"; else echo "n/a (--url)"; fi; }
echo "loadtest: $url, $connections connections, $threads threads, $duration per round, $rounds rounds; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "RSS before: $(rss)"
printf "%-6s %10s %10s %10s %12s %14s %10s\n" round "req/s" "p50" "p99" "requests" "non-2xx/3xx" "socket-err"
total_errors=0
total_requests=0
for round in $(seq 1 "$rounds"); do
  out="$(wrk -t"$threads" -c"$connections" -d"$duration" --timeout 30s --latency -s "$root/tests/ClusterMap.Benchmarks/loadtest.lua" "$url" -- "$target" "$origin")"
  rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  requests="$(awk '/requests in/ {print $1}' <<<"$out")"
  non2xx="$(awk '/Non-2xx or 3xx responses/ {print $NF}' <<<"$out")"; non2xx="${non2xx:-0}"
  socket="$(awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}' <<<"$out")"; socket="${socket:-0}"
  printf "%-6s %10s %10s %10s %12s %14s %10s   RSS %s\n" "$round" "$rps" "$p50" "$p99" "$requests" "$non2xx" "$socket" "$(rss)"
  total_errors=$((total_errors + non2xx + socket))
  total_requests=$((total_requests + ${requests:-0}))
done
echo "requests: $total_requests"
echo "errors: $total_errors"
[ "$total_errors" -eq 0 ] && [ "$total_requests" -gt 0 ]
