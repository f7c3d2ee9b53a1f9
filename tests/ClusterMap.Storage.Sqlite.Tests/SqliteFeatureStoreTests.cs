using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace ClusterMap.Storage.Sqlite.Tests;

/// <summary>
/// What only the SQLite store has (its file's migrations). The store-generic reads and writes are the shared
/// contract (tests/Shared/StoreContract), run here by SqliteFeatureStoreContractTests.
/// </summary>
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

    [Fact]
    public async Task MigrationV5_OnADatabaseWrittenBeforeIt_CountsThePyramidAndIndexesWideShapes()
    {
        var random = new Random(5);
        var factory = new GeometryFactory();
        var features = new List<FeatureRecord>();
        for (var i = 0; i < 1500; i++)
        {
            var x = 121.3 + (random.NextDouble() * 0.3);
            var y = 31.1 + (random.NextDouble() * 0.2);
            var side = i % 10 == 0 ? 0.05 : 0.0001;
            features.Add(new FeatureRecord($"f{i}", i % 3 == 0 ? factory.ToGeometry(new Envelope(x, x + side, y, y + side)) : factory.CreatePoint(new Coordinate(x, y)), "{}"));
        }

        await _store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition("dense", "Dense", "Test"), features)]);
        await using (var connection = new SqliteConnection($"Data Source={_store.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE cluster_cells; DROP TABLE cluster_pyramids; DROP TABLE features_span_rtree; DELETE FROM schema_migrations WHERE version IN (5, 7)";
            await command.ExecuteNonQueryAsync();
        }

        await _store.InitializeAsync();

        await using (var connection = new SqliteConnection($"Data Source={_store.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT (SELECT count(*) FROM cluster_pyramids) || ' ' || (SELECT count(*) FROM features_span_rtree)";
            // Both collections counted; every square and the polygon of "sites" indexed by span, no point.
            Assert.Equal($"2 {features.Count(f => f.Geometry is Polygon) + 1}", await command.ExecuteScalarAsync());
        }

        var geometries = features.Select(f => f.Geometry).ToList();
        var ids = features.Select(f => f.Id).ToList();
        foreach (var level in new[] { 9, 12, 15 })
        {
            var query = new Core.Storage.ClusterQuery(new Envelope(121.2, 121.7, 31.0, 31.4), Core.Tiles.ClusterPyramid.CellMeters(level), 3, ["f3"]);
            var (clusters, whole) = Core.Tiles.ClusterGrid.Group(geometries, ids, query);
            var read = await _store.GetClusteredNearBoxAsync("dense", query);

            Assert.Equal(clusters.Select(c => (c.CellX, c.CellY, c.Count)), read.Clusters.Select(c => (c.CellX, c.CellY, c.Count)));
            Assert.Equal(whole.Select(i => ids[i]), read.Features.Select(f => f.Id));
        }
    }
}
