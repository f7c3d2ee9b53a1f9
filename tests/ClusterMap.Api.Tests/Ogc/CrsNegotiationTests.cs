using System.Net;
using System.Text.Json;

namespace ClusterMap.Api.Tests.Ogc;

/// <summary>OGC API – Features Part 2: <c>crs</c>, <c>bbox-crs</c> and <c>Content-Crs</c> on items.</summary>
public sealed class CrsNegotiationTests(ClusterMapFactory factory) : IClassFixture<ClusterMapFactory>
{
    // site-00 lies at 121.0, 31.0 (TestData/geodata/sites.geojson). Its EPSG:3857 position as GDAL computes it:
    // echo "121.0 31.0" | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:3857 --config OGR_CT_FORCE_TRADITIONAL_GIS_ORDER YES
    private const double Site00X3857 = 13469658.3859861;
    private const double Site00Y3857 = 3632749.14338443;

    private readonly HttpClient _client = factory.CreateClient();

    private static double[] Position(JsonElement feature) =>
        [.. feature.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(v => v.GetDouble())];

    [Fact]
    public async Task GetItem_Crs3857_MatchesGdalAndSaysContentCrs()
    {
        var response = await _client.GetAsync("/collections/sites/items/site-00?crs=http://www.opengis.net/def/crs/EPSG/0/3857");
        var feature = await response.ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

        Assert.Equal("<http://www.opengis.net/def/crs/EPSG/0/3857>", Assert.Single(response.Headers.GetValues("Content-Crs")));
        var position = Position(feature);

        // GDAL/PROJ is the independent reference; 1 cm is far below anything a map shows.
        Assert.Equal(Site00X3857, position[0], 0.01);
        Assert.Equal(Site00Y3857, position[1], 0.01);
    }

    [Fact]
    public async Task GetItems_Crs4326_WritesLatitudeFirst()
    {
        var response = await _client.GetAsync("/collections/sites/items?limit=1&crs=http://www.opengis.net/def/crs/EPSG/0/4326");
        var body = await response.ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

        Assert.Equal("<http://www.opengis.net/def/crs/EPSG/0/4326>", Assert.Single(response.Headers.GetValues("Content-Crs")));
        Assert.Equal([31.0, 121.0], Position(body.GetProperty("features")[0]));
    }

    [Fact]
    public async Task GetItems_Default_IsCrs84WithContentCrs()
    {
        var response = await _client.GetAsync("/collections/sites/items?limit=1");
        var body = await response.ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

        Assert.Equal("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>", Assert.Single(response.Headers.GetValues("Content-Crs")));
        Assert.Equal([121.0, 31.0], Position(body.GetProperty("features")[0]));
    }

    [Fact]
    public async Task GetItems_CrsGcj02_ShiftsShanghaiPointsByTheGcjOffset()
    {
        var body = await (await _client.GetAsync("/collections/sites/items/site-00?crs=http://localhost/crs/GCJ-02")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

        var position = Position(body);

        // GCJ-02 moves Shanghai about 0.004–0.005° east and 0.002° south (gcj_offset.py); the exact values are
        // checked in ClusterMap.Projections.Tests.
        Assert.InRange(position[0] - 121.0, 0.003, 0.006);
        Assert.InRange(position[1] - 31.0, -0.003, -0.001);
    }

    [Fact]
    public async Task GetItems_BboxIn3857_SelectsTheSameFeaturesAsInCrs84()
    {
        // A box of ±100 m around site-00 in Web Mercator.
        var bbox = FormattableString.Invariant($"{Site00X3857 - 100},{Site00Y3857 - 100},{Site00X3857 + 100},{Site00Y3857 + 100}");

        var body = await (await _client.GetAsync($"/collections/sites/items?bbox={bbox}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3857"))
            .ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

        Assert.Equal(["site-00"], body.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()));
    }

    [Theory]
    [InlineData("/collections/sites/items?crs=EPSG:99999", "crs")]
    [InlineData("/collections/sites/items?crs=http://www.opengis.net/def/crs/EPSG/0/32650", "crs")]
    [InlineData("/collections/sites/items?bbox-crs=nonsense&bbox=1,2,3,4", "bbox-crs")]
    [InlineData("/collections/sites/items?bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3857&bbox=3,2,1,0", "bbox")]
    [InlineData("/collections/sites/items/site-00?crs=mars", "crs")]
    public async Task BadCrs_Is400NamingTheParameter(string path, string parameter)
    {
        var problem = await (await _client.GetAsync(path)).AssertProblemAsync(HttpStatusCode.BadRequest, parameter);

        Assert.Contains("expected", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCollection_ListsEveryServedCrs()
    {
        var collection = await (await _client.GetAsync("/collections/sites")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        Assert.Equal(
            [
                "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "http://www.opengis.net/def/crs/EPSG/0/4326", "http://www.opengis.net/def/crs/EPSG/0/3857",
                "http://www.opengis.net/def/crs/EPSG/0/4490", "http://www.opengis.net/def/crs/EPSG/0/32651",
                "http://localhost/crs/GCJ-02", "http://localhost/crs/BD-09",
            ],
            collection.GetProperty("crs").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task EveryListedCrsUri_IsRegisteredOrResolvesOnTheService()
    {
        var collection = await (await _client.GetAsync("/collections/sites")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        foreach (var uri in collection.GetProperty("crs").EnumerateArray().Select(c => c.GetString()!))
        {
            if (uri.StartsWith("http://www.opengis.net/def/crs/", StringComparison.Ordinal))
            {
                continue;
            }

            var definition = await (await _client.GetAsync(new Uri(uri).PathAndQuery)).ReadJsonAsync(HttpStatusCode.OK, "application/json");
            Assert.Equal(uri, definition.GetProperty("uri").GetString());
            Assert.StartsWith(definition.GetProperty("id").GetString()!, uri[(uri.LastIndexOf('/') + 1)..], StringComparison.Ordinal);
            Assert.Contains("mainland China", definition.GetProperty("areaOfUse").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GetCrs_Unknown_Is404NamingTheParameter() =>
        await (await _client.GetAsync("/crs/EPSG:3857")).AssertProblemAsync(HttpStatusCode.NotFound, "crsId");

    [Fact]
    public async Task GetItems_Gcj02_SaysContentCrsWithTheServiceUri()
    {
        var response = await _client.GetAsync("/collections/sites/items?limit=1&crs=gcj02");

        Assert.Equal("<http://localhost/crs/GCJ-02>", Assert.Single(response.Headers.GetValues("Content-Crs")));
    }

    [Fact]
    public async Task ProximityWithin_Crs3857_MatchesGdalAndSaysContentCrs()
    {
        var response = await _client.GetAsync("/proximity/within?target=sites&lon=121.0&lat=31.0&radius_m=1&crs=http://www.opengis.net/def/crs/EPSG/0/3857");
        var body = await response.ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

        Assert.Equal("<http://www.opengis.net/def/crs/EPSG/0/3857>", Assert.Single(response.Headers.GetValues("Content-Crs")));
        var feature = Assert.Single(body.GetProperty("features").EnumerateArray());
        Assert.Equal("site-00", feature.GetProperty("id").GetString());
        Assert.Equal(Site00X3857, Position(feature)[0], 0.01);
        Assert.Equal(Site00Y3857, Position(feature)[1], 0.01);
        Assert.Equal(0, feature.GetProperty("properties").GetProperty("distance_m").GetDouble(), 0.01);
    }

    [Fact]
    public async Task ProximityNearest_BadCrs_Is400NamingTheParameter() =>
        await (await _client.GetAsync("/proximity/nearest?target=sites&lon=121.0&lat=31.0&k=1&crs=EPSG:99999")).AssertProblemAsync(HttpStatusCode.BadRequest, "crs");

    [Fact]
    public async Task GetItems_CsvIn3857_HasIdWktAndPropertiesWithContentCrs()
    {
        var response = await _client.GetAsync("/collections/sites/items?limit=1&f=csv&crs=http://www.opengis.net/def/crs/EPSG/0/3857");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("<http://www.opengis.net/def/crs/EPSG/0/3857>", Assert.Single(response.Headers.GetValues("Content-Crs")));
        Assert.Contains("rel=\"next\"", Assert.Single(response.Headers.GetValues("Link")), StringComparison.Ordinal);
        var lines = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("id,wkt,", lines[0], StringComparison.Ordinal);
        var point = System.Text.RegularExpressions.Regex.Match(lines[1], @"^site-00,POINT \(([-0-9.]+) ([-0-9.]+)\),");
        Assert.True(point.Success, lines[1]);
        Assert.Equal(Site00X3857, double.Parse(point.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0.01);
        Assert.Equal(Site00Y3857, double.Parse(point.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 0.01);
    }

    [Fact]
    public async Task ProximityNearest_Csv_HasDistanceColumns()
    {
        var response = await _client.GetAsync("/proximity/nearest?target=sites&lon=121.0&lat=31.0&k=2&f=csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        // The test sites have a rank property of their own: the answer's rank replaces it in place.
        Assert.EndsWith(",distance_m,distance_min_m,distance_max_m,distance_exact", lines[0], StringComparison.Ordinal);
        Assert.Contains(",rank,", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("site-00,POINT (121 31),", lines[1], StringComparison.Ordinal);
    }
}
