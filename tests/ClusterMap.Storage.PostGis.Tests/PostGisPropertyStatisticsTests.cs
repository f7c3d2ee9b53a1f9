using ClusterMap.Core.Storage;
using ClusterMap.Tests.Shared;
using Npgsql;

namespace ClusterMap.Storage.PostGis.Tests;

/// <summary>A PostGIS store filled once with the generated collections of the property statistics tests.</summary>
public sealed class PostGisPropertyStatisticsStore : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public PostGisFeatureStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ConnectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();
        Store = new PostGisFeatureStore(ConnectionString);
        await Store.InitializeAsync();
        await Store.ReplaceCollectionsAsync(PropertyStatisticsCases.Imports());
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(ConnectionString);
    }
}

public sealed class PostGisPropertyStatisticsTests(PostGisPropertyStatisticsStore fixture) : PropertyStatisticsContract, IClassFixture<PostGisPropertyStatisticsStore>
{
    protected override IFeatureStore Store => fixture.Store;

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
