using ClusterMap.Core.Storage;
using ClusterMap.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Storage.Sqlite.Tests;

/// <summary>A SQLite store filled once with the generated collections of the property statistics tests.</summary>
public sealed class SqlitePropertyStatisticsStore : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clustermap-statistics-").FullName;

    public SqliteFeatureStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Store = new SqliteFeatureStore(Path.Combine(_directory, "statistics.db"));
        await Store.InitializeAsync();
        await Store.ReplaceCollectionsAsync(PropertyStatisticsCases.Imports());
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class SqlitePropertyStatisticsTests(SqlitePropertyStatisticsStore fixture) : PropertyStatisticsContract, IClassFixture<SqlitePropertyStatisticsStore>
{
    protected override IFeatureStore Store => fixture.Store;

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={fixture.Store.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
