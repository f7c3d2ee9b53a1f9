using ClusterMap.Core.Geodesy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tests.Geodesy;

/// <summary>
/// Properties of the geodesic solution over random points anywhere on the ellipsoid (FsCheck), poles and nearly
/// antipodal pairs included. Tolerances: Karney's method is accurate to about 15 nm, so 1 µm absolute (plus a
/// relative 1e-12 for the rounding of sums of 20,000 km lengths) leaves room only for rounding, not for a wrong
/// branch of the solution.
/// </summary>
public sealed class GeodesicProperties
{
    private static readonly Arbitrary<Coordinate> _points =
        Gen.Choose(-180_000_000, 180_000_000).SelectMany(lon => Gen.Choose(-90_000_000, 90_000_000).Select(lat => new Coordinate(lon / 1e6, lat / 1e6)))
            .ToArbitrary();

    private static double Tolerance(double meters) => 1e-6 + (1e-12 * meters);

    [Property(MaxTest = 300)]
    public Property Distance_IsSymmetric() =>
        Prop.ForAll(_points, _points, (a, b) =>
        {
            var ab = Geodesic.DistanceMeters(a, b);
            return Math.Abs(ab - Geodesic.DistanceMeters(b, a)) <= Tolerance(ab);
        });

    [Property(MaxTest = 300)]
    public Property Distance_IsZeroOnlyToItselfAndNeverNegative() =>
        Prop.ForAll(_points, _points, (a, b) =>
            Geodesic.DistanceMeters(a, a) == 0 && Geodesic.DistanceMeters(a, b) >= 0 && Geodesic.DistanceMeters(a, b) <= 20_004_000);

    [Property(MaxTest = 300)]
    public Property Distance_ObeysTheTriangleInequality() =>
        Prop.ForAll(_points, _points, _points, (a, b, c) =>
        {
            var ac = Geodesic.DistanceMeters(a, c);
            var viaB = Geodesic.DistanceMeters(a, b) + Geodesic.DistanceMeters(b, c);
            return ac <= viaB + Tolerance(viaB);
        });

    [Property(MaxTest = 300)]
    public Property Direct_OfTheInverse_EndsAtTheSecondPoint() =>
        Prop.ForAll(_points, _points, (a, b) =>
        {
            var inverse = Geodesic.Inverse(a, b);
            var end = Geodesic.Direct(a, inverse.Azimuth1Degrees, inverse.DistanceMeters).End;
            // Measured as a distance, since longitude means nothing at a pole.
            var miss = Geodesic.DistanceMeters(end, b);
            return (miss <= 1e-5).Label($"Direct ends {miss} m from the point (distance {inverse.DistanceMeters} m)");
        });
}
