using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Geodesy;

/// <summary>
/// Conservative lon/lat boxes on the WGS84 ellipsoid: an expansion guaranteed to contain every point
/// within a geodesic distance of a box (the prefilter of a radius query), a lower bound of the geodesic
/// distance between two boxes (the pruning bound of nearest-neighbour search), and a box guaranteed to
/// contain a geometry whose edges are geodesics.
/// </summary>
/// <remarks>
/// Both bounds come from the metric ds² = M(φ)² dφ² + p(φ)² dλ², with M the meridional radius of
/// curvature (smallest at the equator, <see cref="Wgs84.MinMeridionalRadiusMeters"/>) and p the radius of
/// the parallel (decreasing towards the poles). Any path of length s therefore changes latitude by at most
/// s / M(0), and while it stays below |latitude| Φ it changes longitude by at most s / p(Φ). Boxes are
/// in degrees with X = longitude, Y = latitude; longitudes of inputs are in [−180, 180].
/// </remarks>
public static class GeodesicEnvelope
{
    private const double Mmin = Wgs84.MinMeridionalRadiusMeters;

    /// <summary>
    /// A lon/lat box containing every point whose geodesic distance from some point of
    /// <paramref name="envelope"/> is at most <paramref name="radiusMeters"/>. Latitudes are clamped to
    /// [−90, 90]; when the box reaches a pole, or would span 360° of longitude, it spans [−180, 180].
    /// Otherwise longitudes may leave [−180, 180] near the antimeridian: use
    /// <see cref="SplitAtAntimeridian"/> to query an index that stores normalised longitudes.
    /// </summary>
    public static Envelope Expand(Envelope envelope, double radiusMeters)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentOutOfRangeException.ThrowIfNegative(radiusMeters);
        var dLatDegrees = double.RadiansToDegrees(radiusMeters / Mmin);
        var minLat = envelope.MinY - dLatDegrees;
        var maxLat = envelope.MaxY + dLatDegrees;
        if (minLat <= -90 || maxLat >= 90)
        {
            return new Envelope(-180, 180, Math.Max(-90, minLat), Math.Min(90, maxLat));
        }

        var extremeLat = Math.Max(Math.Abs(minLat), Math.Abs(maxLat));
        var dLonDegrees = double.RadiansToDegrees(radiusMeters / Wgs84.ParallelRadiusMeters(extremeLat));
        var minLon = envelope.MinX - dLonDegrees;
        var maxLon = envelope.MaxX + dLonDegrees;
        if (maxLon - minLon >= 360 || double.IsNaN(dLonDegrees))
        {
            return new Envelope(-180, 180, minLat, maxLat);
        }

        return new Envelope(minLon, maxLon, minLat, maxLat);
    }

    /// <summary>
    /// Splits a box whose longitudes leave [−180, 180] (as <see cref="Expand"/> may return) into one or two
    /// boxes within [−180, 180] that cover the same points.
    /// </summary>
    public static IReadOnlyList<Envelope> SplitAtAntimeridian(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.MaxX - envelope.MinX >= 360)
        {
            return [new Envelope(-180, 180, envelope.MinY, envelope.MaxY)];
        }

        if (envelope.MinX < -180)
        {
            return
            [
                new Envelope(-180, Math.Min(180, envelope.MaxX), envelope.MinY, envelope.MaxY),
                new Envelope(envelope.MinX + 360, 180, envelope.MinY, envelope.MaxY),
            ];
        }

        if (envelope.MaxX > 180)
        {
            return
            [
                new Envelope(Math.Max(-180, envelope.MinX), 180, envelope.MinY, envelope.MaxY),
                new Envelope(-180, envelope.MaxX - 360, envelope.MinY, envelope.MaxY),
            ];
        }

        return [envelope];
    }

    /// <summary>A lower bound of the geodesic distance in metres from <paramref name="point"/> to any point of <paramref name="envelope"/>.</summary>
    public static double LowerBoundMeters(Coordinate point, Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(envelope);
        return LowerBoundMeters(point.X, point.X, point.Y, point.Y, envelope.MinX, envelope.MaxX, envelope.MinY, envelope.MaxY);
    }

    /// <summary>A lower bound of the geodesic distance in metres between any point of <paramref name="a"/> and any point of <paramref name="b"/>.</summary>
    public static double LowerBoundMeters(Envelope a, Envelope b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return LowerBoundMeters(a.MinX, a.MaxX, a.MinY, a.MaxY, b.MinX, b.MaxX, b.MinY, b.MaxY);
    }

    /// <summary>
    /// Lower bound between boxes given by their bounds in degrees (longitudes in [−180, 180]).
    /// With Δφ and Δλ the latitude and (shortest, wrap-aware) longitude gaps and Φ0 the largest |latitude|
    /// of either box: a path that stays below |latitude| Φc ≥ Φ0 is at least
    /// √((M(0) Δφ)² + (p(Φc) Δλ)²) long (the metric is bounded below by a flat one there), and a path that
    /// climbs above Φc is at least M(0) (Φc − Φ0) long. Choosing Φc where the second equals the flat bound at
    /// Φ0 makes the smaller of the two the first.
    /// </summary>
    internal static double LowerBoundMeters(
        double aMinLon, double aMaxLon, double aMinLat, double aMaxLat,
        double bMinLon, double bMaxLon, double bMinLat, double bMaxLat)
    {
        var latGap = Math.Max(0, Math.Max(bMinLat - aMaxLat, aMinLat - bMaxLat));
        var latPart = Mmin * double.DegreesToRadians(latGap);

        double lonGap;
        if (bMinLon > aMaxLon || aMinLon > bMaxLon)
        {
            var direct = Math.Max(bMinLon - aMaxLon, aMinLon - bMaxLon);
            var around = 360 - (Math.Max(aMaxLon, bMaxLon) - Math.Min(aMinLon, bMinLon));
            lonGap = Math.Min(direct, around);
        }
        else
        {
            lonGap = 0;
        }

        if (lonGap <= 0)
        {
            return latPart;
        }

        var lonGapRadians = double.DegreesToRadians(lonGap);
        var phi0 = Math.Max(Math.Max(Math.Abs(aMinLat), Math.Abs(aMaxLat)), Math.Max(Math.Abs(bMinLat), Math.Abs(bMaxLat)));
        var lonPart0 = Wgs84.ParallelRadiusMeters(phi0) * lonGapRadians;
        var flat0 = Math.Sqrt((latPart * latPart) + (lonPart0 * lonPart0));
        var phiC = phi0 + double.RadiansToDegrees(flat0 / Mmin);
        var lonPartC = Wgs84.ParallelRadiusMeters(phiC) * lonGapRadians;
        return Math.Sqrt((latPart * latPart) + (lonPartC * lonPartC));
    }

    /// <summary>
    /// A lon/lat box containing <paramref name="geometry"/> when its edges are read as geodesics (as
    /// PostGIS geography does): the vertex box widened by how far each edge can bulge poleward.
    /// Edges are assumed to span less than 180° of longitude and geometries not to contain a pole.
    /// </summary>
    public static Envelope OfGeometry(Geometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);

        // Every vertex, holes included: NTS's envelope of a polygon is its shell's, and a hole drawn outside its
        // shell (an invalid polygon, but one the distance still measures to) would otherwise fall outside the box.
        var env = new Envelope();
        foreach (var coordinate in geometry.Coordinates)
        {
            env.ExpandToInclude(coordinate);
        }

        if (env.IsNull)
        {
            return env;
        }

        var minLat = env.MinY;
        var maxLat = env.MaxY;
        for (var i = 0; i < geometry.NumGeometries; i++)
        {
            AddEdges(geometry.GetGeometryN(i), ref minLat, ref maxLat);
        }

        return new Envelope(env.MinX, env.MaxX, minLat, maxLat);
    }

    private static void AddEdges(Geometry g, ref double minLat, ref double maxLat)
    {
        switch (g)
        {
            case LineString line:
                var seq = line.CoordinateSequence;
                for (var i = 1; i < seq.Count; i++)
                {
                    WidenForEdge(seq.GetX(i - 1), seq.GetY(i - 1), seq.GetX(i), seq.GetY(i), ref minLat, ref maxLat);
                }

                break;
            case Polygon polygon:
                AddEdges(polygon.ExteriorRing, ref minLat, ref maxLat);
                foreach (var hole in polygon.InteriorRings)
                {
                    AddEdges(hole, ref minLat, ref maxLat);
                }

                break;
            case GeometryCollection collection:
                for (var i = 0; i < collection.NumGeometries; i++)
                {
                    AddEdges(collection.GetGeometryN(i), ref minLat, ref maxLat);
                }

                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Widens [minLat, maxLat] to contain the geodesic from (lon1, lat1) to (lon2, lat2).
    /// On Bessel's auxiliary sphere the geodesic is a great circle in parametric latitude β and spherical
    /// longitude ω, on which tan β ≤ max(tan β1, tan β2) / cos(Δω / 2) when that maximum is positive; and
    /// dλ/dω lies in [1 − f, 1], so Δω ≤ Δλ / (1 − f). Since tan φ = tan β / (1 − f), the same bound holds
    /// for tan φ. No inverse problem is solved, so widening a million edges costs little.
    /// </summary>
    internal static void WidenForEdge(double lon1, double lat1, double lon2, double lat2, ref double minLat, ref double maxLat)
    {
        var dLon = Math.Abs(GeoMath.AngDiff(lon1, lon2, out _));
        if (dLon == 0)
        {
            return;
        }

        var halfOmega = double.DegreesToRadians(dLon) / (2 * (1 - Wgs84.Flattening));
        if (halfOmega >= Math.PI / 2)
        {
            minLat = lat1 < 0 || lat2 < 0 ? -90 : minLat;
            maxLat = lat1 > 0 || lat2 > 0 ? 90 : maxLat;
            return;
        }

        var cosHalf = Math.Cos(halfOmega);
        var north = Math.Max(lat1, lat2);
        if (north > 0)
        {
            var bound = double.RadiansToDegrees(Math.Atan(Math.Tan(double.DegreesToRadians(north)) / cosHalf));
            maxLat = Math.Max(maxLat, Math.Min(90, bound));
        }

        var south = Math.Min(lat1, lat2);
        if (south < 0)
        {
            var bound = double.RadiansToDegrees(Math.Atan(Math.Tan(double.DegreesToRadians(south)) / cosHalf));
            minLat = Math.Min(minLat, Math.Max(-90, bound));
        }
    }
}
