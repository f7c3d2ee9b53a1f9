using System.Security.Cryptography;
using ClusterMap.Core.Tiles;

namespace ClusterMap.Rendering.Tiles;

/// <summary>A drawn tile and its strong ETag (a hash of its bytes).</summary>
public sealed record CachedTile(byte[] Bytes, string ETag)
{
    public static CachedTile Of(byte[] bytes) => new(bytes, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16))}\"");
}

/// <summary>
/// Drawn tiles in memory, bounded in bytes, least recently used out first, in front of an optional
/// <see cref="ITileStore"/> in the database: a miss in memory looks in the store before anything is drawn, and a drawn
/// tile is written to both. When a tile of a newer data version arrives, every tile of older versions is dropped from
/// memory at once and pruned from the store: they can never be asked for again.
/// </summary>
public sealed class TileCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TileKey, LinkedListNode<(TileKey Key, CachedTile Tile)>> _entries = [];
    private readonly LinkedList<(TileKey Key, CachedTile Tile)> _recency = new();
    private readonly long _limitBytes;
    private readonly ITileStore? _store;
    private readonly string _storeVariant;
    private readonly Action<Exception>? _onStoreError;
    private long _newestVersion = long.MinValue;
    private long _prunedVersion = long.MinValue;
    private long _drawn;
    private long _storeHits;

    /// <param name="limitBytes">Bytes of tiles kept in memory.</param>
    /// <param name="store">Where drawn tiles outlive the process (null: memory only).</param>
    /// <param name="storeVariant">
    /// Appended to the style of every key in the store: what else decides the pixels and may differ between processes
    /// sharing the database (the renderer's build, the external basemap).
    /// </param>
    /// <param name="onStoreError">Told of a store that failed; the tile is drawn (or served) all the same.</param>
    public TileCache(long limitBytes, ITileStore? store = null, string storeVariant = "", Action<Exception>? onStoreError = null)
    {
        _limitBytes = limitBytes;
        _store = store;
        _storeVariant = storeVariant;
        _onStoreError = onStoreError;
    }

    public long Bytes { get; private set; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    /// <summary>Tiles drawn by this process (written through <see cref="AddDrawnAsync"/>).</summary>
    public long Drawn => Interlocked.Read(ref _drawn);

    /// <summary>Tiles missing in memory that the store had.</summary>
    public long StoreHits => Interlocked.Read(ref _storeHits);

    /// <summary>Whether a store is behind the memory.</summary>
    public bool HasStore => _store is not null;

    public bool TryGet(TileKey key, out CachedTile tile)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                Hits++;
                tile = node.Value.Tile;
                return true;
            }

            Misses++;
            tile = null!;
            return false;
        }
    }

    /// <summary>The tile from memory, else from the store (then kept in memory too), else null.</summary>
    public async Task<CachedTile?> GetAsync(TileKey key, CancellationToken cancellationToken)
    {
        if (TryGet(key, out var tile))
        {
            return tile;
        }

        if (_store is null)
        {
            return null;
        }

        byte[]? bytes;
        try
        {
            bytes = await _store.GetTileAsync(StoreKey(key), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _onStoreError?.Invoke(e);
            return null;
        }

        if (bytes is null)
        {
            return null;
        }

        Interlocked.Increment(ref _storeHits);
        tile = CachedTile.Of(bytes);
        Add(key, tile);
        return tile;
    }

    /// <summary>A tile just drawn: kept in memory and written to the store; the first of a newer data version prunes older ones there.</summary>
    public async Task AddDrawnAsync(TileKey key, CachedTile tile, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _drawn);
        Add(key, tile);
        if (_store is null)
        {
            return;
        }

        try
        {
            // Not the request's token: a tile drawn is worth keeping even if its client went away.
            await _store.PutTileAsync(StoreKey(key), tile.Bytes, CancellationToken.None);
            if (ClaimPrune(key.DataVersion))
            {
                await _store.PruneTilesAsync(key.DataVersion, CancellationToken.None);
            }
        }
        catch (Exception e)
        {
            _onStoreError?.Invoke(e);
        }
    }

    public void Add(TileKey key, CachedTile tile)
    {
        if (tile.Bytes.Length > _limitBytes)
        {
            return;
        }

        lock (_lock)
        {
            if (key.DataVersion > _newestVersion)
            {
                _newestVersion = key.DataVersion;
                foreach (var stale in _entries.Keys.Where(k => k.DataVersion < key.DataVersion).ToList())
                {
                    Remove(_entries[stale]);
                }
            }
            else if (key.DataVersion < _newestVersion)
            {
                return;
            }

            if (_entries.TryGetValue(key, out var existing))
            {
                Remove(existing);
            }

            var node = _recency.AddFirst((key, tile));
            _entries[key] = node;
            Bytes += tile.Bytes.Length;
            while (Bytes > _limitBytes && _recency.Last is { } oldest)
            {
                Remove(oldest);
            }
        }
    }

    /// <summary>True for the one caller that first sees a data version newer than any pruned for.</summary>
    private bool ClaimPrune(long version)
    {
        while (true)
        {
            var pruned = Interlocked.Read(ref _prunedVersion);
            if (pruned >= version)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _prunedVersion, version, pruned) == pruned)
            {
                return true;
            }
        }
    }

    private TileKey StoreKey(TileKey key) => _storeVariant.Length == 0 ? key : key with { Style = $"{key.Style}|{_storeVariant}" };

    private void Remove(LinkedListNode<(TileKey Key, CachedTile Tile)> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
        Bytes -= node.Value.Tile.Bytes.Length;
    }
}
