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
            CheckHeader(fullPath);
            try
            {
                var existing = new SqliteFeatureStore(fullPath);
                await existing.InitializeAsync(cancellationToken);
                return (existing, false);
            }
            catch (SqliteException ex)
            {
                throw new StoreDamagedException(fullPath, ex.Message, ex);
            }
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

    /// <summary>
    /// The cheap checks of the file's 100-byte header: SQLite's magic string, a valid page size, and a file at least
    /// as long as the header says (a truncated copy otherwise opens and fails only on the first query of a missing
    /// page). Without a write-ahead log beside it the main file holds every page, so the length test is exact then.
    /// </summary>
    private static void CheckHeader(string path)
    {
        var header = new byte[100];
        long length;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            length = file.Length;
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            {
                throw new StoreDamagedException(path, $"the file is {length} bytes long, shorter than an SQLite header");
            }
        }

        if (!header.AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8))
        {
            throw new StoreDamagedException(path, "the file does not start with the SQLite header (not an SQLite database, or overwritten)");
        }

        var pageSize = (header[16] << 8) | header[17];
        var pageBytes = pageSize == 1 ? 65536 : pageSize;
        if (pageBytes < 512 || (pageBytes & (pageBytes - 1)) != 0)
        {
            throw new StoreDamagedException(path, $"the header gives an impossible page size ({pageBytes})");
        }

        var pages = ((long)header[28] << 24) | ((long)header[29] << 16) | ((long)header[30] << 8) | header[31];
        var wal = new FileInfo(path + "-wal");
        // The size field is trusted only when its "version valid for" matches the change counter (SQLite ≥ 3.7.0 keeps them so).
        var sizeValid = header.AsSpan(24, 4).SequenceEqual(header.AsSpan(92, 4));
        if (sizeValid && (!wal.Exists || wal.Length == 0) && pages > 0 && length < pages * pageBytes)
        {
            throw new StoreDamagedException(path, $"the file is truncated: {length} bytes where the header promises {pages} pages of {pageBytes} bytes");
        }
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

/// <summary>An existing database file that cannot be used; it is left exactly as it is, never rebuilt over.</summary>
public sealed class StoreDamagedException(string path, string reason, Exception? inner = null)
    : IOException($"{path}: not a usable ClusterMap database: {reason}. It was left untouched: restore it from a backup, or move it away to have a new one built.", inner)
{
    public string DatabasePath { get; } = path;
}
