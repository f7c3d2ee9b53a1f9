using NetTopologySuite.Geometries;

namespace ClusterMap.Rendering.Shapes;

/// <summary>
/// Rings of a given ground radius around a point. Stand-in until ClusterMap.Core.Geodesy's Direct reaches main
/// (tracker issue 5): the spherical destination formula on the mean Earth radius, whose error against the WGS84
/// ellipsoid stays below 0.5 % of the radius (under 25 m on a 5 km ring), well under a pixel at report scales.
/// </summary>
public static class GeodesicCircle
{
    private const double MeanEarthRadiusMeters = 6_371_008.8;

    /// <summary>The ring's vertices in lon/lat, closed (first = last), clockwise from north.</summary>
    public static Coordinate[] Ring(Coordinate centerLonLat, double radiusMeters, int segments = 128)
    {
        var ring = new Coordinate[segments + 1];
        for (var i = 0; i < segments; i++)
        {
            ring[i] = Destination(centerLonLat, 360.0 * i / segments, radiusMeters);
        }

        ring[segments] = ring[0];
        return ring;
    }

    /// <summary>The point reached from <paramref name="fromLonLat"/> on the given azimuth after the given distance.</summary>
    public static Coordinate Destination(Coordinate fromLonLat, double azimuthDegrees, double distanceMeters)
    {
        var lat1 = fromLonLat.Y * Math.PI / 180;
        var lon1 = fromLonLat.X * Math.PI / 180;
        var azimuth = azimuthDegrees * Math.PI / 180;
        var delta = distanceMeters / MeanEarthRadiusMeters;
        var lat2 = Math.Asin((Math.Sin(lat1) * Math.Cos(delta)) + (Math.Cos(lat1) * Math.Sin(delta) * Math.Cos(azimuth)));
        var lon2 = lon1 + Math.Atan2(Math.Sin(azimuth) * Math.Sin(delta) * Math.Cos(lat1), Math.Cos(delta) - (Math.Sin(lat1) * Math.Sin(lat2)));
        return new Coordinate(lon2 * 180 / Math.PI, lat2 * 180 / Math.PI);
    }
}
