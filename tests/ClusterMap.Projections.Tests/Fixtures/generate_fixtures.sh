#!/usr/bin/env bash
# Regenerates the reference CSVs. Independent references, not ClusterMap's own code:
# - gcj_offsets.csv: shared/geodata-sources/checks/gcj_offset.py (the published GCJ-02 / BD-09 formulas, Python).
# - gdal_projected.csv: GDAL/PROJ (gdaltransform) for EPSG:3857, EPSG:32651 and EPSG:4549 (CGCS2000 GK CM 120E).
# Usage (from the repository root): bash tests/ClusterMap.Projections.Tests/Fixtures/generate_fixtures.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
python3 - "$root/../shared/geodata-sources/checks/gcj_offset.py" > "$here/gcj_offsets.csv" <<'PY'
import contextlib, io, runpy, sys
with contextlib.redirect_stdout(io.StringIO()):
    m = runpy.run_path(sys.argv[1])
print("place,lon,lat,gcj_lon,gcj_lat,bd_lon,bd_lat,gcj_offset_m,bd_offset_m")
for name, (lon, lat) in m["pts"].items():
    g = m["wgs2gcj"](lon, lat); b = m["gcj2bd"](*g)
    place = name.split(" (")[0].replace(",", "")
    print(f"{place},{lon!r},{lat!r},{g[0]!r},{g[1]!r},{b[0]!r},{b[1]!r},{m['hav'](lon, lat, *g):.3f},{m['hav'](lon, lat, *b):.3f}")
PY
points="121.4737 31.2304
121.60 31.20
121.93 30.90
121.16 31.30
116.3912 39.9067
87.6168 43.8256"
{
  echo "epsg,lon,lat,x,y"
  for epsg in 3857 32651 4549; do
    gdaltransform -s_srs EPSG:4326 -t_srs "EPSG:$epsg" -output_xy --config OGR_CT_FORCE_TRADITIONAL_GIS_ORDER YES <<<"$points" \
      | paste -d' ' <(echo "$points") - | awk -v e="$epsg" '{ printf "%s,%s,%s,%.4f,%.4f\n", e, $1, $2, $3, $4 }'
  done
} > "$here/gdal_projected.csv"
echo "wrote gcj_offsets.csv and gdal_projected.csv"
