"""Drops the polygons and holes of a (Multi)Polygon GeoJSON smaller than a threshold in square degrees.

The 10 m source has thousands of islets and tile-seam slivers; a region that decides whether a ~500 m offset
applies needs neither. Usage: drop_small_parts.py IN OUT MIN_AREA_DEG2
"""
import json
import sys


def ring_area(ring):
    # Shoelace formula in degrees; only compared with the threshold, so degrees are good enough.
    s = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        s += x1 * y2 - x2 * y1
    return abs(s) / 2.0


def main(src, dst, min_area):
    with open(src, encoding="utf-8") as f:
        collection = json.load(f)
    feature = collection["features"][0]
    geometry = feature["geometry"]
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    kept = []
    for polygon in polygons:
        if ring_area(polygon[0]) < min_area:
            continue
        kept.append([polygon[0]] + [hole for hole in polygon[1:] if ring_area(hole) >= min_area])
    feature["geometry"] = {"type": "MultiPolygon", "coordinates": kept}
    feature["properties"] = {"name": "mainland China (GCJ-02 region)"}
    collection["features"] = [feature]
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(collection, f, separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
