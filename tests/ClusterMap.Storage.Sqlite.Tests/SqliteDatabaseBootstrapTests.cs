using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Sqlite.Tests;

public sealed class SqliteDatabaseBootstrapTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clustermap-bootstrap-").FullName;

    private string DatabasePath => Path.Combine(_directory, "sub", "clustermap.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static IReadOnlyList<CollectionImport> Seed(string title) =>
        [new CollectionImport(new CollectionDefinition("sites", title, ""), [new FeatureRecord("a", new Point(121, 31), "{}")])];

    [Fact]
    public async Task OpenOrCreate_NoFile_BuildsFromSeedIntoOneCompleteFile()
    {
        var (store, created) = await SqliteDatabaseBootstrap.OpenOrCreateAsync(DatabasePath, () => Seed("First"));

        Assert.True(created);
        Assert.Equal("First", (await store.GetCollectionAsync("sites"))!.Definition.Title);
        Assert.Equal(["clustermap.db"], Directory.GetFiles(Path.GetDirectoryName(DatabasePath)!).Select(Path.GetFileName).Where(n => !n!.EndsWith("-wal", StringComparison.Ordinal) && !n.EndsWith("-shm", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task OpenOrCreate_ExistingFile_IsNeverRebuilt()
    {
        await SqliteDatabaseBootstrap.OpenOrCreateAsync(DatabasePath, () => Seed("First"));
        var seedCalled = false;

        var (store, created) = await SqliteDatabaseBootstrap.OpenOrCreateAsync(DatabasePath, () =>
        {
            seedCalled = true;
            return Seed("Second");
        });

        Assert.False(created);
        Assert.False(seedCalled);
        Assert.Equal("First", (await store.GetCollectionAsync("sites"))!.Definition.Title);
    }

    [Fact]
    public async Task OpenOrCreate_SeedFailsWhileWriting_LeavesNoDatabaseBehind()
    {
        IReadOnlyList<CollectionImport> Broken() =>
            [new CollectionImport(new CollectionDefinition("sites", "x", ""), [new FeatureRecord("a", new Point(1, 1), "{}"), new FeatureRecord("a", new Point(2, 2), "{}")])];

        await Assert.ThrowsAsync<SqliteException>(() => SqliteDatabaseBootstrap.OpenOrCreateAsync(DatabasePath, Broken));

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(DatabasePath)!));
    }
}
