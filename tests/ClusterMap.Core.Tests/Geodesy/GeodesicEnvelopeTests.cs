using ClusterMap.Core.Geodesy;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace ClusterMap.Core.Tests.Geodesy;

public class GeodesicEnvelopeTests
{
    [Theory]
    [InlineData(0.0, 30.0, 32.0, 20_000.0)] // Shanghai-like latitudes, city radii
    [InlineData(1.0, 0.0, 10.0, 2_000_000.0)] // the equator, where a metre is the most latitude
    [InlineData(2.0, 60.0, 88.0, 500_000.0)] // towards and across the pole
    [InlineData(3.0, -89.0, 89.0, 5_000_000.0)] // anywhere, continental radii
    public void Expand_PointsAtExactlyTheRadius_AreInside(double seed, double minLat, double maxLat, double maxRadius)
    {
        var random = new Random((int)seed);
        for (var i = 0; i < 4000; i++)
        {
            var lat = minLat + (random.NextDouble() * (maxLat - minLat));
            var lon = (random.NextDouble() * 360) - 180;
            var box = new Envelope(lon, Math.Min(180, lon + (random.NextDouble() * 0.5)), lat, Math.Min(90, lat + (random.NextDouble() * 0.5)));
            var radius = random.NextDouble() * maxRadius;
            var expanded = GeodesicEnvelope.Expand(box, radius);
            var parts = GeodesicEnvelope.SplitAtAntimeridian(expanded);

            // Start from a corner, an edge or the inside of the box and walk exactly `radius` metres.
            var start = new Coordinate(
                random.Next(3) switch { 0 => box.MinX, 1 => box.MaxX, _ => box.MinX + (random.NextDouble() * box.Width) },
                random.Next(3) switch { 0 => box.MinY, 1 => box.MaxY, _ => box.MinY + (random.NextDouble() * box.Height) });
            var end = Geodesic.Direct(start, (random.NextDouble() * 360) - 180, radius).End;
            Assert.True(parts.Any(p => p.Covers(end)), $"box {box} r {radius}: {end} not in {expanded}");
        }
    }

    [Fact]
    public void Expand_AtShanghai_IsTight()
    {
        // Conservative but not wasteful: at 31 N the box may be at most 1.5 % wider than the true reach
        // (the bound uses the equatorial meridian radius, 1 % below the local one).
        var box = new Envelope(121.47, 121.47, 31.23, 31.23);
        var expanded = GeodesicEnvelope.Expand(box, 10_000);
        var north = Geodesic.Direct(new Coordinate(121.47, 31.23), 0, 10_000).End.Y - 31.23;
        var east = Geodesic.Direct(new Coordinate(121.47, 31.23), 90, 10_000).End.X - 121.47;
        Assert.InRange((expanded.MaxY - 31.23) / north, 1.0, 1.015);
        Assert.InRange((expanded.MaxX - 121.47) / east, 1.0, 1.015);
    }

    [Fact]
    public void Expand_ReachingAPole_SpansAllLongitudes()
    {
        var expanded = GeodesicEnvelope.Expand(new Envelope(10, 11, 89.5, 89.6), 100_000);
        Assert.Equal(-180, expanded.MinX);
        Assert.Equal(180, expanded.MaxX);
        Assert.Equal(90, expanded.MaxY);
    }

    [Fact]
    public void SplitAtAntimeridian_WrapsTheOverflow()
    {
        var parts = GeodesicEnvelope.SplitAtAntimeridian(new Envelope(179, 181, 0, 1));
        Assert.Equal(2, parts.Count);
        Assert.Contains(parts, p => p.MinX == 179 && p.MaxX == 180);
        Assert.Contains(parts, p => p.MinX == -180 && p.MaxX == -179);
    }

    [Fact]
    public void LowerBound_NeverExceedsTheDistanceToAnyPointOfTheBox()
    {
        var random = new Random(17);
        for (var i = 0; i < 20_000; i++)
        {
            var scale = random.Next(3) switch { 0 => 0.05, 1 => 2.0, _ => 40.0 };
            var lat = (random.NextDouble() * 170) - 85;
            var lon = (random.NextDouble() * 360) - 180;
            var box = new Envelope(lon, Math.Min(180, lon + (random.NextDouble() * scale)), lat, Math.Min(90, lat + (random.NextDouble() * scale)));
            var p = new Coordinate(Wrap(lon + ((random.NextDouble() - 0.5) * 4 * scale)), Math.Clamp(lat + ((random.NextDouble() - 0.5) * 4 * scale), -90, 90));
            var q = new Coordinate(box.MinX + (random.NextDouble() * box.Width), box.MinY + (random.NextDouble() * box.Height));
            var bound = GeodesicEnvelope.LowerBoundMeters(p, box);
            var distance = Geodesic.DistanceMeters(p, q);

            // The bound is a proof, not an estimate: 1 µm of slack only absorbs rounding.
            Assert.True(bound <= distance + 1e-6, $"bound {bound} > distance {distance} from {p} to {q} in {box}");
        }
    }

    [Fact]
    public void LowerBound_AtShanghai_IsTight()
    {
        // Within 2 % of the truth at city scale, so nearest-neighbour search prunes almost as well as exact distances would.
        var random = new Random(19);
        for (var i = 0; i < 2000; i++)
        {
            var p = new Coordinate(121 + random.NextDouble(), 31 + random.NextDouble());
            var q = new Coordinate(121 + random.NextDouble(), 31 + random.NextDouble());
            var bound = GeodesicEnvelope.LowerBoundMeters(p, new Envelope(q));
            var distance = Geodesic.DistanceMeters(p, q);
            Assert.InRange(bound, 0.98 * distance, distance + 1e-6);
        }
    }

    [Fact]
    public void LowerBound_BetweenBoxes_NeverExceedsTheDistanceBetweenTheirPoints()
    {
        var random = new Random(23);
        for (var i = 0; i < 5000; i++)
        {
            var a = RandomBox(random);
            var b = RandomBox(random);
            var p = new Coordinate(a.MinX + (random.NextDouble() * a.Width), a.MinY + (random.NextDouble() * a.Height));
            var q = new Coordinate(b.MinX + (random.NextDouble() * b.Width), b.MinY + (random.NextDouble() * b.Height));
            Assert.True(GeodesicEnvelope.LowerBoundMeters(a, b) <= Geodesic.DistanceMeters(p, q) + 1e-6);
        }
    }

    [Theory]
    [InlineData("LINESTRING (88 40, 112 40)")] // bulges north of the 40th parallel
    [InlineData("LINESTRING (-60 -35, -10 -30)")] // bulges south in the southern hemisphere
    [InlineData("POLYGON ((100 50, 140 50, 140 55, 100 55, 100 50))")]
    [InlineData("LINESTRING (120 -5, 150 5)")] // crosses the equator
    public void OfGeometry_ContainsEveryPointOfTheGeodesicEdges(string wkt)
    {
        var geometry = new WKTReader().Read(wkt);
        var box = GeodesicEnvelope.OfGeometry(geometry);

        // 1e-9 degree (0.1 mm) of slack: Direct lands on the vertices themselves only to rounding.
        box.ExpandBy(1e-9);
        var coords = geometry.Coordinates;
        for (var i = 1; i < coords.Length; i++)
        {
            var edge = Geodesic.Inverse(coords[i - 1], coords[i]);
            for (var s = 0; s <= 200; s++)
            {
                var x = Geodesic.Direct(coords[i - 1], edge.Azimuth1Degrees, edge.DistanceMeters * s / 200).End;
                Assert.True(box.Covers(x), $"{x} on edge {i} is outside {box}");
            }
        }
    }

    [Fact]
    public void OfGeometry_WidensBeyondTheVertexBox()
    {
        // The vertex box of a long east-west edge misses the edge's poleward bulge; the geodesic box must not.
        var geometry = new WKTReader().Read("LINESTRING (88 40, 112 40)");
        Assert.Equal(40, geometry.EnvelopeInternal.MaxY);
        Assert.True(GeodesicEnvelope.OfGeometry(geometry).MaxY > 40.5);
    }

    private static Envelope RandomBox(Random random)
    {
        var lat = (random.NextDouble() * 160) - 80;
        var lon = (random.NextDouble() * 340) - 170;
        return new Envelope(lon, lon + (random.NextDouble() * 3), lat, lat + (random.NextDouble() * 3));
    }

    private static double Wrap(double lon) => lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon;
}
