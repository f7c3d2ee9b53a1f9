using ClusterMap.Projections.Chinese;
using NetTopologySuite.Geometries;

namespace ClusterMap.Projections.Tests.Chinese;

/// <summary>
/// The region is a polygon, so neighbours that a bounding box of China would take in (Seoul, Hanoi, Ulaanbaatar) and
/// the places GCJ-02 convention leaves unshifted (Hong Kong, Macau, Taiwan) are outside. City centres are tens of
/// kilometres from any border, far beyond the 1 km simplification of the outline.
/// </summary>
public class ChinaRegionTests
{
    [Theory]
    [InlineData("Shanghai", 121.4737, 31.2304)]
    [InlineData("Urumqi", 87.6168, 43.8256)]
    [InlineData("Harbin", 126.535, 45.8038)]
    [InlineData("Sanya", 109.5119, 18.2528)]
    [InlineData("Lhasa", 91.1409, 29.6456)]
    [InlineData("Beijing", 116.3912, 39.9067)]
    [InlineData("Chongming island", 121.55, 31.62)]
    public void Contains_MainlandCities_True(string place, double lon, double lat) =>
        Assert.True(ChinaRegion.Contains(new Coordinate(lon, lat)), place);

    [Theory]
    [InlineData("Seoul", 126.978, 37.5665)]
    [InlineData("Hanoi", 105.8342, 21.0278)]
    [InlineData("Ulaanbaatar", 106.9057, 47.8864)]
    [InlineData("Hong Kong", 114.1694, 22.3193)]
    [InlineData("Macau", 113.5439, 22.1987)]
    [InlineData("Taipei", 121.5654, 25.033)]
    [InlineData("Pyongyang", 125.7625, 39.0392)]
    [InlineData("Tokyo", 139.6917, 35.6895)]
    [InlineData("NaN", double.NaN, 31.0)]
    public void Contains_NeighboursAndSpecialRegions_False(string place, double lon, double lat) =>
        Assert.False(ChinaRegion.Contains(new Coordinate(lon, lat)), place);

    [Fact]
    public void Outline_IsAValidPolygonalGeometry()
    {
        Assert.True(ChinaRegion.Outline.IsValid);
        Assert.IsType<MultiPolygon>(ChinaRegion.Outline);
    }
}
