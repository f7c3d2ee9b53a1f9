using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace ClusterMap.Storage.Sqlite.Tests;

public sealed class SqliteFeatureStoreTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clustermap-sqlite-").FullName;
    private SqliteFeatureStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteFeatureStore(Path.Combine(_directory, "test.db"));
        await _store.InitializeAsync();
        await _store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition("sites", "Sites", "Test sites"),
        [
            Feature("a", "POINT (121.40 31.20)", """{"sector":"集成电路","area_km2":4.0,"open":true}"""),
            Feature("b", "POINT (121.60 31.25)", """{"sector":"生物医药","area_km2":2.5,"open":false}"""),
            // L-shaped polygon whose envelope covers (121.75, 31.35) but whose shape does not.
            Feature("l", "POLYGON ((121.70 31.30, 121.80 31.30, 121.80 31.32, 121.72 31.32, 121.72 31.40, 121.70 31.40, 121.70 31.30))", """{"sector":"集成电路"}"""),
            Feature("east", "POINT (179.5 0)", "{}"),
            Feature("west", "POINT (-179.5 0)", "{}"),
        ])]);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private static FeatureRecord Feature(string id, string wkt, string properties) => new(id, new WKTReader().Read(wkt), properties);

    private Task<FeaturePage> Items(IReadOnlyList<Envelope>? bbox = null, IReadOnlyList<PropertyFilter>? filters = null, int limit = 100, int offset = 0) =>
        _store.GetItemsAsync(new ItemsQuery("sites", bbox ?? [], filters ?? [], limit, offset));

    [Fact]
    public async Task GetItems_WithBbox_ReturnsOnlyIntersecting()
    {
        var page = await Items([new Envelope(121.3, 121.5, 31.1, 31.3)]);

        Assert.Equal(["a"], page.Features.Select(f => f.Id));
        Assert.Equal(1, page.NumberMatched);
    }

    [Fact]
    public async Task GetItems_BboxInsidePolygonEnvelopeButOutsideShape_DoesNotMatchPolygon()
    {
        var miss = await Items([new Envelope(121.75, 121.79, 31.35, 31.39)]);
        var hit = await Items([new Envelope(121.705, 121.71, 31.35, 31.36)]);

        Assert.Empty(miss.Features);
        Assert.Equal(["l"], hit.Features.Select(f => f.Id));
    }

    [Fact]
    public async Task GetItems_BboxAcrossAntimeridian_MatchesBothSides()
    {
        var page = await Items([new Envelope(179, 180, -1, 1), new Envelope(-180, -179, -1, 1)]);

        Assert.Equal(["east", "west"], page.Features.Select(f => f.Id));
    }

    [Fact]
    public async Task GetItems_PointExactlyOnFloat32UnrepresentableEdge_IsStillFound()
    {
        // 121.40 and 31.20 are not representable as float32; a naive R*Tree bound would round inward and lose them.
        var page = await Items([new Envelope(121.40, 121.40, 31.20, 31.20)]);

        Assert.Equal(["a"], page.Features.Select(f => f.Id));
    }

    [Theory]
    [InlineData("sector", "集成电路", new[] { "a", "l" })]
    [InlineData("area_km2", "4", new[] { "a" })]
    [InlineData("area_km2", "2.50", new[] { "b" })]
    [InlineData("open", "false", new[] { "b" })]
    [InlineData("sector", "none", new string[0])]
    public async Task GetItems_WithPropertyFilter_ComparesByValue(string property, string value, string[] expected)
    {
        var page = await Items(filters: [new PropertyFilter(property, value)]);

        Assert.Equal(expected, page.Features.Select(f => f.Id));
        Assert.Equal(expected.Length, page.NumberMatched);
    }

    [Fact]
    public async Task GetItems_Paging_CountsAllMatchesAndReturnsTheWindowInStoreOrder()
    {
        var page = await Items(limit: 2, offset: 1);

        Assert.Equal(["b", "l"], page.Features.Select(f => f.Id));
        Assert.Equal(5, page.NumberMatched);
    }

    [Fact]
    public async Task GetItem_ReturnsGeometryAndPropertiesAsStored()
    {
        var feature = await _store.GetItemAsync("sites", "l");

        Assert.NotNull(feature);
        Assert.True(feature.Geometry.EqualsExact(new WKTReader().Read("POLYGON ((121.70 31.30, 121.80 31.30, 121.80 31.32, 121.72 31.32, 121.72 31.40, 121.70 31.40, 121.70 31.30))")));
        Assert.Equal("""{"sector":"集成电路"}""", feature.PropertiesJson);
        Assert.Null(await _store.GetItemAsync("sites", "nope"));
        Assert.Null(await _store.GetItemAsync("other", "a"));
    }

    [Fact]
    public async Task GetCollection_DescribesDerivedTypeExtentCountAndQueryables()
    {
        var collection = await _store.GetCollectionAsync("sites");

        Assert.NotNull(collection);
        Assert.Equal(("Sites", "Geometry", 5L), (collection.Definition.Title, collection.GeometryType, collection.FeatureCount));
        Assert.Equal(new Envelope(-179.5, 179.5, 0, 31.40), collection.Extent);
        Assert.Equal(["area_km2", "open", "sector"], collection.Queryables);
    }

    [Fact]
    public async Task ReplaceCollections_FailingMidway_LeavesPreviousContentAndVersion()
    {
        var versionBefore = await _store.GetDataVersionAsync();
        var broken = new CollectionImport(new CollectionDefinition("sites", "Replaced", ""),
            [Feature("x", "POINT (1 1)", "{}"), Feature("x", "POINT (2 2)", "{}")]);

        await Assert.ThrowsAsync<SqliteException>(() => _store.ReplaceCollectionsAsync([broken]));

        Assert.Equal(5, (await Items()).NumberMatched);
        Assert.Equal("Sites", (await _store.GetCollectionAsync("sites"))!.Definition.Title);
        Assert.Equal(versionBefore, await _store.GetDataVersionAsync());
    }

    [Fact]
    public async Task ReplaceCollections_Success_ReplacesContentAndBumpsVersion()
    {
        var versionBefore = await _store.GetDataVersionAsync();

        await _store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition("sites", "Sites v2", ""), [Feature("z", "POINT (121.55 31.35)", "{}")])]);

        Assert.Equal(["z"], (await Items()).Features.Select(f => f.Id));
        Assert.Empty((await Items([new Envelope(121.3, 121.5, 31.1, 31.3)])).Features);
        Assert.Equal(versionBefore + 1, await _store.GetDataVersionAsync());
        Assert.Equal(["sites"], (await _store.GetCollectionsAsync()).Select(c => c.Id));
    }

    [Fact]
    public async Task Initialize_Twice_KeepsDataAndAppliesMigrationsOnce()
    {
        await _store.InitializeAsync();

        Assert.Equal(5, (await Items()).NumberMatched);
    }

    [Fact]
    public async Task MigrationV3_OnADatabaseWrittenBeforeIt_CountsExistingFeaturesForLaterWrites()
    {
        // Undo migration 3 as if the file had been written by an older build, then open it again.
        await using (var connection = new SqliteConnection($"Data Source={_store.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE api_keys; DROP TABLE collection_geometry_types; DROP TABLE collection_queryables; DELETE FROM schema_migrations WHERE version = 3";
            await command.ExecuteNonQueryAsync();
        }

        await _store.InitializeAsync();
        // "l" is the only polygon and the only feature without area_km2 and open among its neighbours: deleting the
        // points leaves only what the backfilled counts say about "l".
        foreach (var id in new[] { "a", "b", "east", "west" })
        {
            Assert.True(await _store.DeleteFeatureAsync("sites", id));
        }

        var collection = await _store.GetCollectionAsync("sites");
        Assert.Equal("Polygon", collection!.GeometryType);
        Assert.Equal(["sector"], collection.Queryables);
        Assert.Equal(new Envelope(121.70, 121.80, 31.30, 31.40), collection.Extent);
    }
}
