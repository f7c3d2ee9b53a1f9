using ClusterMap.Core.Storage;
using ClusterMap.Storage.Contract;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Storage.Sqlite.Tests;

/// <summary>The shared store contract, run against a fresh SQLite file per test.</summary>
public sealed class SqliteFeatureStoreContractTests : FeatureStoreContract
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clustermap-contract-").FullName;

    protected override async Task<IFeatureStore> CreateEmptyStoreAsync()
    {
        var store = new SqliteFeatureStore(Path.Combine(_directory, "contract.db"));
        await store.InitializeAsync();
        return store;
    }

    protected override Task DropStoreAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
