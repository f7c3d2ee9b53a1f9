using System.Text.Json;
using ClusterMap.Core.Filtering;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Core.Tests.Filtering;

public sealed class Cql2ParserTests
{
    internal static readonly Cql2Queryables Queryables = Cql2BruteForceCases.Queryables;

    private static readonly JsonElement _examples = Load("cql2-standard-examples.json").GetProperty("examples");
    private static readonly JsonElement _badFilters = Load("cql2-bad-filters.json").GetProperty("cases");

    public static TheoryData<string> StandardExamples() => [.. _examples.EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];

    public static TheoryData<int> BadFilters() => [.. Enumerable.Range(0, _badFilters.GetArrayLength())];

    [Theory]
    [MemberData(nameof(StandardExamples))]
    public void StandardExample_TextAndJson_ParseToTheSameTree(string id)
    {
        var example = Example(id);
        var fromText = Cql2.ParseText(example.GetProperty("text").GetString()!);
        var fromJson = Cql2.ParseJson(example.GetProperty("json").GetRawText());

        Assert.Equal(Cql2Json.Write(fromJson), Cql2Json.Write(fromText));
        // The canonical form is itself CQL2-JSON that reads back to the same tree.
        Assert.Equal(Cql2Json.Write(fromText), Cql2Json.Write(Cql2.ParseJson(Cql2Json.Write(fromText))));
    }

    [Theory]
    [MemberData(nameof(StandardExamples))]
    public void StandardExample_OfAnOfferedClass_NeedsNoFunctionWeLack(string id)
    {
        var example = Example(id);
        var tree = Cql2.ParseText(example.GetProperty("text").GetString()!);
        var functions = Descendants(tree).OfType<Cql2Function>().ToList();
        if (example.GetProperty("class").GetString()!.StartsWith("functions", StringComparison.Ordinal))
        {
            Assert.NotEmpty(functions);
            // Validation names the first function it meets; every property of the example is declared so that only
            // the function can be what is refused.
            var queryables = new Cql2Queryables(Descendants(tree).OfType<Cql2Property>().DistinctBy(p => p.Name)
                .ToDictionary(p => p.Name, p => p.Name is "geometry" or "road" ? Cql2PropertyType.Geometry : Cql2PropertyType.String));
            var error = Assert.Throws<Cql2Exception>(() => Cql2Validator.Validate(tree, queryables)).Error;
            Assert.Contains(functions, f => f.Position == error.Position);
            Assert.Contains("unknown function", error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(functions);
        }
    }

    [Fact]
    public void Examples_CoverEveryOperatorOfTheOfferedClasses()
    {
        var trees = _examples.EnumerateArray().Select(e => Cql2.ParseText(e.GetProperty("text").GetString()!)).SelectMany(Descendants).ToList();
        foreach (var op in Enum.GetValues<Cql2SpatialOperator>())
        {
            Assert.Contains(trees, n => n is Cql2Spatial s && s.Operator == op);
        }

        foreach (var op in Enum.GetValues<Cql2TemporalOperator>())
        {
            Assert.Contains(trees, n => n is Cql2Temporal t && t.Operator == op);
        }

        foreach (var op in Enum.GetValues<Cql2ComparisonOperator>())
        {
            Assert.Contains(trees, n => n is Cql2Comparison c && c.Operator == op);
        }

        Assert.Contains(trees, n => n is Cql2Like);
        Assert.Contains(trees, n => n is Cql2Between);
        Assert.Contains(trees, n => n is Cql2In);
        Assert.Contains(trees, n => n is Cql2IsNull);
        Assert.Contains(trees, n => n is Cql2CaseInsensitive);
    }

    [Theory]
    [MemberData(nameof(BadFilters))]
    public void BadFilter_IsRefused_NamingThePositionAndWhatWasExpected(int index)
    {
        var bad = _badFilters[index];
        var filter = bad.GetProperty("filter").GetString()!;
        var language = bad.GetProperty("lang").GetString() == "json" ? Cql2Language.Json : Cql2Language.Text;

        Assert.False(Cql2.TryParse(filter, language, Queryables, out _, out var error), filter);

        Assert.Equal(bad.GetProperty("position").GetInt32(), error!.Position);
        Assert.Contains(bad.GetProperty("expected").GetString()!, error.Message, StringComparison.Ordinal);
        Assert.Contains($"character {error.Position}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sector = '集成电路' AND area_km2 >= 1.5")]
    [InlineData("\"sector\" IN ('集成电路', '生物医药') OR NOT (floors BETWEEN 3 AND 10)")]
    [InlineData("casei(name) LIKE casei('%Park%') and open = true")]
    [InlineData("S_INTERSECTS(geometry, BBOX(121.2, 31.0, 121.6, 31.4)) AND T_AFTER(updated, TIMESTAMP('2024-01-01T00:00:00Z'))")]
    [InlineData("T_DURING(INTERVAL(founded, updated), INTERVAL('1990-01-01', '..')) OR founded IS NULL")]
    [InlineData("S_WITHIN(POINT(121.5 31.2), geometry)")]
    public void ValidFilter_OnOurQueryables_Passes(string filter)
    {
        Assert.True(Cql2.TryParse(filter, Cql2Language.Text, Queryables, out var node, out var error), error?.Message);
        Assert.Equal(Cql2Json.Write(node), Cql2Json.Write(Cql2.ParseJson(Cql2Json.Write(node))));
    }

    [Theory]
    [InlineData(Cql2Language.Text)]
    [InlineData(Cql2Language.Json)]
    public void DeepNesting_IsRefused_NotAStackOverflow(Cql2Language language)
    {
        const int levels = 100_000;
        var filter = language == Cql2Language.Text
            ? string.Concat(Enumerable.Repeat("NOT (", levels)) + "sector = 'a'" + new string(')', levels)
            : string.Concat(Enumerable.Repeat("""{"op":"not","args":[""", levels)) + """{"op":"=","args":[{"property":"sector"},"a"]}""" + string.Concat(Enumerable.Repeat("]}", levels));

        Assert.False(Cql2.TryParse(filter, language, Queryables, out _, out var error));
        Assert.InRange(error!.Position, 1, filter.Length);
    }

    [Theory]
    [InlineData("CASEI(", ")", "CASEI(name) = ", "'a'")]
    [InlineData("GEOMETRYCOLLECTION(", ")", "S_INTERSECTS(geometry, ", "POINT(1 2))")]
    public void DeepNestingOfValues_IsRefused(string open, string close, string before, string inner)
    {
        var filter = before + string.Concat(Enumerable.Repeat(open, 100_000)) + inner + string.Concat(Enumerable.Repeat(close, 100_000));

        Assert.False(Cql2.TryParse(filter, Cql2Language.Text, Queryables, out _, out var error));
        Assert.Contains("levels of nested", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_UpToTheLimit_Parses()
    {
        var levels = (Cql2TextParser.MaxDepth / 2) - 1;
        var filter = string.Concat(Enumerable.Repeat("NOT (", levels)) + "sector = 'a'" + new string(')', levels);

        Assert.True(Cql2.TryParse(filter, Cql2Language.Text, Queryables, out _, out var error), error?.Message);
    }

    [Fact]
    public void Precedence_AndBindsTighterThanOr_NotTighterThanAnd()
    {
        var tree = Cql2.ParseText("NOT a = 1 AND b = 2 OR c = 3");

        var or = Assert.IsType<Cql2Or>(tree);
        var and = Assert.IsType<Cql2And>(or.Args[0]);
        Assert.IsType<Cql2Not>(and.Args[0]);
        Assert.IsType<Cql2Comparison>(and.Args[1]);
        Assert.IsType<Cql2Comparison>(or.Args[1]);
    }

    [Fact]
    public void Strings_KeepChineseAndEscapedQuotes()
    {
        var tree = (Cql2Comparison)Cql2.ParseText("name = '上海''s 园区' ");
        Assert.Equal("上海's 园区", ((Cql2String)tree.Right).Value);
        Assert.Equal(7, tree.Right.Position);
    }

    [Fact]
    public void Bbox_CrossingTheAntimeridian_IsTwoBoxes()
    {
        var spatial = (Cql2Spatial)Cql2.ParseText("S_INTERSECTS(geometry, BBOX(170, -10, -170, 10))");
        var geometry = ((Cql2GeometryLiteral)spatial.Right).Geometry;
        Assert.Equal(2, geometry.NumGeometries);
        Assert.Equal(400, geometry.Area, 9);
    }

    internal static IEnumerable<Cql2Node> Descendants(Cql2Node node)
    {
        yield return node;
        IEnumerable<Cql2Node> children = node switch
        {
            Cql2And and => and.Args,
            Cql2Or or => or.Args,
            Cql2Not not => [not.Arg],
            Cql2Comparison c => [c.Left, c.Right],
            Cql2Like like => [like.Value, like.Pattern],
            Cql2Between between => [between.Value, between.Low, between.High],
            Cql2In inList => [inList.Value, .. inList.List],
            Cql2IsNull isNull => [isNull.Value],
            Cql2Spatial spatial => [spatial.Left, spatial.Right],
            Cql2Temporal temporal => [temporal.Left, temporal.Right],
            Cql2Function function => function.Args,
            Cql2CaseInsensitive casei => [casei.Arg],
            Cql2Interval interval => [interval.Start, interval.End],
            _ => [],
        };
        foreach (var child in children.SelectMany(Descendants))
        {
            yield return child;
        }
    }

    private static JsonElement Example(string id) => _examples.EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);

    private static JsonElement Load(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Filtering", "Data", name))).RootElement.Clone();
}
