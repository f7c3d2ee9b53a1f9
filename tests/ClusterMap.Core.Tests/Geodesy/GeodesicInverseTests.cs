using ClusterMap.Core.Geodesy;
using ClusterMap.Core.Tests.TestData;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tests.Geodesy;

public class GeodesicInverseTests
{
    // GeographicLib's own error bound on WGS84 is 15 nm; the published values carry ~0.1 nm. A port that
    // only differs in floating-point rounding stays far inside 1 µm, so 1 µm fails on any real defect
    // (a wrong series coefficient moves results by millimetres or more).
    private const double DistanceToleranceMeters = 1e-6;

    // 1e-9 degree moves the far end of a 6000 km line by 0.1 mm. For lines of a few metres the azimuth is
    // only as good as the coordinates' rounding allows (ε R / s radians), so the tolerance also admits a
    // sideways displacement of 10 nm at the far end.
    private const double AzimuthToleranceDegrees = 1e-9;
    private const double SidewaysToleranceMeters = 1e-8;

    public static TheoryData<string> PyprojKinds() =>
        ["shanghai", "short", "china", "global", "antipodal", "equatorial", "meridional", "pole", "coincident", "antimeridian"];

    [Fact]
    public void Inverse_GeographicLibPublishedCases_MatchGeodTest()
    {
        var rows = Fixture.Load("geographiclib_geodtest.csv").Rows;
        Assert.Equal(20, rows.Count);
        foreach (var row in rows)
        {
            var from = new Coordinate(row.D("lon1"), row.D("lat1"));
            var to = new Coordinate(row.D("lon2"), row.D("lat2"));
            var result = Geodesic.Inverse(from, to);
            Assert.True(Math.Abs(result.DistanceMeters - row.D("s12")) <= DistanceToleranceMeters, $"s12 {result.DistanceMeters} vs {row}");
            AssertAngle(row.D("azi1"), result.Azimuth1Degrees, row);
            AssertAngle(row.D("azi2"), result.Azimuth2Degrees, row);
        }
    }

    [Fact]
    public void Inverse_GeographicLibPublishedCases_ReducedLengthAndScalesMatch()
    {
        // The point-to-edge Newton iteration relies on m12 and M21; the published values check them too.
        foreach (var row in Fixture.Load("geographiclib_geodtest.csv").Rows)
        {
            GeodesicCore.Inverse(row.D("lat1"), row.D("lon1"), row.D("lat2"), row.D("lon2"), true, out var r);
            Assert.True(Math.Abs(r.ReducedLength - row.D("m12")) <= DistanceToleranceMeters, $"m12 {r.ReducedLength} vs {row}");
            Assert.True(Math.Abs(r.Scale12 - row.D("M12")) <= 1e-13, $"M12 {r.Scale12} vs {row}");
            Assert.True(Math.Abs(r.Scale21 - row.D("M21")) <= 1e-13, $"M21 {r.Scale21} vs {row}");
        }
    }

    [Fact]
    public void Direct_GeographicLibPublishedCases_ReachTheSecondPoint()
    {
        foreach (var row in Fixture.Load("geographiclib_geodtest.csv").Rows)
        {
            var result = Geodesic.Direct(new Coordinate(row.D("lon1"), row.D("lat1")), row.D("azi1"), row.D("s12"));

            // 1e-11 degree is about 1 µm, matching the distance tolerance above.
            Assert.True(Math.Abs(result.End.Y - row.D("lat2")) <= 1e-11, $"lat2 {result.End.Y} vs {row}");
            var dLon = Math.IEEERemainder(result.End.X - row.D("lon2"), 360);
            Assert.True(Math.Abs(dLon) <= 1e-11, $"lon2 {result.End.X} vs {row}");
            AssertAngle(row.D("azi2"), result.Azimuth2Degrees, row);
        }
    }

    [Theory]
    [MemberData(nameof(PyprojKinds))]
    public void Inverse_MatchesPyprojGeodInv(string kind)
    {
        var rows = Fixture.Load("inverse_pyproj.csv").Rows.Where(r => r["kind"] == kind).ToList();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            var result = Geodesic.Inverse(new Coordinate(row.D("lon1"), row.D("lat1")), new Coordinate(row.D("lon2"), row.D("lat2")));
            Assert.True(Math.Abs(result.DistanceMeters - row.D("s12")) <= DistanceToleranceMeters, $"s12 {result.DistanceMeters:R} vs {row}");

            // Azimuths are undefined for coincident points and at a pole; elsewhere they must agree.
            if (kind is not ("coincident" or "pole"))
            {
                var tolerance = Math.Max(AzimuthToleranceDegrees, double.RadiansToDegrees(SidewaysToleranceMeters / row.D("s12")));
                AssertAngle(row.D("azi1"), result.Azimuth1Degrees, row, tolerance);
                AssertAngle(row.D("azi2"), result.Azimuth2Degrees, row, tolerance);
            }
        }
    }

    [Fact]
    public void Inverse_NearAntipodal_MatchesGeographicLib()
    {
        // The case Vincenty's iteration cannot do: 40 pairs within 0.6 degree of antipodal.
        var rows = Fixture.Load("inverse_pyproj.csv").Rows.Where(r => r["kind"] == "antipodal").ToList();
        Assert.Equal(40, rows.Count);
        var maxError = rows.Max(row => Math.Abs(Geodesic.DistanceMeters(row.D("lon1"), row.D("lat1"), row.D("lon2"), row.D("lat2")) - row.D("s12")));
        Assert.True(maxError <= DistanceToleranceMeters, $"max error {maxError} m");
    }

    [Fact]
    public void Inverse_IsSymmetric()
    {
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var a = new Coordinate((random.NextDouble() * 360) - 180, (random.NextDouble() * 180) - 90);
            var b = new Coordinate((random.NextDouble() * 360) - 180, (random.NextDouble() * 180) - 90);
            var ab = Geodesic.DistanceMeters(a, b);
            var ba = Geodesic.DistanceMeters(b, a);

            // Both directions solve the same problem; only rounding may differ.
            Assert.True(Math.Abs(ab - ba) <= 1e-8, $"{a} {b}: {ab} vs {ba}");
        }
    }

    [Fact]
    public void Inverse_SatisfiesTriangleInequality()
    {
        var random = new Random(11);
        for (var i = 0; i < 2000; i++)
        {
            var p = Enumerable.Range(0, 3).Select(_ => new Coordinate(120 + (random.NextDouble() * 3), 30 + (random.NextDouble() * 3))).ToArray();
            var ab = Geodesic.DistanceMeters(p[0], p[1]);
            var bc = Geodesic.DistanceMeters(p[1], p[2]);
            var ac = Geodesic.DistanceMeters(p[0], p[2]);
            Assert.True(ac <= ab + bc + 1e-8, $"{ac} > {ab} + {bc}");
        }
    }

    [Fact]
    public void Inverse_ThenDirect_ReturnsToTheTarget()
    {
        var random = new Random(13);
        for (var i = 0; i < 1000; i++)
        {
            var a = new Coordinate((random.NextDouble() * 360) - 180, (random.NextDouble() * 170) - 85);
            var b = new Coordinate((random.NextDouble() * 360) - 180, (random.NextDouble() * 170) - 85);
            var inverse = Geodesic.Inverse(a, b);
            var direct = Geodesic.Direct(a, inverse.Azimuth1Degrees, inverse.DistanceMeters);
            var miss = Geodesic.DistanceMeters(direct.End, b);
            Assert.True(miss <= 1e-6, $"{a} -> {b}: missed by {miss} m");
        }
    }

    [Fact]
    public void Inverse_ShanghaiToBeijing_DiffersFromHaversineByMoreThanTheTolerance()
    {
        // The reason the product exists: a sphere is off by hundreds of metres at these distances.
        var shanghai = new Coordinate(121.4737, 31.2304);
        var beijing = new Coordinate(116.4074, 39.9042);
        var geodesic = Geodesic.DistanceMeters(shanghai, beijing);
        var haversine = Haversine(shanghai, beijing);
        Assert.InRange(Math.Abs(geodesic - haversine), 100, 5000);
    }

    private static double Haversine(Coordinate a, Coordinate b)
    {
        const double r = 6371008.8;
        var dLat = double.DegreesToRadians(b.Y - a.Y);
        var dLon = double.DegreesToRadians(b.X - a.X);
        var h = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) +
            (Math.Cos(double.DegreesToRadians(a.Y)) * Math.Cos(double.DegreesToRadians(b.Y)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * r * Math.Asin(Math.Sqrt(h));
    }

    private static void AssertAngle(double expected, double actual, object context, double tolerance = AzimuthToleranceDegrees)
    {
        var diff = Math.Abs(Math.IEEERemainder(actual - expected, 360));
        Assert.True(diff <= tolerance, $"azimuth {actual:R} vs {expected:R} ({context})");
    }
}
