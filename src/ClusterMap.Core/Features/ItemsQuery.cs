using ClusterMap.Core.Filtering;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Features;

/// <summary>Equality filter on one property: <c>?sector=集成电路</c>. Values compare as their text form.</summary>
public sealed record PropertyFilter(string Property, string Value);

/// <summary>
/// A CQL2 condition on a collection's features (the items' <c>filter</c> and <c>datetime</c>, joined by AND), already
/// validated against <paramref name="Queryables"/>: each store translates it to SQL with those types.
/// </summary>
public sealed record ItemsFilter(Cql2Node Condition, Cql2Queryables Queryables);

/// <summary>One key of <c>sortby</c>: a scalar queryable, ascending unless <paramref name="Descending"/>.</summary>
public sealed record ItemsSortKey(string Property, bool Descending);

/// <summary>
/// The order of a page (the items' <c>sortby</c>): by each key in turn, typed as <paramref name="Queryables"/> say (text
/// by code point, numbers by value, dates and times as instants); features without a value of that type come last
/// in either direction; store order breaks ties.
/// </summary>
public sealed record ItemsOrder(IReadOnlyList<ItemsSortKey> Keys, Cql2Queryables Queryables);

/// <summary>
/// A page request against one collection. <see cref="BboxParts"/> holds one envelope, or two when the requested box
/// crosses the antimeridian; a feature matches when its geometry intersects any of them, meets every property filter
/// and the CQL2 <see cref="Filter"/> when there is one; pages follow <see cref="Order"/>, or store order.
/// <see cref="MaxExactCount"/> bounds what the page costs to count: matches are counted only up to that many, and a
/// page of more says so (<see cref="MatchCount.IsExact"/> false) instead of counting them all; null counts every match.
/// </summary>
public sealed record ItemsQuery(
    string CollectionId,
    IReadOnlyList<Envelope> BboxParts,
    IReadOnlyList<PropertyFilter> Filters,
    int Limit,
    int Offset,
    ItemsFilter? Filter = null,
    ItemsOrder? Order = null,
    int? MaxExactCount = null);

/// <summary>
/// How many features match a query: exactly <see cref="Count"/>, or, when not <see cref="IsExact"/>, more than
/// <see cref="Count"/> (counting stopped at the query's <see cref="ItemsQuery.MaxExactCount"/>).
/// </summary>
public readonly record struct MatchCount(long Count, bool IsExact)
{
    public static MatchCount Exactly(long count) => new(count, true);

    public static MatchCount MoreThan(long count) => new(count, false);
}

/// <summary>One page of features with how many features match the query.</summary>
public sealed record FeaturePage(IReadOnlyList<FeatureRecord> Features, MatchCount Matched)
{
    /// <summary>The number of all matching features when it is known exactly (OGC <c>numberMatched</c>), otherwise null.</summary>
    public long? NumberMatched => Matched.IsExact ? Matched.Count : null;

    /// <summary>
    /// Whether features follow this page, which started at <paramref name="offset"/>. A store reports an inexact count
    /// only when at least one feature follows a non-empty page, or when the page lies past the last match.
    /// </summary>
    public bool HasNext(long offset) => Matched.IsExact ? offset + Features.Count < Matched.Count : Features.Count > 0;
}
