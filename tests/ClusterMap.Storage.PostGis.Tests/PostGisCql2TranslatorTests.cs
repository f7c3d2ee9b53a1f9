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

    [Theory]
    [InlineData("sector = 'S01234'")]
    [InlineData("sector IN ('S00007', 'S01234', 'S01999')")]
    [InlineData("floors = 4321")]
    [InlineData("S_INTERSECTS(geometry, BBOX(120.0, 30.0, 123.0, 32.0)) AND open = TRUE AND sector = 'S00042'")]
    public async Task PropertyEquality_OnManyDistinctValues_UsesThePropertiesGinIndex_AndAnswersAsTheEvaluator(string text)
    {
        // 20,000 features, 2,000 sectors and 5,000 floor counts: each value matches a handful, so a scan of the
        // collection costs far more than the index, without any planner setting. The plan is the one the planner
        // chooses for the SQL the translator writes, with its bound parameters.
        var cluster = await PostGisCluster.SharedAsync();
        var connectionString = await cluster.CreateDatabaseAsync();
        try
        {
            var features = ManyDistinctValues(20_000);
            await using (var store = new PostGisFeatureStore(connectionString))
            {
                await store.InitializeAsync();
                await store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition(Cql2BruteForceCases.CollectionId, "CQL2 features", "Synthetic."), features)]);
            }

            await ExecuteAsync(connectionString, "ANALYZE features");
            var filter = Cql2.ParseText(text);
            Cql2Validator.Validate(filter, Cql2BruteForceCases.Queryables);
            var plan = string.Join('\n', await QueryAsync(connectionString, filter, "EXPLAIN SELECT f.feature_id FROM features f WHERE f.collection_id = @collection AND {0}"));

            Assert.Matches(@"Bitmap Index Scan on features_properties", plan);
            Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
            var expected = Cql2BruteForceCases.BruteForce(filter, features);
            Assert.InRange(expected.Count, 1, 100);
            Assert.Equal(expected, await QueryAsync(connectionString, filter, "SELECT f.feature_id FROM features f WHERE f.collection_id = @collection AND {0} ORDER BY f.fid"));
        }
        finally
        {
            await cluster.DropDatabaseAsync(connectionString);
        }
    }

    [Theory]
    [InlineData("CASEI(sector) = CASEI('logistics')")]
    [InlineData("NOT (sector <> '集成电路')")]
    [InlineData("NOT (sector = '集成电路')")]
    [InlineData("name LIKE 'Alpha%'")]
    [InlineData("open = TRUE")]
    public async Task PropertyFilter_WithoutAnExactContainment_HasNoPropertiesIndexCondition(string text)
    {
        // What the containment cannot stand for exactly gets none: case folding, an equality under NOT (where the
        // exact test's NULL must stay NULL, not turn into true), a pattern; nor does a boolean, rarely selective.
        var filter = Cql2.ParseText(text);
        Cql2Validator.Validate(filter, Cql2BruteForceCases.Queryables);
        var sql = new PostGisCql2Translator(Cql2BruteForceCases.Queryables).Translate(filter);

        Assert.DoesNotContain(PostGisCql2Translator.PropertiesJsonb, sql.Where, StringComparison.Ordinal);
        Assert.Equal(Cql2BruteForceCases.BruteForce(filter, fixture.Features).Order(StringComparer.Ordinal), (await SelectIdsAsync(filter)).Order(StringComparer.Ordinal));
    }

    // Synthetic values ("S00042"), no real place: sector and floors with many distinct values, the other queryables
    // with the brute-force cases' mix of types (another type, null, absent) left out for the plan's sake.
    private static List<FeatureRecord> ManyDistinctValues(int count)
    {
        var random = new Random(23);
        var factory = new NetTopologySuite.Geometries.GeometryFactory(new NetTopologySuite.Geometries.PrecisionModel(), 4326);
        return [.. Enumerable.Range(0, count).Select(i => new FeatureRecord(
            $"m{i:D5}",
            factory.CreatePoint(new NetTopologySuite.Geometries.Coordinate(121.0 + random.NextDouble(), 30.8 + random.NextDouble())),
            i % 97 == 0
                ? $$"""{"sector":{{i}},"floors":"{{i % 5000}}"}"""
                : $$"""{"sector":"S{{i % 2000:D5}}","floors":{{i % 5000}},"open":{{(i % 3 == 0 ? "true" : "false")}}}"""))];
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
