namespace ClusterMap.Core.Geodesy;

/// <summary>
/// Distance from a point to a geodesic segment (an edge read as the shortest geodesic between its ends).
/// </summary>
/// <remarks>
/// Along a geodesic X(s) the distance r(s) from a fixed point P has derivative r' = cos θ, θ being the angle
/// between the edge direction at X and the direction of the geodesic P→X arriving at X, and second
/// derivative r'' = sin²θ · M21 / m12 (M21 / m12 is the geodesic curvature of the circle of radius r about P;
/// Karney 2013, §3). For edges shorter than half a meridian r(s) has one interior minimum at most, so:
/// if r'(0) ≥ 0 the nearest point is A, if r'(L) ≤ 0 it is B, otherwise r' has one root in (0, L), found by
/// Newton's method safeguarded by bisection on the sign of r'. Each step solves one direct and one inverse
/// problem; from the planar starting guess two or three steps reach 1e-7 m in s, where the error in r is
/// below 1e-12 m because r is stationary there.
/// </remarks>
internal static class GeodesicSegmentDistance
{
    private const int MaxIterations = 60;
    private const double ArcTolerance = 1e-7;

    internal static double PointToSegment(double plon, double plat, double alon, double alat, double blon, double blat)
    {
        GeodesicCore.Inverse(plat, plon, alat, alon, false, out var pa);
        GeodesicCore.Inverse(plat, plon, blat, blon, false, out var pb);
        return PointToSegment(plon, plat, alon, alat, blon, blat, pa, pb);
    }

    /// <summary>As above, with the inverse solutions P→A and P→B already at hand (shared between adjacent edges).</summary>
    internal static double PointToSegment(double plon, double plat, double alon, double alat, double blon, double blat, in InverseSolution pa, in InverseSolution pb)
    {
        GeodesicCore.Inverse(alat, alon, blat, blon, false, out var ab);
        return PointToSegment(plon, plat, alon, alat, pa, pb, ab);
    }

    /// <summary>The same, with the edge's own inverse solution <paramref name="ab"/> (A to B) already solved.</summary>
    internal static double PointToSegment(double plon, double plat, double alon, double alat, in InverseSolution pa, in InverseSolution pb, in InverseSolution ab)
    {
        var length = ab.S12;
        if (length == 0 || pa.S12 == 0)
        {
            return pa.S12;
        }

        // Derivative at A: edge direction (ab.Salp1, ab.Calp1) against the arrival direction of P->A.
        var g0 = (ab.Salp1 * pa.Salp2) + (ab.Calp1 * pa.Calp2);
        if (g0 >= 0)
        {
            return pa.S12;
        }

        if (pb.S12 == 0)
        {
            return 0;
        }

        var gL = (ab.Salp2 * pb.Salp2) + (ab.Calp2 * pb.Calp2);
        if (gL <= 0)
        {
            return pb.S12;
        }

        var best = Math.Min(pa.S12, pb.S12);
        var line = new GeodesicLine(alat, alon, ab.Salp1, ab.Calp1);
        double lo = 0, hi = length;

        // On a plane the foot of the perpendicular is |PA| cos(angle PAB) = -|PA| g0 from A.
        var s = Math.Clamp(-pa.S12 * g0, 0, length);
        if (s <= lo || s >= hi)
        {
            s = 0.5 * (lo + hi);
        }

        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            line.Position(s, out var lat, out var lon, out var salpLine, out var calpLine);
            GeodesicCore.Inverse(plat, plon, lat, lon, true, out var px);
            if (px.S12 < best)
            {
                best = px.S12;
            }

            if (px.S12 == 0)
            {
                return 0;
            }

            var g = (salpLine * px.Salp2) + (calpLine * px.Calp2);
            if (g < 0)
            {
                lo = s;
            }
            else
            {
                hi = s;
            }

            var sin2 = Math.Max(0, 1 - (g * g));
            var curvature = px.ReducedLength > 0 ? sin2 * px.Scale21 / px.ReducedLength : 0;
            var next = curvature > 0 ? s - (g / curvature) : double.NaN;
            if (!(next > lo && next < hi))
            {
                next = 0.5 * (lo + hi);
            }

            if (Math.Abs(next - s) < ArcTolerance || hi - lo < ArcTolerance)
            {
                break;
            }

            s = next;
        }

        return best;
    }
}
