using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using ClusterMap.Tests.Shared;
using Npgsql;

namespace ClusterMap.Storage.PostGis.Tests;

/// <summary>
/// Filters on a database that plans in parallel wherever it can (as PostgreSQL does by itself on a large table): every
/// function a filter calls must be allowed where the planner puts it. The session settings force a parallel plan on a
/// small table.
/// </summary>
public sealed class PostGisParallelQueryTests
{
    [Fact]
    public async Task PropertyFilters_InParallelPlans_AnswerAsTheEvaluator()
    {
        var cluster = await PostGisCluster.SharedAsync();
        var connectionString = await cluster.CreateDatabaseAsync();
        try
        {
            var features = Cql2BruteForceCases.Features(2000);
            await using (var store = new PostGisFeatureStore(connectionString))
            {
                await store.InitializeAsync();
                await store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition(Cql2BruteForceCases.CollectionId, "CQL2 features", "Synthetic."), features)]);
            }

            var parallel = new NpgsqlConnectionStringBuilder(connectionString)
            {
                Options = "-c force_parallel_mode=on -c parallel_setup_cost=0 -c parallel_tuple_cost=0 -c min_parallel_table_scan_size=0 -c min_parallel_index_scan_size=0 -c enable_bitmapscan=off -c enable_indexscan=off",
            }.ConnectionString;
            await using var parallelStore = new PostGisFeatureStore(parallel);
            foreach (var text in new[] { "sector = '集成电路'", "sector IN ('集成电路', 'Logistics')", "floors = 12" })
            {
                var filter = Cql2.ParseText(text);
                Cql2Validator.Validate(filter, Cql2BruteForceCases.Queryables);
                var page = await parallelStore.GetItemsAsync(new ItemsQuery(Cql2BruteForceCases.CollectionId, [], [], 10_000, 0, new ItemsFilter(filter, Cql2BruteForceCases.Queryables)));

                Assert.Equal(Cql2BruteForceCases.BruteForce(filter, features), page.Features.Select(f => f.Id));
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.DropDatabaseAsync(connectionString);
        }
    }
}
