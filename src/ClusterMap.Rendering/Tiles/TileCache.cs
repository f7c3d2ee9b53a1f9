using System.Security.Cryptography;
using System.Threading.Channels;
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
/// <remarks>
/// Writes to the store are behind the response: a drawn tile is queued and one writer stores the queue in batches, a
/// transaction each, so a cold tile costs its drawing and not a database commit. The queue is bounded; when the
/// store falls that far behind, tiles are left out of it (<see cref="StoreWritesDropped"/>) — it is a cache, and
/// the tile is still in memory and drawn again where it is missing. Disposing drains the queue.
/// </remarks>
public sealed class TileCache : IAsyncDisposable
{
    private const int StoreQueueCapacity = 4096;
    private const int StoreBatchSize = 256;

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
    private long _storeWritesDropped;
    private readonly Channel<StoreWrite>? _storeWrites;
    private readonly Task _storeWriter = Task.CompletedTask;

    /// <summary>A drawn tile for the store, or (with <see cref="Flushed"/>) a mark the writer completes when it reaches it.</summary>
    private sealed record StoreWrite(TileKey Key, byte[]? Bytes, TaskCompletionSource? Flushed);

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
        if (store is not null)
        {
            _storeWrites = Channel.CreateBounded<StoreWrite>(new BoundedChannelOptions(StoreQueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
            _storeWriter = Task.Run(WriteToStoreAsync);
        }
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

    /// <summary>Tiles drawn by this process (added through <see cref="AddDrawn"/>).</summary>
    public long Drawn => Interlocked.Read(ref _drawn);

    /// <summary>Tiles missing in memory that the store had.</summary>
    public long StoreHits => Interlocked.Read(ref _storeHits);

    /// <summary>Drawn tiles not written to the store because its queue was full.</summary>
    public long StoreWritesDropped => Interlocked.Read(ref _storeWritesDropped);

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

    /// <summary>A tile just drawn: kept in memory and queued for the store (<see cref="TileCache"/>'s remarks).</summary>
    public void AddDrawn(TileKey key, CachedTile tile)
    {
        Interlocked.Increment(ref _drawn);
        Add(key, tile);
        if (_storeWrites is not null && !_storeWrites.Writer.TryWrite(new StoreWrite(StoreKey(key), tile.Bytes, null)))
        {
            Interlocked.Increment(ref _storeWritesDropped);
        }
    }

    /// <summary>Completes when every tile drawn before the call is in the store (or its write failed and was reported).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_storeWrites is null)
        {
            return;
        }

        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _storeWrites.Writer.WriteAsync(new StoreWrite(default, null, flushed), cancellationToken);
        await flushed.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _storeWrites?.Writer.TryComplete();
        await _storeWriter;
    }

    /// <summary>The one writer: takes what is queued, stores it in one transaction, prunes once per newer data version.</summary>
    private async Task WriteToStoreAsync()
    {
        var reader = _storeWrites!.Reader;
        var batch = new List<(TileKey Key, byte[] Bytes)>(StoreBatchSize);
        var marks = new List<TaskCompletionSource>();
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < StoreBatchSize && reader.TryRead(out var write))
            {
                if (write.Flushed is not null)
                {
                    marks.Add(write.Flushed);
                }
                else if (write.Key.DataVersion >= Interlocked.Read(ref _prunedVersion))
                {
                    // A tile of a version already pruned for could only linger until the next prune.
                    batch.Add((write.Key, write.Bytes!));
                }
            }

            try
            {
                // Not a request's token: a tile drawn is worth keeping even if its client went away.
                await _store!.PutTilesAsync(batch, CancellationToken.None);
                var newest = batch.Count == 0 ? long.MinValue : batch.Max(t => t.Key.DataVersion);
                if (batch.Count > 0 && ClaimPrune(newest))
                {
                    await _store.PruneTilesAsync(newest, CancellationToken.None);
                }
            }
            catch (Exception e)
            {
                _onStoreError?.Invoke(e);
            }

            batch.Clear();
            marks.ForEach(m => m.TrySetResult());
            marks.Clear();
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
