using System.Text;
using ClusterMap.Core.Import;

namespace ClusterMap.Core.Tests.Import;

public class CsvFeatureReaderTests
{
    private static FeatureReadResult Read(string text, CsvReadOptions? options = null, Encoding? encoding = null)
    {
        using var stream = new MemoryStream((encoding ?? new UTF8Encoding(true)).GetPreamble().Concat((encoding ?? Encoding.UTF8).GetBytes(text)).ToArray());
        return CsvFeatureReader.Read(stream, "test.csv", options ?? new CsvReadOptions());
    }

    [Fact]
    public void Read_Utf8WithBomAndQuotedMultilineField_KeepsPropertiesAndLines()
    {
        var result = Read("id,经度,纬度,note\na,121.4,31.2,\"two\nlines, with comma\"\nb,121.5,31.3,\"say \"\"hi\"\"\"\n");

        Assert.Empty(result.Problems);
        Assert.Equal("utf-8", result.EncodingName);
        Assert.Equal(["a", "b"], result.Features.Select(f => f.Id));
        Assert.Equal("{\"id\":\"a\",\"note\":\"two\\nlines, with comma\"}", result.Features[0].PropertiesJson);
        Assert.Equal("line 4 (id 'b')", result.Locations["b"]);
        Assert.Equal("POINT (121.4 31.2)", result.Features[0].Geometry.AsText());
    }

    [Fact]
    public void Read_NamedColumns_OverrideTheDefaults()
    {
        var result = Read("code,east,north\nk1,121.4,31.2\n", new CsvReadOptions(LonColumn: "east", LatColumn: "north", IdColumn: "code"));

        Assert.Equal("POINT (121.4 31.2)", Assert.Single(result.Features).Geometry.AsText());
    }

    [Fact]
    public void Read_NoCoordinateColumns_RejectsNamingWhatWasFound()
    {
        var rejected = Assert.Throws<ImportRejectedException>(() => Read("id,name\na,b\n"));

        var problem = Assert.Single(rejected.Problems);
        Assert.Equal("line 1", problem.Location);
        Assert.Contains("found id, name", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedQuotedField_RejectsNamingItsLine()
    {
        var rejected = Assert.Throws<ImportRejectedException>(() => Read("id,lon,lat,note\na,121.4,31.2,\"never closed\n"));

        Assert.Equal("line 2", Assert.Single(rejected.Problems).Location);
    }

    [Fact]
    public void Read_Gb18030WithoutBom_IsDetected()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gb = Encoding.GetEncoding("gb18030");
        using var stream = new MemoryStream(gb.GetBytes("id,名称,lon,lat\na,张江,121.6,31.2\n"));

        var result = CsvFeatureReader.Read(stream, "gb.csv", new CsvReadOptions());

        Assert.Equal("gb18030", result.EncodingName);
        Assert.Equal("{\"id\":\"a\",\"名称\":\"张江\"}", Assert.Single(result.Features).PropertiesJson);
    }
}
