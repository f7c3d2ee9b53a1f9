using ClusterMap.Storage.PostGis;
using ClusterMap.Storage.Sqlite;
using ClusterMap.Tests.Shared;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ClusterMap.Cli.Tests;

/// <summary>The real CLI against a real PostGIS database named by a postgresql:// URI.</summary>
public sealed class PostGisCommandTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clustermap-cli-pg-").FullName;
    private string _connectionString = "";

    private string Uri
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(_connectionString);
            return $"postgresql://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        }
    }

    public async Task InitializeAsync() => _connectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(_connectionString);
    }

    [Fact]
    public async Task Import_IntoPostGisUri_CreatesCollectionThatCollectionsLists()
    {
        var file = Path.Combine(_directory, "sites.geojson");
        await File.WriteAllTextAsync(file, """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"id":"s1","name":"One"},"geometry":{"type":"Point","coordinates":[121.1,31.1]}},
              {"type":"Feature","properties":{"id":"s2","name":"Two"},"geometry":{"type":"Point","coordinates":[121.2,31.2]}}]}
            """);

        var import = await CliRunner.RunAsync(_directory, "import", file, "--collection", "sites", "--title", "Sites", "--db", Uri);
        var list = await CliRunner.RunAsync(_directory, "collections", "--db", Uri);

        Assert.True(import.ExitCode == 0, import.Error);
        Assert.Contains("Imported 2 features into 'sites' (new collection)", import.Output, StringComparison.Ordinal);
        Assert.True(list.ExitCode == 0, list.Error);
        var row = Assert.Single(list.Output.Split('\n'), line => line.StartsWith("sites ", StringComparison.Ordinal));
        Assert.Matches(@"^sites\s+2\s+Point\s+121\.1000,31\.1000,121\.2000,31\.2000\s+Sites$", row.TrimEnd());
        var store = new PostGisFeatureStore(_connectionString);
        Assert.StartsWith("""{"id":"s1","name":"One",""", (await store.GetItemAsync("sites", "s1"))?.PropertiesJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_ShippedSqliteStoreToPostGis_CopiesEveryCollectionAndFeatureExactly()
    {
        var sqlitePath = Path.Combine(_directory, "shipped.db");
        var geodata = Geodata.GeodataPaths.CommittedGeodata;
        var (sqlite, _) = await SqliteDatabaseBootstrap.OpenOrCreateAsync(sqlitePath, () => ClusterMap.Core.Import.GeodataManifest.ReadAll(geodata));

        var result = await CliRunner.RunAsync(_directory, "migrate", "--from", "sqlite:" + sqlitePath, "--to", "postgis:" + Uri);

        Assert.True(result.ExitCode == 0, result.Error);
        var postgis = new PostGisFeatureStore(_connectionString);
        var expected = await sqlite.GetCollectionsAsync();
        var actual = await postgis.GetCollectionsAsync();
        Assert.Equal(expected.Select(c => (c.Definition, c.GeometryType, c.Extent, c.FeatureCount, string.Join(',', c.Queryables))),
            actual.Select(c => (c.Definition, c.GeometryType, c.Extent, c.FeatureCount, string.Join(',', c.Queryables))));
        foreach (var collection in expected)
        {
            var from = await sqlite.GetAllItemsAsync(collection.Id);
            var to = await postgis.GetAllItemsAsync(collection.Id);
            Assert.Equal(from.Select(f => (f.Id, f.PropertiesJson, f.Geometry.AsText())), to.Select(f => (f.Id, f.PropertiesJson, f.Geometry.AsText())));
        }

        Assert.Contains($"Copied {expected.Count} collection(s)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_CreateListRevokeOnPostGisUri_StoreOnlyTheHashInTheDatabase()
    {
        var created = await CliRunner.RunAsync(_directory, "keys", "create", "--name", "bureau", "--db", Uri);
        Assert.True(created.ExitCode == 0, created.Error);
        var key = created.Output.Trim();
        Assert.True(ClusterMap.Core.Storage.ApiKeys.TryParse(key, out var keyId, out var secret), key);

        var stored = await new PostGisFeatureStore(_connectionString).GetApiKeyAsync(keyId);
        Assert.NotNull(stored);
        Assert.True(ClusterMap.Core.Storage.ApiKeys.Matches(stored, secret));
        Assert.Contains(keyId, (await CliRunner.RunAsync(_directory, "keys", "list", "--db", Uri)).Output, StringComparison.Ordinal);
        Assert.Equal(0, (await CliRunner.RunAsync(_directory, "keys", "revoke", keyId, "--db", Uri)).ExitCode);
        Assert.Null(await new PostGisFeatureStore(_connectionString).GetApiKeyAsync(keyId));
    }

    [Fact]
    public async Task Migrate_UnreachablePostGis_SaysWhyWithoutAStackTrace()
    {
        var result = await CliRunner.RunAsync(_directory, "migrate", "--from", "postgresql://nobody@127.0.0.1:1/none", "--to", Path.Combine(_directory, "x.db"));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("migrate: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }
}
