using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Model;
using NetTopologySuite.Geometries;
using NetTopologySuite.Simplify;

namespace ClusterMap.Rendering.Generalization;

/// <summary>
/// How a map thins what it draws by zoom: the points of a layer, and its shapes small enough to fit in a cell, are
/// counted in cells of a grid fixed in world pixels (so every tile that sees a cell sees the same cell, whole) and a
/// crowded cell becomes one cluster symbol with its count; polygons are simplified to half a pixel, topology kept, and
/// a park too small to see becomes a symbol.
/// </summary>
public static class MapGeneralization
{
    /// <summary>Side of a clustering cell, in logical pixels of the world grid at the map's scale.</summary>
    public const int ClusterCellPixels = 64;

    /// <summary>
    /// A cell of one layer holding more points than this is drawn as a cluster. 24 symbols of 9 to 12 pixels still
    /// fit a 64-pixel cell side by side; beyond that they only cover each other.
    /// </summary>
    public const int MaxPointsPerCell = 24;

    /// <summary>At most this many points of one layer and cell compete for a label, the first by id.</summary>
    public const int MaxLabelsPerCell = 6;

    /// <summary>
    /// A polygon of a quiet cell whose envelope is smaller than this many pixels both ways (4) is drawn as its layer's
    /// symbol: smaller, it would be a speck. The stores' <see cref="ClusterPyramid"/> counts such anchors apart per
    /// cell (<see cref="ClusterPyramid.SymbolDivisor"/>), so that a read of symbols only skips the cells without one.
    /// </summary>
    public const double CollapsePixels = (double)ClusterCellPixels / ClusterPyramid.SymbolDivisor;

    /// <summary>
    /// The side of a clustering cell in Web Mercator metres for a drawing at this scale: <see cref="ClusterCellPixels"/>
    /// on a tile, and between 45 and 91 pixels at the scales between tiles', where it takes the nearest level of the
    /// stores' <see cref="ClusterPyramid"/> (<see cref="ClusterPyramid.NearestCellMeters"/>), so that a static or OGC map
    /// at any scale is clustered from kept counts, not by counting its rows.
    /// </summary>
    public static double CellMeters(double metersPerPixel) => ClusterPyramid.NearestCellMeters(ClusterCellPixels * metersPerPixel);

    /// <summary>The size in Web Mercator metres under which a polygon is drawn as a symbol (<see cref="CollapsePixels"/>).</summary>
    public static double CollapseMeters(double metersPerPixel) => CollapsePixels * metersPerPixel;

    /// <summary>
    /// How far outside a view (logical pixels) the renderer looks for what it draws: symbols and their labels reaching
    /// in, and the whole clustering cells that meet the view. A reader of features must cover the view widened by it.
    /// </summary>
    public const double ReadMarginPixels = ClusterCellPixels + 32;

    // Rings shorter than this are drawn as they are: simplifying them saves less than it costs.
    private const int SimplifyMinCoordinates = 16;

    private static readonly ConditionalWeakTable<MapFeature, ConcurrentDictionary<int, Geometry>> _simplified = [];

    /// <summary>
    /// The zoom from which a layer of this kind draws its points (symbols, clusters, their halos and labels); below it
    /// only a feature that stands out (a highlight, a mark) is drawn. Areas are drawn at every zoom.
    /// </summary>
    public static double SymbolMinZoom(MapLayerKind kind) => kind switch
    {
        MapLayerKind.Universities => 9,
        MapLayerKind.Context => 12,
        _ => 0,
    };

    /// <summary>Whether a drawing at <paramref name="zoom"/> shows the points of a layer of this kind.</summary>
    public static bool DrawsSymbols(MapLayerKind kind, double zoom) => zoom >= SymbolMinZoom(kind);

    /// <summary>Whether a layer of this kind is drawn at all: links are relations, not places, and never are.</summary>
    public static bool IsDrawn(MapLayerKind kind) => kind is not MapLayerKind.Links;

    /// <summary>
    /// Whether a drawing at <paramref name="zoom"/> shows nothing of a layer of this kind whose features all have
    /// this OGC geometry type (a collection's common type), unless one of them stands out: a layer never drawn, or a
    /// point layer below its <see cref="SymbolMinZoom"/>. Readers skip such layers; the renderer decides by
    /// <see cref="IsDrawn"/> and <see cref="DrawsSymbols"/>, so the two cannot disagree.
    /// </summary>
    public static bool DrawsNothingOf(MapLayerKind kind, string geometryType, double zoom) =>
        !IsDrawn(kind) || (IsClustered(kind) && geometryType is "Point" or "MultiPoint" && !DrawsSymbols(kind, zoom));

    /// <summary>Whether a layer of this kind is clustered: point layers; the basemap and links never are.</summary>
    public static bool IsClustered(MapLayerKind kind) => kind is MapLayerKind.Context or MapLayerKind.Parks or MapLayerKind.Universities or MapLayerKind.Institutes;

    /// <summary>
    /// The feature's Web Mercator geometry simplified for a zoom level (tolerance half a pixel), computed once per
    /// feature and zoom while the feature is alive (features of in-memory layers live as long as their data version).
    /// </summary>
    public static Geometry SimplifiedMeters(MapFeature feature, int zoom)
    {
        var geometry = feature.Meters;
        var envelope = geometry.EnvelopeInternal;
        // A shape with no more coordinates than pixels across its envelope (width plus height) is drawn as it is: at
        // half a pixel the simplifier would drop little, and costs more than drawing what it drops.
        if (geometry is Point or MultiPoint || geometry.NumPoints < SimplifyMinCoordinates
            || geometry.NumPoints <= (envelope.Width + envelope.Height) / WebMercator.MetersPerPixel(zoom))
        {
            return geometry;
        }

        var byZoom = _simplified.GetValue(feature, _ => new ConcurrentDictionary<int, Geometry>());
        return byZoom.GetOrAdd(zoom, z =>
        {
            var simplified = TopologyPreservingSimplifier.Simplify(geometry, WebMercator.MetersPerPixel(z) / 2);
            return simplified.IsEmpty ? geometry : simplified;
        });
    }

    /// <summary>
    /// Whether a polygon is too small to draw as an area at the scale whose <see cref="CollapseMeters"/> is given (a
    /// drawing computes it once, not per feature): it is drawn as its layer's symbol.
    /// </summary>
    public static bool Collapses(MapFeature feature, double collapseMeters)
    {
        var envelope = feature.Meters.EnvelopeInternal;
        return feature.Meters is not (Point or MultiPoint) && !envelope.IsNull
            && envelope.Width < collapseMeters && envelope.Height < collapseMeters;
    }
}
