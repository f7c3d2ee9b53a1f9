using ClusterMap.Core.Tiles;
using Dapper;

namespace ClusterMap.Storage.Sql;

/// <summary>
/// Drawn map tiles in the table map_tiles, beside the features they were drawn from: the same SQL on SQLite and
/// PostgreSQL (both have <c>INSERT … ON CONFLICT … DO UPDATE</c>).
/// </summary>
public abstract partial class SqlFeatureStore<TConnection, TTransaction> : ITileStore
{
    public async Task<byte[]?> GetTileAsync(TileKey key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<byte[]?>(new CommandDefinition(
            """
            SELECT bytes FROM map_tiles
            WHERE data_version = @DataVersion AND style = @Style AND format = @Format AND z = @Z AND x = @X AND y = @Y AND scale = @Scale
            """,
            key, cancellationToken: cancellationToken));
    }

    public async Task PutTilesAsync(IReadOnlyList<(TileKey Key, byte[] Bytes)> tiles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (tiles.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        foreach (var (key, bytes) in tiles)
        {
            // Two processes may draw the same tile at once: both drew the same bytes, the last write stays.
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO map_tiles (style, z, x, y, scale, format, data_version, bytes)
                VALUES (@Style, @Z, @X, @Y, @Scale, @Format, @DataVersion, @bytes)
                ON CONFLICT (data_version, style, format, z, x, y, scale) DO UPDATE SET bytes = excluded.bytes
                """,
                new { key.Style, key.Z, key.X, key.Y, key.Scale, key.Format, key.DataVersion, bytes }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<int> PruneTilesAsync(long dataVersion, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM map_tiles WHERE data_version < @dataVersion", new { dataVersion }, cancellationToken: cancellationToken));
    }
}
