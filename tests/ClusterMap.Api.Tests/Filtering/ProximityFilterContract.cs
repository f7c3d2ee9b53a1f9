using System.Globalization;
using System.Net;
using System.Text.Json;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using ClusterMap.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterMap.Api.Tests.Filtering;

/// <summary>
/// <c>filter</c> (targets) and <c>from-filter</c> (origins) on the proximity endpoints, written once and run on every
/// store: each filtered answer must equal the unfiltered answer of the same service with the features the in-memory
/// evaluator rejects (brute force) struck out. The targets are the generated CQL2 features; the origins the test
/// geodata's 25 sites, or the CQL2 features themselves.
/// </summary>
public abstract class ProximityFilterContract(FilterService service)
{
    private const string Cql2 = Cql2BruteForceCases.CollectionId;

    // The middle of the generated features, and a radius that reaches a few hundred of them.
    private const string Origin = "lon=121.45&lat=31.15";

    private HttpClient Client => service.Client;

    /// <summary>Whether the store selects the targets' candidates (PostGIS push-down) rather than the engine holding them all.</summary>
    protected virtual bool TargetsPushedDown => false;

    [Fact]
    public async Task Targets_AreHeldOrPushedDownAsThisStoreIsSetUp()
    {
        var target = await service.Services.GetRequiredService<ProximityTargets>().GetAsync(Cql2, TimeSpan.Zero);

        Assert.Equal(TargetsPushedDown, target!.IsPushedDown);
    }

    public static TheoryData<string> Filters() => [.. Cql2BruteForceCases.Filters];

    /// <summary>A few filters of each class, for the endpoints whose answers are tables of every origin.</summary>
    public static TheoryData<string> TableFilters() =>
    [
        "sector IN ('集成电路', '生物医药')",
        "CASEI(name) LIKE CASEI('alpha%')",
        "area_km2 BETWEEN 2 AND 8.5",
        "S_INTERSECTS(geometry, POLYGON((121.2 31.0, 121.6 31.05, 121.45 31.4, 121.2 31.0)))",
        "T_AFTER(updated, TIMESTAMP('2020-01-01T00:00:00Z'))",
        """{"op":"and","args":[{"op":"=","args":[{"property":"sector"},"新材料"]},{"op":">","args":[{"property":"floors"},10]}]}""",
    ];

    [Theory]
    [MemberData(nameof(Filters), MemberType = typeof(ProximityFilterContract))]
    public async Task Within_WithFilter_IsTheUnfilteredAnswerWithoutTheRejectedTargets(string filter)
    {
        var selected = Selected(filter);
        var all = Hits(await GetAsync($"/proximity/within?target={Cql2}&radius_m=30000&{Origin}", "application/geo+json"));
        var expected = all.Where(h => selected.Contains(h.Id)).ToList();

        var filtered = Hits(await GetAsync($"/proximity/within?target={Cql2}&radius_m=30000&{Origin}&{Query("filter", filter)}", "application/geo+json"));

        Assert.Equal(expected, filtered);
        Assert.InRange(all.Count, 50, service.Features.Count);
    }

    [Theory]
    [MemberData(nameof(Filters), MemberType = typeof(ProximityFilterContract))]
    public async Task Nearest_WithFilter_IsTheFirstKOfTheUnfilteredAnswerWithoutTheRejectedTargets(string filter)
    {
        var selected = Selected(filter);
        // k = 1000 ranks every feature of the collection.
        var all = Hits(await GetAsync($"/proximity/nearest?target={Cql2}&k=1000&{Origin}", "application/geo+json"));
        Assert.Equal(service.Features.Count, all.Count);

        var filtered = Hits(await GetAsync($"/proximity/nearest?target={Cql2}&k=5&{Origin}&{Query("filter", filter)}", "application/geo+json"));

        Assert.Equal(all.Where(h => selected.Contains(h.Id)).Take(5), filtered);
    }

    [Theory]
    [MemberData(nameof(TableFilters), MemberType = typeof(ProximityFilterContract))]
    public async Task Matrix_WithFilter_IsEachOriginsUnfilteredRowWithoutTheRejectedTargets(string filter)
    {
        var selected = Selected(filter);
        var all = MatrixRows(await GetAsync($"/proximity/matrix?from=sites&to={Cql2}&k=1000"));

        var filtered = MatrixRows(await GetAsync($"/proximity/matrix?from=sites&to={Cql2}&k=3&{Query("filter", filter)}"));

        Assert.Equal(25, filtered.Count);
        Assert.Equal(all.Select(r => r.Origin), filtered.Select(r => r.Origin));
        for (var i = 0; i < all.Count; i++)
        {
            Assert.Equal(all[i].Targets.Where(h => selected.Contains(h.Id)).Take(3), filtered[i].Targets);
        }
    }

    [Theory]
    [MemberData(nameof(TableFilters), MemberType = typeof(ProximityFilterContract))]
    public async Task Matrix_WithFromFilter_IsTheUnfilteredMatrixWithoutTheRejectedOrigins(string filter)
    {
        var selected = Selected(filter);
        var all = MatrixRows(await GetAsync($"/proximity/matrix?from={Cql2}&to=sites&k=2"));

        var filtered = MatrixRows(await GetAsync($"/proximity/matrix?from={Cql2}&to=sites&k=2&{Query("from-filter", filter)}"));

        Assert.Equal(all.Where(r => selected.Contains(r.Origin)).Select(Flatten), filtered.Select(Flatten));
        Assert.InRange(filtered.Count, 1, all.Count - 1);
    }

    [Theory]
    [MemberData(nameof(TableFilters), MemberType = typeof(ProximityFilterContract))]
    public async Task Rings_WithFilter_CountOnlyTheSelectedTargets(string filter)
    {
        var selected = Selected(filter);
        double[] rings = [3000, 10000, 25000];
        var all = MatrixRows(await GetAsync($"/proximity/matrix?from=sites&to={Cql2}&k=1000"));

        using var answer = JsonDocument.Parse(await (await Client.GetAsync($"/proximity/rings?from=sites&to={Cql2}&rings_m=3000,10000,25000&{Query("filter", filter)}")).Content.ReadAsStringAsync());
        var rows = answer.RootElement.GetProperty("rows").EnumerateArray().ToList();

        Assert.Equal(all.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var kept = all[i].Targets.Where(h => selected.Contains(h.Id)).ToList();
            Assert.Equal(all[i].Origin, rows[i].GetProperty("origin").GetProperty("id").GetString());
            var counts = rows[i].GetProperty("rings").EnumerateArray()
                .Select(r => (r.GetProperty("count").GetInt32(), r.GetProperty("certain").GetInt32(), r.GetProperty("possible").GetInt32()));
            Assert.Equal(
                rings.Select(r => (kept.Count(h => h.Distance <= r), kept.Count(h => h.Max <= r), kept.Count(h => h.Min <= r && h.Max > r))),
                counts);
            Assert.Equal(kept.FirstOrDefault()?.Id, rows[i].GetProperty("nearest").ValueKind == JsonValueKind.Null ? null : rows[i].GetProperty("nearest").GetProperty("id").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(TableFilters), MemberType = typeof(ProximityFilterContract))]
    public async Task Rings_WithFromFilter_AreTheUnfilteredRowsOfTheSelectedOrigins(string filter)
    {
        var selected = Selected(filter);
        var all = await GetAsync($"/proximity/rings?from={Cql2}&to=sites&rings_m=5000,20000");

        var filtered = await GetAsync($"/proximity/rings?from={Cql2}&to=sites&rings_m=5000,20000&{Query("from-filter", filter)}");

        Assert.Equal(
            all.GetProperty("rows").EnumerateArray().Where(r => selected.Contains(r.GetProperty("origin").GetProperty("id").GetString()!)).Select(r => r.GetRawText()),
            filtered.GetProperty("rows").EnumerateArray().Select(r => r.GetRawText()));
    }

    [Fact]
    public async Task Filter_CombinesWithEqualityAndFilterCrs()
    {
        // The same box in EPSG:4326's latitude-first order, and an equality on another queryable.
        var box = "S_INTERSECTS(geometry, BBOX(31.0, 121.3, 31.3, 121.6))";
        var selected = Selected("S_INTERSECTS(geometry, BBOX(121.3, 31.0, 121.6, 31.3)) AND sector = '新材料'");
        var all = Hits(await GetAsync($"/proximity/within?target={Cql2}&radius_m=30000&{Origin}", "application/geo+json"));

        var filtered = Hits(await GetAsync(
            $"/proximity/within?target={Cql2}&radius_m=30000&{Origin}&{Query("filter", box)}&filter-crs={Uri.EscapeDataString("http://www.opengis.net/def/crs/EPSG/0/4326")}&sector=新材料",
            "application/geo+json"));

        Assert.Equal(all.Where(h => selected.Contains(h.Id)), filtered);
        Assert.NotEmpty(filtered);
    }

    [Theory]
    [InlineData($"/proximity/within?target={Cql2}&radius_m=5000&{Origin}&filter=sector%20%3D", "filter", 8)]
    [InlineData($"/proximity/nearest?target={Cql2}&k=3&{Origin}&filter=nope%20%3D%201", "filter", 0)]
    [InlineData($"/proximity/matrix?from=sites&to={Cql2}&k=3&filter=floors%20%3D%20'x'", "filter", null)]
    [InlineData($"/proximity/matrix?from={Cql2}&to=sites&k=3&from-filter=sector%20%3D%3D%201", "from-filter", 8)]
    [InlineData($"/proximity/rings?from=sites&to={Cql2}&from-filter=sector%20%3D%20'x'", "from-filter", 0)]
    [InlineData($"/proximity/rings?from=sites&to={Cql2}&filter=S_NOPE(geometry)", "filter", 0)]
    public async Task BadFilter_Is400NamingTheParameterAndThePosition(string url, string parameter, int? position)
    {
        var problem = await (await Client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.BadRequest, parameter);

        Assert.True(problem.TryGetProperty("position", out var at), problem.GetRawText());
        if (position is not null)
        {
            Assert.Equal(position, at.GetInt32());
        }
    }

    [Theory]
    [InlineData($"/proximity/within?target={Cql2}&radius_m=5000&{Origin}&filter=TRUE&filter-lang=sql", "filter-lang")]
    [InlineData($"/proximity/matrix?from={Cql2}&to=sites&k=3&from-filter=TRUE&from-filter-crs=EPSG:0", "from-filter-crs")]
    [InlineData($"/proximity/within?target={Cql2}&radius_m=5000&{Origin}&from-filter=TRUE", "from-filter")]
    public async Task BadFilterParameter_Is400NamingIt(string url, string parameter) =>
        await (await Client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.BadRequest, parameter);

    private sealed record Hit(string Id, double Distance, double Min, double Max);

    private sealed record MatrixRow(string Origin, List<Hit> Targets);

    private HashSet<string> Selected(string filter)
    {
        var node = Core.Filtering.Cql2.Parse(filter, filter.StartsWith('{') ? Cql2Language.Json : Cql2Language.Text);
        return [.. Cql2BruteForceCases.BruteForce(node, service.Features)];
    }

    private static string Query(string name, string filter) =>
        $"{name}={Uri.EscapeDataString(filter)}{(filter.StartsWith('{') ? $"&{name}-lang=cql2-json" : "")}";

    private async Task<JsonElement> GetAsync(string url, string mediaType = "application/json") =>
        await (await Client.GetAsync(url)).ReadJsonAsync(HttpStatusCode.OK, mediaType);

    private static List<Hit> Hits(JsonElement collection) =>
        [.. collection.GetProperty("features").EnumerateArray().Select(f => (Id: f.GetProperty("id").GetString()!, P: f.GetProperty("properties"))).Select(f => new Hit(
            f.Id, f.P.GetProperty("distance_m").GetDouble(), f.P.GetProperty("distance_min_m").GetDouble(), f.P.GetProperty("distance_max_m").GetDouble()))];

    private static List<MatrixRow> MatrixRows(JsonElement matrix) =>
        [.. matrix.GetProperty("rows").EnumerateArray().Select(r => new MatrixRow(
            r.GetProperty("origin").GetProperty("id").GetString()!,
            [.. r.GetProperty("targets").EnumerateArray().Select(t => new Hit(
                t.GetProperty("id").GetString()!, t.GetProperty("distance_m").GetDouble(), t.GetProperty("distance_min_m").GetDouble(), t.GetProperty("distance_max_m").GetDouble()))]))];

    private static string Flatten(MatrixRow row) =>
        string.Create(CultureInfo.InvariantCulture, $"{row.Origin}: {string.Join("; ", row.Targets.Select(t => $"{t.Id} {t.Distance} {t.Min} {t.Max}"))}");
}

public sealed class SqliteProximityFilterTests(SqliteFilterService service) : ProximityFilterContract(service), IClassFixture<SqliteFilterService>;

/// <summary>On PostGIS with every target collection pushed down (candidates selected by the database, not held in memory).</summary>
public sealed class PostGisPushDownFilterService : PostGisFilterService
{
    protected override IReadOnlyDictionary<string, string?> MoreSettings { get; } = new Dictionary<string, string?> { ["Proximity:InMemoryMaxFeatures"] = "0" };
}

public sealed class PostGisProximityFilterTests(PostGisPushDownFilterService service) : ProximityFilterContract(service), IClassFixture<PostGisPushDownFilterService>
{
    protected override bool TargetsPushedDown => true;
}
