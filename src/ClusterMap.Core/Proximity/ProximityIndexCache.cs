using System.Collections.Concurrent;

namespace ClusterMap.Core.Proximity;

/// <summary>
/// Keeps one <see cref="ProximityIndex"/> per collection and rebuilds it when the store reports a new data
/// version, swapping the reference atomically: queries in flight finish on the index they started with,
/// new queries see the new one, and an index never mixes two versions.
/// </summary>
public sealed class ProximityIndexCache
{
    private readonly ConcurrentDictionary<string, ProximityIndex> _indexes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _buildLocks = new(StringComparer.Ordinal);

    /// <summary>
    /// The index of <paramref name="collectionId"/> at <paramref name="dataVersion"/>, built from
    /// <paramref name="loadItems"/> if the cached one is missing or of another version. Concurrent callers
    /// for the same collection wait for a single build.
    /// </summary>
    public ProximityIndex GetOrBuild(string collectionId, long dataVersion, Func<IEnumerable<ProximityItem>> loadItems)
    {
        ArgumentNullException.ThrowIfNull(collectionId);
        ArgumentNullException.ThrowIfNull(loadItems);
        if (_indexes.TryGetValue(collectionId, out var current) && current.DataVersion == dataVersion)
        {
            return current;
        }

        lock (_buildLocks.GetOrAdd(collectionId, _ => new object()))
        {
            if (_indexes.TryGetValue(collectionId, out current) && current.DataVersion == dataVersion)
            {
                return current;
            }

            var built = ProximityIndex.Build(loadItems(), dataVersion);
            _indexes[collectionId] = built;
            return built;
        }
    }

    /// <summary>Drops the cached index of a collection (for example when the collection is deleted).</summary>
    public void Invalidate(string collectionId)
    {
        ArgumentNullException.ThrowIfNull(collectionId);
        _indexes.TryRemove(collectionId, out _);
    }
}
