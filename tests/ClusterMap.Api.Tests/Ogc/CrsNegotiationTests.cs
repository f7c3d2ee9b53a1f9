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
        var body = await (await _client.GetAsync("/collections/sites/items/site-00?crs=https://clustermap.dev/def/crs/GCJ-02")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

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
                "https://clustermap.dev/def/crs/GCJ-02", "https://clustermap.dev/def/crs/BD-09",
            ],
            collection.GetProperty("crs").EnumerateArray().Select(c => c.GetString()));
    }
}
