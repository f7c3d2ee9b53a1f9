using System.Collections.Concurrent;
using ClusterMap.Core.Features;
using ClusterMap.Core.Proximity;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Storage;

/// <summary>
/// Where the proximity engine finds a collection's targets: the whole collection held in memory
/// (<see cref="CollectionSnapshotCache"/>), or, for a collection of more than <c>inMemoryMaxFeatures</c> features on
/// a store that can (<see cref="IProximityPushDown"/>), only the candidates the database selects for one query.
/// </summary>
/// <remarks>
/// Either way the answer is computed by the same <see cref="ProximityIndex"/> methods, over a snapshot that holds
/// every feature that can be in it: a store's candidates are a proven superset (radius queries widen by the largest
/// location uncertainty and the store's own error; nearest queries fetch until the store proves that no feature left
/// out can come before the k-th), and the exact engine is unaffected by extra targets. So pushed-down answers equal
/// in-memory ones to the last digit, ties and certainty included. A store without the capability (SQLite) always
/// answers in memory, whatever the collection's size.
/// </remarks>
public sealed class ProximityTargets(IFeatureStore store, CollectionSnapshotCache snapshots, long inMemoryMaxFeatures)
{
    private readonly IProximityPushDown? _pushDown = store as IProximityPushDown;
    private readonly ConcurrentDictionary<string, (long Version, CollectionInfo Info)> _collections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long Version, double Meters)> _maxUncertainty = new(StringComparer.Ordinal);

    /// <summary>
    /// The collection's targets at a data version read at most <paramref name="maxVersionAge"/> ago (see
    /// <see cref="CollectionSnapshotCache.GetAsync(string, TimeSpan, CancellationToken)"/>), or null when it does not exist.
    /// </summary>
    public async Task<ProximityTarget?> GetAsync(string collectionId, TimeSpan maxVersionAge, CancellationToken cancellationToken = default)
    {
        if (_pushDown is not null)
        {
            var version = await snapshots.GetDataVersionAsync(maxVersionAge, cancellationToken);
            if (!_collections.TryGetValue(collectionId, out var known) || known.Version != version)
            {
                var info = await store.GetCollectionAsync(collectionId, cancellationToken);
                if (info is null)
                {
                    _collections.TryRemove(collectionId, out _);
                    return null;
                }

                known = (version, info);
                _collections[collectionId] = known;
            }

            if (known.Info.FeatureCount > inMemoryMaxFeatures)
            {
                return new ProximityTarget(this, known.Info, known.Version, snapshot: null);
            }
        }

        var snapshot = await snapshots.GetAsync(collectionId, maxVersionAge, cancellationToken);
        return snapshot is null ? null : new ProximityTarget(this, snapshot.Collection, snapshot.DataVersion, snapshot);
    }

    /// <summary>The whole collection in memory, however large (origins of a matrix or rings are all used).</summary>
    internal async Task<CollectionSnapshot> SnapshotAsync(string collectionId, CancellationToken cancellationToken) =>
        await snapshots.GetAsync(collectionId, cancellationToken)
        ?? throw new CollectionNotFoundException(collectionId);

    internal IProximityPushDown PushDown => _pushDown!;

    internal IFeatureStore Store => store;

    internal async Task<double> MaxUncertaintyMetersAsync(string collectionId, long version, CancellationToken cancellationToken)
    {
        if (_maxUncertainty.TryGetValue(collectionId, out var known) && known.Version == version)
        {
            return known.Meters;
        }

        var meters = await _pushDown!.GetMaxUncertaintyMetersAsync(collectionId, cancellationToken);
        _maxUncertainty[collectionId] = (version, meters);
        return meters;
    }
}

/// <summary>
/// One collection as the proximity endpoints use it. Each <c>…Async</c> query method returns a snapshot that holds
/// every target the same query can answer with: the whole collection when it is held in memory, otherwise the
/// candidates the store selected. Run the query on that snapshot's <see cref="CollectionSnapshot.ProximityIndex"/>.
/// </summary>
public sealed class ProximityTarget
{
    // The first nearest-candidate batch; each further batch is four times larger (fetched afresh, so at most a third
    // more rows are read than by one well-guessed query).
    private const int FirstBatch = 64;

    private readonly ProximityTargets _owner;
    private readonly CollectionSnapshot? _snapshot;

    internal ProximityTarget(ProximityTargets owner, CollectionInfo collection, long dataVersion, CollectionSnapshot? snapshot)
    {
        _owner = owner;
        Collection = collection;
        DataVersion = dataVersion;
        _snapshot = snapshot;
    }

    public CollectionInfo Collection { get; }

    public long DataVersion { get; }

    /// <summary>True when queries are answered from candidates the store selects rather than from memory.</summary>
    public bool IsPushedDown => _snapshot is null;

    /// <summary>One feature of the collection, or null.</summary>
    public async Task<FeatureRecord?> FindAsync(string featureId, CancellationToken cancellationToken = default) =>
        _snapshot is not null ? _snapshot.Find(featureId) : await _owner.Store.GetItemAsync(Collection.Id, featureId, cancellationToken);

    /// <summary>Every feature in memory (the origins of a matrix or rings), loaded if it is not yet.</summary>
    public async Task<CollectionSnapshot> AllAsync(CancellationToken cancellationToken = default) =>
        _snapshot ?? await _owner.SnapshotAsync(Collection.Id, cancellationToken);

    /// <summary>For <see cref="ProximityIndex.Within"/> of the same arguments.</summary>
    public async Task<CollectionSnapshot> ForWithinAsync(Geometry origin, double radiusMeters, double originUncertaintyMeters, CancellationToken cancellationToken = default)
    {
        if (_snapshot is not null)
        {
            return _snapshot;
        }

        var candidates = new Dictionary<string, FeatureRecord>(StringComparer.Ordinal);
        await AddWithinAsync(origin, radiusMeters, originUncertaintyMeters, candidates, cancellationToken);
        return Partial(candidates);
    }

    /// <summary>For <see cref="ProximityIndex.Nearest"/> of the same arguments.</summary>
    public async Task<CollectionSnapshot> ForNearestAsync(Geometry origin, int k, double originUncertaintyMeters, double maxMeters, Func<ProximityItem, bool>? filter, CancellationToken cancellationToken = default)
    {
        if (_snapshot is not null)
        {
            return _snapshot;
        }

        var candidates = new Dictionary<string, FeatureRecord>(StringComparer.Ordinal);
        await AddNearestAsync(origin, k, originUncertaintyMeters, maxMeters, filter, candidates, cancellationToken);
        return Partial(candidates);
    }

    /// <summary>For <see cref="ProximityIndex.Matrix"/> of the same arguments (one store query or more per origin).</summary>
    public async Task<CollectionSnapshot> ForMatrixAsync(IReadOnlyList<ProximityItem> origins, int k, double maxMeters, Func<ProximityItem, bool>? filter, bool excludeSameId, CancellationToken cancellationToken = default)
    {
        if (_snapshot is not null)
        {
            return _snapshot;
        }

        var candidates = new Dictionary<string, FeatureRecord>(StringComparer.Ordinal);
        foreach (var origin in origins)
        {
            await AddNearestAsync(origin.Geometry, k, origin.LocationUncertaintyMeters, maxMeters, WithExclusion(filter, excludeSameId ? origin.Id : null), candidates, cancellationToken);
        }

        return Partial(candidates);
    }

    /// <summary>For <see cref="ProximityIndex.Rings"/> of the same arguments: per origin, the outer ring's candidates and its nearest target's.</summary>
    public async Task<CollectionSnapshot> ForRingsAsync(IReadOnlyList<ProximityItem> origins, IReadOnlyList<double> ringsMeters, Func<ProximityItem, bool>? filter, bool excludeSameId, CancellationToken cancellationToken = default)
    {
        if (_snapshot is not null)
        {
            return _snapshot;
        }

        var outer = ringsMeters.Count == 0 ? 0 : ringsMeters.Max();
        var candidates = new Dictionary<string, FeatureRecord>(StringComparer.Ordinal);
        foreach (var origin in origins)
        {
            await AddWithinAsync(origin.Geometry, outer, origin.LocationUncertaintyMeters, candidates, cancellationToken);
            await AddNearestAsync(origin.Geometry, 1, origin.LocationUncertaintyMeters, double.PositiveInfinity, WithExclusion(filter, excludeSameId ? origin.Id : null), candidates, cancellationToken);
        }

        return Partial(candidates);
    }

    private async Task AddWithinAsync(Geometry origin, double radiusMeters, double originUncertaintyMeters, Dictionary<string, FeatureRecord> candidates, CancellationToken cancellationToken)
    {
        if (origin.IsEmpty)
        {
            return;
        }

        // The engine keeps a target when d ≤ r + u_origin + u_target: widen by the largest u_target there is.
        var maxUncertainty = await _owner.MaxUncertaintyMetersAsync(Collection.Id, DataVersion, cancellationToken);
        foreach (var feature in await _owner.PushDown.GetWithinCandidatesAsync(Collection.Id, origin, radiusMeters + originUncertaintyMeters + maxUncertainty, cancellationToken))
        {
            candidates.TryAdd(feature.Id, feature);
        }
    }

    /// <summary>
    /// Fetches nearest candidates in growing batches and runs the exact engine on them, until the store proves that
    /// every feature left out is farther than the k-th exact hit (strictly: an equally far one could win on its id),
    /// or farther than any hit may be (<paramref name="maxMeters"/> widened by the uncertainties), or none is left.
    /// </summary>
    private async Task AddNearestAsync(Geometry origin, int k, double originUncertaintyMeters, double maxMeters, Func<ProximityItem, bool>? filter, Dictionary<string, FeatureRecord> candidates, CancellationToken cancellationToken)
    {
        if (k == 0 || origin.IsEmpty)
        {
            return;
        }

        var reach = double.IsPositiveInfinity(maxMeters)
            ? double.PositiveInfinity
            : maxMeters + originUncertaintyMeters + await _owner.MaxUncertaintyMetersAsync(Collection.Id, DataVersion, cancellationToken);
        for (var count = Math.Max(FirstBatch, 4 * k); ; count = count > int.MaxValue / 4 ? int.MaxValue : count * 4)
        {
            var batch = await _owner.PushDown.GetNearestCandidatesAsync(Collection.Id, origin, count, cancellationToken);
            var done = double.IsPositiveInfinity(batch.OthersAtLeastMeters) || batch.OthersAtLeastMeters > reach;
            if (!done)
            {
                var hits = ProximityIndex.Build(batch.Features.Select(CollectionSnapshot.ToProximityItem), DataVersion)
                    .Nearest(origin, k, originUncertaintyMeters, maxMeters, filter);
                done = hits.Count == k && batch.OthersAtLeastMeters > hits[^1].DistanceMeters;
            }

            if (done)
            {
                foreach (var feature in batch.Features)
                {
                    candidates.TryAdd(feature.Id, feature);
                }

                return;
            }
        }
    }

    private static Func<ProximityItem, bool>? WithExclusion(Func<ProximityItem, bool>? filter, string? excludedId) =>
        excludedId is null ? filter
        : filter is null ? item => !string.Equals(item.Id, excludedId, StringComparison.Ordinal)
        : item => !string.Equals(item.Id, excludedId, StringComparison.Ordinal) && filter(item);

    private CollectionSnapshot Partial(Dictionary<string, FeatureRecord> candidates) =>
        new(Collection, DataVersion, [.. candidates.Values], isPartial: true);
}
