using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using ClusterMap.Tests.Shared;
using Npgsql;

namespace ClusterMap.Storage.PostGis.Tests;

/// <summary>A PostGIS store filled once with the generated CQL2 features, shared by the translator's tests.</summary>
public sealed class PostGisCql2Store : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public List<FeatureRecord> Features { get; } = Cql2BruteForceCases.Features(3000);

    public async Task InitializeAsync()
    {
        ConnectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();
        await using var store = new PostGisFeatureStore(ConnectionString);
        await store.InitializeAsync();
        await store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition(Cql2BruteForceCases.CollectionId, "CQL2 features", "Synthetic features for the CQL2 tests."), Features)]);
    }

    public async Task DisposeAsync() => await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(ConnectionString);
}

public sealed class PostGisCql2TranslatorTests(PostGisCql2Store fixture) : Cql2TranslationContract, IClassFixture<PostGisCql2Store>
{
    protected override IReadOnlyList<FeatureRecord> Features => fixture.Features;

    protected override Task<List<string>> SelectIdsAsync(Cql2Node filter) =>
        QueryAsync(fixture.ConnectionString, filter, "SELECT f.feature_id FROM features f WHERE f.collection_id = @collection AND {0}");

    [Fact]
    public async Task SpatialFilter_OnManyFeatures_UsesTheGistIndex()
    {
        var cluster = await PostGisCluster.SharedAsync();
        var connectionString = await cluster.CreateDatabaseAsync();
        try
        {
            await using (var store = new PostGisFeatureStore(connectionString))
            {
                await store.InitializeAsync();
                await store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition(Cql2BruteForceCases.CollectionId, "CQL2 features", "Synthetic."), Cql2BruteForceCases.Features(50_000, seed: 3))]);
            }

            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var analyze = new NpgsqlCommand("ANALYZE features", connection);
                await analyze.ExecuteNonQueryAsync();
            }

            var filter = Cql2.ParseText("S_INTERSECTS(geometry, BBOX(121.40, 31.10, 121.41, 31.11)) AND sector = '集成电路'");
            Cql2Validator.Validate(filter, Cql2BruteForceCases.Queryables);
            var plan = string.Join('\n', await QueryAsync(connectionString, filter, "EXPLAIN SELECT f.feature_id FROM features f WHERE f.collection_id = @collection AND {0}"));

            // "Index Scan using features_geom" or "Bitmap Index Scan on features_geom", as the planner prefers.
            Assert.Matches(@"Index Scan (using|on) features_geom", plan);
            Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
        }
        finally
        {
            await cluster.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task StoreItems_WithSelectiveFilter_ReadTheGistIndex_AndAnswerAsTheEvaluator()
    {
        var cluster = await PostGisCluster.SharedAsync();
        var connectionString = await cluster.CreateDatabaseAsync();
        try
        {
            var features = Cql2BruteForceCases.Features(50_000, seed: 5);
            await using var store = new PostGisFeatureStore(connectionString);
            await store.InitializeAsync();
            await store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition(Cql2BruteForceCases.CollectionId, "CQL2 features", "Synthetic."), features)]);
            await ExecuteAsync(connectionString, "ANALYZE features");
            var before = await GeometryIndexScansAsync(connectionString);

            var filter = Cql2.ParseText("S_INTERSECTS(geometry, BBOX(121.40, 31.10, 121.42, 31.12)) AND floors >= 10");
            Cql2Validator.Validate(filter, Cql2BruteForceCases.Queryables);
            var page = await store.GetItemsAsync(new ItemsQuery(Cql2BruteForceCases.CollectionId, [], [], 1000, 0, new ItemsFilter(filter, Cql2BruteForceCases.Queryables)));

            var expected = Cql2BruteForceCases.BruteForce(filter, features);
            Assert.Equal(expected, page.Features.Select(f => f.Id));
            Assert.Equal(expected.Count, page.NumberMatched);
            Assert.InRange(expected.Count, 1, 200);
            // The store's own statements, not a copy of their SQL: the server's counters say the GiST index was read.
            // A backend reports its counters when it ends (or idles), so the pooled connections are closed first.
            NpgsqlConnection.ClearAllPools();
            var deadline = DateTime.UtcNow.AddSeconds(15);
            long after;
            while ((after = await GeometryIndexScansAsync(connectionString)) <= before && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }

            Assert.True(after > before, $"features_geom was not scanned ({before} scans before, {after} after)");
        }
        finally
        {
            await cluster.DropDatabaseAsync(connectionString);
        }
    }

    private static async Task<long> GeometryIndexScansAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_stat_clear_snapshot(); SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'features_geom'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        return await reader.ReadAsync() ? reader.GetInt64(0) : 0;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> QueryAsync(string connectionString, Cql2Node filter, string sqlFormat)
    {
        var sql = new PostGisCql2Translator(Cql2BruteForceCases.Queryables).Translate(filter);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sqlFormat, sql.Where), connection);
        command.Parameters.AddWithValue("collection", Cql2BruteForceCases.CollectionId);
        foreach (var (name, value) in sql.Parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
