namespace ClusterMap.Core.Tiles;

/// <summary>
/// What identifies a drawn tile: its style (with language and anything else that changes its pixels), address, scale,
/// format and the store's data version. The data version is part of it, so a data change is a miss.
/// </summary>
public readonly record struct TileKey(string Style, int Z, int X, int Y, int Scale, string Format, long DataVersion);

/// <summary>
/// Drawn tiles kept in the database beside the features, so they outlive the process and every replica on the same
/// database shares them. Entries of older data versions can never be asked for again; <see cref="PruneTilesAsync"/>
/// deletes them.
/// </summary>
public interface ITileStore
{
    /// <summary>The stored bytes of the tile, or null.</summary>
    Task<byte[]?> GetTileAsync(TileKey key, CancellationToken cancellationToken = default);

    /// <summary>Stores (or replaces) tiles, all in one transaction.</summary>
    Task PutTilesAsync(IReadOnlyList<(TileKey Key, byte[] Bytes)> tiles, CancellationToken cancellationToken = default);

    /// <summary>Deletes every tile of a data version older than <paramref name="dataVersion"/>; returns how many.</summary>
    Task<int> PruneTilesAsync(long dataVersion, CancellationToken cancellationToken = default);
}
