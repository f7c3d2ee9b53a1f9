using System.Net;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Generalization;
using ClusterMap.Rendering.Labels;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Tests.Maps;

/// <summary>
/// Maps read only what they draw: with every collection read from the store (Maps:InMemoryMaxFeatures = 0), a store
/// spy shows that tiles and figures ask only for boxes near what they show, and never for a whole collection.
/// </summary>
public sealed class MapReadsTests : IDisposable
{
    // The test data's largest location uncertainty (a park's 12 km): halos that large may reach a view from outside it.
    private const double MaxUncertaintyMeters = 12_000;

    private readonly ClusterMapFactory _factory = ClusterMapFactory.With(MapTestFactory.MapGeodata, new Dictionary<string, string?>
    {
        ["Maps:DataVersionCheckMilliseconds"] = "0",
        ["Maps:InMemoryMaxFeatures"] = "0",
        // The warm-up tile is drawn as the service starts and would land in whichever test's spy is recording.
        ["Maps:WarmUpAtStart"] = "false",
    });

    private readonly WebApplicationFactoryWithSpy _service;

    public MapReadsTests() => _service = StoreSpy.Around(_factory);

    private StoreSpy Spy => _service.Spy;

    /// <summary>The most a read for a view may cover: the view widened by the read margin and the largest halo (Mercator-stretched).</summary>
    private static Envelope Reach(Envelope viewMeters, double metersPerPixel)
    {
        var reach = new Envelope(viewMeters);
        reach.ExpandBy((MapGeneralization.ReadMarginPixels * metersPerPixel) + (MaxUncertaintyMeters * 1.3 * WebMercator.ScaleFactor(32)) + 1);
        return new Envelope(WebMercator.ToLonLat(new Coordinate(reach.MinX, reach.MinY)), WebMercator.ToLonLat(new Coordinate(reach.MaxX, reach.MaxY)));
    }

    [Theory]
    [InlineData(14)]
    [InlineData(12)]
    public async Task RasterTile_ReadsOnlyBoxesNearItsMetaTile_NeverAWholeCollection(int z)
    {
        var tile = TileIndex.Containing(MapAssertions.Park1, z);
        Spy.Reset();

        var response = await _service.Factory.CreateClient().GetAsync($"/tiles/default/{tile.Z}/{tile.X}/{tile.Y}.png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Spy.WholeReads);
        Assert.Empty(Spy.PageReads);
        Assert.NotEmpty(Spy.AllBoxReads);
        var (_, _, meta) = TileLabelLayout.MetaTile(tile);
        var reach = Reach(meta, WebMercator.MetersPerPixel(z));
        var tileLonLat = tile.BoundsLonLat;
        Assert.All(Spy.AllBoxReads, read =>
        {
            Assert.True(reach.Contains(read.BoxLonLat), $"{read.CollectionId}: {read.BoxLonLat} reaches beyond {reach}");
            Assert.True(read.BoxLonLat.Contains(tileLonLat), $"{read.CollectionId}: {read.BoxLonLat} does not cover the tile");
        });
    }

    /// <summary>
    /// The default style draws campuses from z9 and stations (context points) from z12 (<see cref="MapGeneralization.SymbolMinZoom"/>):
    /// a tile below that zoom does not read them at all; from it, it does (so the spy would see the read).
    /// </summary>
    [Theory]
    [InlineData(8, new[] { "parks", "institutes", "land", "water" }, new[] { "universities", "metro-stations" })]
    [InlineData(10, new[] { "parks", "universities" }, new[] { "metro-stations" })]
    [InlineData(12, new[] { "parks", "universities", "metro-stations" }, new string[0])]
    public async Task RasterTile_ReadsNoLayerItsStyleDoesNotDrawAtItsZoom(int z, string[] read, string[] notRead)
    {
        var tile = TileIndex.Containing(MapAssertions.Park1, z);
        Spy.Reset();

        var response = await _service.Factory.CreateClient().GetAsync($"/tiles/default/{tile.Z}/{tile.X}/{tile.Y}.png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var readIds = Spy.AllBoxReads.Select(r => r.CollectionId).ToHashSet();
        Assert.All(read, id => Assert.Contains(id, readIds));
        Assert.All(notRead, id => Assert.DoesNotContain(id, readIds));
    }

    [Fact]
    public async Task StaticMap_BelowTheCampusZoom_StillReadsTheHighlightedCampus()
    {
        Spy.Reset();

        // The whole test area at 400 pixels: about z8, where campuses are not drawn, but the highlighted one is.
        var response = await _service.Factory.CreateClient().GetAsync("/maps/static.png?highlight=universities/uni-1&bbox=119.5,30,123,33&width=400&height=300");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Spy.AllBoxReads, r => r.CollectionId == "universities");
        Assert.DoesNotContain(Spy.AllBoxReads, r => r.CollectionId == "metro-stations");
    }

    [Fact]
    public async Task RasterTile_FarFromAllData_ReadsNoFeature()
    {
        var tile = TileIndex.Containing(new Coordinate(-30, -40), 14);
        Spy.Reset();

        var response = await _service.Factory.CreateClient().GetAsync($"/tiles/default/{tile.Z}/{tile.X}/{tile.Y}.png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Spy.WholeReads);
        Assert.NotEmpty(Spy.AllBoxReads);
        Assert.All(Spy.AllBoxReads, read => Assert.Equal(0, read.Returned));
    }

    [Fact]
    public async Task TilesOfOneMetaTile_PlaceLabelsOnce()
    {
        var corner = TileIndex.Containing(MapAssertions.Park1, 13);
        var first = TileIndex.Create(13, corner.X / 4 * 4, corner.Y / 4 * 4);
        var client = _service.Factory.CreateClient();
        Spy.Reset();

        await client.GetByteArrayAsync($"/tiles/clusters/13/{first.X}/{first.Y}.png");
        var afterFirst = Spy.AllBoxReads.Count;
        await client.GetByteArrayAsync($"/tiles/clusters/13/{first.X + 1}/{first.Y + 1}.png");

        // The first tile reads its meta-tile (for labels) and itself; the second only itself.
        Assert.Equal(afterFirst / 2, Spy.AllBoxReads.Count - afterFirst);
    }

    [Fact]
    public async Task FirstTileOfAMetaTile_ReadsTheMetaTileForSymbolsOnly_AndItselfWhole()
    {
        var tile = TileIndex.Containing(MapAssertions.Park1, 12);
        var (_, _, meta) = TileLabelLayout.MetaTile(tile);
        var metaLonLat = new Envelope(WebMercator.ToLonLat(new Coordinate(meta.MinX, meta.MinY)), WebMercator.ToLonLat(new Coordinate(meta.MaxX, meta.MaxY)));
        Spy.Reset();

        var response = await _service.Factory.CreateClient().GetAsync($"/tiles/default/{tile.Z}/{tile.X}/{tile.Y}.png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var parks = Spy.ClusterReads.Where(r => r.CollectionId == "parks").ToList();
        // The labels' read covers the meta-tile and asks for symbols only; the tile's own read asks for its areas too.
        Assert.Contains(parks, r => r.Query.SymbolsUnderMeters is not null && r.Query.BoxLonLat.Contains(metaLonLat));
        Assert.Contains(parks, r => r.Query.SymbolsUnderMeters is null && r.Query.BoxLonLat.Contains(tile.BoundsLonLat));
        Assert.All(parks.Where(r => r.Query.SymbolsUnderMeters is null), r => Assert.True(Reach(tile.BoundsMeters, WebMercator.MetersPerPixel(12)).Contains(r.Query.BoxLonLat)));
    }

    [Fact]
    public async Task VectorTile_ReadsOneBoxOfItsCollection()
    {
        var tile = TileIndex.Containing(MapAssertions.Park1, 12);
        Spy.Reset();

        var response = await _service.Factory.CreateClient().GetAsync($"/tiles/parks/{tile.Z}/{tile.X}/{tile.Y}.mvt");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Spy.WholeReads);
        var read = Assert.Single(Spy.AllBoxReads);
        Assert.Equal("parks", read.CollectionId);
        Assert.True(Reach(tile.BoundsMeters, WebMercator.MetersPerPixel(12)).Contains(read.BoxLonLat));
    }

    [Fact]
    public async Task StaticMap_WithHighlight_ReadsTheFeatureAndBoxesNearTheFigure()
    {
        Spy.Reset();

        var response = await _service.Factory.CreateClient().GetAsync("/maps/static.png?highlight=parks/park-1&radius_m=2000&width=400&height=300");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Spy.WholeReads);
        Assert.Contains("parks/park-1", Spy.ItemReads);
        Assert.NotEmpty(Spy.AllBoxReads);
        // 2 km rings with a margin fill the 300-pixel side: every box stays within a few tens of kilometres.
        Assert.All(Spy.AllBoxReads, read => Assert.True(read.BoxLonLat.Width < 0.6 && read.BoxLonLat.Height < 0.5, $"{read.CollectionId}: {read.BoxLonLat}"));
    }

    [Fact]
    public async Task TileJsonAndClientConfig_ReadNoFeatures()
    {
        var client = _service.Factory.CreateClient();
        Spy.Reset();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/tiles/default.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/client/config.json")).StatusCode);

        Assert.Empty(Spy.WholeReads);
        Assert.Empty(Spy.AllBoxReads);
    }

    public void Dispose()
    {
        _service.Factory.Dispose();
        _factory.Dispose();
    }
}
