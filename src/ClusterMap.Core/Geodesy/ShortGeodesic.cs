using System.Buffers;
using System.Runtime.CompilerServices;

namespace ClusterMap.Core.Geodesy;

/// <summary>
/// A fast kernel for short geodesics on WGS84, from earth-centred (ECEF) coordinates: the length of the geodesic
/// between two points whose straight 3-D chord is at most <see cref="ReachMeters"/>, within
/// <see cref="ErrorBoundMeters"/> of Karney's solution, for a few multiplications and two square roots
/// (where the inverse problem iterates on series of many terms); and the distance from a point to a short geodesic edge on the same
/// footing. Callers take it only inside its reach and fall back to <see cref="GeodesicCore"/> beyond.
/// </summary>
/// <remarks>
/// <para>
/// Point to point. Let c be the chord between P1 and P2 and s the geodesic length. Over a short line the geodesic
/// and the normal section through the chord agree to far below a micrometre in length (the difference is of order
/// e⁴ s⁵ / R⁴, nanometres at 50 km), and a plane curve of curvature 1/R with chord c
/// has arc 2 R asin(c / (2 R)) = c + c³ / (24 R²) + …, exactly for a circle. The curvature of the section is Euler's
/// 1/R_α = cos²α / M + sin²α / N at the azimuth α of the line; written with W² = 1 − e² sin²φ it is
/// (W / a)(1 + e'² cos²φ cos²α), and cos φ cos α is the component along the polar axis of the chord's unit direction
/// in the tangent plane, which is how it is computed (no trigonometry, no singularity at the poles, where M = N).
/// </para>
/// <para>
/// Error budget at the reach D = 50 km, where s − c = c³ / (24 R²) ≈ 0.13 m: (1) the curvature is taken at the
/// chord's midpoint, the normal direction there being the ellipsoid's gradient (x, y, z / (1 − e²)) at the chord
/// midpoint, and the azimuth from the chord itself, so it is the section's curvature at the middle of the arc to
/// first order; a relative error δ in R costs 2 δ · 0.13 m. (2) The curvature varies along the section (by
/// ≈ 3 e² sin φ cos φ · s / R relative, ≈ 1e-4 over 50 km), but smoothly, so its first-order effect on the arc
/// length cancels about the midpoint and what is left is of order 1e-8 of 0.13 m, i.e. nanometres. (3) The
/// normal section and the geodesic differ in length by order e⁴ s⁵ / R⁴, again nanometres. (4) Rounding: the ECEF
/// coordinates are ≈ 6.4e6 m, so the chord carries ≈ 1e-9 m of rounding. Checked by
/// <c>ShortGeodesicTests.Distance_OverAMillionRandomPairsWithinReach_IsWithinTheStatedBoundOfKarney</c> over
/// 1,000,000 random pairs (latitudes to ±89°, every azimuth, 0–50 km, a tenth across the antimeridian, a tenth
/// under 10 m), which asserts <see cref="ErrorBoundMeters"/> = 1 µm, far above the budget.
/// </para>
/// <para>
/// Point to edge. For an edge A–B whose chord is at most <see cref="MaxEdgeMeters"/> the foot of the perpendicular
/// from P is taken on the chord AB (closed form, clamped to the ends), lifted to the ellipsoid along the normal
/// (two Newton steps on the ellipsoid's equation: the chord point is at most L² / (8 R) ≈ 2 km below the surface
/// for L = 10 km, and the second step leaves ≈ 1e-7 m), and the distance P–Q is the point-to-point kernel above.
/// The lifted chord is a curve from A to B that lies between the two reciprocal normal sections of the edge; the
/// geodesic lies between them too, and their lateral separation is of order e'² cos²φ · L³ / N² (their azimuths
/// differ by order e'² cos²φ (L / N)², over a length L): 0.1 µm for a 2 km edge, ≈ 1.5 µm for 10 km. A lateral
/// offset of the foot moves the distance by at most that offset; an offset along the edge (the chord's foot is not
/// exactly the geodesic foot) costs only second order because the distance is stationary at the foot. Checked
/// by <c>ShortGeodesicTests.PointToEdge_OnRandomShortEdges_IsWithinTheStatedBoundOfTheExactSegmentDistance</c>
/// against the exact Newton solution of <see cref="GeodesicSegmentDistance"/> on 200,000 random edges of 0–10 km
/// anywhere to ±85° with points 0–45 km away, which asserts <see cref="EdgeErrorBoundMeters"/> = 10 µm, the
/// L³ bound above with room to spare. Longer edges, and points beyond
/// the reach, keep the exact Newton path.
/// </para>
/// <para>
/// Callers that prune with a lower bound of the exact distance widen their cut-off by
/// <see cref="EdgeErrorBoundMeters"/>, so a target is never dropped whose reported distance would be within it:
/// the reported distance alone decides membership.
/// </para>
/// </remarks>
internal static class ShortGeodesic
{
    /// <summary>
    /// The longest chord the kernel answers; beyond it callers solve the inverse problem. 50 km holds every radius
    /// and ring the service is asked in practice (city scale) with the error still in nanometres (it grows as c⁵).
    /// </summary>
    public const double ReachMeters = 50_000;

    /// <summary>The proven and tested bound on |kernel − Karney| for point-to-point distances within reach.</summary>
    public const double ErrorBoundMeters = 1e-6;

    /// <summary>The longest edge (chord) the point-to-edge fast path takes.</summary>
    public const double MaxEdgeMeters = 10_000;

    /// <summary>The tested bound on |fast − exact| for point-to-edge distances on edges up to <see cref="MaxEdgeMeters"/>.</summary>
    public const double EdgeErrorBoundMeters = 1e-5;

    /// <summary>The margin of <see cref="SurelyWithinChordSquared"/> and <see cref="SurelyBeyondChordSquared"/>.</summary>
    public const double ChordMarginMeters = 1e-4;

    private const double A = Wgs84.SemiMajorAxisMeters;
    private const double E2 = Wgs84.EccentricitySquared;
    private const double OneMinusE2 = 1 - E2;
    private const double Ep2 = E2 / OneMinusE2;
    private const double InvA2 = 1 / (A * A);
    private const double InvB2 = 1 / (A * A * OneMinusE2);
    private const double ReachSquared = ReachMeters * ReachMeters;
    private const double MaxEdgeSquared = MaxEdgeMeters * MaxEdgeMeters;

    // K of SurelyWithinChordSquared: the arc's excess over the chord, c³ / (24 M(0)²), with the series' higher terms.
    private const double ChordCubicFactor = (1 + 1e-5) / (24 * Wgs84.MinMeridionalRadiusMeters * Wgs84.MinMeridionalRadiusMeters);

    /// <summary>Earth-centred, earth-fixed coordinates in metres of (lon, lat) on the ellipsoid's surface.</summary>
    public static void ToEcef(double lon, double lat, out double x, out double y, out double z)
    {
        GeoMath.SinCosd(lat, out var sphi, out var cphi);
        GeoMath.SinCosd(lon, out var slam, out var clam);
        var n = A / Math.Sqrt(1 - (E2 * sphi * sphi));
        x = n * cphi * clam;
        y = n * cphi * slam;
        z = n * OneMinusE2 * sphi;
    }

    /// <summary>
    /// Geodesic distance between two surface points given in ECEF, within <see cref="ErrorBoundMeters"/> of Karney's;
    /// NaN when their chord is longer than <see cref="ReachMeters"/> (the caller then solves the inverse problem).
    /// </summary>
    public static double Distance(double x1, double y1, double z1, double x2, double y2, double z2)
    {
        double dx = x2 - x1, dy = y2 - y1, dz = z2 - z1;
        var c2 = (dx * dx) + (dy * dy) + (dz * dz);
        if (!(c2 <= ReachSquared))
        {
            return double.NaN;
        }

        if (c2 == 0)
        {
            return 0;
        }

        // Normal at the middle of the chord: the gradient of the ellipsoid's equation there (unnormalised).
        double ux = x1 + x2, uy = y1 + y2, uz = (z1 + z2) / OneMinusE2;
        var u2 = (ux * ux) + (uy * uy) + (uz * uz);
        var du = (dx * ux) + (dy * uy) + (dz * uz);
        var sin2Phi = uz * uz / u2;

        // The chord's part in the tangent plane (squared length h2) and that part's component along the polar axis,
        // which is |h| cos φ cos α (see the remarks).
        var h2 = c2 - (du * du / u2);
        var north = dz - (du * uz / u2);
        var w2 = 1 - (E2 * sin2Phi);
        var ratio = h2 > 0 ? Math.Min(1, north * north / h2) : 0;
        var curvature = Math.Sqrt(w2) / A * (1 + (Ep2 * ratio));
        var c = Math.Sqrt(c2);

        // 2 R asin(c / (2 R)) as its series in x = c / (2 R) ≤ 0.004 within reach: c (1 + x²/6 + 3x⁴/40 + 5x⁶/112 + …).
        // The first term left out, 35x⁸/1152, is below 1e-20 of c, so this is the arcsine to the last bit of a
        // double at a tenth of its cost.
        var half = 0.5 * c * curvature;
        var q = half * half;
        return c * (1 + (q * ((1.0 / 6) + (q * ((3.0 / 40) + (q * (5.0 / 112)))))));
    }

    /// <summary>
    /// A squared chord at or below which <see cref="Distance"/> (or, beyond its reach, the geodesic distance) is
    /// proven at most <paramref name="meters"/>; -1 when no chord proves it. With <see cref="SurelyBeyondChordSquared"/>
    /// it lets a caller that compares distances with fixed edges decide most pairs from their chord alone.
    /// </summary>
    /// <remarks>
    /// The kernel returns c (1 + q (1/6 + q (3/40 + 5 q / 112))) with q = (c κ / 2)², where κ = (W / a)(1 + e'² r) with
    /// W² = 1 − e² sin²φ ≤ 1 and r ∈ [0, 1], so κ ≤ (1 + e'²) / a = 1 / (a (1 − e²)) = 1 / M(0). Within the reach
    /// q ≤ (50 km / (2 M(0)))² &lt; 1.6e-5, so the bracket is at most (q / 6)(1 + 1e-5) and the kernel's answer at
    /// most c (1 + K c²) with K = (1 + 1e-5) / (24 M(0)²). For c ≤ c* = (x − m) / (1 + K x²) with c* ≤ x this gives
    /// c (1 + K c²) ≤ c* (1 + K x²) = x − m. The margin m = <see cref="ChordMarginMeters"/> covers the rounding of the
    /// kernel's dozen operations (relative 1e-15, nanometres at 50 km) many times over, and c* is capped at the reach,
    /// inside which the kernel answers.
    /// </remarks>
    public static double SurelyWithinChordSquared(double meters)
    {
        var x = meters - ChordMarginMeters;
        if (!(x > 0))
        {
            return -1;
        }

        var chord = Math.Min(x / (1 + (ChordCubicFactor * meters * meters)), ReachMeters);
        return chord * chord * (1 - 1e-12);
    }

    /// <summary>
    /// A squared chord above which <see cref="Distance"/> (or, beyond its reach, the geodesic distance) is proven
    /// greater than <paramref name="meters"/>: the kernel's answer is the chord times a factor of at least 1, and no
    /// geodesic is shorter than its chord. -1 (every chord is above) when <paramref name="meters"/> is below minus the
    /// margin.
    /// </summary>
    public static double SurelyBeyondChordSquared(double meters)
    {
        var x = meters + ChordMarginMeters;
        return x > 0 ? x * x * (1 + 1e-12) : -1;
    }

    /// <summary>
    /// The smaller of <paramref name="best"/> and the distance from P to the nearest edge of some paths, each edge by
    /// <see cref="PointToEdge"/>; NaN when an edge it needs is beyond the kernel's reach (the caller then takes the
    /// exact path). Vertex v is at 3 v in <paramref name="vertices"/> (x, y, z); path p runs from vertex
    /// <paramref name="pathStarts"/>[p] to the vertex before pathStarts[p + 1]; every edge at most
    /// <see cref="MaxEdgeMeters"/> long, with <paramref name="sagittaBound"/> the <see cref="ChordSagittaBound"/> of
    /// the longest.
    /// </summary>
    /// <remarks>
    /// Edges are screened by their chords: the straight distance from P to an edge's chord, less the sagitta bound,
    /// is a lower bound of the exact distance to the edge, so an edge whose bound exceeds the best kernel distance
    /// found so far by more than the kernel's error cannot change the minimum, and its kernel distance is not
    /// computed. The nearest chord goes first, so on a compact shape one or two edges of the ten or twenty get the
    /// kernel; the answer is the one every edge would give.
    /// </remarks>
    public static double PointToPaths(double x, double y, double z, ReadOnlySpan<double> vertices, ReadOnlySpan<int> pathStarts, double sagittaBound, double best)
    {
        var edgeCount = 0;
        for (var p = 0; p + 1 < pathStarts.Length; p++)
        {
            edgeCount += Math.Max(0, pathStarts[p + 1] - pathStarts[p] - 1);
        }

        if (edgeCount == 0)
        {
            return best;
        }

        // Each edge's squared chord distance, computed once.
        var rented = edgeCount > 256 ? ArrayPool<double>.Shared.Rent(edgeCount) : null;
        var chordSquared = rented is null ? stackalloc double[edgeCount] : rented.AsSpan(0, edgeCount);
        try
        {
            int nearest = -1, nearestK = -1;
            for (int p = 0, edge = 0; p + 1 < pathStarts.Length; p++)
            {
                for (var k = 3 * pathStarts[p]; k + 3 < 3 * pathStarts[p + 1]; k += 3, edge++)
                {
                    chordSquared[edge] = ChordSegmentDistanceSquared(x, y, z, vertices[k], vertices[k + 1], vertices[k + 2], vertices[k + 3], vertices[k + 4], vertices[k + 5]);
                    if (nearest < 0 || chordSquared[edge] < chordSquared[nearest])
                    {
                        (nearest, nearestK) = (edge, k);
                    }
                }
            }

            // The nearest chord's edge first: its distance is usually the answer, and screens out all the others.
            best = Math.Min(best, PointToEdge(x, y, z, vertices[nearestK], vertices[nearestK + 1], vertices[nearestK + 2], vertices[nearestK + 3], vertices[nearestK + 4], vertices[nearestK + 5]));
            if (double.IsNaN(best))
            {
                return double.NaN;
            }

            var margin = EdgeErrorBoundMeters + sagittaBound;
            for (int p = 0, edge = 0; p + 1 < pathStarts.Length; p++)
            {
                for (var k = 3 * pathStarts[p]; k + 3 < 3 * pathStarts[p + 1]; k += 3, edge++)
                {
                    var limit = best + margin;
                    if (edge == nearest || chordSquared[edge] > limit * limit)
                    {
                        continue;
                    }

                    var d = PointToEdge(x, y, z, vertices[k], vertices[k + 1], vertices[k + 2], vertices[k + 3], vertices[k + 4], vertices[k + 5]);
                    if (double.IsNaN(d))
                    {
                        return double.NaN;
                    }

                    best = Math.Min(best, d);
                }
            }

            return best;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// A bound on how far the geodesic between two surface points whose chord has squared length
    /// <paramref name="chordSquared"/> (at most <see cref="MaxEdgeMeters"/>) strays from that chord, so that
    /// dist(P, chord) − bound is a lower bound of the geodesic distance from P to any point of the edge.
    /// </summary>
    /// <remarks>
    /// A geodesic is a space curve whose curvature is its normal curvature, at most 1/M(0) = 1 / (a (1 − e²)) on
    /// WGS84. A curve of length s and curvature at most κ stays within (1 − cos(κ s / 2)) / κ ≤ κ s² / 8 of its
    /// chord line (Schur's comparison with the circular arc); its tangent turns by at most κ s ≈ 0.0016 rad over
    /// 10 km, so it runs monotonically along the chord and the nearest chord point lies on the segment. The arc is
    /// longer than the chord by c³ / (24 R²), a relative 1.1e-7 at 10 km, covered by taking s = 1.000001 c; 1 µm
    /// more absorbs the rounding of coordinates of 6.4e6 m. With a chord never longer than the geodesic it spans,
    /// the geodesic distance from P to a point Q of the edge is at least |PQ| ≥ dist(P, chord) − bound.
    /// </remarks>
    public static double ChordSagittaBound(double chordSquared) =>
        (chordSquared * (1.000001 * 1.000001) / (8 * Wgs84.MinMeridionalRadiusMeters)) + 1e-6;

    /// <summary>Squared straight-line distance from P to the chord segment A–B (all ECEF).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // called per edge in PointToPaths' loops; a call costs as much
    public static double ChordSegmentDistanceSquared(double px, double py, double pz, double ax, double ay, double az, double bx, double by, double bz)
    {
        double ex = bx - ax, ey = by - ay, ez = bz - az;
        double wx = px - ax, wy = py - ay, wz = pz - az;
        var l2 = (ex * ex) + (ey * ey) + (ez * ez);
        var t = l2 > 0 ? Math.Clamp(((wx * ex) + (wy * ey) + (wz * ez)) / l2, 0, 1) : 0;
        wx -= t * ex;
        wy -= t * ey;
        wz -= t * ez;
        return (wx * wx) + (wy * wy) + (wz * wz);
    }

    /// <summary>
    /// Distance from P to the geodesic edge A–B, all in ECEF, within <see cref="EdgeErrorBoundMeters"/> of the exact
    /// distance; NaN when the edge is longer than <see cref="MaxEdgeMeters"/> or P is beyond the kernel's reach.
    /// </summary>
    public static double PointToEdge(double px, double py, double pz, double ax, double ay, double az, double bx, double by, double bz)
    {
        double ex = bx - ax, ey = by - ay, ez = bz - az;
        var l2 = (ex * ex) + (ey * ey) + (ez * ez);
        if (!(l2 <= MaxEdgeSquared))
        {
            return double.NaN;
        }

        var t = l2 > 0 ? (((px - ax) * ex) + ((py - ay) * ey) + ((pz - az) * ez)) / l2 : 0;
        if (t <= 0)
        {
            return Distance(px, py, pz, ax, ay, az);
        }

        if (t >= 1)
        {
            return Distance(px, py, pz, bx, by, bz);
        }

        // The chord point lies up to L² / (8 R) (≈ 80 m at 2 km) below the surface: lift it along the normal by
        // Newton's method on the ellipsoid's equation; two steps leave well under a micrometre.
        double qx = ax + (t * ex), qy = ay + (t * ey), qz = az + (t * ez);
        double nx = qx * InvA2, ny = qy * InvA2, nz = qz * InvB2;
        for (var step = 0; step < 2; step++)
        {
            var f = (((qx * qx) + (qy * qy)) * InvA2) + (qz * qz * InvB2) - 1;
            var g = 2 * ((qx * nx * InvA2) + (qy * ny * InvA2) + (qz * nz * InvB2));
            var h = -f / g;
            qx += h * nx;
            qy += h * ny;
            qz += h * nz;
        }

        return Distance(px, py, pz, qx, qy, qz);
    }
}
