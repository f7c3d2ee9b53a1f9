using System.Collections.Concurrent;
using ClusterMap.Core.Features;
using ClusterMap.Core.Proximity;

namespace ClusterMap.Core.Storage;

/// <summary>
/// Every feature of one collection at one data version, held in memory for the engines that need the whole
/// collection (proximity, rendering). Immutable: queries in flight keep the snapshot they started with.
/// </summary>
public sealed class CollectionSnapshot
{
    private readonly Dictionary<string, FeatureRecord> _byId;
    private readonly Lazy<ProximityIndex> _proximityIndex;

    public CollectionSnapshot(CollectionInfo collection, long dataVersion, IReadOnlyList<FeatureRecord> features)
    {
        Collection = collection;
        DataVersion = dataVersion;
        Features = features;
        _byId = features.ToDictionary(f => f.Id, StringComparer.Ordinal);
        ProximityItems = [.. features.Select(ToProximityItem)];
        _proximityIndex = new Lazy<ProximityIndex>(() => ProximityIndex.Build(ProximityItems, dataVersion), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public CollectionInfo Collection { get; }

    public long DataVersion { get; }

    public IReadOnlyList<FeatureRecord> Features { get; }

    /// <summary>The features as the proximity engine sees them, in store order.</summary>
    public IReadOnlyList<ProximityItem> ProximityItems { get; }

    /// <summary>Built on first use, once per snapshot.</summary>
    public ProximityIndex ProximityIndex => _proximityIndex.Value;

    public FeatureRecord? Find(string featureId) => _byId.GetValueOrDefault(featureId);

    public static ProximityItem ToProximityItem(FeatureRecord feature) =>
        new(feature.Id, feature.Geometry, FeatureProperties.UncertaintyMeters(feature.PropertiesJson), FeatureProperties.ComparableValues(feature.PropertiesJson));
}

/// <summary>
/// Keeps one <see cref="CollectionSnapshot"/> per collection and replaces it when the store's data version
/// changes, so that every replica reading the same store answers from the same data after a write.
/// </summary>
public sealed class CollectionSnapshotCache(IFeatureStore store)
{
    private readonly ConcurrentDictionary<string, CollectionSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _loadLocks = new(StringComparer.Ordinal);

    /// <summary>The collection's current snapshot, or null when the collection does not exist.</summary>
    public async Task<CollectionSnapshot?> GetAsync(string collectionId, CancellationToken cancellationToken = default)
    {
        var version = await store.GetDataVersionAsync(cancellationToken);
        if (_snapshots.TryGetValue(collectionId, out var current) && current.DataVersion == version)
        {
            return current;
        }

        // Look the collection up before taking a lock, so requests for names that do not exist leave nothing behind.
        var collection = await store.GetCollectionAsync(collectionId, cancellationToken);
        if (collection is null)
        {
            _snapshots.TryRemove(collectionId, out _);
            return null;
        }

        var loadLock = _loadLocks.GetOrAdd(collectionId, _ => new SemaphoreSlim(1, 1));
        await loadLock.WaitAsync(cancellationToken);
        try
        {
            if (_snapshots.TryGetValue(collectionId, out current) && current.DataVersion == version)
            {
                return current;
            }

            var features = await store.GetAllItemsAsync(collectionId, cancellationToken);
            var snapshot = new CollectionSnapshot(collection, version, features);
            _snapshots[collectionId] = snapshot;
            return snapshot;
        }
        finally
        {
            loadLock.Release();
        }
    }
}
