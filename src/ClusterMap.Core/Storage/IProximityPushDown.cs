using ClusterMap.Core.Features;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Storage;

/// <summary>
/// An optional capability of a store: selecting proximity candidates in the database, for collections too large to
/// hold in memory (<see cref="ProximityTargets"/>). The store only narrows the search; every distance in an answer
/// is still computed by Core's geodesy, so the store's own distance measure only has to bound the true one. Every
/// method speaks geodesic metres on WGS84: a store that measures otherwise widens or shrinks by its proven error.
/// </summary>
public interface IProximityPushDown
{
    /// <summary>
    /// At least every feature of the collection whose geodesic distance to <paramref name="origin"/> is at most
    /// <paramref name="meters"/> (more may come back), in store order.
    /// </summary>
    Task<IReadOnlyList<FeatureRecord>> GetWithinCandidatesAsync(string collectionId, Geometry origin, double meters, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="count"/> features of the collection, nearest first by the store's measure, with a lower
    /// bound on the geodesic distance of every feature left out.
    /// </summary>
    Task<NearestCandidates> GetNearestCandidatesAsync(string collectionId, Geometry origin, int count, CancellationToken cancellationToken = default);

    /// <summary>
    /// An upper bound of the collection's <c>location_uncertainty_m</c> as <see cref="FeatureProperties.UncertaintyMeters"/>
    /// reads it (0 when no feature has one): radius candidates widen by it so that possible hits are not missed.
    /// </summary>
    Task<double> GetMaxUncertaintyMetersAsync(string collectionId, CancellationToken cancellationToken = default);
}

/// <summary>The nearest features a store found, and how far at least every other feature of the collection is.</summary>
/// <param name="Features">The features returned.</param>
/// <param name="OthersAtLeastMeters">
/// Every feature not in <paramref name="Features"/> is at least this far (geodesic metres) from the origin;
/// +∞ when the collection has no other feature.
/// </param>
public sealed record NearestCandidates(IReadOnlyList<FeatureRecord> Features, double OthersAtLeastMeters);
