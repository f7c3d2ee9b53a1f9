using System.Data.Common;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace ClusterMap.Storage.Contract;

/// <summary>Reads (items with bbox, filters and paging; one item; collections) and whole-collection replacement.</summary>
public abstract partial class FeatureStoreContract
{
    /// <summary>Five sites: two points near Shanghai, an L-shaped polygon, and a point either side of the antimeridian.</summary>
    private Task SeedMixedSitesAsync() => Store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition("sites", "Sites", "Test sites"),
    [
        Feature("a", "POINT (121.40 31.20)", """{"sector":"集成电路","area_km2":4.0,"open":true}"""),
        Feature("b", "POINT (121.60 31.25)", """{"sector":"生物医药","area_km2":2.5,"open":false}"""),
        // L-shaped polygon whose envelope covers (121.75, 31.35) but whose shape does not.
        Feature("l", "POLYGON ((121.70 31.30, 121.80 31.30, 121.80 31.32, 121.72 31.32, 121.72 31.40, 121.70 31.40, 121.70 31.30))", """{"sector":"集成电路"}"""),
        Feature("east", "POINT (179.5 0)", "{}"),
        Feature("west", "POINT (-179.5 0)", "{}"),
    ])]);

    private Task<FeaturePage> Items(IReadOnlyList<Envelope>? bbox = null, IReadOnlyList<PropertyFilter>? filters = null, int limit = 100, int offset = 0) =>
        Store.GetItemsAsync(new ItemsQuery("sites", bbox ?? [], filters ?? [], limit, offset));

    [Fact]
    public async Task GetItems_WithBbox_ReturnsOnlyIntersecting()
    {
        await SeedMixedSitesAsync();

        var page = await Items([new Envelope(121.3, 121.5, 31.1, 31.3)]);

        Assert.Equal(["a"], page.Features.Select(f => f.Id));
        Assert.Equal(1, page.NumberMatched);
    }

    [Fact]
    public async Task GetItems_BboxInsidePolygonEnvelopeButOutsideShape_DoesNotMatchPolygon()
    {
        await SeedMixedSitesAsync();

        var miss = await Items([new Envelope(121.75, 121.79, 31.35, 31.39)]);
        var hit = await Items([new Envelope(121.705, 121.71, 31.35, 31.36)]);

        Assert.Empty(miss.Features);
        Assert.Equal(["l"], hit.Features.Select(f => f.Id));
    }

    [Fact]
    public async Task GetItems_BboxAcrossAntimeridian_MatchesBothSides()
    {
        await SeedMixedSitesAsync();

        var page = await Items([new Envelope(179, 180, -1, 1), new Envelope(-180, -179, -1, 1)]);

        Assert.Equal(["east", "west"], page.Features.Select(f => f.Id));
    }

    [Fact]
    public async Task GetItems_PointExactlyOnFloat32UnrepresentableEdge_IsStillFound()
    {
        await SeedMixedSitesAsync();

        // 121.40 and 31.20 are not representable as float32, and both stores' spatial indexes (SQLite's R*Tree,
        // PostGIS's GiST boxes) hold float32: a bound rounded inward would lose the point.
        var page = await Items([new Envelope(121.40, 121.40, 31.20, 31.20)]);

        Assert.Equal(["a"], page.Features.Select(f => f.Id));
    }

    [Theory]
    [InlineData("sector", "集成电路", new[] { "a", "l" })]
    [InlineData("area_km2", "4", new[] { "a" })]
    [InlineData("area_km2", "2.50", new[] { "b" })]
    [InlineData("open", "false", new[] { "b" })]
    [InlineData("open", "0", new string[0])]
    [InlineData("sector", "none", new string[0])]
    [InlineData("missing", "x", new string[0])]
    public async Task GetItems_WithPropertyFilter_ComparesByValue(string property, string value, string[] expected)
    {
        await SeedMixedSitesAsync();

        var page = await Items(filters: [new PropertyFilter(property, value)]);

        Assert.Equal(expected, page.Features.Select(f => f.Id));
        Assert.Equal(expected.Length, page.NumberMatched);
    }

    [Fact]
    public async Task GetItems_FilterAndBbox_BothApply()
    {
        await SeedMixedSitesAsync();

        var page = await Items([new Envelope(121.3, 121.9, 31.1, 31.5)], [new PropertyFilter("sector", "集成电路")]);

        Assert.Equal(["a", "l"], page.Features.Select(f => f.Id));
    }

    [Fact]
    public async Task GetItems_Paging_CountsAllMatchesAndReturnsTheWindowInStoreOrder()
    {
        await SeedMixedSitesAsync();

        var page = await Items(limit: 2, offset: 1);

        Assert.Equal(["b", "l"], page.Features.Select(f => f.Id));
        Assert.Equal(5, page.NumberMatched);
    }

    [Fact]
    public async Task GetItem_ReturnsGeometryAndPropertiesAsStored()
    {
        await SeedMixedSitesAsync();

        var feature = await Store.GetItemAsync("sites", "l");

        Assert.NotNull(feature);
        Assert.True(feature.Geometry.EqualsExact(new WKTReader().Read("POLYGON ((121.70 31.30, 121.80 31.30, 121.80 31.32, 121.72 31.32, 121.72 31.40, 121.70 31.40, 121.70 31.30))")));
        Assert.Equal("""{"sector":"集成电路"}""", feature.PropertiesJson);
        Assert.Null(await Store.GetItemAsync("sites", "nope"));
        Assert.Null(await Store.GetItemAsync("other", "a"));
    }

    [Fact]
    public async Task GetItem_PropertiesJson_RoundTripsByteForByte()
    {
        // Key order, spacing, number spelling and escapes exactly as imported: the API serves this text as it is.
        const string properties = """{ "z": 1.50, "a": "x\u00e9\"y", "n": null,"nested": {"b": [1, 2e3], "a": true} }""";
        await Store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition("sites", "Sites", ""), [Feature("p", "POINT (121.5 31.2)", properties)])]);

        Assert.Equal(properties, (await Store.GetItemAsync("sites", "p"))!.PropertiesJson);
        Assert.Equal(properties, (await Store.GetAllItemsAsync("sites")).Single().PropertiesJson);
    }

    [Fact]
    public async Task GetAllItems_ReturnsEveryFeatureInStoreOrderWithExactCoordinates()
    {
        await SeedMixedSitesAsync();

        var all = await Store.GetAllItemsAsync("sites");

        Assert.Equal(["a", "b", "l", "east", "west"], all.Select(f => f.Id));
        Assert.Equal(new Coordinate(121.40, 31.20), all[0].Geometry.Coordinate);
        Assert.Empty(await Store.GetAllItemsAsync("other"));
    }

    [Fact]
    public async Task GetCollection_DescribesDerivedTypeExtentCountAndQueryables()
    {
        await SeedMixedSitesAsync();

        var collection = await Store.GetCollectionAsync("sites");

        Assert.NotNull(collection);
        Assert.Equal(("Sites", "Geometry", 5L), (collection.Definition.Title, collection.GeometryType, collection.FeatureCount));
        Assert.Equal(new Envelope(-179.5, 179.5, 0, 31.40), collection.Extent);
        Assert.Equal(["area_km2", "open", "sector"], collection.Queryables);
        Assert.Null(await Store.GetCollectionAsync("other"));
    }

    [Fact]
    public async Task GetCollections_ListsInCreationOrderWithDefinitionsAsImported()
    {
        var parks = new CollectionDefinition("parks", "Parks", "Industrial parks", "© Shanghai", "CC-BY-4.0", """{"catalogue": {"present": 3}}""");
        await Store.ReplaceCollectionsAsync([new CollectionImport(parks, [Feature("p", "POINT (121.5 31.2)", "{}")])]);
        await SeedMixedSitesAsync();
        await Store.ReplaceCollectionsAsync([new CollectionImport(parks with { Title = "Parks v2" }, [])]);

        var collections = await Store.GetCollectionsAsync();

        Assert.Equal(["parks", "sites"], collections.Select(c => c.Id));
        Assert.Equal(parks with { Title = "Parks v2" }, collections[0].Definition);
        Assert.Equal((0L, (Envelope?)null), (collections[0].FeatureCount, collections[0].Extent));
    }

    [Fact]
    public async Task ReplaceCollections_FailingMidway_LeavesPreviousContentAndVersion()
    {
        await SeedMixedSitesAsync();
        var versionBefore = await Store.GetDataVersionAsync();
        var broken = new CollectionImport(new CollectionDefinition("sites", "Replaced", ""),
            [Feature("x", "POINT (1 1)", "{}"), Feature("x", "POINT (2 2)", "{}")]);

        await Assert.ThrowsAnyAsync<DbException>(() => Store.ReplaceCollectionsAsync([broken]));

        Assert.Equal(5, (await Items()).NumberMatched);
        Assert.Equal("Sites", (await Store.GetCollectionAsync("sites"))!.Definition.Title);
        Assert.Equal(versionBefore, await Store.GetDataVersionAsync());
    }

    [Fact]
    public async Task ReplaceCollections_Success_ReplacesContentAndBumpsVersion()
    {
        await SeedMixedSitesAsync();
        var versionBefore = await Store.GetDataVersionAsync();

        await Store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition("sites", "Sites v2", ""), [Feature("z", "POINT (121.55 31.35)", "{}")])]);

        Assert.Equal(["z"], (await Items()).Features.Select(f => f.Id));
        Assert.Empty((await Items([new Envelope(121.3, 121.5, 31.1, 31.3)])).Features);
        Assert.Equal(versionBefore + 1, await Store.GetDataVersionAsync());
        Assert.Equal(["sites"], (await Store.GetCollectionsAsync()).Select(c => c.Id));
    }

    [Fact]
    public async Task Initialize_Twice_KeepsDataAndAppliesMigrationsOnce()
    {
        await SeedMixedSitesAsync();

        await Store.InitializeAsync();

        Assert.Equal(5, (await Items()).NumberMatched);
    }
}
