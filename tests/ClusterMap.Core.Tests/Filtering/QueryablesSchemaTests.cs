using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tests.Filtering;

public sealed class QueryablesSchemaTests
{
    private static readonly Point _point = new(121.5, 31.2);

    private static FeatureRecord Feature(string properties) => new("f", _point, properties);

    [Fact]
    public void Infer_TakesEachPropertysMajorityJsonType_DatesFromRfc3339Strings()
    {
        var features = new[]
        {
            Feature("""{"sector":"集成电路","area_km2":3,"floors":4,"open":true,"founded":"1992-06-01","updated":"2024-01-01T00:00:00Z","tags":["a"]}"""),
            Feature("""{"sector":"生物医药","area_km2":2.5,"floors":"four","open":false,"founded":"2001-01-01","updated":"2024-01-02T08:00:00+08:00"}"""),
            Feature("""{"sector":null,"area_km2":7,"floors":6,"founded":null,"updated":"2024-03-01"}"""),
        };

        var properties = QueryablesSchema.Infer(features).ToDictionary(p => p.Name);

        Assert.Equal(Cql2PropertyType.Geometry, properties["geometry"].Type);
        Assert.Equal(Cql2PropertyType.String, properties["sector"].Type);
        Assert.Equal(["生物医药", "集成电路"], properties["sector"].Enum);
        Assert.Equal(Cql2PropertyType.Number, properties["area_km2"].Type);
        Assert.Equal(Cql2PropertyType.Integer, properties["floors"].Type);
        Assert.Equal(Cql2PropertyType.Boolean, properties["open"].Type);
        Assert.Equal(Cql2PropertyType.Date, properties["founded"].Type);
        Assert.Equal(Cql2PropertyType.Timestamp, properties["updated"].Type);
        Assert.False(properties.ContainsKey("tags"));
    }

    [Fact]
    public void Infer_ManyDistinctStrings_HaveNoEnum()
    {
        var features = Enumerable.Range(0, QueryablesSchema.MaxEnumValues + 1).Select(i => Feature($$"""{"name":"Park {{i}}"}"""));

        Assert.Null(QueryablesSchema.Infer(features).Single(p => p.Name == "name").Enum);
    }

    [Fact]
    public void JsonSchema_Is202012_WithTypesFormatsEnumsAndTheGeometryRole()
    {
        var properties = QueryablesSchema.Infer([Feature("""{"sector":"集成电路","area_km2":3.5,"floors":4,"open":true,"founded":"1992-06-01","updated":"2024-01-01T00:00:00Z"}""")]);

        using var schema = JsonDocument.Parse(QueryablesSchema.ToJsonSchema(properties, "https://example.test/collections/parks/queryables", "Parks"));
        var root = schema.RootElement;
        var members = root.GetProperty("properties");

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", root.GetProperty("$schema").GetString());
        Assert.Equal("https://example.test/collections/parks/queryables", root.GetProperty("$id").GetString());
        Assert.Equal("object", root.GetProperty("type").GetString());
        Assert.Equal("primary-geometry", members.GetProperty("geometry").GetProperty("x-ogc-role").GetString());
        Assert.Equal("string", members.GetProperty("sector").GetProperty("type").GetString());
        Assert.Equal("集成电路", members.GetProperty("sector").GetProperty("enum")[0].GetString());
        Assert.Equal("number", members.GetProperty("area_km2").GetProperty("type").GetString());
        Assert.Equal("integer", members.GetProperty("floors").GetProperty("type").GetString());
        Assert.Equal("boolean", members.GetProperty("open").GetProperty("type").GetString());
        Assert.Equal("date", members.GetProperty("founded").GetProperty("format").GetString());
        Assert.Equal("date-time", members.GetProperty("updated").GetProperty("format").GetString());
    }

    [Fact]
    public void InferredQueryables_ValidateFilters()
    {
        var queryables = QueryablesSchema.ToQueryables(QueryablesSchema.Infer([Feature("""{"sector":"集成电路","founded":"1992-06-01"}""")]));

        Assert.True(Cql2.TryParse("sector = '集成电路' AND T_AFTER(founded, DATE('1990-01-01')) AND S_INTERSECTS(geometry, BBOX(121, 31, 122, 32))", Cql2Language.Text, queryables, out _, out var error), error?.Message);
        Assert.False(Cql2.TryParse("founded = 'x'", Cql2Language.Text, queryables, out _, out _));
    }

    [Fact]
    public void MapGeometries_ReplacesEveryLiteralAndKeepsTheRest()
    {
        var filter = Cql2.ParseText("sector = 'a' AND (S_INTERSECTS(geometry, POINT(1 2)) OR NOT S_WITHIN(POINT(3 4), geometry))");

        var mapped = Cql2Rewrite.MapGeometries(filter, g => new Point(g.Coordinate.X + 100, g.Coordinate.Y));

        Assert.Equal(
            Cql2Json.Write(Cql2.ParseText("sector = 'a' AND (S_INTERSECTS(geometry, POINT(101 2)) OR NOT S_WITHIN(POINT(103 4), geometry))")),
            Cql2Json.Write(mapped));
    }
}
