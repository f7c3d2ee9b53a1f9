#!/usr/bin/python3
"""Renders XYZ tiles with Mapnik 3.1 in the style of ClusterMap's default map, for the comparison benchmark.

Usage: mapnik_tiles.py DATA_DIR TILES_FILE OUT_JSON
  DATA_DIR   holds parks.geojson (polygons) and institutes.geojson (points), as the benchmark wrote them
  TILES_FILE one "z x y" per line
  OUT_JSON   receives {"load_ms": …, "tiles": [[z, x, y, ms, png_bytes], …]}

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


def style_map():
    m = mapnik.Map(256, 256, "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs")
    m.background = mapnik.Color("#e4e4e0")
    m.buffer_size = 64

    parks = mapnik.Style()
    rule = mapnik.Rule()
    fill = mapnik.PolygonSymbolizer()
    fill.fill = mapnik.Color("#dddddd")
    fill.fill_opacity = 0x99 / 255
    rule.symbols.append(fill)
    outline = mapnik.LineSymbolizer()
    outline.stroke = mapnik.Color("#dddddd")
    outline.stroke_width = 1.2
    rule.symbols.append(outline)
    parks.rules.append(rule)
    m.append_style("parks", parks)

    institutes = mapnik.Style()
    rule = mapnik.Rule()
    marker = mapnik.MarkersSymbolizer()
    marker.fill = mapnik.Color("#7a1f3d")
    marker.stroke = mapnik.Color("white")
    marker.stroke_width = 1.2
    marker.width = mapnik.Expression("12")
    marker.height = mapnik.Expression("12")
    rule.symbols.append(marker)
    institutes.rules.append(rule)
    labels = mapnik.Rule()
    labels.max_scale = scale_of(10) * 1.001
    text = mapnik.TextSymbolizer()
    text.name = mapnik.Expression("[name_en]")
    text.face_name = "Noto Sans CJK SC Regular"
    text.text_size = 11
    text.fill = mapnik.Color("#222222")
    text.halo_fill = mapnik.Color("white")
    text.halo_radius = 1.5
    text.displacement = (8, 0)
    text.label_placement = mapnik.label_placement.POINT_PLACEMENT
    labels.symbols.append(text)
    institutes.rules.append(labels)
    m.append_style("institutes", institutes)
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

    results = []
    with open(tiles_file) as lines:
        tiles = [tuple(int(v) for v in line.split()) for line in lines if line.strip()]
    for z, x, y in tiles:
        size = 2 * HALF_WORLD / (2 ** z)
        box = mapnik.Box2d(-HALF_WORLD + x * size, HALF_WORLD - (y + 1) * size, -HALF_WORLD + (x + 1) * size, HALF_WORLD - y * size)
        t0 = time.perf_counter()
        m.zoom_to_box(box)
        image = mapnik.Image(256, 256)
        mapnik.render(m, image)
        png = image.tostring("png")
        results.append([z, x, y, (time.perf_counter() - t0) * 1000, len(png)])

    with open(out_json, "w") as out:
        json.dump({"load_ms": load_ms, "tiles": results}, out)


if __name__ == "__main__":
    main()
