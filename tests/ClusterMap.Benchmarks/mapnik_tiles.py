#!/usr/bin/python3
"""Renders XYZ tiles with Mapnik 3.1 in the style of ClusterMap's default map, for the comparison benchmark.

Usage: mapnik_tiles.py DATA_DIR TILES_FILE OUT_JSON
  DATA_DIR   holds parks.geojson (polygons) and institutes.geojson (points), as the benchmark wrote them
  TILES_FILE one "z x y" per line
  OUT_JSON   receives {"load_ms": …, "first_ms": …, "tiles": [[z, x, y, ms, png_bytes], …]}

Each tile is timed from an empty image to encoded PNG bytes (render + encode), the same span ClusterMap's cold tile
covers minus HTTP. Datasources are opened (and their in-memory index built) once, before any tile, and timed apart.
The style mirrors ClusterMap's: park polygons filled and outlined, institute markers (white outline), names of
institutes from zoom 10 with a white halo, Noto Sans CJK, a 64-pixel buffer so labels near tile edges are placed.
"""
import json
import sys
import time

import mapnik

WORLD_SCALE = 559082264.028  # scale denominator of zoom 0 for 256-pixel tiles (OGC 0.28 mm pixels)
HALF_WORLD = 20037508.342789244


def scale_of(zoom):
    return WORLD_SCALE / (2 ** zoom)


STYLE = """<Map srs="+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs"
     background-color="#e4e4e0" buffer-size="64">
  <Style name="parks">
    <Rule>
      <PolygonSymbolizer fill="#dddddd" fill-opacity="0.6" />
      <LineSymbolizer stroke="#dddddd" stroke-width="1.2" />
    </Rule>
  </Style>
  <Style name="institutes">
    <Rule>
      <MarkersSymbolizer marker-type="ellipse" width="12" height="12" fill="#7a1f3d" stroke="white" stroke-width="1.2" />
    </Rule>
    <Rule>
      <MaxScaleDenominator>%(label_scale)f</MaxScaleDenominator>
      <TextSymbolizer face-name="Noto Sans CJK SC Regular" size="11" fill="#222222" halo-fill="white" halo-radius="1.5"
                      dx="8" dy="0" placement="point">[name_en]</TextSymbolizer>
    </Rule>
  </Style>
</Map>
"""


def style_map():
    m = mapnik.Map(256, 256)
    mapnik.load_map_from_string(m, STYLE % {"label_scale": scale_of(10) * 1.001})
    return m


def main():
    data_dir, tiles_file, out_json = sys.argv[1:4]
    mapnik.register_fonts("/usr/share/fonts/")
    started = time.perf_counter()
    m = style_map()
    for name in ("parks", "institutes"):
        layer = mapnik.Layer(name, "+proj=longlat +datum=WGS84 +no_defs")
        layer.datasource = mapnik.Datasource(type="geojson", file=f"{data_dir}/{name}.geojson")
        layer.datasource.envelope()  # builds the in-memory index now, not in the first tile
        layer.styles.append(name)
        m.layers.append(layer)
    load_ms = (time.perf_counter() - started) * 1000

    with open(tiles_file) as lines:
        tiles = [tuple(int(v) for v in line.split()) for line in lines if line.strip()]
    # The first tile after start also loads fonts and glyphs: it is timed apart, as ClusterMap's is.
    first_ms = render(m, *tiles[0])[0]
    results = [[z, x, y, *render(m, z, x, y)] for z, x, y in tiles]
    with open(out_json, "w") as out:
        json.dump({"load_ms": load_ms, "first_ms": first_ms, "tiles": results}, out)


def render(m, z, x, y):
    size = 2 * HALF_WORLD / (2 ** z)
    box = mapnik.Box2d(-HALF_WORLD + x * size, HALF_WORLD - (y + 1) * size, -HALF_WORLD + (x + 1) * size, HALF_WORLD - y * size)
    t0 = time.perf_counter()
    m.zoom_to_box(box)
    image = mapnik.Image(256, 256)
    mapnik.render(m, image)
    png = image.tostring("png")
    return (time.perf_counter() - t0) * 1000, len(png)


if __name__ == "__main__":
    main()
