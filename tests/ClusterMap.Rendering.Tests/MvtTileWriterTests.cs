using ClusterMap.Core.Features;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.VectorTiles;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using NetTopologySuite.IO.VectorTiles.Mapbox;

namespace ClusterMap.Rendering.Tests;

/// <summary>The service's own vector-tile writer on geometries a store may hold but overlay cannot take as they are.</summary>
public sealed class MvtTileWriterTests
{
    [Fact]
    public void SelfIntersectingPolygon_CrossingTheTileEdge_IsClippedNotAnError()
    {
        // A bow-tie (its ring crosses itself) straddling the tile's west edge: intersecting it as it is throws.
        var tile = TileIndex.Containing(new Coordinate(121.47, 31.23), 12);
        var bounds = tile.BoundsLonLat;
        double x = bounds.MinX, y = bounds.Centre.Y, d = bounds.Width / 4;
        var bowTie = new WKTReader().Read(FormattableString.Invariant(
            $"POLYGON (({x - d} {y - d}, {x + d} {y + d}, {x + d} {y - d}, {x - d} {y + d}, {x - d} {y - d}))"));
        bowTie.SRID = 4326;
        Assert.False(bowTie.IsValid);
        Assert.Throws<TopologyException>(() => bowTie.Intersection(bowTie.Factory.ToGeometry(bounds)));
        var feature = MapData.ToMapFeature(new FeatureRecord("bow-tie", bowTie, """{"name":"Bow tie"}"""));
        var layer = new MapLayer("parks", "Parks", MapLayerKind.Parks, "", "", [feature]);

        var bytes = MvtTileWriter.Write(layer, tile);

        using var stream = new MemoryStream(bytes);
        var decoded = new MapboxTileReader().Read(stream, new NetTopologySuite.IO.VectorTiles.Tiles.Tile(tile.X, tile.Y, tile.Z));
        var written = Assert.Single(Assert.Single(decoded.Layers).Features);
        Assert.Equal("bow-tie", written.Attributes["id"]);
        // The east lobe lies inside the tile, the west lobe outside its buffer: what is written is the east lobe.
        Assert.True(written.Geometry.Area > 0);
        Assert.True(written.Geometry.EnvelopeInternal.MinX >= bounds.MinX - (bounds.Width * 0.02), written.Geometry.ToString());
        Assert.True(written.Geometry.Covers(bowTie.Factory.CreatePoint(new Coordinate(x + (d * 0.9), y))), written.Geometry.ToString());
    }
}
