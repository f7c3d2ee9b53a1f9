using ClusterMap.Core.Features;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Storage;

/// <summary>
/// An optional capability of a store: the features of one collection near a box, through the spatial index alone
/// (SQLite's R*Tree, PostGIS's GiST), with no count, no paging and no exact shape test. Maps use it to read only what
/// a tile or figure draws; the renderer clips what it is given, so a few extra features near the box cost nothing.
/// </summary>
public interface IFeatureBoxReader
{
    /// <summary>
    /// At least every feature of the collection whose envelope intersects <paramref name="boxLonLat"/> (WGS84 lon/lat),
    /// in store order; features whose envelope only comes close may be returned too.
    /// </summary>
    Task<IReadOnlyList<FeatureRecord>> GetItemsNearBoxAsync(string collectionId, Envelope boxLonLat, CancellationToken cancellationToken = default);

    /// <summary>
    /// An upper bound of the collection's <c>location_uncertainty_m</c> as <see cref="FeatureProperties.UncertaintyMeters"/>
    /// reads it (0 when no feature has one): a map widens what it reads by it, so that halos reaching in are drawn.
    /// </summary>
    Task<double> GetMaxUncertaintyMetersAsync(string collectionId, CancellationToken cancellationToken = default);
}
