namespace ClusterMap.Core.Geodesy;

/// <summary>
/// A lower bound of the geodesic distance from one fixed origin, valid for every target within a given reach,
/// that costs a handful of multiplications: the radius query tries it on each candidate shape's box before measuring
/// the shape, and drops the boxes it proves to be out of reach (a point target is a box of no size).
/// </summary>
/// <remarks>
/// <para>
/// Proof. Let R be the reach, O = (λ0, φ0) the origin, P = (λ, φ) a target and d the geodesic distance from O
/// to P, realised by a shortest geodesic γ. Suppose d ≤ R. Every point of γ is within path length R of O and,
/// since the meridional radius of curvature M(φ) is at least M(0) = a (1 − e²) everywhere, within latitude
/// R / M(0) of φ0: γ lies in the band B = [φ0 − R / M(0), φ0 + R / M(0)]. In B the metric
/// ds² = M(φ)² dφ² + p(φ)² dλ² is at least the flat metric M_B² dφ² + p_B² dλ², where M_B is the smallest M
/// on B (M grows with |φ|, so it is M at the |φ| of B nearest the equator) and p_B the smallest radius of the
/// parallel on B (p = N cos φ shrinks with |φ|, so it is p at the |φ| of B farthest from the equator, and 0 when
/// B reaches a pole). So d = length(γ) ≥ its flat length ≥ √((M_B Δφ)² + (p_B Δλ)²) = L, the straight line of
/// the flat metric, with Δφ = φ − φ0 and Δλ the longitude change along γ, which is at least the wrapped
/// difference min(|λ − λ0|, 360° − |λ − λ0|) in absolute value. Hence d ≤ R implies L ≤ d, and
/// contrapositively L &gt; c implies d &gt; c for any cut-off c ≤ R.
/// </para>
/// <para>
/// Tightness: over B, M varies by a relative 3 e² sin φ cos φ · R / M(0) and p by tan φ · R / M(0); at Shanghai
/// with R = 1 km that is 1.4e-6 and 1e-4, so only targets within a relative few 1e-4 beyond the cut-off still
/// need the inverse.
/// The test multiplies L by (1 − 1e-12) to absorb rounding in its few operations.
/// </para>
/// </remarks>
internal readonly struct LocalDistanceBound
{
    private const double Rounding = 1 - 1e-12;

    private readonly double _lon0;
    private readonly double _lat0;
    private readonly double _metersPerDegreeLat;
    private readonly double _metersPerDegreeLon;

    // The largest M and p over the band B (for the upper bound), and B's latitudes.
    private readonly double _maxMetersPerDegreeLat;
    private readonly double _maxMetersPerDegreeLon;
    private readonly double _bandMinLat;
    private readonly double _bandMaxLat;

    public LocalDistanceBound(double lon0, double lat0, double reachMeters)
    {
        _lon0 = lon0;
        _lat0 = lat0;
        var band = double.RadiansToDegrees(reachMeters / Wgs84.MinMeridionalRadiusMeters);
        var absLat = Math.Abs(lat0);
        var nearestEquator = Math.Max(0, absLat - band);
        var farthest = absLat + band;
        _metersPerDegreeLat = double.DegreesToRadians(MeridionalRadius(nearestEquator)) * Rounding;
        _metersPerDegreeLon = farthest >= 90 || double.IsNaN(band) ? 0 : double.DegreesToRadians(Wgs84.ParallelRadiusMeters(farthest)) * Rounding;
        _maxMetersPerDegreeLat = double.DegreesToRadians(MeridionalRadius(farthest)) / Rounding;
        _maxMetersPerDegreeLon = double.DegreesToRadians(Wgs84.ParallelRadiusMeters(Math.Min(90, nearestEquator))) / Rounding;
        (_bandMinLat, _bandMaxLat) = double.IsNaN(band) ? (double.NaN, double.NaN) : (lat0 - band, lat0 + band);
    }

    /// <summary>
    /// True when every point of the box [minLon, maxLon] × [minLat, maxLat] (one not crossing the antimeridian) is
    /// proven farther than <paramref name="cutoffMeters"/> (at most the reach). L grows with the latitude gap and
    /// with the wrapped longitude gap, and over the box those gaps are smallest at the box's edge nearest the origin
    /// (the wrapped distance from λ0 to an arc not containing it is least at one of the arc's ends), so the L of
    /// that nearest corner or side is a lower bound of L over the box, hence of the distance to anything inside it.
    /// </summary>
    public bool ProvesBoxBeyond(double minLon, double maxLon, double minLat, double maxLat, double cutoffMeters)
    {
        return BoxBoundSquared(minLon, maxLon, minLat, maxLat) > cutoffMeters * cutoffMeters;
    }

    /// <summary>
    /// A lower bound of the distance to every point of the box (one not crossing the antimeridian): the L of its
    /// nearest corner or side, as in <see cref="ProvesBoxBeyond"/>, capped at the reach (L bounds only distances
    /// within the reach, so the distance is at least L or beyond the reach, hence at least the smaller of the two).
    /// </summary>
    public double LowerBoundToBox(double minLon, double maxLon, double minLat, double maxLat, double reachMeters)
    {
        return Math.Min(Math.Sqrt(BoxBoundSquared(minLon, maxLon, minLat, maxLat)), reachMeters);
    }

    /// <summary>
    /// An upper bound of the distance to every point of the box, or infinity when the box leaves the band B. For P in
    /// the box, the path λ0 + t Δλ, φ0 + t Δφ (t from 0 to 1, Δλ without wrapping) stays between φ0 and φ, inside
    /// B, where M ≤ M_max (M at the |φ| of B farthest from the equator) and p ≤ p_max (p at the |φ| nearest it); its
    /// length ∫ √((M Δφ)² + (p Δλ)²) dt is at most √((M_max Δφ)² + (p_max Δλ)²), and the geodesic is no longer
    /// than any path. |Δφ| and |Δλ| over the box are largest at its corners.
    /// </summary>
    public double UpperBoundToBox(double minLon, double maxLon, double minLat, double maxLat)
    {
        if (!(minLat >= _bandMinLat && maxLat <= _bandMaxLat))
        {
            return double.PositiveInfinity;
        }

        var dLat = Math.Max(Math.Abs(minLat - _lat0), Math.Abs(maxLat - _lat0)) * _maxMetersPerDegreeLat;
        var dLon = Math.Max(Math.Abs(minLon - _lon0), Math.Abs(maxLon - _lon0)) * _maxMetersPerDegreeLon;
        return Math.Sqrt((dLat * dLat) + (dLon * dLon)) / Rounding;
    }

    /// <summary>The bound L itself (for tests).</summary>
    public double LowerBoundMeters(double lon, double lat)
    {
        var dLat = (lat - _lat0) * _metersPerDegreeLat;
        var dLon = Math.Abs(lon - _lon0);
        dLon = (dLon > 180 ? 360 - dLon : dLon) * _metersPerDegreeLon;
        return Math.Sqrt((dLat * dLat) + (dLon * dLon));
    }

    // L² of the box's edge nearest the origin (see ProvesBoxBeyond).
    private double BoxBoundSquared(double minLon, double maxLon, double minLat, double maxLat)
    {
        var gapLat = _lat0 < minLat ? minLat - _lat0 : _lat0 > maxLat ? _lat0 - maxLat : 0;
        double gapLon = 0;
        if (_lon0 < minLon || _lon0 > maxLon)
        {
            var toMin = Math.Abs(minLon - _lon0);
            var toMax = Math.Abs(maxLon - _lon0);
            gapLon = Math.Min(toMin > 180 ? 360 - toMin : toMin, toMax > 180 ? 360 - toMax : toMax);
        }

        var dLat = gapLat * _metersPerDegreeLat;
        var dLon = gapLon * _metersPerDegreeLon;
        return (dLat * dLat) + (dLon * dLon);
    }

    // M(φ) = a (1 − e²) / (1 − e² sin² φ)^(3/2), increasing with |φ|.
    private static double MeridionalRadius(double latitudeDegrees)
    {
        var s = Math.Sin(double.DegreesToRadians(Math.Min(90, latitudeDegrees)));
        var w = 1 - (Wgs84.EccentricitySquared * s * s);
        return Wgs84.MinMeridionalRadiusMeters / (w * Math.Sqrt(w));
    }
}
