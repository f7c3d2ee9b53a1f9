using ClusterMap.Core.Geodesy;
using NetTopologySuite.Geometries;

namespace ClusterMap.Rendering.Shapes;

/// <summary>
/// Rings of a given ground radius around a point: geodesic circles on WGS84, each vertex the end of a geodesic of
/// that length (Karney's direct problem, ClusterMap.Core.Geodesy), so a ring means the same distance the proximity
/// engine measures.
/// </summary>
public static class GeodesicCircle
{
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
    public static Coordinate Destination(Coordinate fromLonLat, double azimuthDegrees, double distanceMeters) =>
        Geodesic.Direct(fromLonLat, azimuthDegrees, distanceMeters).End;
}
