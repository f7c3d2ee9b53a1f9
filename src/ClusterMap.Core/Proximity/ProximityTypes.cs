using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Proximity;

/// <summary>
/// One feature of a collection as the proximity engine sees it.
/// </summary>
/// <param name="Id">Feature id; ties in distance are broken by ordinal comparison of ids.</param>
/// <param name="Geometry">Geometry in lon/lat degrees (EPSG:4326, X = longitude), not crossing the antimeridian.</param>
/// <param name="LocationUncertaintyMeters">How far the true location may be from <paramref name="Geometry"/> (location_uncertainty_m); 0 when exact.</param>
/// <param name="Properties">Property values the optional equality filters compare against.</param>
public sealed record ProximityItem(
    string Id,
    Geometry Geometry,
    double LocationUncertaintyMeters = 0,
    IReadOnlyDictionary<string, string?>? Properties = null);

/// <summary>Whether a target is within the query radius whatever the true locations are, or only possibly.</summary>
public enum ProximityCertainty
{
    /// <summary>Within the radius even at the far end of the distance interval.</summary>
    Certain,

    /// <summary>The near end of the interval is within the radius but the far end is not: an estimate.</summary>
    Possible,
}

/// <summary>
/// One target found by a query.
/// </summary>
/// <param name="Item">The target.</param>
/// <param name="Rank">1-based position in the answer (distance, then ordinal id).</param>
/// <param name="DistanceMeters">Geodesic distance between the geometries (not centroids); 0 when they intersect.</param>
/// <param name="MinDistanceMeters">max(0, d − u_origin − u_target): the nearest the true locations can be.</param>
/// <param name="MaxDistanceMeters">d + u_origin + u_target: the farthest the true locations can be.</param>
/// <param name="Certainty">Against the query's radius: <see cref="ProximityCertainty.Certain"/> when
/// <paramref name="MaxDistanceMeters"/> ≤ radius, otherwise <see cref="ProximityCertainty.Possible"/>.</param>
public readonly record struct ProximityHit(
    ProximityItem Item,
    int Rank,
    double DistanceMeters,
    double MinDistanceMeters,
    double MaxDistanceMeters,
    ProximityCertainty Certainty)
{
    /// <summary>The target's id.</summary>
    public string Id => Item.Id;

    /// <summary>True when the distance is exact (neither side carries a location uncertainty).</summary>
    public bool IsExact => MinDistanceMeters == MaxDistanceMeters;
}

/// <summary>The k nearest targets of one origin (a row of a distance matrix).</summary>
public sealed record ProximityMatrixRow(ProximityItem Origin, IReadOnlyList<ProximityHit> Targets);

/// <summary>Counts of targets within one ring radius of an origin.</summary>
/// <param name="RadiusMeters">The ring's outer radius.</param>
/// <param name="Count">Targets whose distance is at most the radius.</param>
/// <param name="CertainCount">Targets within the radius for certain (far end of the interval ≤ radius).</param>
/// <param name="PossibleCount">Targets only possibly within (near end ≤ radius &lt; far end).</param>
public readonly record struct ProximityRing(double RadiusMeters, int Count, int CertainCount, int PossibleCount);

/// <summary>Ring counts of one origin, cumulative from the origin outwards, with its nearest target.</summary>
/// <param name="Origin">The origin feature.</param>
/// <param name="Rings">One entry per requested radius, in the order requested.</param>
/// <param name="Nearest">The nearest target at any distance; null when no target passes the filter.</param>
public sealed record ProximityRingsRow(ProximityItem Origin, IReadOnlyList<ProximityRing> Rings, ProximityHit? Nearest);

/// <summary>Builders of target filters.</summary>
public static class ProximityFilter
{
    /// <summary>
    /// A filter that keeps targets whose properties equal every given value (ordinal comparison; a null
    /// value matches a missing or null property).
    /// </summary>
    public static Func<ProximityItem, bool>? PropertyEquals(IReadOnlyDictionary<string, string?>? equalities)
    {
        if (equalities is null || equalities.Count == 0)
        {
            return null;
        }

        var pairs = equalities.ToArray();
        return item =>
        {
            foreach (var (key, expected) in pairs)
            {
                string? actual = null;
                _ = item.Properties?.TryGetValue(key, out actual);
                if (!string.Equals(actual, expected, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        };
    }
}
