using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Model;
using NetTopologySuite.Geometries;

namespace ClusterMap.Rendering.Tests;

public class GoldenImageTests
{
    private static readonly Envelope _testArea = new(121.1, 121.6, 31.05, 31.45);

    [Fact]
    public void StaticMap_Default_MatchesReference()
    {
        var request = new MapRequest(MapRequest.BoundsFitting(_testArea, 640, 480), 640, 480)
        {
            Figure = new MapFigure("测试地图 Test map", "Synthetic test data"),
        };
        GoldenImage.AssertMatches(TestMaps.Renderer.RenderPng(TestMaps.Data, request), "static-default");
    }

    [Fact]
    public void StaticMap_HighlightWithRingsAndLinks_MatchesReference()
    {
        var request = new MapRequest(MapRequest.BoundsFitting(new Envelope(121.15, 121.45, 31.1, 31.3), 640, 480), 640, 480)
        {
            Language = MapLanguage.En,
            Highlight = new FeatureRef("parks", "park-1"),
            RingsMeters = [2000, 5000],
            NearestLinks = [new NearestLink(new Coordinate(121.20, 31.20), new Coordinate(121.28, 31.21), 7654)],
            Figure = new MapFigure("Test Park 1", "Rings at 2 and 5 km"),
        };
        GoldenImage.AssertMatches(TestMaps.Renderer.RenderPng(TestMaps.Data, request), "static-highlight-en");
    }

    [Theory]
    [InlineData(10, 1)]
    [InlineData(12, 1)]
    [InlineData(12, 2)]
    public void Tile_MatchesReference(int z, float scale)
    {
        var tile = TileIndex.Containing(new Coordinate(121.3, 31.2), z);
        var png = TestMaps.Renderer.RenderPng(TestMaps.Data, MapRequest.ForTile(tile, scale, null));
        GoldenImage.AssertMatches(png, $"tile-{z}-{tile.X}-{tile.Y}@{scale}x");
    }
}
