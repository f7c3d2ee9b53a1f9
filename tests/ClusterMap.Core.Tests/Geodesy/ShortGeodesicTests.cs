using ClusterMap.Core.Geodesy;
using Xunit.Abstractions;

namespace ClusterMap.Core.Tests.Geodesy;

/// <summary>
/// The short-line kernel of <see cref="ShortGeodesic"/> against Karney's inverse problem (point to point) and the exact
/// Newton solution of <see cref="GeodesicSegmentDistance"/> (point to edge), over random pairs everywhere the kernel
/// is allowed to answer. The bounds asserted are the constants the kernel states; the measured maxima are printed.
/// </summary>
public sealed class ShortGeodesicTests(ITestOutputHelper output)
{
    [Fact]
    public void Distance_OverAMillionRandomPairsWithinReach_IsWithinTheStatedBoundOfKarney()
    {
        var random = new Random(20261129);
        var maxError = 0.0;
        var worst = string.Empty;
        var answered = 0;
        for (var i = 0; i < 1_000_000; i++)
        {
            var (lon1, lat1, lon2, lat2) = RandomPair(random, ShortGeodesic.ReachMeters);
            ShortGeodesic.ToEcef(lon1, lat1, out var x1, out var y1, out var z1);
            ShortGeodesic.ToEcef(lon2, lat2, out var x2, out var y2, out var z2);
            var fast = ShortGeodesic.Distance(x1, y1, z1, x2, y2, z2);
            if (double.IsNaN(fast))
            {
                // Only a chord longer than the reach may be declined, and a geodesic is never shorter than its chord.
                Assert.True(Geodesic.DistanceMeters(lon1, lat1, lon2, lat2) > ShortGeodesic.ReachMeters, $"declined ({lon1}, {lat1}) → ({lon2}, {lat2})");
                continue;
            }

            answered++;
            var exact = Geodesic.DistanceMeters(lon1, lat1, lon2, lat2);
            var error = Math.Abs(fast - exact);
            if (error > maxError)
            {
                maxError = error;
                worst = $"({lon1}, {lat1}) → ({lon2}, {lat2}): exact {exact} m, kernel {fast} m";
            }
        }

        output.WriteLine($"{answered:N0} pairs answered; max |kernel − Karney| = {maxError * 1e6:F3} µm at {worst}");
        Assert.True(answered > 990_000, $"only {answered} pairs answered");
        Assert.True(maxError < ShortGeodesic.ErrorBoundMeters, $"max error {maxError} m at {worst}");
    }

    [Fact]
    public void Distance_BeyondReach_IsDeclined_AndAtZeroIsZero()
    {
        ShortGeodesic.ToEcef(121.47, 31.23, out var x1, out var y1, out var z1);
        var far = Geodesic.Direct(new(121.47, 31.23), 45, ShortGeodesic.ReachMeters + 10).End;
        ShortGeodesic.ToEcef(far.X, far.Y, out var x2, out var y2, out var z2);
        Assert.True(double.IsNaN(ShortGeodesic.Distance(x1, y1, z1, x2, y2, z2)));
        Assert.Equal(0, ShortGeodesic.Distance(x1, y1, z1, x1, y1, z1));
    }

    [Fact]
    public void PointToEdge_OnRandomShortEdges_IsWithinTheStatedBoundOfTheExactSegmentDistance()
    {
        var random = new Random(4);
        var maxError = 0.0;
        var worst = string.Empty;
        var answered = 0;
        for (var i = 0; i < 200_000; i++)
        {
            // An edge up to the fast path's length anywhere to ±85°, and a point up to 50 km from its start, often close.
            var lat = (random.NextDouble() * 170) - 85;
            var lon = NearAntimeridianOrAnywhere(random);
            var length = ShortGeodesic.MaxEdgeMeters * random.NextDouble();
            var b = Geodesic.Direct(new(lon, lat), (random.NextDouble() * 360) - 180, length).End;
            var reach = random.Next(3) == 0 ? 2_000 : 45_000;
            var p = Geodesic.Direct(new(lon, lat), (random.NextDouble() * 360) - 180, reach * random.NextDouble()).End;
            ShortGeodesic.ToEcef(p.X, p.Y, out var px, out var py, out var pz);
            ShortGeodesic.ToEcef(lon, lat, out var ax, out var ay, out var az);
            ShortGeodesic.ToEcef(b.X, b.Y, out var bx, out var by, out var bz);
            var fast = ShortGeodesic.PointToEdge(px, py, pz, ax, ay, az, bx, by, bz);
            if (double.IsNaN(fast))
            {
                continue;
            }

            answered++;
            var exact = GeodesicSegmentDistance.PointToSegment(p.X, p.Y, lon, lat, b.X, b.Y);
            var error = Math.Abs(fast - exact);
            if (error > maxError)
            {
                maxError = error;
                worst = $"P ({p.X}, {p.Y}) to ({lon}, {lat})–({b.X}, {b.Y}): exact {exact} m, fast {fast} m";
            }
        }

        output.WriteLine($"{answered:N0} point-edge pairs answered; max |fast − exact| = {maxError * 1e6:F3} µm at {worst}");
        Assert.True(answered > 190_000, $"only {answered} pairs answered");
        Assert.True(maxError < ShortGeodesic.EdgeErrorBoundMeters, $"max error {maxError} m at {worst}");
    }

    [Fact]
    public void ChordSagittaBound_KeepsTheChordDistanceBelowTheExactDistanceToTheEdge()
    {
        // The polygon screen of the radius query skips an edge when dist(P, chord) − bound exceeds the best distance
        // so far; that is sound only if dist(P, chord) − bound never exceeds the exact distance to the geodesic edge.
        // Points are put on, beside and beyond edges up to the kernel's longest, where the edge bulges most (up to
        // 2 m above its chord at 10 km), so a bound of zero fails here.
        var random = new Random(7);
        var tightest = double.PositiveInfinity;
        var worst = string.Empty;
        for (var i = 0; i < 100_000; i++)
        {
            var lat = (random.NextDouble() * 170) - 85;
            var lon = NearAntimeridianOrAnywhere(random);
            var azimuth = (random.NextDouble() * 360) - 180;
            var length = ShortGeodesic.MaxEdgeMeters * (random.Next(2) == 0 ? 1 - (0.1 * random.NextDouble()) : random.NextDouble());
            var b = Geodesic.Direct(new(lon, lat), azimuth, length).End;
            var foot = Geodesic.Direct(new(lon, lat), azimuth, length * random.NextDouble()).End;
            var offset = random.Next(3) switch { 0 => 0, 1 => 50 * random.NextDouble(), _ => 20_000 * random.NextDouble() };
            var p = Geodesic.Direct(foot, (random.NextDouble() * 360) - 180, offset).End;
            ShortGeodesic.ToEcef(p.X, p.Y, out var px, out var py, out var pz);
            ShortGeodesic.ToEcef(lon, lat, out var ax, out var ay, out var az);
            ShortGeodesic.ToEcef(b.X, b.Y, out var bx, out var by, out var bz);
            double ex = bx - ax, ey = by - ay, ez = bz - az;
            var bound = ShortGeodesic.ChordSagittaBound((ex * ex) + (ey * ey) + (ez * ez));
            var lower = Math.Sqrt(ShortGeodesic.ChordSegmentDistanceSquared(px, py, pz, ax, ay, az, bx, by, bz)) - bound;
            var exact = GeodesicSegmentDistance.PointToSegment(p.X, p.Y, lon, lat, b.X, b.Y);
            if (exact - lower < tightest)
            {
                tightest = exact - lower;
                worst = $"P ({p.X}, {p.Y}) to ({lon}, {lat})–({b.X}, {b.Y}): exact {exact} m, chord bound {lower} m";
            }
        }

        output.WriteLine($"smallest margin exact − (chord distance − sagitta bound) = {tightest * 1e3:F3} mm at {worst}");
        Assert.True(tightest >= 0, $"the chord bound exceeds the exact distance at {worst}");
    }

    // The chord thresholds decide "within x" and "beyond x" for the distance the engine reports (the kernel's, or
    // Karney's beyond the kernel's reach) from the straight chord alone. Over random pairs up to 60 km (some beyond the
    // reach) and edges x placed at the reported distance ± 0 to 5 cm, a threshold must never contradict that distance;
    // and the window the chord leaves undecided must be no wider than the margin plus the arc's excess over the chord,
    // c x² / (24 M(0)²) (K taken 1e-4 larger for rounding), plus the margin: 4 cm at 35 km.
    [Fact]
    public void ChordThresholds_OverRandomPairs_NeverContradictTheReportedDistance_AndLeaveANarrowWindow()
    {
        var random = new Random(20261207);
        var m0 = Wgs84.MinMeridionalRadiusMeters;
        var k = 1.0001 / (24 * m0 * m0);
        var margin = ShortGeodesic.ChordMarginMeters;
        double[] offsets = [0, 1e-6, -1e-6, 5e-5, -5e-5, 1e-4, -1e-4, 1.5e-4, -1.5e-4, 1e-3, -1e-3, 1e-2, -1e-2, 5e-2, -5e-2];
        int within = 0, beyond = 0;
        for (var i = 0; i < 300_000; i++)
        {
            var (lon1, lat1, lon2, lat2) = RandomPair(random, 60_000);
            ShortGeodesic.ToEcef(lon1, lat1, out var x1, out var y1, out var z1);
            ShortGeodesic.ToEcef(lon2, lat2, out var x2, out var y2, out var z2);
            double dx = x2 - x1, dy = y2 - y1, dz = z2 - z1;
            var chordSquared = (dx * dx) + (dy * dy) + (dz * dz);
            var d = ShortGeodesic.Distance(x1, y1, z1, x2, y2, z2);
            d = double.IsNaN(d) ? Geodesic.DistanceMeters(lon1, lat1, lon2, lat2) : d;
            foreach (var offset in offsets)
            {
                var x = d + offset;
                var where = $"({lon1}, {lat1}) → ({lon2}, {lat2}), d {d} m, edge at d {offset:+0.######;-0.######} m";
                if (chordSquared <= ShortGeodesic.SurelyWithinChordSquared(x))
                {
                    Assert.True(d <= x - margin, $"proven within but beyond: {where}");
                    within++;
                }

                if (chordSquared > ShortGeodesic.SurelyBeyondChordSquared(x))
                {
                    Assert.True(d > x + margin, $"proven beyond but within: {where}");
                    beyond++;
                }
            }

            var c = Math.Sqrt(chordSquared);
            if (c < ShortGeodesic.ReachMeters * 0.999)
            {
                var x = d + (2 * margin) + (k * c * (d + 1) * (d + 1)) + 1e-7;
                Assert.True(chordSquared <= ShortGeodesic.SurelyWithinChordSquared(x), $"window too wide above ({lon1}, {lat1}) → ({lon2}, {lat2}), d {d} m");
            }

            Assert.True(c < 2 * margin || chordSquared > ShortGeodesic.SurelyBeyondChordSquared(c - (2 * margin)), $"window too wide below ({lon1}, {lat1}) → ({lon2}, {lat2})");
        }

        output.WriteLine($"{within:N0} edges proven within, {beyond:N0} proven beyond");
        Assert.True(within > 500_000 && beyond > 300_000, $"only {within} within and {beyond} beyond");
    }

    [Fact]
    public void PointToEdge_OnALongEdge_IsDeclined()
    {
        var a = new NetTopologySuite.Geometries.Coordinate(121.47, 31.23);
        var b = Geodesic.Direct(a, 80, ShortGeodesic.MaxEdgeMeters * 1.01).End;
        ShortGeodesic.ToEcef(a.X, a.Y, out var ax, out var ay, out var az);
        ShortGeodesic.ToEcef(b.X, b.Y, out var bx, out var by, out var bz);
        Assert.True(double.IsNaN(ShortGeodesic.PointToEdge(ax, ay, az, ax, ay, az, bx, by, bz)));
    }

    private static (double Lon1, double Lat1, double Lon2, double Lat2) RandomPair(Random random, double reach)
    {
        var lat = (random.NextDouble() * 178) - 89;
        var lon = NearAntimeridianOrAnywhere(random);
        var azimuth = (random.NextDouble() * 360) - 180;

        // Every distance 0–reach, with a share of very short ones (metres) where rounding would show.
        var distance = random.Next(10) == 0 ? random.NextDouble() * 10 : random.NextDouble() * reach;
        var line = GeodesicLine.FromAzimuth(lat, lon, azimuth);
        line.Position(distance, out var lat2, out var lon2, out _, out _);
        return (lon, lat, lon2, lat2);
    }

    private static double NearAntimeridianOrAnywhere(Random random) =>
        random.Next(10) == 0
            ? (random.Next(2) == 0 ? 180 - (random.NextDouble() * 0.25) : -180 + (random.NextDouble() * 0.25))
            : (random.NextDouble() * 360) - 180;
}
