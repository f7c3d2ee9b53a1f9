using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Tests.Shared;
using Dapper;
using NetTopologySuite.Geometries;
using Npgsql;

namespace ClusterMap.Storage.PostGis.Tests;

/// <summary>
/// The cluster pyramid in PostGIS: clustered reads at a level's scale come from <c>cluster_cells</c>, not from the
/// rows; a database made before the pyramid gets it counted when a replica starts; and a crowded low-zoom read
/// touches far fewer table pages than counting the rows does.
/// </summary>
public sealed class PostGisClusterPyramidTests : IAsyncLifetime
{
    private const string Blob = "blob";
    private static readonly GeometryFactory _factory = new();
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(_connectionString);
    }

    /// <summary>Seeded points in a dense blob over Shanghai, a few squares too wide to anchor at low zoom, a multipoint.</summary>
    private static List<FeatureRecord> BlobFeatures(int points)
    {
        var random = new Random(4);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var features = new List<FeatureRecord>();
        for (var i = 0; i < points; i++)
        {
            features.Add(new FeatureRecord($"p{i}", _factory.CreatePoint(new Coordinate(121.45 + (Gaussian() * 0.05), 31.2 + (Gaussian() * 0.04))), "{}"));
        }

        for (var i = 0; i < 40; i++)
        {
            var x = 121.2 + (random.NextDouble() * 0.5);
            var y = 31.0 + (random.NextDouble() * 0.4);
            var side = i % 2 == 0 ? 0.002 : 0.2;
            features.Add(new FeatureRecord($"sq{i}", _factory.ToGeometry(new Envelope(x, x + side, y, y + side)), "{}"));
        }

        features.Add(new FeatureRecord("multi", _factory.CreateMultiPointFromCoords([new Coordinate(121.4, 31.2), new Coordinate(121.41, 31.2)]), "{}"));
        return features;
    }

    private static ClusterQuery QueryAt(int level, params string[] standOut) =>
        new(new Envelope(121.0, 122.0, 30.8, 31.6), ClusterPyramid.CellMeters(level), 24, standOut);

    [Fact]
    public async Task ClusteredRead_AtALevel_TakesCrowdedCellsFromTheCounts_AndOffTheLevels_FromTheRows()
    {
        await using var store = new PostGisFeatureStore(_connectionString);
        await store.InitializeAsync();
        await store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition(Blob, "Blob", "Synthetic."), BlobFeatures(3000))]);
        var atLevel = QueryAt(12);
        var offLevel = atLevel with { CellMeters = atLevel.CellMeters * 1.37 };
        var before = await store.GetClusteredNearBoxAsync(Blob, atLevel);
        var offBefore = await store.GetClusteredNearBoxAsync(Blob, offLevel);
        var crowded = before.Clusters[0];

        // Counts that no longer describe the rows: only a read from the counts can see them.
        await ExecuteAsync("UPDATE cluster_cells SET n = n + 1000 WHERE collection_id = @Blob AND level = 12 AND cx = @CellX AND cy = @CellY", new { Blob, crowded.CellX, crowded.CellY });
        var after = await store.GetClusteredNearBoxAsync(Blob, atLevel);
        var offAfter = await store.GetClusteredNearBoxAsync(Blob, offLevel);

        Assert.Equal(crowded.Count + 1000, after.Clusters[0].Count);
        Assert.Equal(before.Clusters.Skip(1).Select(c => c.Count), after.Clusters.Skip(1).Select(c => c.Count));
        Assert.Equal(offBefore.Clusters.Select(c => (c.CellX, c.CellY, c.Count)), offAfter.Clusters.Select(c => (c.CellX, c.CellY, c.Count)));
    }

    [Fact]
    public async Task DatabaseFromBeforeThePyramid_IsCountedWhenAReplicaStarts_AndAnswersAsTheRule()
    {
        var features = BlobFeatures(2000);
        await OlderSchema.CreateAsync(_connectionString, 3, [new CollectionImport(new CollectionDefinition(Blob, "Blob", "Synthetic."), features)]);

        await using var store = new PostGisFeatureStore(_connectionString);
        await store.InitializeAsync();

        Assert.Equal(1, await ScalarAsync<long>("SELECT count(*) FROM cluster_pyramids WHERE collection_id = 'blob'"));
        var geometries = features.Select(f => f.Geometry).ToList();
        var ids = features.Select(f => f.Id).ToList();
        foreach (var level in new[] { 8, 10, 12, 14, 16 })
        {
            var query = QueryAt(level, "p7", "sq2");
            var (clusters, whole) = ClusterGrid.Group(geometries, ids, query);
            var read = await store.GetClusteredNearBoxAsync(Blob, query);

            Assert.Equal(clusters.Select(c => (c.CellX, c.CellY, c.Count)), read.Clusters.Select(c => (c.CellX, c.CellY, c.Count)));
            Assert.Equal(whole.Select(i => ids[i]), read.Features.Select(f => f.Id));
        }

        // A second start finds every collection counted and leaves the counts alone.
        var cells = await ScalarAsync<long>("SELECT count(*) FROM cluster_cells");
        await ExecuteAsync("UPDATE cluster_cells SET n = n + 1 WHERE level = 2", null);
        await using (var again = new PostGisFeatureStore(_connectionString))
        {
            await again.InitializeAsync();
        }

        Assert.Equal(cells, await ScalarAsync<long>("SELECT count(*) FROM cluster_cells"));
        Assert.Equal(0, await ScalarAsync<long>("SELECT count(*) FROM cluster_cells WHERE level = 2 AND n = 1"));
    }

    [Fact]
    public async Task CrowdedLowZoomRead_TouchesFewPagesOfTheTable_ComparedWithCountingTheRows()
    {
        await using var store = new PostGisFeatureStore(_connectionString + ";Pooling=false");
        await store.InitializeAsync();
        await store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition(Blob, "Blob", "Synthetic."), BlobFeatures(40_000))]);
        // ANALYZE reads the table's pages: its counts are sent now, before the baseline, not when its backend idles.
        await ExecuteAsync("ANALYZE features; SELECT pg_stat_force_next_flush();", null);
        var atLevel = QueryAt(10);
        var offLevel = atLevel with { CellMeters = atLevel.CellMeters * 1.01 };

        var fromCounts = await PagesTouchedAsync(() => store.GetClusteredNearBoxAsync(Blob, atLevel));
        var fromRows = await PagesTouchedAsync(() => store.GetClusteredNearBoxAsync(Blob, offLevel));

        Assert.True(fromRows.Read.Clusters.Sum(c => c.Count) > 39_000, "the view covers the blob");
        Assert.True(fromCounts.Read.Clusters.Sum(c => c.Count) > 39_000, "the view covers the blob");
        // Counting the rows visits every page of the blob; the counts need the few wide shapes and quiet cells only.
        Assert.True(fromCounts.Pages * 10 < fromRows.Pages, $"pages of features touched: {fromCounts.Pages} from the counts, {fromRows.Pages} from the rows");
        Assert.Contains(fromCounts.Read.Features, f => f.Id.StartsWith("sq", StringComparison.Ordinal));
    }

    /// <summary>
    /// The pages of <c>features</c> a read touches (hits and reads), from PostgreSQL's statistics: the store's backend
    /// exits after the read (no pooling), which sends its counts; they are polled until they arrive.
    /// </summary>
    private async Task<(ClusteredFeatures Read, long Pages)> PagesTouchedAsync(Func<Task<ClusteredFeatures>> read)
    {
        const string Sql = "SELECT coalesce(heap_blks_read, 0) + coalesce(heap_blks_hit, 0) FROM pg_statio_user_tables WHERE relname = 'features'";
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        var settled = await SettledAsync(connection, Sql);
        var result = await read();
        var after = settled;
        for (var attempt = 0; attempt < 100 && after == settled; attempt++)
        {
            await Task.Delay(100);
            after = await SettledAsync(connection, Sql);
        }

        return (result, after - settled);
    }

    // Counts still arriving from earlier backends are waited for: the value is read until it stops changing.
    private static async Task<long> SettledAsync(NpgsqlConnection connection, string sql)
    {
        long previous = -1, current = 0;
        for (var attempt = 0; attempt < 30 && previous != current; attempt++)
        {
            previous = current;
            await connection.ExecuteAsync("SELECT pg_stat_clear_snapshot()");
            current = await connection.ExecuteScalarAsync<long>(sql);
            if (previous != current)
            {
                await Task.Delay(200);
            }
        }

        return current;
    }

    private async Task ExecuteAsync(string sql, object? parameters)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        return await connection.ExecuteScalarAsync<T>(sql) ?? throw new InvalidOperationException(sql);
    }
}
