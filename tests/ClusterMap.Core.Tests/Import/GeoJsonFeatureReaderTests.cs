using System.Text;
using ClusterMap.Core.Features;
using ClusterMap.Core.Import;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tests.Import;

public class GeoJsonFeatureReaderTests
{
    private static IReadOnlyList<FeatureRecord> Read(string json, string? idField = null) =>
        GeoJsonFeatureReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), "test.geojson", new GeoJsonReadOptions(idField));

    private static ImportRejectedException Reject(string json, string? idField = null) =>
        Assert.Throws<ImportRejectedException>(() => Read(json, idField));

    [Fact]
    public void Read_ValidCollection_KeepsIdsGeometryAndPropertiesVerbatim()
    {
        var features = Read("""
            {"type":"FeatureCollection","features":[
              {"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[121.5,31.2]},"properties":{"name_zh":"测试","n":4.5,"ok":true}},
              {"type":"Feature","id":7,"geometry":{"type":"LineString","coordinates":[[121,31],[122,32]]},"properties":null}
            ]}
            """);

        Assert.Equal(["a", "7"], features.Select(f => f.Id));
        Assert.Equal(new Coordinate(121.5, 31.2), features[0].Geometry.Coordinate);
        Assert.Equal("""{"name_zh":"测试","n":4.5,"ok":true}""", features[0].PropertiesJson);
        Assert.Equal("{}", features[1].PropertiesJson);
    }

    [Fact]
    public void Read_GdalStyleFile_AcceptsCrs84MemberAndIdInProperties()
    {
        // What `ogr2ogr -f GeoJSON` writes: a legacy crs member naming CRS84 and string ids as an attribute.
        var features = Read("""
            {"type":"FeatureCollection","name":"universities",
             "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},
             "features":[{"type":"Feature","properties":{"id":"sjtu","name":"x"},"geometry":{"type":"Point","coordinates":[121.43,31.02]}}]}
            """);

        Assert.Equal("sjtu", Assert.Single(features).Id);
    }

    [Fact]
    public void Read_IdField_TakesIdFromNamedProperty()
    {
        var features = Read("""
            {"type":"FeatureCollection","features":[{"type":"Feature","id":"ignored","properties":{"code":"P-1"},"geometry":{"type":"Point","coordinates":[1,2]}}]}
            """, idField: "code");

        Assert.Equal("P-1", Assert.Single(features).Id);
    }

    [Fact]
    public void Read_ClockwiseShell_IsOrientedCounterClockwiseAsRfc7946Requires()
    {
        // Shell given clockwise, hole given counterclockwise: both the wrong way round for RFC 7946 §3.1.6.
        var features = Read("""
            {"type":"FeatureCollection","features":[{"type":"Feature","id":"p","properties":{},"geometry":{"type":"Polygon","coordinates":[
              [[0,0],[0,10],[10,10],[10,0],[0,0]],
              [[2,2],[4,2],[4,4],[2,4],[2,2]]]}}]}
            """);

        var polygon = Assert.IsType<Polygon>(Assert.Single(features).Geometry);
        Assert.True(Orientation.IsCCW(polygon.Shell.CoordinateSequence));
        Assert.False(Orientation.IsCCW(polygon.Holes[0].CoordinateSequence));
        Assert.Equal(100 - 4, polygon.Area, 9);
    }

    [Fact]
    public void Read_TruncatedJson_NamesTheLine()
    {
        var error = Reject("{\"type\":\"FeatureCollection\",\n\"features\":[\n{\"type\":\"Feature\"");

        var problem = Assert.Single(error.Problems);
        Assert.Equal("line 3", problem.Location);
        Assert.Contains("not valid JSON", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EveryProblem_IsReportedWithFeatureAndField()
    {
        var error = Reject("""
            {"type":"FeatureCollection","features":[
              {"type":"Feature","id":"ok","properties":{},"geometry":{"type":"Point","coordinates":[121,31]}},
              {"type":"Feature","id":"bowtie","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}},
              {"type":"Feature","id":"ok","properties":{},"geometry":{"type":"Point","coordinates":[121,31]}},
              {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[121,31]}},
              {"type":"Feature","id":"swapped","properties":{},"geometry":{"type":"Point","coordinates":[31,121]}},
              {"type":"Feature","id":"nogeom","properties":{},"geometry":null},
              {"type":"Feature","id":"empty","properties":{},"geometry":{"type":"MultiPoint","coordinates":[]}}
            ]}
            """);

        Assert.Collection(error.Problems,
            p => Assert.Equal(("feature 2 (id 'bowtie')", "geometry"), (p.Location, p.Field)),
            p => Assert.Equal(("feature 3 (id 'ok')", "id"), (p.Location, p.Field)),
            p => Assert.Equal(("feature 4", "id"), (p.Location, p.Field)),
            p => Assert.Equal(("feature 5 (id 'swapped')", "geometry"), (p.Location, p.Field)),
            p => Assert.Equal(("feature 6 (id 'nogeom')", "geometry"), (p.Location, p.Field)),
            p => Assert.Equal(("feature 7 (id 'empty')", "geometry"), (p.Location, p.Field)));
        Assert.Contains("Self-intersection", error.Problems[0].Reason, StringComparison.Ordinal);
        Assert.Contains("duplicate id", error.Problems[1].Reason, StringComparison.Ordinal);
        Assert.Contains("outside WGS84 range", error.Problems[3].Reason, StringComparison.Ordinal);
        Assert.Contains("test.geojson: feature 2 (id 'bowtie'): geometry:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[]}""", "crs")]
    [InlineData("""{"type":"Feature","geometry":null,"properties":{}}""", "type")]
    [InlineData("""{"type":"FeatureCollection"}""", "features")]
    [InlineData("""[1,2,3]""", "type")]
    public void Read_WrongDocument_IsRejectedNamingTheMember(string json, string field)
    {
        var error = Reject(json);

        Assert.Contains(error.Problems, p => p.Field == field);
    }

    [Fact]
    public void Read_UnclosedRing_IsRejected()
    {
        var error = Reject("""
            {"type":"FeatureCollection","features":[{"type":"Feature","id":"open","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}]}
            """);

        Assert.Equal(("feature 1 (id 'open')", "geometry"), (error.Problems[0].Location, error.Problems[0].Field));
    }
}
