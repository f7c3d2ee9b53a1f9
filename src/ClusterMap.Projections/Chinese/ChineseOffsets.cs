using NetTopologySuite.Geometries;

namespace ClusterMap.Projections.Chinese;

/// <summary>
/// The published WGS84 → GCJ-02 → BD-09 formulas (as in wandergis/coordtransform and hujiulong/gcoord), with their
/// inverses solved iteratively to well under 0.01 m. These are the raw formulas: whether a point is inside mainland
/// China, where they apply, is <see cref="ChinaRegion"/>'s decision and <see cref="ChineseCoordinates"/>' job.
/// </summary>
public static class ChineseOffsets
{
    // Krasovsky 1940 ellipsoid, as the published GCJ-02 formula uses it.
    private const double KrasovskyA = 6378245.0;
    private const double KrasovskyE2 = 0.00669342162296594323;
    private const double BaiduXPi = Math.PI * 3000.0 / 180.0;

    // 1e-10° is about 0.01 mm: the fixed-point iterations stop far below the 0.01 m the inverse must reach.
    private const double ConvergenceDegrees = 1e-10;
    private const int MaxIterations = 50;

    /// <summary>WGS84 lon/lat → GCJ-02 lon/lat (the formula alone, applied wherever the point lies).</summary>
    public static Coordinate Wgs84ToGcj02(Coordinate wgs84)
    {
        var lon = wgs84.X;
        var lat = wgs84.Y;
        var dLat = TransformLat(lon - 105.0, lat - 35.0);
        var dLon = TransformLon(lon - 105.0, lat - 35.0);
        var radLat = lat / 180.0 * Math.PI;
        var magic = 1 - KrasovskyE2 * Math.Sin(radLat) * Math.Sin(radLat);
        var sqrtMagic = Math.Sqrt(magic);
        dLat = dLat * 180.0 / (KrasovskyA * (1 - KrasovskyE2) / (magic * sqrtMagic) * Math.PI);
        dLon = dLon * 180.0 / (KrasovskyA / sqrtMagic * Math.Cos(radLat) * Math.PI);
        return new Coordinate(lon + dLon, lat + dLat);
    }

    /// <summary>GCJ-02 → WGS84 by fixed-point iteration on the forward formula (error below 0.01 mm).</summary>
    public static Coordinate Gcj02ToWgs84(Coordinate gcj02) => Invert(gcj02, Wgs84ToGcj02);

    /// <summary>GCJ-02 → BD-09 (Baidu's published formula).</summary>
    public static Coordinate Gcj02ToBd09(Coordinate gcj02)
    {
        var x = gcj02.X;
        var y = gcj02.Y;
        var z = Math.Sqrt(x * x + y * y) + 0.00002 * Math.Sin(y * BaiduXPi);
        var theta = Math.Atan2(y, x) + 0.000003 * Math.Cos(x * BaiduXPi);
        return new Coordinate(z * Math.Cos(theta) + 0.0065, z * Math.Sin(theta) + 0.006);
    }

    /// <summary>
    /// BD-09 → GCJ-02, solved by iteration on <see cref="Gcj02ToBd09"/>: the commonly published closed-form
    /// inverse is itself an approximation (off by up to a few decimetres), so it serves only as the first guess.
    /// </summary>
    public static Coordinate Bd09ToGcj02(Coordinate bd09) => Invert(bd09, Gcj02ToBd09);

    /// <summary>WGS84 → BD-09 through GCJ-02.</summary>
    public static Coordinate Wgs84ToBd09(Coordinate wgs84) => Gcj02ToBd09(Wgs84ToGcj02(wgs84));

    /// <summary>BD-09 → WGS84 through GCJ-02.</summary>
    public static Coordinate Bd09ToWgs84(Coordinate bd09) => Gcj02ToWgs84(Bd09ToGcj02(bd09));

    /// <summary>
    /// Solves forward(p) = target for p. Both offsets are small (under 0.02°) and smooth with a Jacobian close to the
    /// identity, so p ← p + (target − forward(p)) converges geometrically from p = target.
    /// </summary>
    private static Coordinate Invert(Coordinate target, Func<Coordinate, Coordinate> forward)
    {
        var lon = target.X;
        var lat = target.Y;
        for (var i = 0; i < MaxIterations; i++)
        {
            var image = forward(new Coordinate(lon, lat));
            var dLon = target.X - image.X;
            var dLat = target.Y - image.Y;
            lon += dLon;
            lat += dLat;
            if (Math.Abs(dLon) < ConvergenceDegrees && Math.Abs(dLat) < ConvergenceDegrees)
            {
                break;
            }
        }

        return new Coordinate(lon, lat);
    }

    private static double TransformLat(double x, double y)
    {
        var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.Sqrt(Math.Abs(x));
        r += (20.0 * Math.Sin(6.0 * x * Math.PI) + 20.0 * Math.Sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
        r += (20.0 * Math.Sin(y * Math.PI) + 40.0 * Math.Sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
        r += (160.0 * Math.Sin(y / 12.0 * Math.PI) + 320.0 * Math.Sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
        return r;
    }

    private static double TransformLon(double x, double y)
    {
        var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.Sqrt(Math.Abs(x));
        r += (20.0 * Math.Sin(6.0 * x * Math.PI) + 20.0 * Math.Sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
        r += (20.0 * Math.Sin(x * Math.PI) + 40.0 * Math.Sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
        r += (150.0 * Math.Sin(x / 12.0 * Math.PI) + 300.0 * Math.Sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
        return r;
    }
}
