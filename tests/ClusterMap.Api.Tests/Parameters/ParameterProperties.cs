using System.Globalization;
using ClusterMap.Api.Parameters;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClusterMap.Api.Tests.Parameters;

/// <summary>
/// Properties of the query parameter parsers over generated input (FsCheck): they never throw, accept exactly
/// their documented form, and read back what a client formats.
/// </summary>
public sealed class ParameterProperties
{
    private static readonly CultureInfo _invariant = CultureInfo.InvariantCulture;

    private static Gen<double> Uniform(double min, double max) =>
        Gen.Choose(0, int.MaxValue).Select(i => min + ((max - min) * i / int.MaxValue));

    private static Arbitrary<double> Between(double min, double max) => Uniform(min, max).ToArbitrary();

    private static readonly Arbitrary<(double West, double East, double South, double North)> _boxes =
        Uniform(-180, 180).SelectMany(w => Uniform(-180, 180).SelectMany(e => Uniform(-90, 90).SelectMany(a => Uniform(-90, 90)
            .Select(b => (w, e, Math.Min(a, b), Math.Max(a, b)))))).ToArbitrary();

    [Property(MaxTest = 500)]
    public bool AnyString_NeverThrowsAndOnlyAcceptsFiniteInRange(string? text)
    {
        text ??= "";
        var lonOk = ProximityParameters.TryParseLongitude(text, out var lon);
        var latOk = ProximityParameters.TryParseLatitude(text, out var lat);
        var distanceOk = ProximityParameters.TryParseDistance(text, out var meters);
        ProximityParameters.TryParseRings(text, out _);
        BboxParameter.TryParse(text, out _);
        TileAddressParameter.TryParse(text, text, text, out _, out _);
        return (!lonOk || (double.IsFinite(lon) && lon is >= -180 and <= 180))
            && (!latOk || (double.IsFinite(lat) && lat is >= -90 and <= 90))
            && (!distanceOk || meters is > 0 and <= ProximityParameters.MaxDistanceMeters);
    }

    [Property]
    public Property Longitude_FormattedRoundTrip_ReadsBackExactly() =>
        Prop.ForAll(Between(-180, 180), lon =>
            ProximityParameters.TryParseLongitude(lon.ToString("R", _invariant), out var read) && read.Equals(lon));

    [Property]
    public Property Latitude_OutsideRange_IsRefused() =>
        Prop.ForAll(Between(90.000001, 1e300), lat =>
            !ProximityParameters.TryParseLatitude(lat.ToString("R", _invariant), out _) && !ProximityParameters.TryParseLatitude((-lat).ToString("R", _invariant), out _));

    [Property]
    public bool K_IsAcceptedExactlyFrom1To1000(int k) =>
        ProximityParameters.TryParseK(k.ToString(_invariant), out var read) == (k is >= 1 and <= ProximityParameters.MaxK) && (read == k || k is < 1 or > ProximityParameters.MaxK);

    [Property]
    public Property Bbox_AnyValidBox_IsAcceptedAndSplitOnlyAcrossTheAntimeridian() =>
        Prop.ForAll(_boxes, box =>
        {
            var (west, east, south, north) = box;
            var text = string.Join(",", new[] { west, south, east, north }.Select(v => v.ToString("R", _invariant)));
            return BboxParameter.TryParse(text, out var parts)
                && parts.Count == (west <= east ? 1 : 2)
                && parts.All(p => p.MinY.Equals(south) && p.MaxY.Equals(north))
                && parts[0].MinX.Equals(west)
                && parts[^1].MaxX.Equals(east);
        });

    [Property]
    public Property Bbox_SouthAboveNorth_IsRefused() =>
        Prop.ForAll(Between(-90, 89), Between(0.000001, 90), (south, gap) =>
            !BboxParameter.TryParse(string.Create(_invariant, $"121,{Math.Min(90, south + gap):R},122,{south:R}"), out _) || south + gap > 90);

    [Property]
    public Property Rings_IncreasingDistances_AreAcceptedAndTheirReverseRefused() =>
        Prop.ForAll(Gen.Choose(1, ProximityParameters.MaxRings).SelectMany(n => Gen.ArrayOf(Gen.Choose(1, 1_000_000), n)).ToArbitrary(), steps =>
        {
            var rings = new List<double>();
            var total = 0.0;
            foreach (var step in steps)
            {
                total += step;
                rings.Add(total);
            }

            var text = string.Join(",", rings.Select(r => r.ToString("R", _invariant)));
            var reversed = string.Join(",", rings.AsEnumerable().Reverse().Select(r => r.ToString("R", _invariant)));
            return ProximityParameters.TryParseRings(text, out var read) && read.SequenceEqual(rings)
                && (rings.Count == 1 || !ProximityParameters.TryParseRings(reversed, out _));
        });

    [Property]
    public Property Tile_AddressInsideThePyramid_IsAcceptedOutsideRefused() =>
        Prop.ForAll(Gen.Choose(0, 22).ToArbitrary(), Gen.Choose(-5, int.MaxValue).ToArbitrary(), Gen.Choose(-5, int.MaxValue).ToArbitrary(), (z, x, y) =>
        {
            var size = 1L << z;
            var inside = x >= 0 && y >= 0 && x < size && y < size;
            var accepted = TileAddressParameter.TryParse(z.ToString(_invariant), x.ToString(_invariant), y.ToString(_invariant) + "@2x", out var tile, out var scale);
            return accepted == inside && (!accepted || (tile.Z == z && tile.X == x && tile.Y == y && scale == 2));
        });
}
