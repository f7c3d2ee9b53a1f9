using System.Text.Json;
using ClusterMap.Core.Filtering;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace ClusterMap.Core.Tests.Filtering;

public sealed class Cql2EvaluatorTests
{
    private static bool Matches(string filter, string properties, string wkt = "POINT (121.5 31.2)")
    {
        var node = Cql2.ParseText(filter);
        Cql2Validator.Validate(node, Cql2ParserTests.Queryables);
        using var document = JsonDocument.Parse(properties);
        return Cql2Evaluator.Compile(node, Cql2ParserTests.Queryables)(new Cql2Feature(new WKTReader().Read(wkt), document.RootElement));
    }

    [Theory]
    [InlineData("sector = '集成电路'", """{"sector":"集成电路"}""", true)]
    [InlineData("sector <> '集成电路'", """{"sector":"集成电路"}""", false)]
    // Missing, null and wrongly typed values are unknown: neither = nor <> selects them, and NOT keeps them unknown.
    [InlineData("sector <> '集成电路'", """{}""", false)]
    [InlineData("NOT (sector = '集成电路')", """{"sector":null}""", false)]
    [InlineData("area_km2 > 1", """{"area_km2":"2"}""", false)]
    [InlineData("area_km2 > 1 OR TRUE", """{}""", true)]
    [InlineData("sector IS NULL", """{"sector":null}""", true)]
    [InlineData("sector IS NULL", """{}""", true)]
    [InlineData("area_km2 IS NULL", """{"area_km2":"many"}""", false)]
    [InlineData("area_km2 = 4", """{"area_km2":4.0}""", true)]
    [InlineData("floors BETWEEN 3 AND 5", """{"floors":5}""", true)]
    [InlineData("floors NOT BETWEEN 3 AND 5", """{"floors":6}""", true)]
    [InlineData("sector IN ('生物医药', '集成电路')", """{"sector":"集成电路"}""", true)]
    [InlineData("sector NOT IN ('生物医药', '集成电路')", """{"sector":"新材料"}""", true)]
    [InlineData("open = TRUE", """{"open":true}""", true)]
    [InlineData("open = FALSE", """{"open":"false"}""", false)]
    // Strings order by code point: 'Z' (U+005A) before 'a' (U+0061) before '园' (U+56ED).
    [InlineData("name < 'a'", """{"name":"Zhangjiang"}""", true)]
    [InlineData("name > 'zzz'", """{"name":"园区"}""", true)]
    public void Comparison_FollowsSqlThreeValuedLogic(string filter, string properties, bool expected) =>
        Assert.Equal(expected, Matches(filter, properties));

    [Theory]
    [InlineData("name LIKE 'Zhang%'", "Zhangjiang Hi-Tech Park", true)]
    [InlineData("name LIKE 'zhang%'", "Zhangjiang Hi-Tech Park", false)]
    [InlineData("CASEI(name) LIKE CASEI('zhang%')", "Zhangjiang Hi-Tech Park", true)]
    [InlineData("name LIKE '%科技园区'", "张江高科技园", false)]
    [InlineData("name LIKE '%科技园'", "张江高科技园", true)]
    [InlineData("name LIKE '%科技_'", "张江高科技园", true)]
    [InlineData("name LIKE '张江__技园'", "张江高科技园", true)]
    [InlineData("name LIKE '100\\%'", "100%", true)]
    [InlineData("name LIKE '100\\%'", "1000", false)]
    [InlineData("name LIKE 'a\\_b'", "axb", false)]
    [InlineData("CASEI(name) = CASEI('STRASSE')", "Strasse", true)]
    [InlineData("CASEI(name) = CASEI('ΟΔΟΣ')", "οδοσ", true)]
    // Chinese has no case: CASEI compares it as stored.
    [InlineData("CASEI(name) = CASEI('张江')", "张江", true)]
    [InlineData("CASEI(name) = CASEI('張江')", "张江", false)]
    public void Like_AndCaseInsensitive(string filter, string name, bool expected) =>
        Assert.Equal(expected, Matches(filter, JsonSerializer.Serialize(new { name })));

    [Theory]
    [InlineData("S_INTERSECTS(geometry, POLYGON((0 0, 2 0, 2 2, 0 2, 0 0)))", "POINT (1 1)", true)]
    [InlineData("S_INTERSECTS(geometry, POLYGON((0 0, 2 0, 2 2, 0 2, 0 0)))", "POINT (2 1)", true)]
    [InlineData("S_WITHIN(geometry, POLYGON((0 0, 2 0, 2 2, 0 2, 0 0)))", "POINT (2 1)", false)]
    [InlineData("S_TOUCHES(geometry, POLYGON((0 0, 2 0, 2 2, 0 2, 0 0)))", "POINT (2 1)", true)]
    [InlineData("S_CONTAINS(geometry, POINT(1 1))", "POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))", true)]
    [InlineData("S_WITHIN(POINT(1 1), geometry)", "POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))", true)]
    [InlineData("S_CROSSES(geometry, LINESTRING(-1 1, 1 1))", "POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))", true)]
    [InlineData("S_OVERLAPS(geometry, BBOX(1, 1, 3, 3))", "POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))", true)]
    [InlineData("S_EQUALS(geometry, BBOX(0, 0, 2, 2))", "POLYGON ((0 0, 0 2, 2 2, 2 0, 0 0))", true)]
    [InlineData("S_DISJOINT(geometry, BBOX(3, 3, 4, 4))", "POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))", true)]
    public void Spatial_UsesPlanarRelations(string filter, string wkt, bool expected) =>
        Assert.Equal(expected, Matches(filter, "{}", wkt));

    [Theory]
    [InlineData("T_AFTER(updated, TIMESTAMP('2024-01-01T00:00:00Z'))", "2024-01-01T08:00:00+08:00", false)]
    [InlineData("T_AFTER(updated, TIMESTAMP('2024-01-01T00:00:00Z'))", "2024-01-01T08:00:00.001+08:00", true)]
    [InlineData("T_EQUALS(updated, TIMESTAMP('2024-01-01T00:00:00.0004Z'))", "2024-01-01T00:00:00Z", true)]
    [InlineData("T_BEFORE(founded, DATE('2000-01-01'))", "1999-12-31", true)]
    [InlineData("T_DURING(INTERVAL(founded, founded), INTERVAL('1990-01-01', '..'))", "1995-06-01", true)]
    [InlineData("T_DURING(INTERVAL(founded, founded), INTERVAL('1990-01-01', '..'))", "1990-01-01", false)]
    [InlineData("T_INTERSECTS(founded, INTERVAL('1990-01-01', '1995-06-01'))", "1995-06-01", true)]
    [InlineData("T_DISJOINT(founded, INTERVAL('1990-01-01', '1995-06-01'))", "1995-06-02", true)]
    [InlineData("T_STARTS(INTERVAL(founded, founded), INTERVAL('1990-01-01', '1995-06-01'))", "1990-01-01", true)]
    [InlineData("T_FINISHES(INTERVAL(founded, founded), INTERVAL('1990-01-01', '1995-06-01'))", "1995-06-01", true)]
    [InlineData("T_MEETS(INTERVAL(founded, founded), INTERVAL('1990-01-01', '1995-06-01'))", "1990-01-01", true)]
    [InlineData("T_METBY(INTERVAL(founded, founded), INTERVAL('1990-01-01', '1995-06-01'))", "1995-06-01", true)]
    [InlineData("T_CONTAINS(INTERVAL('1990-01-01', '1995-06-01'), INTERVAL(founded, founded))", "1992-01-01", true)]
    [InlineData("founded >= DATE('1990-01-01')", "1990-01-01", true)]
    [InlineData("T_AFTER(founded, DATE('1990-01-01'))", "not a date", false)]
    [InlineData("NOT T_AFTER(founded, DATE('1990-01-01'))", "1990-02-30", false)]
    public void Temporal_ComparesInstantsToTheMillisecond(string filter, string value, bool expected)
    {
        var property = filter.Contains("founded", StringComparison.Ordinal) ? "founded" : "updated";
        Assert.Equal(expected, Matches(filter, JsonSerializer.Serialize(new Dictionary<string, string> { [property] = value })));
    }

    [Theory]
    [InlineData("2018-02-12T23:20:52Z", "2018-02-12T23:20:52Z", true)]
    [InlineData("2018-02-12T23:20:52Z", "2018-02-12T23:20:53Z", false)]
    [InlineData("2018-02-12", "2018-02-12T23:59:59.999Z", true)]
    [InlineData("2018-02-12", "2018-02-13T00:00:00Z", false)]
    [InlineData("2018-02-12T00:00:00Z/2018-03-18T12:31:12Z", "2018-03-18T12:31:12Z", true)]
    [InlineData("2018-02-12T00:00:00Z/2018-03-18T12:31:12Z", "2018-02-11T23:59:59Z", false)]
    [InlineData("../2018-03-18", "1900-01-01T00:00:00Z", true)]
    [InlineData("2018-02-12/..", "2999-01-01T00:00:00Z", true)]
    [InlineData("/2018-03-18", "2018-03-18T20:00:00Z", true)]
    [InlineData("2018-02-12T00:00:00Z/", "2018-02-11T00:00:00Z", false)]
    public void Datetime_SelectsInstantsInTheIntervalBothEndsIncluded(string datetime, string value, bool expected)
    {
        Assert.True(DatetimeParameter.TryParse(datetime, out var parameter, out var error), error);
        var filter = parameter!.ToFilter("updated");
        Cql2Validator.Validate(filter, Cql2ParserTests.Queryables);
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(new { updated = value }));
        Assert.Equal(expected, Cql2Evaluator.Compile(filter, Cql2ParserTests.Queryables)(new Cql2Feature(new Point(0, 0), document.RootElement)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("../..")]
    [InlineData("2018-02-12T23:20:52")]
    [InlineData("2018-02-30")]
    [InlineData("2018-02-12T25:00:00Z")]
    [InlineData("2018-03-01/2018-02-01")]
    [InlineData("2018-01-01/2018-02-01/2018-03-01")]
    [InlineData("yesterday")]
    public void Datetime_Malformed_IsRefusedWithTheAcceptedForm(string datetime)
    {
        Assert.False(DatetimeParameter.TryParse(datetime, out _, out var error));
        Assert.StartsWith("datetime", error, StringComparison.Ordinal);
        Assert.Contains(DatetimeParameter.AcceptedForm, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2012-06-05", "2012-06-05T00:00:00.0000000+00:00", true)]
    [InlineData("2012-06-05T10:30:00.123456789Z", "2012-06-05T10:30:00.1234567+00:00", false)]
    [InlineData("2012-06-05t10:30:00+08:00", "2012-06-05T10:30:00.0000000+08:00", false)]
    [InlineData("2012-06-05 10:30:00-03:30", "2012-06-05T10:30:00.0000000-03:30", false)]
    public void Rfc3339_ReadsDatesAndDateTimes(string text, string roundTrip, bool isDate)
    {
        Assert.True(Rfc3339.TryParse(text, out var instant, out var date));
        Assert.Equal(roundTrip, instant.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(isDate, date);
    }
}
