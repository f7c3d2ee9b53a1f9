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

    /// <param name="collection">The collection as the store describes it.</param>
    /// <param name="dataVersion">The store's data version the features were read at.</param>
    /// <param name="features">Every feature, in store order (or, when partial, the candidates).</param>
    /// <param name="isPartial">True for the candidates of one pushed-down query (<see cref="ProximityTarget"/>), not the whole collection.</param>
    public CollectionSnapshot(CollectionInfo collection, long dataVersion, IReadOnlyList<FeatureRecord> features, bool isPartial = false)
    {
        Collection = collection;
        DataVersion = dataVersion;
        Features = features;
        IsPartial = isPartial;
        _byId = features.ToDictionary(f => f.Id, StringComparer.Ordinal);
        ProximityItems = [.. features.Select(ToProximityItem)];
        _proximityIndex = new Lazy<ProximityIndex>(() => ProximityIndex.Build(ProximityItems, dataVersion), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public CollectionInfo Collection { get; }

    public long DataVersion { get; }

    public IReadOnlyList<FeatureRecord> Features { get; }

    /// <summary>
    /// Only the candidates of one query, used once: nothing should be prepared for later requests from it, and it must
    /// not be cached as the collection's snapshot.
    /// </summary>
    public bool IsPartial { get; }

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
/// <remarks>
/// Asking the store for its data version costs a query (for SQLite, opening a pooled connection and a SELECT: tens of
/// microseconds, as much as a whole small radius query). Hot paths may therefore trust a version read
/// less than a given age ago (<see cref="GetAsync(string, TimeSpan, CancellationToken)"/>). That window only ever
/// delays changes made by another process (an import run from the command line, another replica); a write made in
/// this process calls <see cref="Invalidate"/> once it has committed, and every request that starts afterwards reads
/// the version again. A version read that began before the invalidation is not trusted afterwards, however late it
/// finishes, because each read is stamped with the invalidation count seen when it began.
/// </remarks>
public sealed class CollectionSnapshotCache(IFeatureStore store, TimeProvider? clock = null)
{
    private readonly ConcurrentDictionary<string, CollectionSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _loadLocks = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private long _invalidations;
    private VersionRead? _lastRead;

    private sealed record VersionRead(long Version, long Invalidations, long ReadAt);

    /// <summary>The collection's current snapshot (the store's data version is read now), or null when the collection does not exist.</summary>
    public Task<CollectionSnapshot?> GetAsync(string collectionId, CancellationToken cancellationToken = default) =>
        GetAsync(collectionId, TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// The collection's snapshot at a data version read at most <paramref name="maxVersionAge"/> ago and after the
    /// last <see cref="Invalidate"/>, or null when the collection does not exist.
    /// </summary>
    public async Task<CollectionSnapshot?> GetAsync(string collectionId, TimeSpan maxVersionAge, CancellationToken cancellationToken = default)
    {
        var version = await DataVersionAsync(maxVersionAge, cancellationToken);
        if (_snapshots.TryGetValue(collectionId, out var current) && current.DataVersion == version)
        {
            return current;
        }

        if (maxVersionAge > TimeSpan.Zero)
        {
            // A trusted but older version than the held snapshot's (loaded meanwhile by a caller that reads the version
            // every time) must not make the cache load and label current data with the older number: read it afresh.
            version = await DataVersionAsync(TimeSpan.Zero, cancellationToken);
            if (_snapshots.TryGetValue(collectionId, out current) && current.DataVersion == version)
            {
                return current;
            }
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

    /// <summary>The store's data version, read at most <paramref name="maxVersionAge"/> ago and after the last <see cref="Invalidate"/>.</summary>
    public Task<long> GetDataVersionAsync(TimeSpan maxVersionAge, CancellationToken cancellationToken = default) =>
        DataVersionAsync(maxVersionAge, cancellationToken);

    /// <summary>Data has changed through this process: the next request reads the store's data version again.</summary>
    public void Invalidate() => Interlocked.Increment(ref _invalidations);

    private async Task<long> DataVersionAsync(TimeSpan maxVersionAge, CancellationToken cancellationToken)
    {
        var invalidations = Interlocked.Read(ref _invalidations);
        var now = _clock.GetTimestamp();
        if (maxVersionAge > TimeSpan.Zero && Volatile.Read(ref _lastRead) is { } last && last.Invalidations == invalidations
            && _clock.GetElapsedTime(last.ReadAt, now) < maxVersionAge)
        {
            return last.Version;
        }

        var version = await store.GetDataVersionAsync(cancellationToken);
        Volatile.Write(ref _lastRead, new VersionRead(version, invalidations, now));
        return version;
    }
}
