using ClusterMap.Core.Analysis;
using ClusterMap.Core.Geodesy;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tests.Analysis;

public class LambertEqualAreaTests
{
    [Theory]
    [InlineData(121.5, 31.25)]
    [InlineData(0, 0)]
    [InlineData(100, 60)]
    public void ForwardThenInverse_ReturnsThePoint(double lon0, double lat0)
    {
        var projection = new LambertEqualArea(lon0, lat0);
        Assert.Equal((0, 0), projection.Forward(lon0, lat0));
        var random = new Random(1);
        for (var i = 0; i < 200; i++)
        {
            var lon = lon0 + ((random.NextDouble() - 0.5) * 10);
            var lat = Math.Clamp(lat0 + ((random.NextDouble() - 0.5) * 10), -89, 89);
            var (x, y) = projection.Forward(lon, lat);
            var back = projection.Inverse(x, y);
            // 1e-8° is about a millimetre: the authalic-latitude series is far better than that.
            Assert.Equal(lon, back.X, 8);
            Assert.Equal(lat, back.Y, 8);
        }
    }

    [Theory]
    [InlineData(121.3, 31.1, 0.1, 0.1)]
    [InlineData(120.8, 30.6, 1.4, 1.3)]
    [InlineData(125.0, 40.0, 2.0, 1.0)]
    public void ProjectedArea_EqualsEllipsoidArea(double lon, double lat, double width, double height)
    {
        // A lon/lat quadrilateral: its area on the ellipsoid by integrating M(φ) N(φ) cos φ (Simpson), independent of
        // the projection's own formulas; and its area on the plane by the shoelace formula over a densely sampled boundary.
        var projection = new LambertEqualArea(121.5, 31.25);
        var reference = QuadArea(lat, lat + height) * double.DegreesToRadians(width);
        var ring = new List<(double X, double Y)>();
        const int Steps = 2000;
        for (var s = 0; s < Steps; s++)
        {
            ring.Add(projection.Forward(lon + (width * s / Steps), lat));
        }

        for (var s = 0; s < Steps; s++)
        {
            ring.Add(projection.Forward(lon + width, lat + (height * s / Steps)));
        }

        for (var s = 0; s < Steps; s++)
        {
            ring.Add(projection.Forward(lon + width - (width * s / Steps), lat + height));
        }

        for (var s = 0; s < Steps; s++)
        {
            ring.Add(projection.Forward(lon, lat + height - (height * s / Steps)));
        }

        Assert.Equal(1, Shoelace(ring) / reference, 7);
    }

    /// <summary>Area on the ellipsoid of a lon/lat polygon whose edges are straight on the projection plane (densified).</summary>
    internal static double EllipsoidAreaOfLonLatPolygon(Coordinate[] ring, int densify)
    {
        // Projected with another centre than the grid's: equal-area all the same, so the plane area is the ground area.
        var projection = new LambertEqualArea(ring[0].X + 0.3, ring[0].Y - 0.2);
        var points = new List<(double X, double Y)>();
        for (var i = 0; i < ring.Length - 1; i++)
        {
            for (var s = 0; s < densify; s++)
            {
                var t = (double)s / densify;
                points.Add(projection.Forward(ring[i].X + (t * (ring[i + 1].X - ring[i].X)), ring[i].Y + (t * (ring[i + 1].Y - ring[i].Y))));
            }
        }

        return Shoelace(points);
    }

    private static double Shoelace(List<(double X, double Y)> ring)
    {
        var sum = 0.0;
        for (var i = 0; i < ring.Count; i++)
        {
            var (x1, y1) = ring[i];
            var (x2, y2) = ring[(i + 1) % ring.Count];
            sum += (x1 * y2) - (x2 * y1);
        }

        return Math.Abs(sum) / 2;
    }

    // ∫ M(φ) N(φ) cos φ dφ between two latitudes (per radian of longitude), Simpson's rule.
    private static double QuadArea(double lat1, double lat2)
    {
        const int N = 2000;
        double a = Wgs84.SemiMajorAxisMeters, e2 = Wgs84.EccentricitySquared;
        double F(double phi)
        {
            var w = 1 - (e2 * Math.Sin(phi) * Math.Sin(phi));
            return a * (1 - e2) / Math.Pow(w, 1.5) * (a / Math.Sqrt(w)) * Math.Cos(phi);
        }

        double p1 = double.DegreesToRadians(lat1), p2 = double.DegreesToRadians(lat2), h = (p2 - p1) / N;
        var sum = F(p1) + F(p2);
        for (var i = 1; i < N; i++)
        {
            sum += F(p1 + (i * h)) * (i % 2 == 1 ? 4 : 2);
        }

        return sum * h / 3;
    }
}
