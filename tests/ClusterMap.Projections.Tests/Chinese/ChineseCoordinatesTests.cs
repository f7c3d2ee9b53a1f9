using ClusterMap.Core.Geodesy;
using ClusterMap.Projections.Chinese;
using ClusterMap.Projections.Tests.Fixtures;
using NetTopologySuite.Geometries;

namespace ClusterMap.Projections.Tests.Chinese;

/// <summary>
/// Reference values from shared/geodata-sources/checks/gcj_offset.py (the published formulas in Python), recorded in
/// Fixtures/gcj_offsets.csv by Fixtures/generate_fixtures.sh.
/// </summary>
public class ChineseCoordinatesTests
{
    public static TheoryData<string> Places() => [.. Fixture.Rows("gcj_offsets.csv").Select(r => r["place"])];

    private static Dictionary<string, string> Row(string place) => Fixture.Rows("gcj_offsets.csv").Single(r => r["place"] == place);

    private static double Meters(Coordinate a, Coordinate b) => Geodesic.DistanceMeters(a, b);

    [Theory]
    [MemberData(nameof(Places))]
    public void Wgs84ToGcj02_MatchesThePythonReference(string place)
    {
        var row = Row(place);
        var gcj = ChineseCoordinates.Wgs84ToGcj02(new Coordinate(row.Number("lon"), row.Number("lat")));

        // Same formula in the same double arithmetic: agreement to 1e-9° (0.1 mm) allows only for the order of operations.
        Assert.Equal(row.Number("gcj_lon"), gcj.X, 1e-9);
        Assert.Equal(row.Number("gcj_lat"), gcj.Y, 1e-9);
    }

    [Theory]
    [MemberData(nameof(Places))]
    public void Wgs84ToBd09_MatchesThePythonReference(string place)
    {
        var row = Row(place);
        var bd = ChineseCoordinates.Wgs84ToBd09(new Coordinate(row.Number("lon"), row.Number("lat")));

        Assert.Equal(row.Number("bd_lon"), bd.X, 1e-9);
        Assert.Equal(row.Number("bd_lat"), bd.Y, 1e-9);
    }

    [Theory]
    [MemberData(nameof(Places))]
    public void Offsets_ReproduceThePublishedShanghaiMagnitudes(string place)
    {
        var row = Row(place);
        var wgs = new Coordinate(row.Number("lon"), row.Number("lat"));

        // The Python table measures with a sphere (haversine, R = 6371008.8 m); we measure on the ellipsoid, which
        // differs by up to 0.5 % at this latitude: 3 m on 480 m, 6 m on 1.1 km.
        Assert.Equal(row.Number("gcj_offset_m"), Meters(wgs, ChineseCoordinates.Wgs84ToGcj02(wgs)), 3.0);
        Assert.Equal(row.Number("bd_offset_m"), Meters(wgs, ChineseCoordinates.Wgs84ToBd09(wgs)), 6.0);
    }

    [Fact]
    public void PeoplesSquare_Gcj02OffsetIs481Meters()
    {
        var wgs = new Coordinate(121.4737, 31.2304);

        Assert.Equal(481, Meters(wgs, ChineseCoordinates.Wgs84ToGcj02(wgs)), 2.0);
    }

    [Theory]
    [MemberData(nameof(Places))]
    public void Gcj02RoundTrip_ReturnsWithinOneCentimetre(string place)
    {
        var row = Row(place);
        var wgs = new Coordinate(row.Number("lon"), row.Number("lat"));

        var back = ChineseCoordinates.Gcj02ToWgs84(ChineseCoordinates.Wgs84ToGcj02(wgs));

        Assert.True(Meters(wgs, back) < 0.01, $"round trip error {Meters(wgs, back)} m");
    }

    [Theory]
    [MemberData(nameof(Places))]
    public void Bd09RoundTrip_ReturnsWithinOneCentimetre(string place)
    {
        var row = Row(place);
        var wgs = new Coordinate(row.Number("lon"), row.Number("lat"));

        var back = ChineseCoordinates.Bd09ToWgs84(ChineseCoordinates.Wgs84ToBd09(wgs));

        Assert.True(Meters(wgs, back) < 0.01, $"round trip error {Meters(wgs, back)} m");
    }

    [Fact]
    public void RoundTrip_AcrossMainlandChinaGrid_StaysUnderOneCentimetre()
    {
        var worst = 0.0;
        for (var lon = 75.0; lon <= 134.0; lon += 1.7)
        {
            for (var lat = 18.5; lat <= 53.0; lat += 1.3)
            {
                var wgs = new Coordinate(lon, lat);
                worst = Math.Max(worst, Meters(wgs, ChineseOffsets.Gcj02ToWgs84(ChineseOffsets.Wgs84ToGcj02(wgs))));
                worst = Math.Max(worst, Meters(wgs, ChineseOffsets.Bd09ToWgs84(ChineseOffsets.Wgs84ToBd09(wgs))));
            }
        }

        Assert.True(worst < 0.01, $"worst round trip error {worst} m");
    }

    [Theory]
    [InlineData("Seoul", 126.978, 37.5665)]
    [InlineData("Hong Kong", 114.1694, 22.3193)]
    [InlineData("Taipei", 121.5654, 25.033)]
    public void OutsideMainlandChina_Gcj02IsWgs84(string place, double lon, double lat)
    {
        var wgs = new Coordinate(lon, lat);

        var gcj = ChineseCoordinates.Wgs84ToGcj02(wgs);

        Assert.True(gcj.Equals2D(wgs), place);
        Assert.True(ChineseCoordinates.Gcj02ToWgs84(gcj).Equals2D(wgs), place);
    }
}
