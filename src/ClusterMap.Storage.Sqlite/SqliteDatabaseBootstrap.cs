using ClusterMap.Core.Storage;
using Dapper;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Storage.Sqlite;

/// <summary>
/// Opens the database file, or builds it from a seed when it does not exist yet. A new database is built under a
/// temporary name and renamed into place only when complete, so an interrupted first start never leaves a
/// half-built file behind; an existing file is never overwritten.
/// </summary>
public static class SqliteDatabaseBootstrap
{
    /// <returns>The opened store and whether it was built from the seed just now.</returns>
    public static async Task<(SqliteFeatureStore Store, bool Created)> OpenOrCreateAsync(
        string databasePath, Func<IReadOnlyList<CollectionImport>> seed, CancellationToken cancellationToken = default)
    {
        var fullPath = Path.GetFullPath(databasePath);
        if (File.Exists(fullPath))
        {
            var existing = new SqliteFeatureStore(fullPath);
            await existing.InitializeAsync(cancellationToken);
            return (existing, false);
        }

        var imports = seed();
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var partialPath = $"{fullPath}.partial-{Environment.ProcessId}";
        DeleteWithSidecars(partialPath);
        try
        {
            var building = new SqliteFeatureStore(partialPath);
            await building.InitializeAsync(cancellationToken);
            await building.ReplaceCollectionsAsync(imports, cancellationToken);
            await using (var connection = new SqliteConnection($"Data Source={partialPath};Pooling=False"))
            {
                await connection.OpenAsync(cancellationToken);
                // Fold the write-ahead log into the main file so that the single renamed file is complete.
                await connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
            }

            SqliteConnection.ClearAllPools();
            DeleteSidecars(partialPath);
            File.Move(partialPath, fullPath, overwrite: false);
        }
        finally
        {
            DeleteWithSidecars(partialPath);
        }

        var store = new SqliteFeatureStore(fullPath);
        await store.InitializeAsync(cancellationToken);
        return (store, true);
    }

    private static void DeleteWithSidecars(string path)
    {
        File.Delete(path);
        DeleteSidecars(path);
    }

    private static void DeleteSidecars(string path)
    {
        File.Delete(path + "-wal");
        File.Delete(path + "-shm");
    }
}
