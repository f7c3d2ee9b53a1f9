using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using ClusterMap.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Storage.Sqlite.Tests;

/// <summary>A store filled once with the generated CQL2 features, shared by the translator's tests.</summary>
public sealed class SqliteCql2Store : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clustermap-cql2-").FullName;

    public SqliteFeatureStore Store { get; private set; } = null!;

    public List<FeatureRecord> Features { get; } = Cql2BruteForceCases.Features(3000);

    public async Task InitializeAsync()
    {
        Store = new SqliteFeatureStore(Path.Combine(_directory, "cql2.db"));
        await Store.InitializeAsync();
        await Store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition(Cql2BruteForceCases.CollectionId, "CQL2 features", "Synthetic features for the CQL2 tests."), Features)]);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class SqliteCql2TranslatorTests(SqliteCql2Store fixture) : Cql2TranslationContract, IClassFixture<SqliteCql2Store>
{
    protected override IReadOnlyList<FeatureRecord> Features => fixture.Features;

    protected override Task<List<string>> SelectIdsAsync(Cql2Node filter) =>
        QueryAsync(filter, "SELECT f.feature_id FROM features f WHERE f.collection_id = @collection AND {0} ORDER BY f.fid");

    [Theory]
    [MemberData(nameof(Filters), MemberType = typeof(Cql2TranslationContract))]
    public void Translation_BindsEveryValueOfTheFilter(string label)
    {
        var filter = Cql2BruteForceCases.All().Single(c => c.Label == label).Filter;
        var sql = new SqliteCql2Translator(Cql2BruteForceCases.Queryables).Translate(filter);

        foreach (var parameter in sql.Parameters.Where(p => p.Value is string))
        {
            Assert.DoesNotContain((string)parameter.Value!, sql.Where, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("'集成电路'", sql.Where, StringComparison.Ordinal);
        Assert.DoesNotContain("121.4", sql.Where, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpatialFilter_IsNarrowedByTheRTree()
    {
        var filter = Cql2.ParseText("S_INTERSECTS(geometry, BBOX(121.40, 31.10, 121.50, 31.20))");
        var plan = string.Join('\n', await QueryAsync(filter, "EXPLAIN QUERY PLAN SELECT f.feature_id FROM features f WHERE f.collection_id = @collection AND {0}", column: 3));

        Assert.Contains("features_rtree VIRTUAL TABLE INDEX", plan, StringComparison.Ordinal);
    }

    private async Task<List<string>> QueryAsync(Cql2Node filter, string sqlFormat, int column = 0)
    {
        var translator = new SqliteCql2Translator(Cql2BruteForceCases.Queryables);
        var sql = translator.Translate(filter);
        await using var connection = new SqliteConnection($"Data Source={fixture.Store.DatabasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        translator.Register(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = string.Format(System.Globalization.CultureInfo.InvariantCulture, sqlFormat, sql.Where);
        command.Parameters.AddWithValue("@collection", Cql2BruteForceCases.CollectionId);
        foreach (var (name, value) in sql.Parameters)
        {
            command.Parameters.AddWithValue("@" + name, value ?? DBNull.Value);
        }

        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetValue(column).ToString()!);
        }

        return rows;
    }
}
