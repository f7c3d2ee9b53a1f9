using System.Net;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Geodesy;

namespace ClusterMap.Api.Tests.Proximity;

/// <summary>
/// The proximity endpoints on the synthetic test geodata: 25 sites on a 0.1° grid (every fifth with a 3 km location
/// uncertainty, the others 50 m) and two square zones. Expected distances come from Core's geodesic solution,
/// which its own tests check against GeographicLib and PostGIS; these tests check the wiring and the contract.
/// </summary>
public sealed class ProximityApiTests(ClusterMapFactory factory) : IClassFixture<ClusterMapFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private static (double Lon, double Lat) Site(int i) => (121.0 + 0.1 * (i % 5), 31.0 + 0.1 * (i / 5));

    private static double Uncertainty(int i) => i % 5 == 4 ? 3000 : 50;

    private async Task<JsonElement> GetAsync(string path, string mediaType = "application/geo+json") =>
        await (await _client.GetAsync(path)).ReadJsonAsync(HttpStatusCode.OK, mediaType);

    private static List<JsonElement> Features(JsonElement collection) => [.. collection.GetProperty("features").EnumerateArray()];

    [Fact]
    public async Task Within_FromPoint_ReturnsExactlyTheTargetsInRangeNearestFirst()
    {
        // Origin between sites; 22 km reaches the sites whose interval starts within 22 km, among them site-09
        // (about 23.9 km away, but with a 3 km uncertainty): a possible answer.
        const double radius = 22_000;
        var answer = await GetAsync($"/proximity/within?target=sites&radius_m={radius}&lon=121.15&lat=31.12");

        var expected = Enumerable.Range(0, 25)
            .Select(i => (Id: $"site-{i:00}", Distance: Geodesic.DistanceMeters(121.15, 31.12, Site(i).Lon, Site(i).Lat), Uncertainty: Uncertainty(i)))
            .Where(s => s.Distance - s.Uncertainty <= radius)
            .OrderBy(s => s.Distance).ThenBy(s => s.Id, StringComparer.Ordinal)
            .ToList();
        var features = Features(answer);
        Assert.Equal(expected.Select(e => e.Id), features.Select(f => f.GetProperty("id").GetString()));
        for (var i = 0; i < features.Count; i++)
        {
            var properties = features[i].GetProperty("properties");
            Assert.Equal(i + 1, properties.GetProperty("rank").GetInt32());
            Assert.Equal(expected[i].Distance, properties.GetProperty("distance_m").GetDouble(), 0.01);
            Assert.Equal(expected[i].Distance + expected[i].Uncertainty, properties.GetProperty("distance_max_m").GetDouble(), 0.01);
            var certain = expected[i].Distance + expected[i].Uncertainty <= radius;
            Assert.Equal(certain ? "certain" : "possible", properties.GetProperty("within").GetString());
            Assert.Equal($"Test site {int.Parse(expected[i].Id[5..], System.Globalization.CultureInfo.InvariantCulture)}", properties.GetProperty("name").GetString());
        }

        Assert.Contains(features, f => f.GetProperty("properties").GetProperty("within").GetString() == "possible");
        Assert.Equal(radius, answer.GetProperty("radius_m").GetDouble());
        Assert.Equal(121.15, answer.GetProperty("origin").GetProperty("lon").GetDouble());
    }

    [Fact]
    public async Task Within_PointInsidePolygon_IsAtDistanceZeroAndEdgeDistanceOtherwise()
    {
        var inside = Features(await GetAsync("/proximity/within?target=zones&radius_m=50000&lon=121.1&lat=31.1"));

        Assert.Equal("zone-ic", inside[0].GetProperty("id").GetString());
        Assert.Equal(0, inside[0].GetProperty("properties").GetProperty("distance_m").GetDouble());
        // zone-bio spans 121.25–121.35 E, 31.25–31.35 N: its nearest point to (121.1, 31.1) is its corner (121.25, 31.25).
        Assert.Equal("zone-bio", inside[1].GetProperty("id").GetString());
        Assert.Equal(Geodesic.DistanceMeters(121.1, 31.1, 121.25, 31.25), inside[1].GetProperty("properties").GetProperty("distance_m").GetDouble(), 0.5);
    }

    [Fact]
    public async Task Nearest_FromFeatureOfSameCollection_SkipsItselfAndSortsByDistance()
    {
        var answer = await GetAsync("/proximity/nearest?target=sites&k=4&from=sites/site-12");

        // Ties by id are covered in Core's index tests: grid neighbours here differ in the last bits of their lon.
        var expected = Enumerable.Range(0, 25).Where(i => i != 12)
            .Select(i => (Id: $"site-{i:00}", Distance: Geodesic.DistanceMeters(Site(12).Lon, Site(12).Lat, Site(i).Lon, Site(i).Lat)))
            .OrderBy(s => s.Distance).ThenBy(s => s.Id, StringComparer.Ordinal).Take(4).Select(s => s.Id);
        var ids = Features(answer).Select(f => f.GetProperty("id").GetString()).ToList();
        Assert.Equal(expected, ids);
        Assert.Equal("sites", answer.GetProperty("origin").GetProperty("collection").GetString());
        Assert.Equal(50, answer.GetProperty("origin").GetProperty("location_uncertainty_m").GetDouble());
        Assert.False(Features(answer)[0].GetProperty("properties").TryGetProperty("within", out _));
    }

    [Fact]
    public async Task Nearest_WithTargetFilter_OnlyConsidersMatchingTargets()
    {
        var answer = await GetAsync("/proximity/nearest?target=sites&k=3&lon=121.0&lat=31.0&kind=odd");

        var expected = Enumerable.Range(0, 25).Where(i => i % 2 == 1)
            .OrderBy(i => Geodesic.DistanceMeters(121.0, 31.0, Site(i).Lon, Site(i).Lat))
            .Take(3).Select(i => $"site-{i:00}");
        Assert.Equal(expected, Features(answer).Select(f => f.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Matrix_Csv_HasOneLinePerOriginAndTargetWithDistances()
    {
        var response = await _client.GetAsync("/proximity/matrix?from=zones&to=sites&k=2&f=csv");
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("origin_id,origin_name_zh,origin_name_en,rank,target_id,target_name_zh,target_name_en,distance_m,distance_min_m,distance_max_m,distance_exact,within", lines[0]);
        Assert.Equal(1 + 2 * 2, lines.Length);
        // Site 6 (121.1, 31.1) lies inside zone-ic, site 12 (121.2, 31.2) outside it.
        Assert.StartsWith("zone-ic,测试园区,,1,site-06,Test site 6,Test site 6,0,0,50,false,", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Matrix_Json_SameCollection_ExcludesSelf()
    {
        var matrix = await GetAsync("/proximity/matrix?from=sites&to=sites&k=1&max_m=20000", "application/json");

        var rows = matrix.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(25, rows.Count);
        Assert.All(rows, row => Assert.NotEqual(row.GetProperty("origin").GetProperty("id").GetString(), row.GetProperty("targets")[0].GetProperty("id").GetString()));
        Assert.Equal(20000, matrix.GetProperty("max_m").GetDouble());
    }

    [Fact]
    public async Task Rings_CountsAreCumulativeAndSplitIntoCertainAndPossible()
    {
        var rings = await GetAsync("/proximity/rings?from=zones&to=sites&rings_m=1,12000,100000", "application/json");

        var row = rings.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("origin").GetProperty("id").GetString() == "zone-ic");
        var counts = row.GetProperty("rings").EnumerateArray().Select(r => r.GetProperty("count").GetInt32()).ToList();
        Assert.Equal(1, counts[0]); // site-06 inside the zone
        Assert.True(counts[0] <= counts[1] && counts[1] <= counts[2]);
        Assert.Equal(25, counts[2]);
        Assert.All(row.GetProperty("rings").EnumerateArray(), r =>
            Assert.Equal(r.GetProperty("count").GetInt32(), r.GetProperty("certain").GetInt32() + r.GetProperty("possible").GetInt32()));
        Assert.Equal("site-06", row.GetProperty("nearest").GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("/proximity/within?radius_m=5&lon=121&lat=31", "target")]
    [InlineData("/proximity/within?target=nope&radius_m=5&lon=121&lat=31", "target")]
    [InlineData("/proximity/within?target=../etc&radius_m=5&lon=121&lat=31", "target")]
    [InlineData("/proximity/within?target=sites&radius_m=5", "from")]
    [InlineData("/proximity/within?target=sites&radius_m=5&from=sites", "from")]
    [InlineData("/proximity/within?target=sites&radius_m=5&from=sites/none", "from")]
    [InlineData("/proximity/within?target=sites&radius_m=5&from=nope/site-01", "from")]
    [InlineData("/proximity/within?target=sites&radius_m=5&from=sites/site-01&lon=121", "from")]
    [InlineData("/proximity/within?target=sites&radius_m=5&lon=121", "lat")]
    [InlineData("/proximity/within?target=sites&radius_m=5&lat=31", "lon")]
    [InlineData("/proximity/within?target=sites&radius_m=5&lon=181&lat=31", "lon")]
    [InlineData("/proximity/within?target=sites&radius_m=5&lon=121&lat=-91", "lat")]
    [InlineData("/proximity/within?target=sites&radius_m=5&lon=NaN&lat=31", "lon")]
    [InlineData("/proximity/within?target=sites&lon=121&lat=31", "radius_m")]
    [InlineData("/proximity/within?target=sites&radius_m=0&lon=121&lat=31", "radius_m")]
    [InlineData("/proximity/within?target=sites&radius_m=-5&lon=121&lat=31", "radius_m")]
    [InlineData("/proximity/within?target=sites&radius_m=20000001&lon=121&lat=31", "radius_m")]
    [InlineData("/proximity/within?target=sites&radius_m=1e308&lon=121&lat=31", "radius_m")]
    [InlineData("/proximity/within?target=sites&radius_m=Infinity&lon=121&lat=31", "radius_m")]
    [InlineData("/proximity/within?target=sites&radius_m=5km&lon=121&lat=31", "radius_m")]
    [InlineData("/proximity/within?target=sites&radius_m=5&lon=121&lat=31&radius=5", "radius")]
    [InlineData("/proximity/nearest?target=sites&lon=121&lat=31", "k")]
    [InlineData("/proximity/nearest?target=sites&k=0&lon=121&lat=31", "k")]
    [InlineData("/proximity/nearest?target=sites&k=1001&lon=121&lat=31", "k")]
    [InlineData("/proximity/nearest?target=sites&k=2.5&lon=121&lat=31", "k")]
    [InlineData("/proximity/nearest?target=sites&k=3&max_m=0&lon=121&lat=31", "max_m")]
    [InlineData("/proximity/matrix?to=sites&k=1", "from")]
    [InlineData("/proximity/matrix?from=zones&k=1", "to")]
    [InlineData("/proximity/matrix?from=zones&to=sites&k=1&f=xml", "f")]
    [InlineData("/proximity/rings?from=zones&to=sites&rings_m=3000,1000", "rings_m")]
    [InlineData("/proximity/rings?from=zones&to=sites&rings_m=1000,,3000", "rings_m")]
    [InlineData("/proximity/rings?from=zones&to=sites&rings_m=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21", "rings_m")]
    public async Task BadInput_Is400NamingTheParameter(string path, string parameter) =>
        await (await _client.GetAsync(path)).AssertProblemAsync(HttpStatusCode.BadRequest, parameter);

    [Fact]
    public async Task OpenApi_DescribesTheProximityEndpointsAndTheirParameters()
    {
        var document = await GetAsync("/api", "application/json");

        var within = document.GetProperty("paths").GetProperty("/proximity/within").GetProperty("get");
        var names = within.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "target", "radius_m", "from", "lon", "lat" }, names);
        Assert.True(document.GetProperty("paths").TryGetProperty("/proximity/rings", out _));
    }
}
