using System.Security.Cryptography;
using ClusterMap.Api.Hosting;
using Microsoft.Extensions.Options;

namespace ClusterMap.Api.Tiles;

/// <summary>What identifies a rendered tile: the data version is part of it, so a data change is a cache miss.</summary>
internal readonly record struct TileKey(string Style, int Z, int X, int Y, int Scale, string Format, long DataVersion);

/// <summary>A rendered tile and its strong ETag (a hash of its bytes).</summary>
internal sealed record CachedTile(byte[] Bytes, string ETag)
{
    public static CachedTile Of(byte[] bytes) => new(bytes, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16))}\"");
}

/// <summary>
/// Rendered tiles in memory, bounded in bytes, least recently used out first. When a tile of a newer data version
/// arrives, every tile of older versions is dropped at once: they can never be asked for again.
/// </summary>
internal sealed class TileCache(IOptions<MapsOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TileKey, LinkedListNode<(TileKey Key, CachedTile Tile)>> _entries = [];
    private readonly LinkedList<(TileKey Key, CachedTile Tile)> _recency = new();
    private long _newestVersion = long.MinValue;

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

    public void Add(TileKey key, CachedTile tile)
    {
        var limit = options.Value.TileCacheBytes;
        if (tile.Bytes.Length > limit)
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
            while (Bytes > limit && _recency.Last is { } oldest)
            {
                Remove(oldest);
            }
        }
    }

    private void Remove(LinkedListNode<(TileKey Key, CachedTile Tile)> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
        Bytes -= node.Value.Tile.Bytes.Length;
    }
}
