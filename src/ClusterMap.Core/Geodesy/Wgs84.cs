namespace ClusterMap.Core.Geodesy;

/// <summary>
/// Parameters of the WGS84 ellipsoid (EPSG:7030) and the derived radii of curvature that the
/// conservative bounds in <see cref="GeodesicEnvelope"/> rely on.
/// </summary>
public static class Wgs84
{
    /// <summary>Equatorial radius a in metres.</summary>
    public const double SemiMajorAxisMeters = 6378137.0;

    /// <summary>Flattening f.</summary>
    public const double Flattening = 1 / 298.257223563;

    /// <summary>Polar semi-axis b = a (1 − f) in metres.</summary>
    public const double SemiMinorAxisMeters = SemiMajorAxisMeters * (1 - Flattening);

    /// <summary>First eccentricity squared e² = f (2 − f).</summary>
    public const double EccentricitySquared = Flattening * (2 - Flattening);

    /// <summary>
    /// The smallest meridional radius of curvature, M(0) = a (1 − e²), reached at the equator.
    /// Every path of length s changes latitude by at most s / M(0) radians, which is why the
    /// envelope bounds use it.
    /// </summary>
    public const double MinMeridionalRadiusMeters = SemiMajorAxisMeters * (1 - EccentricitySquared);

    /// <summary>Radius of the parallel at geodetic latitude <paramref name="latitudeDegrees"/>: N(φ) cos φ.</summary>
    public static double ParallelRadiusMeters(double latitudeDegrees)
    {
        var phi = double.DegreesToRadians(Math.Min(90, Math.Abs(latitudeDegrees)));
        var s = Math.Sin(phi);
        var c = Math.Cos(phi);
        return Math.Max(0, SemiMajorAxisMeters * c / Math.Sqrt(1 - EccentricitySquared * s * s));
    }
}
