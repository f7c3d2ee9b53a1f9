using ClusterMap.Core.Features;
using NetTopologySuite.IO;

namespace ClusterMap.Core.Tests.Features;

public class CollectionSummaryTests
{
    private static FeatureRecord Feature(string wkt, string properties) => new("x", new WKTReader().Read(wkt), properties);

    [Fact]
    public void Of_MixedGeometriesAndProperties_DerivesTypeExtentAndScalarQueryables()
    {
        var summary = CollectionSummary.Of(
        [
            Feature("POINT (121 31)", """{"sector":"集成电路","area_km2":4,"tags":["a"],"open":true}"""),
            Feature("POLYGON ((121.5 31.5, 122 31.5, 122 32, 121.5 31.5))", """{"district":null,"name":"b"}"""),
        ]);

        Assert.Equal(CollectionSummary.MixedGeometryType, summary.GeometryType);
        Assert.Equal((121, 31, 122, 32), (summary.Extent!.MinX, summary.Extent.MinY, summary.Extent.MaxX, summary.Extent.MaxY));
        // Arrays and nulls cannot be compared by equality, so they are not queryable.
        Assert.Equal(["area_km2", "name", "open", "sector"], summary.Queryables);
    }

    [Fact]
    public void Of_SameGeometryType_KeepsIt()
    {
        var summary = CollectionSummary.Of([Feature("POINT (1 2)", "{}"), Feature("POINT (3 4)", "{}")]);

        Assert.Equal("Point", summary.GeometryType);
    }

    [Theory]
    [InlineData("parks", true)]
    [InlineData("metro-stations", true)]
    [InlineData("Parks", false)]
    [InlineData("metro--stations", false)]
    [InlineData("-parks", false)]
    [InlineData("parks/../x", false)]
    [InlineData("", false)]
    public void CollectionId_IsValid_AcceptsKebabCaseOnly(string id, bool valid) => Assert.Equal(valid, CollectionId.IsValid(id));
}
