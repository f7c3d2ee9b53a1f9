using ClusterMap.Core.Geodesy;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tests.Geodesy;

public class LocalDistanceBoundTests
{
    // The bound must never exceed the exact (Karney) distance of a target within reach; no tolerance: it is a proof.
    [Theory]
    [InlineData(1, 30.0, 33.0, 1_000.0)] // Shanghai latitudes, the radius queries of the service
    [InlineData(2, 20.0, 45.0, 20_000.0)] // all of China, city-wide radii
    [InlineData(3, -1.0, 1.0, 50_000.0)] // across the equator, where the band's nearest latitude is 0
    [InlineData(4, 70.0, 89.9, 200_000.0)] // near and over the pole, where the parallel's radius vanishes
    [InlineData(5, -60.0, -30.0, 5_000.0)] // the southern hemisphere
    public void LowerBound_NeverExceedsTheGeodesicDistance_WithinReach(int seed, double minLat, double maxLat, double reach)
    {
        var random = new Random(seed);
        for (var i = 0; i < 20_000; i++)
        {
            var lat0 = minLat + (random.NextDouble() * (maxLat - minLat));
            var lon0 = (random.NextDouble() * 360) - 180;
            var bound = new LocalDistanceBound(lon0, lat0, reach);
            var distance = reach * Math.Sqrt(random.NextDouble()) * (random.Next(4) == 0 ? 1 : 1.5);
            var end = Geodesic.Direct(new Coordinate(lon0, lat0), (random.NextDouble() * 360) - 180, distance).End;
            var exact = Geodesic.DistanceMeters(lon0, lat0, end.X, end.Y);
            if (exact > reach)
            {
                continue;
            }

            Assert.True(bound.LowerBoundMeters(end.X, end.Y) <= exact, $"({lon0}, {lat0}) → {end}: bound {bound.LowerBoundMeters(end.X, end.Y)} > exact {exact}");
            Assert.False(bound.ProvesBoxBeyond(end.X, end.X, end.Y, end.Y, Math.Min(reach, exact)));
        }
    }

    [Theory]
    [InlineData(7, 30.0, 33.0, 5_000.0)]
    [InlineData(8, -70.0, 70.0, 50_000.0)]
    public void ProvesBoxBeyond_NeverDropsABoxWithAPointWithinTheCutoff(int seed, double minLat, double maxLat, double reach)
    {
        // Boxes around the origin, some straddling the antimeridian side of it; every box proven beyond must hold
        // no sampled point within the cut-off, and boxes holding such a point must not be proven beyond.
        var random = new Random(seed);
        var proven = 0;
        for (var i = 0; i < 5_000; i++)
        {
            var lat0 = minLat + (random.NextDouble() * (maxLat - minLat));
            var lon0 = random.Next(5) == 0 ? 179.99 - (random.NextDouble() * 0.02) : (random.NextDouble() * 300) - 150;
            var bound = new LocalDistanceBound(lon0, lat0, reach);
            var corner = Geodesic.Direct(new Coordinate(lon0, lat0), (random.NextDouble() * 360) - 180, reach * random.NextDouble()).End;
            var width = reach / 100_000 * random.NextDouble();
            var height = reach / 100_000 * random.NextDouble();
            var minLon = Math.Max(-180, corner.X - width);
            var maxLon = Math.Min(180, corner.X + width);
            var cutoff = reach * random.NextDouble();
            var provesBeyond = bound.ProvesBoxBeyond(minLon, maxLon, corner.Y - height, corner.Y + height, cutoff);
            proven += provesBeyond ? 1 : 0;
            for (var s = 0; s < 20; s++)
            {
                var lon = minLon + (random.NextDouble() * (maxLon - minLon));
                var lat = corner.Y - height + (random.NextDouble() * 2 * height);
                var exact = Geodesic.DistanceMeters(lon0, lat0, lon, lat);
                Assert.False(provesBeyond && exact <= cutoff, $"box [{minLon}, {maxLon}] × [{corner.Y - height}, {corner.Y + height}] proven beyond {cutoff} of ({lon0}, {lat0}) holds ({lon}, {lat}) at {exact}");
            }
        }

        Assert.True(proven > 500, $"only {proven} boxes proven beyond");
    }

    // Boxes of up to a few kilometres anywhere within the reach: every sampled point's exact distance lies between
    // the box's lower and upper bounds (no tolerance: both are proofs), and at Shanghai with a 35 km reach the upper
    // bound of a point is within 0.5 % of its distance (p varies by tan φ · reach / M ≈ 0.3 % over the band), so the
    // research base's node counts are not starved by a loose bound.
    [Theory]
    [InlineData(11, 30.0, 33.0, 30_000.0)]
    [InlineData(12, -80.0, 80.0, 60_000.0)]
    [InlineData(13, -1.0, 1.0, 20_000.0)]
    public void BoxBounds_BracketTheGeodesicDistanceOfEveryPointInTheBox(int seed, double minLat, double maxLat, double reach)
    {
        var random = new Random(seed);
        var bounded = 0;
        for (var i = 0; i < 3_000; i++)
        {
            var lat0 = minLat + (random.NextDouble() * (maxLat - minLat));
            var lon0 = (random.NextDouble() * 300) - 150;
            var bound = new LocalDistanceBound(lon0, lat0, reach);
            var corner = Geodesic.Direct(new Coordinate(lon0, lat0), (random.NextDouble() * 360) - 180, reach * random.NextDouble()).End;
            var width = 0.03 * random.NextDouble();
            var height = 0.03 * random.NextDouble();
            var (minLon, maxLon, boxMinLat, boxMaxLat) = (corner.X - width, corner.X + width, corner.Y - height, corner.Y + height);
            var lower = bound.LowerBoundToBox(minLon, maxLon, boxMinLat, boxMaxLat, reach);
            var upper = bound.UpperBoundToBox(minLon, maxLon, boxMinLat, boxMaxLat);
            bounded += double.IsFinite(upper) ? 1 : 0;
            for (var s = 0; s < 20; s++)
            {
                var lon = minLon + (random.NextDouble() * (maxLon - minLon));
                var lat = boxMinLat + (random.NextDouble() * (boxMaxLat - boxMinLat));
                var exact = Geodesic.DistanceMeters(lon0, lat0, lon, lat);
                Assert.True(lower <= exact, $"lower {lower} > exact {exact}");
                Assert.True(upper >= exact, $"upper {upper} < exact {exact}");
            }
        }

        Assert.True(bounded > 2_000, $"only {bounded} boxes with a finite upper bound");
        var origin = new Coordinate(121.47, 31.23);
        var shanghai = new LocalDistanceBound(origin.X, origin.Y, 35_000);
        for (var i = 0; i < 2_000; i++)
        {
            var end = Geodesic.Direct(origin, (random.NextDouble() * 360) - 180, 1_000 + (random.NextDouble() * 29_000)).End;
            Assert.InRange(shanghai.UpperBoundToBox(end.X, end.X, end.Y, end.Y), Geodesic.DistanceMeters(origin, end), Geodesic.DistanceMeters(origin, end) * 1.005);
        }
    }

    [Fact]
    public void LowerBound_AtShanghai_IsWithinTwoTenThousandthsOfTheDistance()
    {
        var random = new Random(6);
        for (var i = 0; i < 5_000; i++)
        {
            var origin = new Coordinate(121.47, 31.23);
            var bound = new LocalDistanceBound(origin.X, origin.Y, 1_000);
            var end = Geodesic.Direct(origin, (random.NextDouble() * 360) - 180, 1 + (random.NextDouble() * 999)).End;
            var exact = Geodesic.DistanceMeters(origin, end);
            Assert.InRange(bound.LowerBoundMeters(end.X, end.Y), exact * (1 - 2e-4), exact);
        }
    }

    [Fact]
    public void ProvesBoxBeyond_AcrossTheAntimeridian_UsesTheShortWayRound()
    {
        var bound = new LocalDistanceBound(179.9995, 0, 1_000);
        var exact = Geodesic.DistanceMeters(179.9995, 0, -179.9995, 0);
        Assert.False(bound.ProvesBoxBeyond(-179.9995, -179.9995, 0, 0, exact));
        Assert.True(bound.ProvesBoxBeyond(-179.9995, -179.9995, 0, 0, exact * 0.999));
    }
}
