namespace ClusterMap.Core.Geodesy;

/// <summary>
/// A geodesic starting at a point with a given azimuth, from which positions at a distance can be
/// read (the direct problem). After Karney (2013) / GeographicLib's GeodesicLine (MIT/X11); see
/// <c>GeodesicCore.cs</c> for the attribution. A struct with inline coefficient buffers, so walking
/// along a polygon edge allocates nothing.
/// </summary>
internal struct GeodesicLine
{
    private readonly double _lat1;
    private readonly double _lon1;
    private readonly double _salp0;
    private readonly double _calp0;
    private readonly double _ssig1;
    private readonly double _csig1;
    private readonly double _somg1;
    private readonly double _comg1;
    private readonly double _k2;
    private readonly double _a1m1;
    private readonly double _b11;
    private readonly double _stau1;
    private readonly double _ctau1;
    private readonly double _a3c;
    private readonly double _b31;
    private Coeffs7 _c1pa;
    private Coeffs7 _c3a;

    /// <summary>Starts a line at (lat1, lon1) heading along the azimuth given by its sine and cosine.</summary>
    internal GeodesicLine(double lat1, double lon1, double salp1, double calp1)
    {
        _lat1 = GeoMath.LatFix(lat1);
        _lon1 = lon1;
        GeoMath.SinCosd(GeoMath.AngRound(_lat1), out var sbet1, out var cbet1);
        sbet1 *= GeodesicCore.F1;
        GeoMath.Norm(ref sbet1, ref cbet1);
        cbet1 = Math.Max(GeoMath.Tiny, cbet1);

        _salp0 = salp1 * cbet1;
        _calp0 = Math.Sqrt((calp1 * calp1) + GeoMath.Sq(salp1 * sbet1));
        var ssig1 = sbet1;
        _somg1 = _salp0 * sbet1;
        var csig1 = sbet1 != 0 || calp1 != 0 ? cbet1 * calp1 : 1;
        _comg1 = csig1;
        GeoMath.Norm(ref ssig1, ref csig1);
        _ssig1 = ssig1;
        _csig1 = csig1;

        _k2 = GeoMath.Sq(_calp0) * GeodesicCore.Ep2;
        var eps = _k2 / ((2 * (1 + Math.Sqrt(1 + _k2))) + _k2);

        _a1m1 = GeodesicCore.A1m1f(eps);
        Coeffs7 c1a = default;
        GeodesicCore.C1f(eps, c1a);
        _b11 = GeodesicCore.SinCosSeries(true, _ssig1, _csig1, c1a);
        var s = Math.Sin(_b11);
        var c = Math.Cos(_b11);
        _stau1 = (_ssig1 * c) + (_csig1 * s);
        _ctau1 = (_csig1 * c) - (_ssig1 * s);

        GeodesicCore.C1pf(eps, _c1pa);

        Span<double> c3 = _c3a;
        c3 = c3[..6];
        GeodesicCore.C3f(eps, c3);
        _a3c = -GeodesicCore.F * _salp0 * GeodesicCore.A3f(eps);
        _b31 = GeodesicCore.SinCosSeries(true, _ssig1, _csig1, c3);
    }

    /// <summary>Creates the line from (lat1, lon1) with azimuth <paramref name="azi1Degrees"/>.</summary>
    internal static GeodesicLine FromAzimuth(double lat1, double lon1, double azi1Degrees)
    {
        GeoMath.SinCosd(GeoMath.AngRound(GeoMath.AngNormalize(azi1Degrees)), out var salp1, out var calp1);
        return new GeodesicLine(lat1, lon1, salp1, calp1);
    }

    /// <summary>
    /// Position at distance <paramref name="s12"/> metres along the line: latitude, longitude
    /// (normalised to [−180, 180]) and the forward azimuth there as a unit vector.
    /// </summary>
    internal void Position(double s12, out double lat2, out double lon2, out double salp2, out double calp2)
    {
        ReadOnlySpan<double> c1pa = _c1pa;
        ReadOnlySpan<double> c3a = ((ReadOnlySpan<double>)_c3a)[..6];

        var tau12 = s12 / (GeodesicCore.B * (1 + _a1m1));
        var s = Math.Sin(tau12);
        var c = Math.Cos(tau12);
        var b12 = -GeodesicCore.SinCosSeries(true, (_stau1 * c) + (_ctau1 * s), (_ctau1 * c) - (_stau1 * s), c1pa);
        var sig12 = tau12 - (b12 - _b11);
        var ssig12 = Math.Sin(sig12);
        var csig12 = Math.Cos(sig12);

        var ssig2 = (_ssig1 * csig12) + (_csig1 * ssig12);
        var csig2 = (_csig1 * csig12) - (_ssig1 * ssig12);
        var sbet2 = _calp0 * ssig2;
        var cbet2 = Math.Sqrt(GeoMath.Sq(_salp0) + GeoMath.Sq(_calp0 * csig2));
        if (cbet2 == 0)
        {
            cbet2 = csig2 = GeoMath.Tiny;
        }

        salp2 = _salp0;
        calp2 = _calp0 * csig2;
        var norm = Math.Sqrt((salp2 * salp2) + (calp2 * calp2));
        salp2 /= norm;
        calp2 /= norm;

        var somg2 = _salp0 * ssig2;
        var comg2 = csig2;
        var omg12 = Math.Atan2((somg2 * _comg1) - (comg2 * _somg1), (comg2 * _comg1) + (somg2 * _somg1));
        var lam12 = omg12 + (_a3c * (sig12 + (GeodesicCore.SinCosSeries(true, ssig2, csig2, c3a) - _b31)));
        var lon12 = double.RadiansToDegrees(lam12);
        lon2 = GeoMath.AngNormalize(GeoMath.AngNormalize(_lon1) + GeoMath.AngNormalize(lon12));
        lat2 = GeoMath.Atan2d(sbet2, GeodesicCore.F1 * cbet2);
    }
}
