using System.Net;

namespace ClusterMap.Api.Tests.Ogc;

public sealed class LandingApiTests(ClusterMapFactory factory) : IClassFixture<ClusterMapFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task GetLandingPage_LinksToApiConformanceAndData()
    {
        var landing = await (await _client.GetAsync("/")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var links = landing.GetProperty("links");
        Assert.Equal("http://localhost/api", links.Href("service-desc"));
        Assert.Equal("http://localhost/conformance", links.Href("conformance"));
        Assert.Equal("http://localhost/collections", links.Href("data"));
        Assert.True(links.HasLink("service-doc"));
        Assert.Equal("ClusterMap", landing.GetProperty("title").GetString());
    }

    [Fact]
    public async Task GetConformance_DeclaresCoreGeoJsonAndOpenApi30()
    {
        var conformance = await (await _client.GetAsync("/conformance")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var classes = conformance.GetProperty("conformsTo").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core", classes);
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson", classes);
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30", classes);
    }

    [Fact]
    public async Task GetConformance_DeclaresExactlyTheClassesDocsApiMdNamesATestFor()
    {
        // docs/api.md lists, for each class, the test that proves it; a class added here needs its line there.
        var conformance = await (await _client.GetAsync("/conformance")).ReadJsonAsync(HttpStatusCode.OK, "application/json");
        var declared = conformance.GetProperty("conformsTo").EnumerateArray().Select(c => c.GetString()!).ToList();

        var apiMd = await File.ReadAllTextAsync(Path.Combine(ClusterMap.Tests.Shared.ServiceProcess.RepositoryRoot(), "docs", "api.md"));
        var documented = System.Text.RegularExpressions.Regex.Matches(apiMd, @"^\| `(http://www\.opengis\.net/spec/[^`]+)` \| `[A-Za-z0-9_.]+` \|", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(declared.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter", declared);
        Assert.Contains("http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2", declared);
    }

    [Fact]
    public async Task GetApi_IsAnOpenApi30DocumentDescribingEveryOgcPath()
    {
        var document = await (await _client.GetAsync("/api")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        Assert.StartsWith("3.0.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Superset(
            new HashSet<string> { "/", "/conformance", "/collections", "/collections/{collectionId}", "/collections/{collectionId}/items", "/collections/{collectionId}/items/{featureId}" },
            paths.ToHashSet());
        var items = document.GetProperty("paths").GetProperty("/collections/{collectionId}/items").GetProperty("get");
        Assert.Equal("getFeatures", items.GetProperty("operationId").GetString());
        Assert.True(items.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("application/geo+json", out _));
        var parameters = items.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p);
        Assert.Superset(new HashSet<string> { "collectionId", "bbox", "limit", "offset", "f" }, parameters.Keys.ToHashSet());
        Assert.Equal("integer", parameters["limit"].GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal("query", parameters["bbox"].GetProperty("in").GetString());
    }

    [Fact]
    public async Task GetApiDocs_ServesInteractiveDocumentationFromOurOwnFiles()
    {
        var response = await _client.GetAsync("/api-docs/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("swagger-ui", html, StringComparison.Ordinal);
        Assert.DoesNotContain("cdn", html, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/nowhere")]
    [InlineData("/collections/sites/items/site-00/extra")]
    public async Task UnknownRoute_IsProblemJson404(string path) =>
        await (await _client.GetAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound);

    [Fact]
    public async Task UnsupportedFormat_IsRejectedNamingF() =>
        await (await _client.GetAsync("/conformance?f=xml")).AssertProblemAsync(HttpStatusCode.BadRequest, "f");
}
