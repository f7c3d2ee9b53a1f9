using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Geodata;

/// <summary>
/// The region every shipped feature must fall in and the basemap is clipped to: a lon/lat box around the
/// municipality (Chongming's northern shore, Jinshan's coast, Qingpu's western edge, Lingang and the estuary).
/// </summary>
public static class ShanghaiRegion
{
    public const double MinLon = 120.8;
    public const double MaxLon = 122.2;
    public const double MinLat = 30.6;
    public const double MaxLat = 31.9;

    public static Envelope Envelope4326 { get; } = new(MinLon, MaxLon, MinLat, MaxLat);

    public static bool Contains(double lon, double lat) =>
        lon >= MinLon && lon <= MaxLon && lat >= MinLat && lat <= MaxLat;
}
