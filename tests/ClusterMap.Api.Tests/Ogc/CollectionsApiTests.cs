using System.Net;
using System.Text.Json;

namespace ClusterMap.Api.Tests.Ogc;

public sealed class CollectionsApiTests(ClusterMapFactory factory) : IClassFixture<ClusterMapFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private async Task<JsonElement> GetGeoJsonAsync(string path) =>
        await (await _client.GetAsync(path)).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

    private static List<string> Ids(JsonElement collection) =>
        [.. collection.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!)];

    [Fact]
    public async Task GetCollections_ListsEveryCollectionWithExtentAndItemsLink()
    {
        var body = await (await _client.GetAsync("/collections")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var collections = body.GetProperty("collections").EnumerateArray().ToList();
        Assert.Equal(["sites", "zones"], collections.Select(c => c.GetProperty("id").GetString()));
        var sites = collections[0];
        Assert.Equal("Test sites", sites.GetProperty("title").GetString());
        Assert.Equal(25, sites.GetProperty("numberOfFeatures").GetInt32());
        Assert.Equal("feature", sites.GetProperty("itemType").GetString());
        var bbox = sites.GetProperty("extent").GetProperty("spatial").GetProperty("bbox")[0].EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal([121.0, 31.0, 121.4, 31.4], bbox);
        Assert.Equal("http://www.opengis.net/def/crs/OGC/1.3/CRS84", sites.GetProperty("extent").GetProperty("spatial").GetProperty("crs").GetString());
        Assert.Equal("http://localhost/collections/sites/items", sites.GetProperty("links").Href("items"));
    }

    [Fact]
    public async Task GetCollection_Known_DescribesIt_Unknown_Is404NamingCollectionId()
    {
        var zones = await (await _client.GetAsync("/collections/zones")).ReadJsonAsync(HttpStatusCode.OK, "application/json");
        Assert.Equal("Polygon", zones.GetProperty("geometryType").GetString());

        await (await _client.GetAsync("/collections/nope")).AssertProblemAsync(HttpStatusCode.NotFound, "collectionId");
    }

    [Fact]
    public async Task GetQueryables_ListsTheGeometryAndScalarProperties()
    {
        var response = await _client.GetAsync("/collections/sites/queryables");
        var schema = await response.ReadJsonAsync(HttpStatusCode.OK, "application/schema+json");

        Assert.Equal(["geometry", "kind", "location_uncertainty_m", "name", "rank"], schema.GetProperty("properties").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task GetItems_Default_ReturnsTenWithCountsTimestampAndNextLink()
    {
        var page = await GetGeoJsonAsync("/collections/sites/items");

        Assert.Equal("FeatureCollection", page.GetProperty("type").GetString());
        Assert.Equal(25, page.GetProperty("numberMatched").GetInt32());
        Assert.Equal(10, page.GetProperty("numberReturned").GetInt32());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"site-{i:00}"), Ids(page));
        Assert.True(DateTimeOffset.TryParse(page.GetProperty("timeStamp").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Equal("http://localhost/collections/sites/items?limit=10&offset=10", page.GetProperty("links").Href("next"));
        Assert.False(page.GetProperty("links").HasLink("prev"));
        Assert.False(page.TryGetProperty("crs", out _));
    }

    [Fact]
    public async Task GetItems_FollowingNextLinks_VisitsEveryFeatureOnce()
    {
        var seen = new List<string>();
        string? next = "/collections/sites/items?limit=7";
        var pages = 0;
        while (next is not null)
        {
            var page = await GetGeoJsonAsync(next);
            seen.AddRange(Ids(page));
            var links = page.GetProperty("links");
            next = links.HasLink("next") ? links.Href("next") : null;
            if (pages++ > 0)
            {
                Assert.True(links.HasLink("prev"));
            }
        }

        Assert.Equal(4, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"site-{i:00}"), seen);
    }

    [Fact]
    public async Task GetItems_WithBbox_ReturnsOnlyIntersecting()
    {
        var page = await GetGeoJsonAsync("/collections/sites/items?bbox=121.05,31.05,121.25,31.15&limit=100");

        Assert.Equal(["site-06", "site-07"], Ids(page));
        Assert.Equal(2, page.GetProperty("numberMatched").GetInt32());
    }

    [Fact]
    public async Task GetItems_WithPropertyFilters_CombinesThemWithBbox()
    {
        var page = await GetGeoJsonAsync("/collections/sites/items?kind=odd&bbox=121,31,121.4,31.1&limit=100");
        Assert.Equal(["site-01", "site-03", "site-05", "site-07", "site-09"], Ids(page));

        var zones = await GetGeoJsonAsync("/collections/zones/items?sector=" + Uri.EscapeDataString("集成电路"));
        Assert.Equal(["zone-ic"], Ids(zones));
        Assert.Equal("测试园区", zones.GetProperty("features")[0].GetProperty("properties").GetProperty("name_zh").GetString());

        var numeric = await GetGeoJsonAsync("/collections/sites/items?rank=12");
        Assert.Equal(["site-12"], Ids(numeric));
    }

    [Fact]
    public async Task GetItems_LimitAboveMaximum_IsClampedNotRejected()
    {
        using var small = ClusterMapFactory.With(ClusterMapFactory.TestGeodata, new Dictionary<string, string?> { ["Features:MaxLimit"] = "20" });
        var client = small.CreateClient();

        var page = await (await client.GetAsync("/collections/sites/items?limit=1000")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

        Assert.Equal(20, page.GetProperty("numberReturned").GetInt32());
        Assert.EndsWith("limit=20&offset=20", page.GetProperty("links").Href("next"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetItems_PolygonsAreRfc7946WithLonLatOrder()
    {
        var page = await GetGeoJsonAsync("/collections/zones/items?limit=1");

        var ring = page.GetProperty("features")[0].GetProperty("geometry").GetProperty("coordinates")[0];
        Assert.Equal([121.05, 31.05], ring[0].EnumerateArray().Select(v => v.GetDouble()));
        // Counterclockwise exterior ring (RFC 7946 §3.1.6): the second vertex lies east of the first.
        Assert.Equal(121.15, ring[1][0].GetDouble());
    }

    [Fact]
    public async Task GetItem_ReturnsTheFeatureWithSelfAndCollectionLinks()
    {
        var feature = await GetGeoJsonAsync("/collections/sites/items/site-12");

        Assert.Equal("site-12", feature.GetProperty("id").GetString());
        Assert.Equal([121.2, 31.2], feature.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("Test site 12", feature.GetProperty("properties").GetProperty("name").GetString());
        Assert.Equal("http://localhost/collections/sites/items/site-12", feature.GetProperty("links").Href("self"));
        Assert.Equal("http://localhost/collections/sites", feature.GetProperty("links").Href("collection"));
    }

    [Fact]
    public async Task GetItem_Unknown_Is404NamingFeatureId()
    {
        await (await _client.GetAsync("/collections/sites/items/site-99")).AssertProblemAsync(HttpStatusCode.NotFound, "featureId");
        await (await _client.GetAsync("/collections/nope/items/site-01")).AssertProblemAsync(HttpStatusCode.NotFound, "collectionId");
        await (await _client.GetAsync("/collections/nope/items")).AssertProblemAsync(HttpStatusCode.NotFound, "collectionId");
    }

    [Theory]
    [InlineData("bbox=1,2,3", "bbox")]
    [InlineData("bbox=a,b,c,d", "bbox")]
    [InlineData("bbox=121,32,122,31", "bbox")]
    [InlineData("bbox=121,31,200,32", "bbox")]
    [InlineData("bbox=NaN,31,122,32", "bbox")]
    [InlineData("bbox=", "bbox")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=2.5", "limit")]
    [InlineData("limit=", "limit")]
    [InlineData("offset=-5", "offset")]
    [InlineData("offset=x", "offset")]
    [InlineData("limt=5", "limt")]
    [InlineData("sector=x", "sector")]
    [InlineData("limit=1&limit=2", "limit")]
    [InlineData("f=xml", "f")]
    public async Task GetItems_BadParameter_Is400NamingIt(string query, string parameter) =>
        await (await _client.GetAsync($"/collections/sites/items?{query}")).AssertProblemAsync(HttpStatusCode.BadRequest, parameter);

    [Fact]
    public async Task GetItems_BadParameter_DetailStatesTheAcceptedForm()
    {
        var problem = await (await _client.GetAsync("/collections/sites/items?bbox=1,2")).AssertProblemAsync(HttpStatusCode.BadRequest, "bbox");

        Assert.Contains("minLon,minLat,maxLon,maxLat", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
