using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tests.TestData;

/// <summary>
/// Seeded synthetic features clustered around Chinese cities: points and small star-shaped polygons
/// (some with a hole), as industrial parks and institutes would be. Deterministic for a given seed.
/// Lives in the test project on purpose (test data is no part of Core); a later
/// tests/ClusterMap.Benchmarks project can link this file with &lt;Compile Include="..\ClusterMap.Core.Tests\TestData\ChinaSynthetic.cs" /&gt;.
/// </summary>
public sealed class ChinaSynthetic(int seed)
{
    /// <summary>City centres (lon, lat) and a spread in metres.</summary>
    public static readonly (string Name, double Lon, double Lat, double SpreadMeters)[] Cities =
    [
        ("Shanghai", 121.47, 31.23, 40_000),
        ("Suzhou", 120.62, 31.30, 25_000),
        ("Hangzhou", 120.16, 30.27, 25_000),
        ("Nanjing", 118.80, 32.06, 25_000),
        ("Beijing", 116.40, 39.90, 35_000),
        ("Shenzhen", 114.06, 22.54, 25_000),
        ("Chengdu", 104.07, 30.67, 25_000),
        ("Wuhan", 114.31, 30.59, 25_000),
    ];

    private static readonly GeometryFactory _factory = new(new PrecisionModel(), 4326);

    private readonly Random _random = new(seed);

    /// <summary>Picks a city, Shanghai half of the time.</summary>
    public (double Lon, double Lat, double SpreadMeters) City()
    {
        var c = _random.NextDouble() < 0.5 ? Cities[0] : Cities[_random.Next(Cities.Length)];
        return (c.Lon, c.Lat, c.SpreadMeters);
    }

    /// <summary>A point scattered (roughly Gaussian) around a city.</summary>
    public Coordinate PointNear(double lon, double lat, double spreadMeters)
    {
        var r = spreadMeters * Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) / 2;
        var azimuth = _random.NextDouble() * 360;
        return Offset(lon, lat, azimuth, r);
    }

    public Point Point()
    {
        var (lon, lat, spread) = City();
        return _factory.CreatePoint(PointNear(lon, lat, spread));
    }

    /// <summary>A star-shaped polygon of 4–16 vertices, 50–1500 m across, a hole one time in five.</summary>
    public Polygon Polygon()
    {
        var (lon, lat, spread) = City();
        var centre = PointNear(lon, lat, spread);
        var radius = 50 + (_random.NextDouble() * 700);
        var shell = _factory.CreateLinearRing(Star(centre, radius, 4 + _random.Next(13), counterClockwise: true));
        if (_random.NextDouble() < 0.2)
        {
            var hole = _factory.CreateLinearRing(Star(centre, radius * 0.25, 5, counterClockwise: false));
            return _factory.CreatePolygon(shell, [hole]);
        }

        return _factory.CreatePolygon(shell);
    }

    /// <summary>Points and polygons in the given proportion.</summary>
    public Geometry Feature(double polygonShare) => _random.NextDouble() < polygonShare ? Polygon() : Point();

    public double NextDouble() => _random.NextDouble();

    public int Next(int maxExclusive) => _random.Next(maxExclusive);

    private Coordinate[] Star(Coordinate centre, double radius, int n, bool counterClockwise)
    {
        var azimuths = Enumerable.Range(0, n).Select(_ => _random.NextDouble() * 360).Order().ToArray();
        var coords = new Coordinate[n + 1];
        for (var i = 0; i < n; i++)
        {
            // Azimuths grow clockwise, so reverse them for a counter-clockwise ring.
            var az = counterClockwise ? azimuths[n - 1 - i] : azimuths[i];
            coords[i] = Offset(centre.X, centre.Y, az, radius * (0.6 + (0.4 * _random.NextDouble())));
        }

        coords[n] = coords[0].Copy();
        return coords;
    }

    // A local flat-earth offset is plenty for synthetic data (the tests measure with the exact geodesics).
    private static Coordinate Offset(double lon, double lat, double azimuthDegrees, double meters)
    {
        var az = double.DegreesToRadians(azimuthDegrees);
        var dLat = meters * Math.Cos(az) / 110_900;
        var dLon = meters * Math.Sin(az) / (111_320 * Math.Cos(double.DegreesToRadians(lat)));
        return new Coordinate(Math.Round(lon + dLon, 7), Math.Round(lat + dLat, 7));
    }
}
