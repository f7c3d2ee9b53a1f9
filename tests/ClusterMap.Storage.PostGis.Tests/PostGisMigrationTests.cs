using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using ClusterMap.Tests.Shared;
using Dapper;
using NetTopologySuite.Geometries;
using Npgsql;

namespace ClusterMap.Storage.PostGis.Tests;

/// <summary>Upgrades of a database written by an older build: the schema moves on, the rows stay as they were.</summary>
public sealed class PostGisMigrationTests
{
    private static readonly GeometryFactory _factory = new(new PrecisionModel(), 4326);

    [Fact]
    public async Task MigrationV3_OnADatabaseWithRows_AddsThePropertiesIndex_AndKeepsEveryRow()
    {
        var cluster = await PostGisCluster.SharedAsync();
        var connectionString = await cluster.CreateDatabaseAsync();
        try
        {
            // Schema version 2, as the build before the properties index left it, with its rows.
            var features = Cql2BruteForceCases.Features(3000);
            // JSON that json stores and jsonb refuses: a number beyond numeric's range, and an escaped NUL.
            var odd = new List<FeatureRecord>
            {
                new("huge-number", _factory.CreatePoint(new Coordinate(121.45, 31.15)), """{"sector":"集成电路","area_km2":1e999999}"""),
                new("escaped-nul", _factory.CreatePoint(new Coordinate(121.46, 31.16)), """{"note":"a\u0000b"}"""),
            };
            await OlderSchema.CreateAsync(connectionString, 2, [
                new CollectionImport(new CollectionDefinition(Cql2BruteForceCases.CollectionId, "CQL2 features", "Synthetic."), features),
                new CollectionImport(new CollectionDefinition("odd", "Odd JSON", "Synthetic."), odd),
            ]);

            var before = await RowsAsync(connectionString);
            Assert.Equal(2, await ScalarAsync<int>(connectionString, "SELECT max(version) FROM schema_migrations"));
            Assert.Equal(0, await ScalarAsync<int>(connectionString, "SELECT count(*) FROM pg_indexes WHERE indexname = 'features_properties'"));

            await using (var store = new PostGisFeatureStore(connectionString))
            {
                await store.InitializeAsync();

                Assert.Equal(PostGisMigrations.LatestVersion, await ScalarAsync<int>(connectionString, "SELECT max(version) FROM schema_migrations"));
                Assert.Equal(1, await ScalarAsync<int>(connectionString, "SELECT count(*) FROM pg_indexes WHERE indexname = 'features_properties'"));
                Assert.Equal(before, await RowsAsync(connectionString));

                // Filters on the upgraded store answer as the evaluator, through the pre-filter the index serves.
                foreach (var text in new[] { "sector = '集成电路'", "sector IN ('集成电路', 'Logistics')", "floors = 12", "open = FALSE" })
                {
                    var filter = Cql2.ParseText(text);
                    Cql2Validator.Validate(filter, Cql2BruteForceCases.Queryables);
                    var page = await store.GetItemsAsync(new ItemsQuery(Cql2BruteForceCases.CollectionId, [], [], 10_000, 0, new ItemsFilter(filter, Cql2BruteForceCases.Queryables)));
                    Assert.Equal(Cql2BruteForceCases.BruteForce(filter, features), page.Features.Select(f => f.Id));
                }

                // The member beyond numeric's range is left out of the indexed form, the others stay in it; a
                // document with an escaped NUL has no indexed form, and still can be stored.
                var sectorFilter = Cql2.ParseText("sector = '集成电路'");
                var oddQueryables = new Cql2Queryables(new Dictionary<string, Cql2PropertyType> { ["sector"] = Cql2PropertyType.String });
                var oddPage = await store.GetItemsAsync(new ItemsQuery("odd", [], [], 10, 0, new ItemsFilter(sectorFilter, oddQueryables)));
                Assert.Equal(["huge-number"], oddPage.Features.Select(f => f.Id));
                await store.WriteFeaturesAsync("odd", [new FeatureRecord("escaped-nul-2", _factory.CreatePoint(new Coordinate(121.47, 31.17)), """{"note":"c\u0000d"}""")], FeatureWriteMode.Insert);
                Assert.NotNull(await store.GetItemAsync("odd", "escaped-nul-2"));
            }

            // Run again from a lost record of version 3 (the index and function already there): nothing fails, nothing changes.
            await ExecuteAsync(connectionString, "DELETE FROM schema_migrations WHERE version = 3");
            var afterWrite = await RowsAsync(connectionString);
            await using (var store = new PostGisFeatureStore(connectionString))
            {
                await store.InitializeAsync();
            }

            Assert.Equal(afterWrite, await RowsAsync(connectionString));
            Assert.Equal(PostGisMigrations.LatestVersion, await ScalarAsync<int>(connectionString, "SELECT max(version) FROM schema_migrations"));
        }
        finally
        {
            await cluster.DropDatabaseAsync(connectionString);
        }
    }

    // Every feature as stored: collection, id, geometry and the properties' text byte for byte.
    private static async Task<List<string>> RowsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return [.. await connection.QueryAsync<string>("SELECT concat_ws(' | ', collection_id, feature_id, ST_AsEWKT(geom), properties::text) FROM features ORDER BY fid")];
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await connection.ExecuteScalarAsync<T>(sql) ?? throw new InvalidOperationException($"No value from {sql}");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync(sql);
    }
}
