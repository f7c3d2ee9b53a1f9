using System.Buffers;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Geodesy;

/// <summary>
/// Geodesic distance on WGS84 between two geometries in lon/lat degrees: the length of the shortest
/// geodesic between any point of one and any point of the other, 0 when they intersect or one contains
/// the other. Handles Point, MultiPoint, LineString, MultiLineString, Polygon (with holes), MultiPolygon and
/// GeometryCollection. Edges are read as geodesics, as PostGIS geography does.
/// </summary>
/// <remarks>
/// <para>
/// Outside intersection the minimum is taken over point-to-point, point-to-edge and vertex-to-edge distances
/// in both directions. That is exact for geodesic edges: at an interior minimum between two edges the
/// connecting geodesic would meet both at right angles, and moving both ends along their edges by the same
/// amount changes its length at second order by −∫K|V|² ds &lt; 0 (the second variation with Gaussian
/// curvature K &gt; 0 everywhere on the ellipsoid), so such a point is never a minimum and the minimum lies at an
/// end of one of the edges. Point-to-edge distances come from <c>GeodesicSegmentDistance</c> (Newton on the
/// arc length along the edge), pruned by the lower bounds of <see cref="GeodesicEnvelope"/>.
/// </para>
/// <para>
/// Containment and edge crossing are decided in the lon/lat plane. A geodesic edge of length L departs from
/// the straight lon/lat segment by about L² tan φ / (8 R), which is 1 cm for a 1 km edge at Shanghai's latitude and
/// 1 m for a 10 km edge; only a point between the two can be misjudged, and its true distance is at most
/// that departure, which bounds the error of the answer.
/// </para>
/// </remarks>
public static class GeodesicDistance
{
    /// <summary>Geodesic distance in metres between <paramref name="a"/> and <paramref name="b"/>; NaN when either is empty.</summary>
    public static double Between(Geometry a, Geometry b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return GeodesicDistanceOp.Distance(GeodesicShape.Create(a), GeodesicShape.Create(b), double.PositiveInfinity);
    }

    /// <summary>Geodesic distance in metres from <paramref name="point"/> to the geodesic segment from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public static double PointToSegmentMeters(Coordinate point, Coordinate start, Coordinate end)
    {
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        return GeodesicSegmentDistance.PointToSegment(point.X, point.Y, start.X, start.Y, end.X, end.Y);
    }
}

/// <summary>The distance computation behind <see cref="GeodesicDistance"/>, on prepared shapes.</summary>
internal static class GeodesicDistanceOp
{
    private struct Candidate
    {
        public double LowerBound;
        public int Path;
        public int Index;
    }

    // Added to a solved edge length before the triangle-inequality bound (1 µm, far above the solver's error).
    private const double EdgeLengthMargin = 1e-6;

    // Lower bounds prune against the cut-off widened by the short-line kernel's error bound: a distance from the
    // kernel may be that much below the exact one, and a target whose reported distance is within the cut-off
    // must not be dropped by a bound on the exact distance (see ShortGeodesic).
    private const double Slack = ShortGeodesic.EdgeErrorBoundMeters;

    private static ref InverseSolution Vertex(InverseSolution[] cache, int offset, int vertex, double lon, double lat, double[] path)
    {
        ref var slot = ref cache[offset + vertex];
        if (double.IsNaN(slot.S12))
        {
            GeodesicCore.Inverse(lat, lon, path[(2 * vertex) + 1], path[2 * vertex], false, out slot);
        }

        return ref slot;
    }

    private sealed class CandidateComparer : IComparer<Candidate>
    {
        public static readonly CandidateComparer Instance = new();

        public int Compare(Candidate x, Candidate y) => x.LowerBound.CompareTo(y.LowerBound);
    }

    /// <summary>
    /// The exact distance when it is at most <paramref name="cutoffMeters"/>; otherwise +∞ (the search stops
    /// as soon as the lower bounds prove the distance exceeds the cut-off). NaN when either shape is empty.
    /// </summary>
    internal static double Distance(GeodesicShape a, GeodesicShape b, double cutoffMeters)
    {
        if (a.IsEmpty || b.IsEmpty)
        {
            return double.NaN;
        }

        if (a.IsSinglePoint)
        {
            return PointDistance(a.Points[0], a.Points[1], b, cutoffMeters);
        }

        if (b.IsSinglePoint)
        {
            return PointDistance(b.Points[0], b.Points[1], a, cutoffMeters);
        }

        if (GeodesicEnvelope.LowerBoundMeters(a.Envelope, b.Envelope) > cutoffMeters + Slack)
        {
            return double.PositiveInfinity;
        }

        if (Intersects(a, b))
        {
            return 0;
        }

        var best = double.PositiveInfinity;
        best = FromSources(a, b, cutoffMeters, best);
        best = FromSources(b, a, cutoffMeters, best);
        return best <= cutoffMeters ? best : double.PositiveInfinity;
    }

    /// <summary>Distance from the point (lon, lat) to <paramref name="shape"/>, with the same cut-off rule.</summary>
    internal static double PointDistance(double lon, double lat, GeodesicShape shape, double cutoffMeters)
    {
        ShortGeodesic.ToEcef(lon, lat, out var x, out var y, out var z);
        return PointDistance(lon, lat, x, y, z, shape, cutoffMeters);
    }

    /// <summary>
    /// As above, with the point's earth-centred coordinates (x, y, z) already at hand. With
    /// <paramref name="envelopeBoundChecked"/> the caller has already tested the shape's geodesic box against the
    /// cut-off (the radius query's <see cref="LocalDistanceBound.ProvesBoxBeyond"/>), so its trigonometric bound is
    /// not repeated; either bound only prunes, so the answer is the same.
    /// </summary>
    internal static double PointDistance(double lon, double lat, double x, double y, double z, GeodesicShape shape, double cutoffMeters, bool envelopeBoundChecked = false)
    {
        if (shape.IsEmpty)
        {
            return double.NaN;
        }

        if (shape.IsSinglePoint)
        {
            var d = PointToPoint(lon, lat, x, y, z, shape, 0);
            return d <= cutoffMeters ? d : double.PositiveInfinity;
        }

        var env = shape.Envelope;
        if (!envelopeBoundChecked && GeodesicEnvelope.LowerBoundMeters(lon, lon, lat, lat, env.MinX, env.MaxX, env.MinY, env.MaxY) > cutoffMeters + Slack)
        {
            return double.PositiveInfinity;
        }

        if (shape.HasArea && shape.ContainsPoint(lon, lat))
        {
            return 0;
        }

        var best = FromPoint(lon, lat, x, y, z, shape, true, cutoffMeters, double.PositiveInfinity);
        return best <= cutoffMeters ? best : double.PositiveInfinity;
    }

    // The short-line kernel within its reach, Karney's inverse beyond; `index` is the point's number in shape.Points.
    private static double PointToPoint(double lon, double lat, double x, double y, double z, GeodesicShape shape, int index)
    {
        var e = shape.PointsEcef;
        var d = ShortGeodesic.Distance(x, y, z, e[3 * index], e[(3 * index) + 1], e[(3 * index) + 2]);
        return double.IsNaN(d) ? Geodesic.DistanceMeters(lon, lat, shape.Points[2 * index], shape.Points[(2 * index) + 1]) : d;
    }

    private static bool Intersects(GeodesicShape a, GeodesicShape b)
    {
        if (a.HasArea && AnyVertexInside(b, a))
        {
            return true;
        }

        if (b.HasArea && AnyVertexInside(a, b))
        {
            return true;
        }

        if (a.IsPuntal || b.IsPuntal)
        {
            // Points on a line or a boundary come out as distance 0 from the point-to-edge search.
            return false;
        }

        return a.Geometry.EnvelopeInternal.Intersects(b.Geometry.EnvelopeInternal) && a.Prepared.Intersects(b.Geometry);
    }

    private static bool AnyVertexInside(GeodesicShape source, GeodesicShape area)
    {
        var points = source.Points;
        for (var i = 0; i < points.Length; i += 2)
        {
            if (area.ContainsPoint(points[i], points[i + 1]))
            {
                return true;
            }
        }

        foreach (var path in source.Paths)
        {
            if (area.ContainsPoint(path[0], path[1]))
            {
                return true;
            }
        }

        return false;
    }

    // Every isolated point and path vertex of `source` against the edges (and, for isolated points, the
    // isolated points) of `target`, nearest boxes first.
    private static double FromSources(GeodesicShape source, GeodesicShape target, double cutoff, double best)
    {
        var env = target.Envelope;
        var points = source.Points;
        var pointsEcef = source.PointsEcef;
        for (int i = 0, j = 0; i < points.Length; i += 2, j += 3)
        {
            var lb = GeodesicEnvelope.LowerBoundMeters(points[i], points[i], points[i + 1], points[i + 1], env.MinX, env.MaxX, env.MinY, env.MaxY);
            if (lb < best && lb <= cutoff + Slack)
            {
                best = FromPoint(points[i], points[i + 1], pointsEcef[j], pointsEcef[j + 1], pointsEcef[j + 2], target, true, cutoff, best);
            }
        }

        for (var p = 0; p < source.Paths.Length; p++)
        {
            var path = source.Paths[p];
            var pathEcef = source.PathsEcef;
            for (int v = 0, j = 3 * source.PathOffsets[p]; v < path.Length; v += 2, j += 3)
            {
                var lb = GeodesicEnvelope.LowerBoundMeters(path[v], path[v], path[v + 1], path[v + 1], env.MinX, env.MaxX, env.MinY, env.MaxY);
                if (lb < best && lb <= cutoff + Slack)
                {
                    best = FromPoint(path[v], path[v + 1], pathEcef[j], pathEcef[j + 1], pathEcef[j + 2], target, false, cutoff, best);
                }
            }
        }

        return best;
    }

    private static double FromPoint(double lon, double lat, double x, double y, double z, GeodesicShape target, bool includePoints, double cutoff, double best)
    {
        // A shape of short edges near the point (every edge within the kernel's reach): the kernel on every edge and
        // point costs less than the box bounds that would prune them (two parallel radii, so trigonometry, each).
        if (target.AllEdgesShort && AllByKernel(x, y, z, target, includePoints, ref best))
        {
            return best;
        }

        var edgeCount = 0;
        foreach (var boxes in target.EdgeBoxes)
        {
            edgeCount += boxes.Length / 4;
        }

        var pointCount = includePoints ? target.Points.Length / 2 : 0;
        var total = edgeCount + pointCount;
        if (total == 0)
        {
            return best;
        }

        var candidates = ArrayPool<Candidate>.Shared.Rent(total);
        try
        {
            var n = 0;
            for (var p = 0; p < target.EdgeBoxes.Length; p++)
            {
                var boxes = target.EdgeBoxes[p];
                for (var e = 0; e < boxes.Length; e += 4)
                {
                    var lb = GeodesicEnvelope.LowerBoundMeters(lon, lon, lat, lat, boxes[e], boxes[e + 1], boxes[e + 2], boxes[e + 3]);
                    if (lb < best && lb <= cutoff + Slack)
                    {
                        candidates[n++] = new Candidate { LowerBound = lb, Path = p, Index = e / 4 };
                    }
                }
            }

            var points = target.Points;
            for (var i = 0; i < pointCount * 2; i += 2)
            {
                var lb = GeodesicEnvelope.LowerBoundMeters(lon, lon, lat, lat, points[i], points[i], points[i + 1], points[i + 1]);
                if (lb < best && lb <= cutoff + Slack)
                {
                    candidates[n++] = new Candidate { LowerBound = lb, Path = -1, Index = i / 2 };
                }
            }

            if (n > 1)
            {
                Array.Sort(candidates, 0, n, CandidateComparer.Instance);
            }

            // Exact distances to vertices, solved once per vertex and shared by its two edges. Each is an
            // upper bound of the answer, and by the triangle inequality no point of an edge of length L is
            // nearer than (d(P, A) + d(P, B) − L) / 2, which prunes edges far better than the boxes do once the
            // shapes are far apart. L is the edge's own geodesic length (solved once per shape, accurate to about
            // 15 nm), plus EdgeLengthMargin so that rounding can only weaken the bound, never break it.
            var vertexCount = target.PathOffsets[^1];
            var vertexCache = ArrayPool<InverseSolution>.Shared.Rent(Math.Max(1, vertexCount));
            Array.Fill(vertexCache, new InverseSolution { S12 = double.NaN }, 0, vertexCount);
            try
            {
                for (var c = 0; c < n; c++)
                {
                    ref readonly var candidate = ref candidates[c];
                    if (candidate.LowerBound >= best || candidate.LowerBound > cutoff + Slack)
                    {
                        break;
                    }

                    if (candidate.Path < 0)
                    {
                        best = Math.Min(best, PointToPoint(lon, lat, x, y, z, target, candidate.Index));
                    }
                    else if (FastEdge(x, y, z, target, candidate.Path, candidate.Index) is var fast && !double.IsNaN(fast))
                    {
                        best = Math.Min(best, fast);
                    }
                    else
                    {
                        var path = target.Paths[candidate.Path];
                        var offset = target.PathOffsets[candidate.Path];
                        var k = 2 * candidate.Index;
                        ref var pa = ref Vertex(vertexCache, offset, candidate.Index, lon, lat, path);
                        ref var pb = ref Vertex(vertexCache, offset, candidate.Index + 1, lon, lat, path);
                        best = Math.Min(best, Math.Min(pa.S12, pb.S12));
                        ref readonly var edge = ref target.EdgeSolutions(candidate.Path)[candidate.Index];
                        if ((pa.S12 + pb.S12 - (edge.S12 + EdgeLengthMargin)) / 2 < best)
                        {
                            best = Math.Min(best, GeodesicSegmentDistance.PointToSegment(lon, lat, path[k], path[k + 1], pa, pb, edge));
                        }
                    }

                    if (best == 0)
                    {
                        break;
                    }
                }
            }
            finally
            {
                ArrayPool<InverseSolution>.Shared.Return(vertexCache);
            }

            return best;
        }
        finally
        {
            ArrayPool<Candidate>.Shared.Return(candidates);
        }
    }

    // The minimum of `best` and the kernel's distances to every edge (and isolated point, with includePoints) of the
    // target; false, with `best` unchanged, when a point or an edge it needs is beyond the kernel's reach.
    private static bool AllByKernel(double x, double y, double z, GeodesicShape target, bool includePoints, ref double best)
    {
        var found = best;
        if (includePoints)
        {
            var points = target.PointsEcef;
            for (var k = 0; k < points.Length; k += 3)
            {
                var d = ShortGeodesic.Distance(x, y, z, points[k], points[k + 1], points[k + 2]);
                if (double.IsNaN(d))
                {
                    return false;
                }

                found = Math.Min(found, d);
            }
        }

        found = ShortGeodesic.PointToPaths(x, y, z, target.PathsEcef, target.PathOffsets, target.EdgeSagittaBoundMeters, found);
        if (double.IsNaN(found))
        {
            return false;
        }

        best = found;
        return true;
    }

    // The short-line kernel's point-to-edge distance for edge `edge` of path `path`; NaN where it does not apply.
    private static double FastEdge(double x, double y, double z, GeodesicShape target, int path, int edge)
    {
        var e = target.PathsEcef;
        var k = 3 * (target.PathOffsets[path] + edge);
        return ShortGeodesic.PointToEdge(x, y, z, e[k], e[k + 1], e[k + 2], e[k + 3], e[k + 4], e[k + 5]);
    }
}
