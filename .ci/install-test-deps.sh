#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine; does nothing when it is already there.
set -euo pipefail

need=()
command -v ogrinfo >/dev/null 2>&1 || need+=(gdal-bin)   # GDAL's OAPIF and MVT drivers: real clients of the API
/usr/bin/python3 -c "import owslib" >/dev/null 2>&1 || need+=(python3-owslib)   # OWSLib's OGC API – Features client: collections, items with datetime and filter, queryables
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)   # renders our PDFs back to PNG, and pdftotext
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)   # decodes the figures' QR codes back to their permalinks
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || need+=(fonts-noto-cjk)   # the one label font (zh and Latin), and the browser's CJK font
{ [ -x /usr/lib/postgresql/15/bin/initdb ] && [ -f /usr/share/postgresql/15/extension/postgis.control ]; } || need+=(postgresql-15 postgresql-15-postgis-3)   # throwaway PostGIS clusters for the PostGIS store's contract, CLI and replica tests
command -v npm >/dev/null 2>&1 || need+=(npm)   # the basemap rebuild test installs the pinned OSM package with npm ci
command -v wrk >/dev/null 2>&1 || need+=(wrk)   # HTTP load generator: the load smoke test and `make loadtest`
[ -x /usr/bin/chromium ] || need+=(chromium)   # Debian's browser for the Playwright tests (Playwright's own download cannot work here)

if [ ${#need[@]} -gt 0 ]; then
  echo "Installing test prerequisites: ${need[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
