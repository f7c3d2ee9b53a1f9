using System.IO.Compression;
using ClusterMap.Core.Tiles;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Cli.Formats;

/// <summary>
/// An MBTiles 1.3 file (a SQLite database: <c>metadata</c> and <c>tiles</c> with TMS rows, y counted from the south),
/// written to <c>PATH.partial</c> and moved onto <c>PATH</c> by <see cref="CompleteAsync"/>. Disposed before it is
/// complete (an error, Ctrl-C), it deletes the partial file and leaves <c>PATH</c> as it was.
/// </summary>
internal sealed class MbTilesWriter : IAsyncDisposable
{
    /// <summary>Tiles written per transaction.</summary>
    private const int Batch = 256;

    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly string _partial;
    private readonly SqliteConnection _connection;
    private SqliteTransaction _transaction;
    private SqliteCommand _insert;
    private int _pending;
    private bool _complete;

    private MbTilesWriter(string path)
    {
        _path = path;
        _partial = path + ".partial";
        File.Delete(_partial);
        // Not pooled: the file is moved (or deleted) as soon as it is closed.
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _partial, Pooling = false }.ToString());
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE metadata (name TEXT, value TEXT);
            CREATE UNIQUE INDEX name ON metadata (name);
            CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
            CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
            """;
        create.ExecuteNonQuery();
        (_transaction, _insert) = Begin();
    }

    public static MbTilesWriter Create(string path) => new(path);

    public async Task WriteMetadataAsync(IEnumerable<KeyValuePair<string, string>> metadata, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in metadata)
        {
            await using var insert = _connection.CreateCommand();
            insert.Transaction = _transaction;
            insert.CommandText = "INSERT INTO metadata (name, value) VALUES ($name, $value)";
            insert.Parameters.AddWithValue("$name", name);
            insert.Parameters.AddWithValue("$value", value);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Adds a tile (thread-safe); <paramref name="tile"/> is an XYZ address, stored as its TMS row.</summary>
    public void AddTile(TileIndex tile, byte[] bytes)
    {
        lock (_lock)
        {
            _insert.Parameters["$z"].Value = tile.Z;
            _insert.Parameters["$x"].Value = tile.X;
            _insert.Parameters["$y"].Value = TileIndex.TilesPerSide(tile.Z) - 1 - tile.Y;
            _insert.Parameters["$data"].Value = bytes;
            _insert.ExecuteNonQuery();
            if (++_pending >= Batch)
            {
                _transaction.Commit();
                _insert.Dispose();
                _transaction.Dispose();
                (_transaction, _insert) = Begin();
                _pending = 0;
            }
        }
    }

    /// <summary>Commits the last tiles, closes the file and moves it onto the destination.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _transaction.Commit();
        }

        await CloseAsync();
        File.Move(_partial, _path, overwrite: true);
        _complete = true;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    private (SqliteTransaction, SqliteCommand) Begin()
    {
        var transaction = _connection.BeginTransaction();
        var insert = _connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES ($z, $x, $y, $data)";
        foreach (var name in (string[])["$z", "$x", "$y", "$data"])
        {
            insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return (transaction, insert);
    }

    private async Task CloseAsync()
    {
        _insert.Dispose();
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_complete)
        {
            return;
        }

        await CloseAsync();
        File.Delete(_partial);
    }
}
