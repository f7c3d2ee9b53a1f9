using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Geodesy;

/// <summary>Solution of the inverse geodesic problem between two points on WGS84.</summary>
/// <param name="DistanceMeters">Length of the shortest geodesic in metres.</param>
/// <param name="Azimuth1Degrees">Forward azimuth at the first point, clockwise from north, in (−180, 180].</param>
/// <param name="Azimuth2Degrees">Forward azimuth at the second point (the direction of travel on arrival).</param>
public readonly record struct GeodesicInverse(double DistanceMeters, double Azimuth1Degrees, double Azimuth2Degrees);

/// <summary>Solution of the direct geodesic problem: where a geodesic of given start, azimuth and length ends.</summary>
/// <param name="End">End point, X = longitude in [−180, 180], Y = latitude, in degrees.</param>
/// <param name="Azimuth2Degrees">Forward azimuth at the end point.</param>
public readonly record struct GeodesicDirect(Coordinate End, double Azimuth2Degrees);

/// <summary>
/// Geodesics on the WGS84 ellipsoid by Karney's method (J. Geodesy 87, 2013), accurate to about
/// 15 nm for any pair of points, including nearly antipodal ones where Vincenty's iteration fails.
/// Coordinates are NTS <see cref="Coordinate"/>s with X = longitude and Y = latitude in degrees.
/// </summary>
/// <example><c>Geodesic.Inverse(new Coordinate(121.47, 31.23), new Coordinate(116.40, 39.90)).DistanceMeters</c></example>
public static class Geodesic
{
    /// <summary>Shortest geodesic between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public static GeodesicInverse Inverse(Coordinate from, Coordinate to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        GeodesicCore.Inverse(from.Y, from.X, to.Y, to.X, false, out var r);
        return new GeodesicInverse(r.S12, GeoMath.Atan2d(r.Salp1, r.Calp1), GeoMath.Atan2d(r.Salp2, r.Calp2));
    }

    /// <summary>Geodesic distance in metres between two lon/lat points.</summary>
    public static double DistanceMeters(Coordinate from, Coordinate to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return DistanceMeters(from.X, from.Y, to.X, to.Y);
    }

    /// <summary>Geodesic distance in metres between (lon1, lat1) and (lon2, lat2) in degrees.</summary>
    public static double DistanceMeters(double lon1, double lat1, double lon2, double lat2)
    {
        GeodesicCore.Inverse(lat1, lon1, lat2, lon2, false, out var r);
        return r.S12;
    }

    /// <summary>End of the geodesic leaving <paramref name="from"/> along <paramref name="azimuthDegrees"/> for <paramref name="distanceMeters"/>.</summary>
    public static GeodesicDirect Direct(Coordinate from, double azimuthDegrees, double distanceMeters)
    {
        ArgumentNullException.ThrowIfNull(from);
        var line = GeodesicLine.FromAzimuth(from.Y, from.X, azimuthDegrees);
        line.Position(distanceMeters, out var lat2, out var lon2, out var salp2, out var calp2);
        return new GeodesicDirect(new Coordinate(lon2, lat2), GeoMath.Atan2d(salp2, calp2));
    }
}
