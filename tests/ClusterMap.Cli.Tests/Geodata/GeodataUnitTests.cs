using ClusterMap.Cli.Geodata;
using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Tests.Geodata;

public class GeodataUnitTests
{
    [Fact]
    public void CsvTable_Parse_HandlesQuotesDoubledQuotesAndLineBreaksInFields()
    {
        var rows = CsvTable.Parse("a,b,c\n1,\"x, \"\"y\"\"\",\"line1\nline2\"\r\n2,,\n");

        Assert.Equal(2, rows.Count);
        Assert.Equal("x, \"y\"", rows[0]["b"]);
        Assert.Equal("line1\nline2", rows[0]["c"]);
        Assert.Null(rows[1].Optional("b"));
    }

    [Fact]
    public void CsvTable_Parse_RowWithWrongFieldCount_Throws() =>
        Assert.Throws<FormatException>(() => CsvTable.Parse("a,b\n1,2,3\n"));

    [Theory]
    [InlineData(121.5, 7, "121.5")]
    [InlineData(121.123456789, 7, "121.1234568")]
    [InlineData(-0.00000001, 7, "0")]
    [InlineData(31.00000004, 7, "31")]
    public void FormatNumber_RoundsAndUsesShortestInvariantForm(double value, int decimals, string expected) =>
        Assert.Equal(expected, GeoJsonFile.FormatNumber(value, decimals));

    [Fact]
    public void Write_ClockwiseShell_IsWrittenCounterClockwise()
    {
        var path = Path.GetTempFileName();
        try
        {
            var factory = new GeometryFactory();
            // A clockwise square (RFC 7946 wants exterior rings counter-clockwise).
            var polygon = factory.CreatePolygon([new(121, 31), new(121, 31.1), new(121.1, 31.1), new(121.1, 31), new(121, 31)]);
            GeoJsonFile.Write(path, [new GeoFeature("square", polygon, new PropertyList().ToList())], 7);

            var text = File.ReadAllText(path);
            Assert.Contains("[[[121,31],[121.1,31],[121.1,31.1],[121,31.1],[121,31]]]", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AnchorResolver_TwoStations_GivesTheirMidpoint_AndUnknownNameThrows()
    {
        var stations = new Dictionary<string, MetroStation>
        {
            ["A"] = new("1", "A", ["Line 1"], 121.0, 31.0),
            ["B"] = new("2", "B", ["Line 2"], 121.2, 31.4),
        };
        var resolver = new AnchorResolver(stations, new Dictionary<string, Coordinate>(), []);

        var anchor = resolver.Resolve("metro:A; metro:B", "test");

        Assert.Equal(121.1, anchor.Point.X, 1e-12);
        Assert.Equal(31.2, anchor.Point.Y, 1e-12);
        Assert.Contains("midpoint", anchor.Description, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => resolver.Resolve("metro:C", "test"));
    }
}
