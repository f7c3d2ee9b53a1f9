using ClusterMap.Core.Storage;
using ClusterMap.Storage.Contract;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Storage.PostGis.Tests;

/// <summary>The shared store contract, run against a fresh PostGIS database per test.</summary>
public sealed class PostGisFeatureStoreContractTests : FeatureStoreContract
{
    private string _connectionString = "";
    private PostGisFeatureStore? _store;

    protected override async Task<IFeatureStore> CreateEmptyStoreAsync()
    {
        _connectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();
        _store = new PostGisFeatureStore(_connectionString);
        await _store.InitializeAsync();
        return _store;
    }

    protected override async Task DropStoreAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(_connectionString);
    }
}
