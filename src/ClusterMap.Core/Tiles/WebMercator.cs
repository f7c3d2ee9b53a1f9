using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tiles;

/// <summary>
/// Spherical ("pseudo") Web Mercator, EPSG:3857, in closed form: x = R·λ, y = R·ln tan(π/4 + φ/2) on the WGS84
/// semi-major axis R. Exactly what XYZ tile servers and browsers use; it is not conformal on the ellipsoid and is not
/// for measuring distances (use the geodesy for that).
/// </summary>
public static class WebMercator
{
    /// <summary>WGS84 semi-major axis, the sphere radius of EPSG:3857.</summary>
    public const double EarthRadiusMeters = 6_378_137.0;

    /// <summary>Half the width of the square world: π·R = 20 037 508.342789244 m.</summary>
    public const double HalfWorldMeters = Math.PI * EarthRadiusMeters;

    public const double WorldSizeMeters = 2 * HalfWorldMeters;

    /// <summary>The latitude at which the square world ends (y = ±π·R): 85.0511287798066°.</summary>
    public static readonly double MaxLatitude = Math.Atan(Math.Sinh(Math.PI)) * 180 / Math.PI;

    /// <summary>Longitude/latitude degrees to metres; latitudes beyond ±<see cref="MaxLatitude"/> are clamped.</summary>
    public static Coordinate FromLonLat(Coordinate lonLat)
    {
        var lat = Math.Clamp(lonLat.Y, -MaxLatitude, MaxLatitude) * Math.PI / 180;
        return new Coordinate(
            EarthRadiusMeters * lonLat.X * Math.PI / 180,
            EarthRadiusMeters * Math.Log(Math.Tan((Math.PI / 4) + (lat / 2))));
    }

    /// <summary>Metres to longitude/latitude degrees.</summary>
    public static Coordinate ToLonLat(Coordinate meters) =>
        new(
            meters.X / EarthRadiusMeters * 180 / Math.PI,
            ((2 * Math.Atan(Math.Exp(meters.Y / EarthRadiusMeters))) - (Math.PI / 2)) * 180 / Math.PI);

    /// <summary>Metres of Web Mercator per pixel at zoom <paramref name="zoom"/> (fractional zooms allowed).</summary>
    public static double MetersPerPixel(double zoom, int tileSizePixels = 256) =>
        WorldSizeMeters / (tileSizePixels * Math.Pow(2, zoom));

    /// <summary>
    /// The zoom at which one pixel spans <paramref name="metersPerPixel"/> Web Mercator metres.
    /// </summary>
    public static double ZoomFor(double metersPerPixel, int tileSizePixels = 256) =>
        Math.Log2(WorldSizeMeters / (tileSizePixels * metersPerPixel));

    /// <summary>
    /// Web Mercator stretches ground distances by 1/cos(latitude): a ground length at <paramref name="latitudeDegrees"/>
    /// becomes this many Web Mercator metres per metre.
    /// </summary>
    public static double ScaleFactor(double latitudeDegrees) => 1 / Math.Cos(latitudeDegrees * Math.PI / 180);

    /// <summary>Ground metres per pixel at a latitude and zoom (what a scale bar shows).</summary>
    public static double GroundMetersPerPixel(double latitudeDegrees, double zoom, int tileSizePixels = 256) =>
        MetersPerPixel(zoom, tileSizePixels) / ScaleFactor(latitudeDegrees);

    /// <summary>Lon/lat box to the Web Mercator box that holds it.</summary>
    public static Envelope FromLonLat(Envelope lonLat)
    {
        var min = FromLonLat(new Coordinate(lonLat.MinX, lonLat.MinY));
        var max = FromLonLat(new Coordinate(lonLat.MaxX, lonLat.MaxY));
        return new Envelope(min.X, max.X, min.Y, max.Y);
    }
}
