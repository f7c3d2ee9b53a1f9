using System.Collections.Concurrent;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Tiles;

namespace ClusterMap.Rendering.Tests;

/// <summary>The tile store is written behind the responses: in batches, by one writer, never holding up a drawn tile.</summary>
public sealed class TileCacheTests
{
    /// <summary>A tile store whose writes wait at a gate the test opens, recording each batch.</summary>
    private sealed class GatedStore : ITileStore
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<IReadOnlyList<(TileKey Key, byte[] Bytes)>> Batches { get; } = new();

        public ConcurrentQueue<long> Prunes { get; } = new();

        public Task<byte[]?> GetTileAsync(TileKey key, CancellationToken cancellationToken = default) =>
            Task.FromResult(Batches.SelectMany(b => b).Where(t => t.Key == key).Select(t => t.Bytes).LastOrDefault());

        public async Task PutTilesAsync(IReadOnlyList<(TileKey Key, byte[] Bytes)> tiles, CancellationToken cancellationToken = default)
        {
            await Gate.Task;
            Batches.Enqueue([.. tiles]);
        }

        public Task<int> PruneTilesAsync(long dataVersion, CancellationToken cancellationToken = default)
        {
            Prunes.Enqueue(dataVersion);
            return Task.FromResult(0);
        }
    }

    private static TileKey Key(int x, long version = 1) => new("default:both", 12, x, 1672, 1, "png", version);

    private static CachedTile Tile(byte value) => CachedTile.Of([value, value, value]);

    [Fact]
    public async Task DrawnTiles_AreServedAtOnce_AndStoredInBatchesBehind()
    {
        var store = new GatedStore();
        await using var cache = new TileCache(1 << 20, store);

        // The store is stuck: adding drawn tiles still returns, and memory serves them.
        for (var x = 0; x < 10; x++)
        {
            cache.AddDrawn(Key(x), Tile((byte)x));
        }

        Assert.Equal(10, cache.Drawn);
        Assert.True(cache.TryGet(Key(7), out var served));
        Assert.Equal([7, 7, 7], served.Bytes);
        var flushed = cache.FlushAsync();
        Assert.False(flushed.IsCompleted);

        store.Gate.SetResult();
        await flushed;

        var stored = store.Batches.SelectMany(b => b).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(x => Key(x)), stored.Select(t => t.Key).Order(Comparer<TileKey>.Create((a, b) => a.X.CompareTo(b.X))));
        // The writer takes what is queued at once: ten tiles queued while it waited go in fewer than ten transactions.
        Assert.True(store.Batches.Count < 10, $"{store.Batches.Count} batches");
        Assert.Equal([1L], store.Prunes);
    }

    [Fact]
    public async Task FullQueue_LeavesTilesOutOfTheStore_NotOutOfMemory()
    {
        var store = new GatedStore();
        await using var cache = new TileCache(1 << 24, store);

        for (var x = 0; x < 5000; x++)
        {
            cache.AddDrawn(Key(x), Tile(1));
        }

        Assert.True(cache.StoreWritesDropped > 0);
        Assert.True(cache.TryGet(Key(4999), out _));
        store.Gate.SetResult();
        await cache.FlushAsync();
        Assert.Equal(5000 - cache.StoreWritesDropped, store.Batches.Sum(b => b.Count));
    }

    [Fact]
    public async Task NewerDataVersion_PrunesOnce_AndOlderTilesQueuedAfterItAreNotStored()
    {
        var store = new GatedStore();
        store.Gate.SetResult();
        await using var cache = new TileCache(1 << 20, store);

        cache.AddDrawn(Key(1, version: 1), Tile(1));
        await cache.FlushAsync();
        cache.AddDrawn(Key(2, version: 2), Tile(2));
        await cache.FlushAsync();
        cache.AddDrawn(Key(3, version: 1), Tile(3));
        cache.AddDrawn(Key(4, version: 2), Tile(4));
        await cache.FlushAsync();

        Assert.Equal([1L, 2L], store.Prunes);
        Assert.DoesNotContain(store.Batches.SelectMany(b => b), t => t.Key == Key(3, version: 1));
        Assert.Contains(store.Batches.SelectMany(b => b), t => t.Key == Key(4, version: 2));
    }

    [Fact]
    public async Task Dispose_DrainsTheQueue()
    {
        var store = new GatedStore();
        var cache = new TileCache(1 << 20, store);
        cache.AddDrawn(Key(1), Tile(1));

        var disposed = cache.DisposeAsync().AsTask();
        Assert.False(disposed.IsCompleted);
        store.Gate.SetResult();
        await disposed;

        Assert.Single(store.Batches.SelectMany(b => b));
    }
}
