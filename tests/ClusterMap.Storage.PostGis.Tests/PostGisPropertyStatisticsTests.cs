using ClusterMap.Core.Storage;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Storage.PostGis.Tests;

/// <summary>A PostGIS store filled once with the generated collections of the property statistics tests.</summary>
public sealed class PostGisPropertyStatisticsStore : IAsyncLifetime
{
    private string _connectionString = "";

    public PostGisFeatureStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();
        Store = new PostGisFeatureStore(_connectionString);
        await Store.InitializeAsync();
        await Store.ReplaceCollectionsAsync(PropertyStatisticsCases.Imports());
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(_connectionString);
    }
}

public sealed class PostGisPropertyStatisticsTests(PostGisPropertyStatisticsStore fixture) : PropertyStatisticsContract, IClassFixture<PostGisPropertyStatisticsStore>
{
    protected override IFeatureStore Store => fixture.Store;
}
