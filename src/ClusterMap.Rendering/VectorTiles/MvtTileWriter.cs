using System.Text.Json;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Generalization;
using ClusterMap.Rendering.Model;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.IO.VectorTiles;
using NetTopologySuite.IO.VectorTiles.Mapbox;
using NetTopologySuite.Simplify;

namespace ClusterMap.Rendering.VectorTiles;

/// <summary>
/// Mapbox Vector Tiles (spec 2.1) of one collection, through NetTopologySuite.IO.VectorTiles.Mapbox. Features are
/// clipped to the tile plus a buffer so lines and polygons join across tile edges; every scalar property is kept. A
/// crowded cell of a point layer (<see cref="MapLayer.Clusters"/>) is one point at its members' mean with
/// <c>cluster</c> = true and <c>point_count</c>, as supercluster and tippecanoe write them.
/// </summary>
public static class MvtTileWriter
{
    /// <summary>Tile coordinate resolution, the spec's usual 4096.</summary>
    public const uint Extent = 4096;

    /// <summary>Buffer around the tile in tile units (64 of 4096, as in most servers).</summary>
    public const int BufferUnits = 64;

    /// <summary>The buffer as a fraction of the tile's width.</summary>
    private const double BufferFraction = (double)BufferUnits / Extent;

    // Shapes with fewer coordinates are written as they are.
    private const int SimplifyMinCoordinates = 16;

    public const string ContentType = "application/vnd.mapbox-vector-tile";

    /// <summary>The attribute that marks a cluster (true); features have none.</summary>
    public const string ClusterAttribute = "cluster";

    /// <summary>How many features a cluster stands for.</summary>
    public const string PointCountAttribute = "point_count";

    /// <summary>How a point layer's vector tile is clustered: the map's cells and rules at the tile's zoom, over the tile and its buffer.</summary>
    public static ClusterQuery ClusterQuery(TileIndex tile)
    {
        var bounds = tile.BoundsLonLat;
        var buffered = new Envelope(bounds);
        buffered.ExpandBy(bounds.Width * BufferFraction, bounds.Height * BufferFraction);
        var mpp = WebMercator.MetersPerPixel(tile.Z);
        return new ClusterQuery(buffered, MapGeneralization.CellMeters(mpp), MapGeneralization.MaxPointsPerCell, []);
    }

    public static byte[] Write(MapLayer layer, TileIndex tile)
    {
        var bounds = tile.BoundsLonLat;
        var buffered = new Envelope(bounds);
        buffered.ExpandBy(bounds.Width * BufferFraction, bounds.Height * BufferFraction);
        var clip = layer.Features.Count == 0 ? null : layer.Features[0].LonLat.Factory.ToGeometry(buffered);

        var mvtLayer = new Layer { Name = layer.Id };
        foreach (var feature in layer.Features)
        {
            if (!feature.LonLat.EnvelopeInternal.Intersects(buffered))
            {
                continue;
            }

            var geometry = feature.LonLat is Point || buffered.Contains(feature.LonLat.EnvelopeInternal)
                ? feature.LonLat
                : Clip(feature.LonLat, clip!);
            if (geometry.NumPoints > SimplifyMinCoordinates)
            {
                // Detail finer than the tile's own resolution is lost in encoding anyway; it only costs bytes and time.
                geometry = TopologyPreservingSimplifier.Simplify(geometry, bounds.Width / Extent / 2);
            }

            if (geometry.IsEmpty)
            {
                continue;
            }

            mvtLayer.Features.Add(new Feature(geometry, Attributes(feature)));
        }

        var bufferedMeters = WebMercator.FromLonLat(buffered);
        foreach (var cluster in layer.Clusters?.Cells ?? [])
        {
            if (bufferedMeters.Contains(cluster.MeanMeters))
            {
                var at = new Point(WebMercator.ToLonLat(cluster.MeanMeters));
                mvtLayer.Features.Add(new Feature(at, new AttributesTable { { ClusterAttribute, true }, { PointCountAttribute, cluster.Count } }));
            }
        }

        var vectorTile = new VectorTile { TileId = new NetTopologySuite.IO.VectorTiles.Tiles.Tile(tile.X, tile.Y, tile.Z).Id };
        if (mvtLayer.Features.Count > 0)
        {
            vectorTile.Layers.Add(mvtLayer);
        }

        using var stream = new MemoryStream();
        // Named arguments on purpose: positionally, 4096 lands in minLinealExtent and the tiles come out broken.
        vectorTile.Write(stream: stream, minLinealExtent: 1, minPolygonalExtent: 2, extent: Extent, idAttributeName: "id");
        return stream.ToArray();
    }

    /// <summary>
    /// The part of a geometry inside the buffered tile. A polygon that is not valid (a self-intersecting ring, which a
    /// store may hold) cannot be intersected as it is: it is repaired first (GeometryFixer keeps every area it covers).
    /// </summary>
    private static Geometry Clip(Geometry geometry, Geometry clip)
    {
        try
        {
            return geometry.Intersection(clip);
        }
        catch (TopologyException)
        {
            return GeometryFixer.Fix(geometry).Intersection(clip);
        }
    }

    private static AttributesTable Attributes(MapFeature feature)
    {
        var table = new AttributesTable { { "id", feature.Id } };
        using var document = JsonDocument.Parse(feature.PropertiesJson);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return table;
        }

        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name == "id")
            {
                continue;
            }

            object? value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number when property.Value.TryGetInt64(out var whole) => whole,
                JsonValueKind.Number => property.Value.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => null,
            };
            if (value is not null)
            {
                table.Add(property.Name, value);
            }
        }

        return table;
    }
}
