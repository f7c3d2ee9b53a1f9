using ClusterMap.Core.Geodesy;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Analysis;

/// <summary>
/// The Lambert azimuthal equal-area projection of the WGS84 ellipsoid, oblique aspect, centred on a chosen point
/// (EPSG method 9820; Snyder, <i>Map Projections — A Working Manual</i>, USGS PP 1395, 1987, eqs. 3-11, 3-12,
/// 24-13 to 24-21, 3-18). Equal-area: a region's area in projected square metres is its area on the ellipsoid, so
/// squares of the projected plane are cells of equal ground area.
/// </summary>
public sealed class LambertEqualArea
{
    private const double A = Wgs84.SemiMajorAxisMeters;
    private static readonly double _e2 = Wgs84.EccentricitySquared;
    private static readonly double _e = Math.Sqrt(_e2);
    private static readonly double _qp = Q(1);

    // Authalic radius: the sphere of the ellipsoid's area.
    private static readonly double _rq = A * Math.Sqrt(_qp / 2);

    private readonly double _lon0;
    private readonly double _sinB1;
    private readonly double _cosB1;
    private readonly double _d;

    /// <summary>The projection centred on (<paramref name="centreLon"/>, <paramref name="centreLat"/>) in degrees.</summary>
    public LambertEqualArea(double centreLon, double centreLat)
    {
        CentreLon = centreLon;
        CentreLat = centreLat;
        _lon0 = double.DegreesToRadians(centreLon);
        var phi1 = double.DegreesToRadians(centreLat);
        var sinPhi1 = Math.Sin(phi1);
        var beta1 = Math.Asin(Q(sinPhi1) / _qp);
        _sinB1 = Math.Sin(beta1);
        _cosB1 = Math.Cos(beta1);
        var m1 = Math.Cos(phi1) / Math.Sqrt(1 - (_e2 * sinPhi1 * sinPhi1));
        _d = A * m1 / (_rq * _cosB1);
    }

    /// <summary>Longitude of the centre, degrees.</summary>
    public double CentreLon { get; }

    /// <summary>Latitude of the centre, degrees.</summary>
    public double CentreLat { get; }

    /// <summary>Projected (x east, y north) metres of a lon/lat point in degrees.</summary>
    public (double X, double Y) Forward(double lon, double lat)
    {
        var sinPhi = Math.Sin(double.DegreesToRadians(lat));
        var beta = Math.Asin(Math.Clamp(Q(sinPhi) / _qp, -1, 1));
        var sinB = Math.Sin(beta);
        var cosB = Math.Cos(beta);
        var dLon = double.DegreesToRadians(lon) - _lon0;
        var b = _rq * Math.Sqrt(2 / (1 + (_sinB1 * sinB) + (_cosB1 * cosB * Math.Cos(dLon))));
        return (b * _d * cosB * Math.Sin(dLon), b / _d * ((_cosB1 * sinB) - (_sinB1 * cosB * Math.Cos(dLon))));
    }

    /// <summary>The lon/lat point in degrees of projected metres.</summary>
    public Coordinate Inverse(double x, double y)
    {
        var rho = Math.Sqrt((x / _d * (x / _d)) + (_d * y * (_d * y)));
        if (rho == 0)
        {
            return new Coordinate(CentreLon, CentreLat);
        }

        var ce = 2 * Math.Asin(Math.Min(1, rho / (2 * _rq)));
        var sinCe = Math.Sin(ce);
        var cosCe = Math.Cos(ce);
        var beta = Math.Asin((cosCe * _sinB1) + (_d * y * sinCe * _cosB1 / rho));
        var lon = _lon0 + Math.Atan2(x * sinCe, (_d * rho * _cosB1 * cosCe) - (_d * _d * y * _sinB1 * sinCe));

        // Geodetic from authalic latitude: Snyder's series (eq. 3-18), then Newton steps on q(φ) = q_p sin β (eq. 3-16)
        // to take it from a millimetre to the last digits.
        var e4 = _e2 * _e2;
        var e6 = e4 * _e2;
        var phi = beta
            + (((_e2 / 3) + (31 * e4 / 180) + (517 * e6 / 5040)) * Math.Sin(2 * beta))
            + (((23 * e4 / 360) + (251 * e6 / 3780)) * Math.Sin(4 * beta))
            + (761 * e6 / 45360 * Math.Sin(6 * beta));
        var q = _qp * Math.Sin(beta);
        for (var i = 0; i < 2 && Math.Abs(phi) < (Math.PI / 2) - 1e-9; i++)
        {
            var sinPhi = Math.Sin(phi);
            var w = 1 - (_e2 * sinPhi * sinPhi);
            phi += w * w / (2 * Math.Cos(phi)) * ((q / (1 - _e2)) - (sinPhi / w) + (1 / (2 * _e) * Math.Log((1 - (_e * sinPhi)) / (1 + (_e * sinPhi)))));
        }

        return new Coordinate(double.RadiansToDegrees(lon), double.RadiansToDegrees(phi));
    }

    /// <summary>
    /// Snyder's q(φ) from sin φ (eq. 3-12). Area on the ellipsoid between the equator and latitude φ is
    /// a² q(φ) / 2 per radian of longitude, which tests use as the reference area.
    /// </summary>
    public static double Q(double sinPhi) =>
        (1 - _e2) * ((sinPhi / (1 - (_e2 * sinPhi * sinPhi))) - (1 / (2 * _e) * Math.Log((1 - (_e * sinPhi)) / (1 + (_e * sinPhi)))));
}
