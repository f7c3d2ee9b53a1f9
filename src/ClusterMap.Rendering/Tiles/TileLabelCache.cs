using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Labels;

namespace ClusterMap.Rendering.Tiles;

/// <summary>
/// Label layouts of recently drawn meta-tiles, keyed like tiles (style and language, zoom, meta-tile x and y, data
/// version). The tiles of one meta-tile are asked for together, so a layout is placed once for all of them: concurrent
/// requests wait for the first one's placement. A new data version drops every older layout.
/// </summary>
public sealed class TileLabelCache
{
    /// <summary>Meta-tiles kept; a browser window shows a handful of them at a time.</summary>
    private const int Capacity = 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<TileKey, LinkedListNode<(TileKey Key, Lazy<Task<TileLabelLayout>> Layout)>> _entries = [];
    private readonly LinkedList<(TileKey Key, Lazy<Task<TileLabelLayout>> Layout)> _recency = new();
    private long _version = long.MinValue;

    public async Task<TileLabelLayout> GetAsync(MapCatalog catalog, TileKey metaKey, Func<Task<TileLabelLayout>> place)
    {
        Lazy<Task<TileLabelLayout>> layout;
        lock (_lock)
        {
            if (catalog.Version != _version)
            {
                _entries.Clear();
                _recency.Clear();
                _version = catalog.Version;
            }

            if (_entries.TryGetValue(metaKey, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                layout = node.Value.Layout;
            }
            else
            {
                layout = new Lazy<Task<TileLabelLayout>>(place);
                _entries[metaKey] = _recency.AddFirst((metaKey, layout));
                while (_entries.Count > Capacity && _recency.Last is { } oldest)
                {
                    _recency.RemoveLast();
                    _entries.Remove(oldest.Value.Key);
                }
            }
        }

        try
        {
            return await layout.Value;
        }
        catch
        {
            // A failed placement (a cancelled request, an unreachable store) is not kept.
            lock (_lock)
            {
                if (_entries.TryGetValue(metaKey, out var node) && node.Value.Layout == layout)
                {
                    _recency.Remove(node);
                    _entries.Remove(metaKey);
                }
            }

            throw;
        }
    }
}
