namespace ClusterMap.Cli.Geodata;

internal static class GeoMath
{
    private const double EarthRadiusMeters = 6_371_008.8;

    /// <summary>Great-circle distance on the mean sphere; good to 0.5 % — enough to compare points kilometres apart.</summary>
    public static double HaversineMeters(double lon1, double lat1, double lon2, double lat2)
    {
        var phi1 = double.DegreesToRadians(lat1);
        var phi2 = double.DegreesToRadians(lat2);
        var dPhi = phi2 - phi1;
        var dLambda = double.DegreesToRadians(lon2 - lon1);
        var h = (Math.Sin(dPhi / 2) * Math.Sin(dPhi / 2))
            + (Math.Cos(phi1) * Math.Cos(phi2) * Math.Sin(dLambda / 2) * Math.Sin(dLambda / 2));
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }
}
