#!/usr/bin/env bash
# Renders the map images of docs/maps.md from the shipped geodata/ through the real service: starts the built API on a free
# loopback port with a fresh database, asks it for a static map, a HiDPI tile and a report (page 1 through pdftoppm
# at 100 dpi), and stops it. Run by `make bless` after the golden images; review the images before committing.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=tests/ClusterMap.Rendering.Tests/ReadmeImages
config="${1:-Release}"
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dotnet build src/ClusterMap.Api -c "$config" -nologo -v q >/dev/null
Storage__SqlitePath="$work/clustermap.db" Storage__GeodataPath="$PWD/geodata" \
  dotnet "src/ClusterMap.Api/bin/$config/net10.0/ClusterMap.Api.dll" --urls "http://127.0.0.1:$port" >"$work/service.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/conformance" >/dev/null 2>&1 && break
  sleep 1
done

base="http://127.0.0.1:$port"
# The stamp prints the figure's permalink: make it the address the docs use, not this throwaway port.
host=(-H "Host: 127.0.0.1:5080")
curl -fsS "${host[@]}" -o "$out/static-map.png" "$base/maps/static.png?width=1000&height=760"
curl -fsS "${host[@]}" -o "$out/tile-z12@2x.png" "$base/tiles/default/12/3430/1672@2x.png"
curl -fsS "${host[@]}" -o "$work/report.pdf" "$base/reports/universities/aurora.pdf"
pdftoppm -r 100 -png -singlefile -f 1 -l 1 "$work/report.pdf" "$out/report-page"
echo "README images rendered into $out"
