using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Storage.Sqlite;
using ClusterMap.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Cli.Tests;

/// <summary><c>clustermap import --mode</c> and <c>clustermap keys</c>, run as the real program on a real database.</summary>
public sealed class ImportModeAndKeysTests() : ScratchFolder("cli-modes")
{
    private string WritePoints(string name, params (string Id, double Lon, double Lat)[] points)
    {
        var features = points.Select(p => $$$"""{"type":"Feature","id":"{{{p.Id}}}","properties":{"name":"{{{p.Id}}}"},"geometry":{"type":"Point","coordinates":[{{{p.Lon}}},{{{p.Lat}}}]}}""");
        return WriteFile(name, $$"""{"type":"FeatureCollection","features":[{{string.Join(",\n", features)}}]}""");
    }

    private Task<CliRunner.Result> ImportAsync(string file, params string[] more) =>
        CliRunner.RunAsync(Folder, ["import", file, "--collection", "sites", "--db", DatabasePath, .. more]);

    private async Task<IReadOnlyList<string>> StoredIdsAsync(string collection = "sites")
    {
        var store = new SqliteFeatureStore(DatabasePath);
        var ids = (await store.GetAllItemsAsync(collection)).Select(f => f.Id).ToList();
        SqliteConnection.ClearAllPools();
        return ids;
    }

    private async Task SeedAsync()
    {
        var seeded = await ImportAsync(WritePoints("seed.geojson", ("s1", 121.1, 31.1), ("s2", 121.2, 31.2)));
        Assert.True(seeded.ExitCode == 0, seeded.Error);
    }

    private async Task<string> StoredRoleAsync(string collection = "sites")
    {
        var store = new SqliteFeatureStore(DatabasePath);
        var info = await store.GetCollectionAsync(collection);
        SqliteConnection.ClearAllPools();
        Assert.NotNull(info);
        return CollectionRole.Of(info.Definition);
    }

    [Fact]
    public async Task Import_WithRole_StoresItSoMapsDrawTheCollectionAsThat_AndAReimportWithoutRoleKeepsIt()
    {
        Assert.Equal(0, (await ImportAsync(WritePoints("seed.geojson", ("s1", 121.1, 31.1)))).ExitCode);
        Assert.Equal(CollectionRole.Context, await StoredRoleAsync());

        var withRole = await ImportAsync(WritePoints("unis.geojson", ("u1", 121.4, 31.2)), "--role", "university");
        Assert.True(withRole.ExitCode == 0, withRole.Error);
        Assert.Equal(CollectionRole.University, await StoredRoleAsync());

        var again = await ImportAsync(WritePoints("unis2.geojson", ("u2", 121.5, 31.3)));
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Equal(CollectionRole.University, await StoredRoleAsync());
    }

    [Theory]
    [InlineData(new[] { "--role", "campus" }, "--role: 'campus' is not a role; expected land, water, district, context, park, university, institute, link.")]
    [InlineData(new[] { "--role", "park", "--mode", "upsert" }, "--role: --mode upsert keeps the collection's definition; set the role with --mode replace.")]
    public async Task Import_WithABadRole_SaysWhichOptionAndWhatIsAccepted_AndWritesNothing(string[] options, string message)
    {
        var result = await ImportAsync(WritePoints("seed.geojson", ("s1", 121.1, 31.1)), options);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task Import_ModeAppend_AddsTheNewFeaturesToThoseStored()
    {
        await SeedAsync();

        var result = await ImportAsync(WritePoints("more.geojson", ("s3", 121.3, 31.3)), "--mode", "append");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("Imported 1 feature into 'sites' (append: 1 added, 0 replaced; 3 in all)", result.Output, StringComparison.Ordinal);
        Assert.Equal(["s1", "s2", "s3"], await StoredIdsAsync());
    }

    [Fact]
    public async Task Import_ModeAppend_WithStoredIds_ListsThemAndLeavesTheDatabaseByteForByte()
    {
        await SeedAsync();
        SqliteConnection.ClearAllPools();
        var before = await File.ReadAllBytesAsync(DatabasePath);
        var file = WritePoints("clash.geojson", ("s4", 121.4, 31.4), ("s2", 121.5, 31.5), ("s1", 121.6, 31.6));

        var result = await ImportAsync(file, "--mode", "append");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{file}: rejected, nothing was imported (2 ids are already stored", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{file}: feature 2 (id 's2'): id: already in collection 'sites'", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{file}: feature 3 (id 's1'): id: already in collection 'sites'", result.Error, StringComparison.Ordinal);
        Assert.Contains("--mode upsert", result.Error, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, await File.ReadAllBytesAsync(DatabasePath));
    }

    [Fact]
    public async Task Import_ModeUpsert_ReplacesStoredIdsAndAddsNewOnes()
    {
        await SeedAsync();

        var result = await ImportAsync(WritePoints("upsert.geojson", ("s2", 121.25, 31.25), ("s5", 121.5, 31.5)), "--mode", "upsert");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("(upsert: 1 added, 1 replaced; 3 in all)", result.Output, StringComparison.Ordinal);
        Assert.Equal(["s1", "s2", "s5"], await StoredIdsAsync());
        var store = new SqliteFeatureStore(DatabasePath);
        Assert.Equal(121.25, (await store.GetItemAsync("sites", "s2"))!.Geometry.Coordinate.X);
        Assert.Equal(new NetTopologySuite.Geometries.Envelope(121.1, 121.5, 31.1, 31.5), (await store.GetCollectionAsync("sites"))!.Extent);
    }

    [Theory]
    [InlineData("append")]
    [InlineData("upsert")]
    public async Task Import_AppendOrUpsert_IntoAMissingCollection_CreatesIt(string mode)
    {
        var result = await ImportAsync(WritePoints("new.geojson", ("n1", 121.1, 31.1)), "--mode", mode, "--title", "New sites");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("Imported 1 feature into 'sites' (new collection)", result.Output, StringComparison.Ordinal);
        Assert.Equal(["n1"], await StoredIdsAsync());
    }

    [Fact]
    public async Task Import_ModeReplace_IsTheDefaultAndReplacesEverything()
    {
        await SeedAsync();

        var result = await ImportAsync(WritePoints("replace.geojson", ("r1", 121.1, 31.1)));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("(replacing 2)", result.Output, StringComparison.Ordinal);
        Assert.Equal(["r1"], await StoredIdsAsync());
    }

    [Fact]
    public async Task Import_UnknownMode_SaysWhatIsAccepted()
    {
        var result = await ImportAsync(WritePoints("x.geojson", ("x", 121, 31)), "--mode", "merge");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--mode: 'merge' is not an import mode; expected replace", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task Keys_CreateListRevoke_StoresOnlyTheHashAndPrintsTheKeyOnce()
    {
        await SeedAsync();

        var created = await CliRunner.RunAsync(Folder, "keys", "create", "--name", "Planning bureau 规划局", "--db", DatabasePath);

        Assert.True(created.ExitCode == 0, created.Error);
        var key = created.Output.Trim();
        Assert.True(ApiKeys.TryParse(key, out var keyId, out var secret), key);
        var store = new SqliteFeatureStore(DatabasePath);
        var stored = await store.GetApiKeyAsync(keyId);
        Assert.NotNull(stored);
        Assert.Equal("Planning bureau 规划局", stored.Name);
        Assert.True(ApiKeys.Matches(stored, secret));
        SqliteConnection.ClearAllPools();
        Assert.DoesNotContain(secret, Convert.ToHexString(await File.ReadAllBytesAsync(DatabasePath)) + await File.ReadAllTextAsync(DatabasePath), StringComparison.Ordinal);

        var list = await CliRunner.RunAsync(Folder, "keys", "list", "--db", DatabasePath);
        Assert.Equal(0, list.ExitCode);
        Assert.Matches($@"(?m)^{keyId}\s+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\s+Planning bureau 规划局\s*$", list.Output);
        Assert.DoesNotContain(secret, list.Output, StringComparison.Ordinal);

        var revoked = await CliRunner.RunAsync(Folder, "keys", "revoke", key, "--db", DatabasePath);
        Assert.True(revoked.ExitCode == 0, revoked.Error);
        Assert.Contains($"Revoked API key {keyId}", revoked.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(keyId, (await CliRunner.RunAsync(Folder, "keys", "list", "--db", DatabasePath)).Output, StringComparison.Ordinal);
        var again = await CliRunner.RunAsync(Folder, "keys", "revoke", keyId, "--db", DatabasePath);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"no stored key has the id '{keyId}'", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_CreateWithoutADatabase_RefusesAndCreatesNoFile()
    {
        var result = await CliRunner.RunAsync(Folder, "keys", "create", "--name", "x", "--db", DatabasePath);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no such database", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task Keys_CreateNoStore_PrintsTheSettingsWithTheSecretsHash()
    {
        var result = await CliRunner.RunAsync(Folder, "keys", "create", "--name", "from config", "--no-store");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.True(ApiKeys.TryParse(result.Output.Trim(), out var keyId, out var secret));
        Assert.Contains($"Writes__ApiKeys__0__KeyId={keyId}", result.Error, StringComparison.Ordinal);
        Assert.Contains($"Writes__ApiKeys__0__SecretSha256={Convert.ToHexStringLower(ApiKeys.HashSecret(secret))}", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, result.Error, StringComparison.Ordinal);
    }
}
