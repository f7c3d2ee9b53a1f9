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
/// </summary>
public sealed record ItemsQuery(
    string CollectionId,
    IReadOnlyList<Envelope> BboxParts,
    IReadOnlyList<PropertyFilter> Filters,
    int Limit,
    int Offset,
    ItemsFilter? Filter = null,
    ItemsOrder? Order = null);

/// <summary>One page of features with the number of all features that match the query.</summary>
public sealed record FeaturePage(IReadOnlyList<FeatureRecord> Features, long NumberMatched);
