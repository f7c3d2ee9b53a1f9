using System.Net;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using ClusterMap.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterMap.Api.Tests.Filtering;

/// <summary>
/// A running service whose store holds, besides the test geodata, the generated CQL2 features
/// (<see cref="Cql2BruteForceCases.Features"/>) as one collection whose temporal property is <c>updated</c>.
/// </summary>
public abstract class FilterService : IAsyncLifetime
{
    public List<FeatureRecord> Features { get; } = Cql2BruteForceCases.Features(800, seed: 29);

    public HttpClient Client { get; private set; } = null!;

    protected ClusterMapFactory Factory { get; private set; } = null!;

    public IServiceProvider Services => Factory.Services;

    protected abstract Task<ClusterMapFactory> CreateFactoryAsync();

    public virtual async Task InitializeAsync()
    {
        Factory = await CreateFactoryAsync();
        Client = Factory.CreateClient();
        await Factory.Services.GetRequiredService<IFeatureStore>().ReplaceCollectionsAsync(
        [
            new CollectionImport(
                new CollectionDefinition(Cql2BruteForceCases.CollectionId, "CQL2 features", "Synthetic features for the filter tests.",
                    MetadataJson: $$"""{"{{CollectionQueryables.TemporalPropertyMember}}":"updated"}"""),
                Features),
        ]);
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}

/// <summary>
/// <c>filter</c>, <c>filter-lang</c>, <c>filter-crs</c> and <c>datetime</c> on items through HTTP, written once and run
/// on every store: each filter of the shared corpus must select, page after page through the next links, exactly
/// the features that the in-memory evaluator selects from all of them (brute force), in store order.
/// </summary>
public abstract class FilterApiContract(FilterService service)
{
    private const string Items = $"/collections/{Cql2BruteForceCases.CollectionId}/items";

    private HttpClient Client => service.Client;

    public static TheoryData<string> Filters() => [.. Cql2BruteForceCases.All().Select(c => c.Label)];

    public static TheoryData<int> BadFilters() => [.. Enumerable.Range(0, ReadBadFilters().GetArrayLength())];

    [Theory]
    [MemberData(nameof(Filters), MemberType = typeof(FilterApiContract))]
    public async Task GetItems_WithFilterOrDatetime_SelectsWhatTheEvaluatorSelects_AcrossPages(string label)
    {
        var filter = Cql2BruteForceCases.All().Single(c => c.Label == label).Filter;
        var expected = Cql2BruteForceCases.BruteForce(filter, service.Features);
        var query = label.StartsWith("datetime=", StringComparison.Ordinal)
            ? label
            : $"filter={Uri.EscapeDataString(label)}&filter-lang={(label.StartsWith('{') ? "cql2-json" : "cql2-text")}";

        var (ids, matched) = await ReadAllPagesAsync($"{Items}?{query}&limit=150");

        Assert.Equal(expected, ids);
        Assert.Equal(expected.Count, matched);
        Assert.InRange(expected.Count, 1, service.Features.Count - 1);
    }

    [Theory]
    [InlineData("sector")]
    [InlineData("-area_km2")]
    [InlineData("floors,-name")]
    [InlineData("+founded,sector")]
    [InlineData("-updated")]
    [InlineData("open,-floors")]
    public async Task GetItems_SortBy_OrdersAsTheTypedValuesDo_AcrossPages(string sortBy)
    {
        var keys = sortBy.Split(',').Select(k => (Name: k.TrimStart('+', '-'), Descending: k.StartsWith('-'))).ToList();
        IOrderedEnumerable<FeatureRecord>? expected = null;
        foreach (var (name, descending) in keys)
        {
            // Features without a value of the queryable's type last, whichever the direction.
            var comparer = Comparer<IComparable?>.Create((a, b) => (a, b) switch
            {
                (null, null) => 0,
                (null, _) => 1,
                (_, null) => -1,
                _ => (descending ? -1 : 1) * (a is string x && b is string y ? string.CompareOrdinal(x, y) : a.CompareTo(b)),
            });
            expected = expected is null ? service.Features.OrderBy(f => SortValue(f, name), comparer) : expected.ThenBy(f => SortValue(f, name), comparer);
        }

        var (ids, _) = await ReadAllPagesAsync($"{Items}?sortby={Uri.EscapeDataString(sortBy)}&limit=150");

        Assert.Equal(expected!.Select(f => f.Id), ids);
    }

    [Theory]
    [InlineData("sortby=geometry")]
    [InlineData("sortby=nope")]
    [InlineData("sortby=name,")]
    [InlineData("sortby=--name")]
    [InlineData("skipGeometry=yes")]
    [InlineData("properties=name,,sector")]
    [InlineData("properties=name,absent")]
    public async Task GetItems_BadSortByPropertiesOrSkipGeometry_Is400NamingIt(string query) =>
        await (await Client.GetAsync($"{Items}?{query}")).AssertProblemAsync(HttpStatusCode.BadRequest, query[..query.IndexOf('=', StringComparison.Ordinal)]);

    [Fact]
    public async Task GetItems_PropertiesAndSkipGeometry_ShapeEachFeature()
    {
        var page = await (await Client.GetAsync($"{Items}?properties=floors,sector&skipGeometry=true&limit=1000")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

        var features = page.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(service.Features.Count, features.Count);
        foreach (var (served, stored) in features.Zip(service.Features))
        {
            Assert.Equal(JsonValueKind.Null, served.GetProperty("geometry").ValueKind);
            using var all = JsonDocument.Parse(stored.PropertiesJson);
            var kept = all.RootElement.EnumerateObject().Where(p => p.Name is "floors" or "sector").Select(p => $"{p.Name}={p.Value.GetRawText()}");
            Assert.Equal(kept, served.GetProperty("properties").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetRawText()}"));
        }

        var whole = await (await Client.GetAsync($"{Items}?limit=1")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
        Assert.Equal(JsonValueKind.Object, whole.GetProperty("features")[0].GetProperty("geometry").ValueKind);
    }

    [Fact]
    public async Task GetItems_FilterWithBboxAndPropertyEquality_AllApply()
    {
        const string text = "floors >= 10";
        var (ids, _) = await ReadAllPagesAsync($"{Items}?filter={Uri.EscapeDataString(text)}&bbox=121.2,31.0,121.6,31.4&sector={Uri.EscapeDataString("集成电路")}&limit=1000");

        var predicate = Cql2Evaluator.Compile(Cql2.ParseText(text), Cql2BruteForceCases.Queryables);
        var box = new NetTopologySuite.Geometries.Envelope(121.2, 121.6, 31.0, 31.4);
        var expected = service.Features
            .Where(f => Cql2Evaluator.Matches(predicate, f) && f.Geometry.Intersects(f.Geometry.Factory.ToGeometry(box)) && Sector(f) == "集成电路")
            .Select(f => f.Id).ToList();
        Assert.Equal(expected, ids);
        Assert.NotEmpty(expected);
    }

    [Theory]
    [InlineData("http://www.opengis.net/def/crs/EPSG/0/4326", "S_INTERSECTS(geometry, BBOX(31.10, 121.40, 31.20, 121.50))")]
    [InlineData("http://www.opengis.net/def/crs/EPSG/0/3857", "S_INTERSECTS(geometry, BBOX(13514186.17, 3645742.86, 13525318.14, 3658750.29))")]
    public async Task GetItems_FilterCrs_ReadsLiteralsInThatCrsAndAxisOrder(string crs, string filter)
    {
        // The same box as CRS84 121.40–121.50, 31.10–31.20 (EPSG:3857 widened by a centimetre, so that shapes on its edges still meet it).
        var (crs84, _) = await ReadAllPagesAsync($"{Items}?filter={Uri.EscapeDataString("S_INTERSECTS(geometry, BBOX(121.40, 31.10, 121.50, 31.20))")}&limit=1000");
        var (other, _) = await ReadAllPagesAsync($"{Items}?filter={Uri.EscapeDataString(filter)}&filter-crs={Uri.EscapeDataString(crs)}&limit=1000");

        Assert.NotEmpty(crs84);
        Assert.Equal(crs84, other);
    }

    [Theory]
    [MemberData(nameof(BadFilters), MemberType = typeof(FilterApiContract))]
    public async Task GetItems_BadFilter_Is400NamingFilterAndThePosition(int index)
    {
        var bad = ReadBadFilters()[index];
        var text = bad.GetProperty("filter").GetString()!;
        var language = bad.GetProperty("lang").GetString() == "json" ? "cql2-json" : "cql2-text";

        var response = await Client.GetAsync($"{Items}?filter={Uri.EscapeDataString(text)}&filter-lang={language}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "filter");
        var position = bad.GetProperty("position").GetInt32();
        Assert.Equal(position, problem.GetProperty("position").GetInt32());
        Assert.Contains($"character {position}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(bad.GetProperty("expected").GetString()!, problem.GetProperty("expected").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("filter-lang=cql2&filter=floors%3D1", "filter-lang")]
    [InlineData("filter=floors%3D1&filter-crs=EPSG:9999", "filter-crs")]
    [InlineData("filter=", "filter")]
    [InlineData("datetime=2020-13-01", "datetime")]
    [InlineData("datetime=../..", "datetime")]
    [InlineData("datetime=2021-01-01/2020-01-01", "datetime")]
    public async Task GetItems_BadFilterParameter_Is400NamingIt(string query, string parameter) =>
        await (await Client.GetAsync($"{Items}?{query}")).AssertProblemAsync(HttpStatusCode.BadRequest, parameter);

    [Fact]
    public async Task GetItems_FilterLongerThanTheCap_Is400NamingFilter()
    {
        var text = "floors = 1" + new string(' ', 4096);

        var problem = await (await Client.GetAsync($"{Items}?filter={text.Replace(" ", "+", StringComparison.Ordinal)}")).AssertProblemAsync(HttpStatusCode.BadRequest, "filter");
        Assert.Contains("4096 characters", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetItems_DatetimeOnACollectionWithoutTemporalProperty_SelectsNothing()
    {
        // Part 1: only features whose temporal geometry meets datetime are selected; the test sites have none.
        var page = await (await Client.GetAsync("/collections/sites/items?datetime=2020-01-01/..")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

        Assert.Equal(0, page.GetProperty("numberMatched").GetInt32());
        var sites = await (await Client.GetAsync("/collections/sites")).ReadJsonAsync(HttpStatusCode.OK, "application/json");
        Assert.False(sites.GetProperty("extent").TryGetProperty("temporal", out _));
    }

    [Fact]
    public async Task GetCollection_TemporalExtent_SpansTheTemporalProperty()
    {
        var instants = service.Features
            .Select(f => JsonDocument.Parse(f.PropertiesJson).RootElement)
            .Where(p => p.TryGetProperty("updated", out var u) && u.ValueKind == JsonValueKind.String)
            .Select(p => Rfc3339.TryParse(p.GetProperty("updated").GetString()!, out var i, out _) ? i : (DateTimeOffset?)null)
            .OfType<DateTimeOffset>().ToList();

        var collection = await (await Client.GetAsync($"/collections/{Cql2BruteForceCases.CollectionId}")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var temporal = collection.GetProperty("extent").GetProperty("temporal");
        var interval = temporal.GetProperty("interval")[0];
        Assert.Equal(instants.Min(), DateTimeOffset.Parse(interval[0].GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(instants.Max(), DateTimeOffset.Parse(interval[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("http://www.opengis.net/def/uom/ISO-8601/0/Gregorian", temporal.GetProperty("trs").GetString());
    }

    [Fact]
    public async Task GetQueryables_IsJsonSchemaWithTypesRolesAndEnums()
    {
        var schema = await (await Client.GetAsync($"/collections/{Cql2BruteForceCases.CollectionId}/queryables")).ReadJsonAsync(HttpStatusCode.OK, "application/schema+json");

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.GetProperty("$schema").GetString());
        Assert.Equal($"http://localhost/collections/{Cql2BruteForceCases.CollectionId}/queryables", schema.GetProperty("$id").GetString());
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.Equal("CQL2 features", schema.GetProperty("title").GetString());
        var properties = schema.GetProperty("properties");
        Assert.Equal(Cql2BruteForceCases.Queryables.Properties.Keys.Order(StringComparer.Ordinal), properties.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("primary-geometry", properties.GetProperty("geometry").GetProperty("x-ogc-role").GetString());
        Assert.Equal("primary-instant", properties.GetProperty("updated").GetProperty("x-ogc-role").GetString());
        Assert.Equal("date-time", properties.GetProperty("updated").GetProperty("format").GetString());
        Assert.Equal("date", properties.GetProperty("founded").GetProperty("format").GetString());
        Assert.Equal("integer", properties.GetProperty("floors").GetProperty("type").GetString());
        Assert.Equal("number", properties.GetProperty("area_km2").GetProperty("type").GetString());
        Assert.Equal("boolean", properties.GetProperty("open").GetProperty("type").GetString());
        Assert.Equal(
            ["LOGISTICS", "Logistics", "logistics", "人工智能", "新材料", "生物医药", "集成电路"],
            properties.GetProperty("sector").GetProperty("enum").EnumerateArray().Select(v => v.GetString()!));
        Assert.False(properties.GetProperty("name").TryGetProperty("enum", out _));
    }

    [Fact]
    public async Task GetApi_ListsTheCollectionsItemsWithItsQueryablesAsTypedParameters()
    {
        var document = await (await Client.GetAsync("/api")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var parameters = document.GetProperty("paths").GetProperty(Items).GetProperty("get").GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("schema"));
        Assert.Equal("integer", parameters["floors"].GetProperty("type").GetString());
        Assert.Equal("date-time", parameters["updated"].GetProperty("format").GetString());
        Assert.Contains("集成电路", parameters["sector"].GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["cql2-text", "cql2-json", "cql-text"], parameters["filter-lang"].GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        Assert.Contains("filter", parameters.Keys);
        Assert.Contains("datetime", parameters.Keys);
        Assert.DoesNotContain("geometry", parameters.Keys);
        Assert.DoesNotContain("collectionId", parameters.Keys);
        var (ids, _) = await ReadAllPagesAsync($"{Items}?floors=12&filter-lang=cql-text&filter={Uri.EscapeDataString("floors = 12")}&limit=1000");
        Assert.Equal(Cql2BruteForceCases.BruteForce(Cql2.ParseText("floors = 12"), service.Features), ids);
    }

    /// <summary>A property's value as its queryable type reads it (as the filter compares it), or null.</summary>
    private static IComparable? SortValue(FeatureRecord feature, string name)
    {
        using var document = JsonDocument.Parse(feature.PropertiesJson);
        if (!document.RootElement.TryGetProperty(name, out var value))
        {
            return null;
        }

        Cql2BruteForceCases.Queryables.TryGet(name, out var type);
        return (type, value.ValueKind) switch
        {
            (Cql2PropertyType.String, JsonValueKind.String) => value.GetString(),
            (Cql2PropertyType.Number or Cql2PropertyType.Integer, JsonValueKind.Number) => value.GetDouble(),
            (Cql2PropertyType.Boolean, JsonValueKind.True or JsonValueKind.False) => value.GetBoolean(),
            (Cql2PropertyType.Date or Cql2PropertyType.Timestamp, JsonValueKind.String) => Rfc3339.SecondsOf(value.GetString()),
            _ => null,
        };
    }

    private static string? Sector(FeatureRecord feature) =>
        JsonDocument.Parse(feature.PropertiesJson).RootElement.TryGetProperty("sector", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;

    private static JsonElement ReadBadFilters() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "cql2-bad-filters.json"))).RootElement.GetProperty("cases").Clone();

    /// <summary>Every feature id of every page, following next links as a client does.</summary>
    private async Task<(List<string> Ids, long Matched)> ReadAllPagesAsync(string url)
    {
        var ids = new List<string>();
        long matched = -1;
        string? next = url;
        while (next is not null)
        {
            var page = await (await Client.GetAsync(next)).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
            matched = matched < 0 ? page.GetProperty("numberMatched").GetInt64() : matched;
            Assert.Equal(matched, page.GetProperty("numberMatched").GetInt64());
            ids.AddRange(page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!));
            next = page.GetProperty("links").HasLink("next") ? page.GetProperty("links").Href("next") : null;
            Assert.True(ids.Count <= matched, $"paging went past numberMatched at {next}");
        }

        return (ids, matched);
    }
}

public sealed class SqliteFilterService : FilterService
{
    protected override Task<ClusterMapFactory> CreateFactoryAsync() => Task.FromResult(new ClusterMapFactory());
}

public sealed class SqliteFilterApiTests(SqliteFilterService service) : FilterApiContract(service), IClassFixture<SqliteFilterService>;

public class PostGisFilterService : FilterService
{
    private string _connectionString = "";

    /// <summary>Further settings of the service (none here).</summary>
    protected virtual IReadOnlyDictionary<string, string?> MoreSettings { get; } = new Dictionary<string, string?>();

    protected override async Task<ClusterMapFactory> CreateFactoryAsync()
    {
        _connectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();
        return ClusterMapFactory.With(ClusterMapFactory.TestGeodata, new Dictionary<string, string?>(MoreSettings)
        {
            ["Storage:Provider"] = "PostGis",
            ["ConnectionStrings:ClusterMap"] = _connectionString,
        });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(_connectionString);
    }
}

public sealed class PostGisFilterApiTests(PostGisFilterService service) : FilterApiContract(service), IClassFixture<PostGisFilterService>;
