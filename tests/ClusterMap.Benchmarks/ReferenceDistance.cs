using ClusterMap.Core.Geodesy;
using NetTopologySuite.Geometries;

namespace ClusterMap.Benchmarks;

/// <summary>
/// An independent arbiter when ClusterMap and PostGIS disagree on a distance: brute force from the inverse and
/// direct geodesic problems alone (both checked against GeographicLib's test set in Core.Tests). Each edge is
/// sampled at 256 points along its geodesic, then the best sample's bracket is narrowed by golden-section
/// search to 1 mm. It shares no code with the engine's point-to-edge Newton search or its pruning bounds.
/// </summary>
internal static class ReferenceDistance
{
    private const int Samples = 256;

    public static double PointTo(Point origin, Geometry target)
    {
        if (target is Point p)
        {
            return Geodesic.DistanceMeters(origin.Coordinate, p.Coordinate);
        }

        // Containment in the lon/lat plane, as both engines decide it for small polygons; by ray crossing, which
        // (unlike Covers) accepts the self-touching stars the generator sometimes draws.
        if (NetTopologySuite.Algorithm.Locate.SimplePointInAreaLocator.Locate(origin.Coordinate, target) != Location.Exterior)
        {
            return 0;
        }

        var best = double.PositiveInfinity;
        foreach (var ring in Rings(target))
        {
            var coordinates = ring.Coordinates;
            for (var i = 1; i < coordinates.Length; i++)
            {
                best = Math.Min(best, PointToEdge(origin.Coordinate, coordinates[i - 1], coordinates[i]));
            }
        }

        return best;
    }

    private static IEnumerable<LineString> Rings(Geometry geometry)
    {
        for (var g = 0; g < geometry.NumGeometries; g++)
        {
            if (geometry.GetGeometryN(g) is Polygon polygon)
            {
                yield return polygon.ExteriorRing;
                foreach (var hole in polygon.InteriorRings)
                {
                    yield return hole;
                }
            }
            else if (geometry.GetGeometryN(g) is LineString line)
            {
                yield return line;
            }
        }
    }

    private static double PointToEdge(Coordinate origin, Coordinate a, Coordinate b)
    {
        var edge = Geodesic.Inverse(a, b);
        var length = edge.DistanceMeters;
        double At(double s) => Geodesic.DistanceMeters(origin, Geodesic.Direct(a, edge.Azimuth1Degrees, s).End);

        var bestS = 0.0;
        var best = double.PositiveInfinity;
        for (var i = 0; i <= Samples; i++)
        {
            var s = length * i / Samples;
            var d = At(s);
            if (d < best)
            {
                best = d;
                bestS = s;
            }
        }

        var step = length / Samples;
        double lo = Math.Max(0, bestS - step), hi = Math.Min(length, bestS + step);
        var ratio = (Math.Sqrt(5) - 1) / 2;
        while (hi - lo > 1e-3)
        {
            var m1 = hi - (ratio * (hi - lo));
            var m2 = lo + (ratio * (hi - lo));
            if (At(m1) < At(m2))
            {
                hi = m2;
            }
            else
            {
                lo = m1;
            }
        }

        return Math.Min(best, At((lo + hi) / 2));
    }
}
