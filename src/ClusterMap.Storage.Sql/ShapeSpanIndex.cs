using ClusterMap.Core.Tiles;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Sql;

/// <summary>
/// The spatial index both stores keep beside the cluster pyramid (<see cref="ClusterPyramid"/>): every shape that is
/// not a point, indexed in three dimensions, its lon/lat envelope and its span (the larger side of its Web Mercator
/// envelope). A clustered read from the pyramid asks it for the shapes that meet the view and span at least a
/// cell (<see cref="ClusterGrid"/>: they have no anchor): the ones it must draw as they are. At low zoom these are few, so a view over a million features finds
/// them without visiting the rest; the exact anchor test then decides on the rows found.
/// </summary>
public static class ShapeSpanIndex
{
    /// <summary>The span given to a multipoint, which is never anchored: beyond any cell.</summary>
    public const double NeverAnchoredSpan = 1e15;

    /// <summary>
    /// The lowest span a read asks for: a little under the cell's side, so that a store computing the span its own
    /// way (with rounding in the last bits) cannot leave out a shape the exact test finds unanchored.
    /// </summary>
    public static double LowestSpanFor(double cellMeters) => cellMeters * (1 - 1e-6);

    /// <summary>The span of a shape, or null when the index does not hold it (a point, or an empty geometry).</summary>
    public static double? SpanOf(Geometry lonLat) => lonLat switch
    {
        Point => null,
        _ when lonLat.IsEmpty => null,
        MultiPoint => NeverAnchoredSpan,
        _ => AnchorCandidate.Of(lonLat) is { } c ? Math.Max(c.Width, c.Height) : null,
    };
}
