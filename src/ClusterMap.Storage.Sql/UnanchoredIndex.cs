using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Sql;

/// <summary>
/// The second spatial index both stores keep beside the cluster pyramid (<see cref="ClusterPyramid"/>): only the
/// features whose Web Mercator envelope is at least <see cref="SpanMeters"/> on a side, and every multipoint (never
/// anchored). At a pyramid level whose collapse size is at least <see cref="MinCollapseMeters"/>, everything a clustered
/// read takes whole besides the quiet cells' members is in it, so a low-zoom view over a million points finds the
/// few wide shapes without visiting the points.
/// </summary>
public static class UnanchoredIndex
{
    /// <summary>The span from which a feature is indexed. Part of released migrations: never to change.</summary>
    public const int SpanMeters = 100;

    /// <summary>
    /// Levels with a collapse size at least this use the index; well above <see cref="SpanMeters"/>, so rounding in a
    /// store's own computation of the span cannot leave out a shape that the exact test finds unanchored.
    /// </summary>
    public const double MinCollapseMeters = SpanMeters * 1.5;

    /// <summary>Whether a clustered read of this query can find its unanchored shapes in the index.</summary>
    public static bool Serves(ClusterQuery query) => query.CollapseMeters >= MinCollapseMeters;

    /// <summary>Whether a feature (WGS84 lon/lat geometry) belongs in the index.</summary>
    public static bool Holds(Geometry lonLat) =>
        !lonLat.IsEmpty && (lonLat is MultiPoint || (AnchorCandidate.Of(lonLat) is { } c && Math.Max(c.Width, c.Height) >= SpanMeters));
}
