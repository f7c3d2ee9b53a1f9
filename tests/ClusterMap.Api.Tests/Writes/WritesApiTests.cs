using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ClusterMap.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterMap.Api.Tests.Writes;

/// <summary>
/// The write API (OGC API – Features Part 4) through HTTP on the synthetic test geodata (25 sites, 2 zones). Every
/// test has its own service and database, since each changes the data; keys are made the way the CLI makes them.
/// </summary>
public sealed class WritesApiTests : IAsyncLifetime
{
    private readonly ClusterMapFactory _factory = new();
    private HttpClient _client = null!;
    private string _key = "";

    public async Task InitializeAsync()
    {
        _client = _factory.CreateClient();
        _key = await AddKeyAsync(_factory, "tests");
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _key);
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    internal static async Task<string> AddKeyAsync(ClusterMapFactory factory, string name)
    {
        var (key, record) = ApiKeys.Create(name, DateTimeOffset.UtcNow);
        await factory.Services.GetRequiredService<IFeatureStore>().AddApiKeyAsync(record);
        return key;
    }

    internal static StringContent GeoJson(string json, string mediaType = "application/geo+json") => new(json, Encoding.UTF8, mediaType);

    internal static string Point(string? id, double lon, double lat, string properties = """{"name":"Posted site"}""") =>
        id is null
            ? $$"""{"type":"Feature","geometry":{"type":"Point","coordinates":[{{lon}},{{lat}}]},"properties":{{properties}}}"""
            : $$"""{"type":"Feature","id":"{{id}}","geometry":{"type":"Point","coordinates":[{{lon}},{{lat}}]},"properties":{{properties}}}""";

    private static string Collection(params string[] features) => $$"""{"type":"FeatureCollection","features":[{{string.Join(",", features)}}]}""";

    private Task<long> DataVersionAsync() => _factory.Services.GetRequiredService<IFeatureStore>().GetDataVersionAsync();

    private async Task<long> FeatureCountAsync(string collectionId = "sites") =>
        (await (await _client.GetAsync($"/collections/{collectionId}")).ReadJsonAsync(HttpStatusCode.OK, "application/json")).GetProperty("numberOfFeatures").GetInt64();

    [Fact]
    public async Task Post_Feature_Returns201WithLocationAndTheFeatureIsServed()
    {
        var response = await _client.PostAsync("/collections/sites/items", GeoJson(Point("new-site", 121.05, 31.05, """{"name":"新站","rank":99}""")));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("http://localhost/collections/sites/items/new-site", response.Headers.Location?.ToString());
        var feature = await (await _client.GetAsync(response.Headers.Location)).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
        Assert.Equal("新站", feature.GetProperty("properties").GetProperty("name").GetString());
        Assert.Equal(121.05, feature.GetProperty("geometry").GetProperty("coordinates")[0].GetDouble());
        Assert.Equal(26, await FeatureCountAsync());
    }

    [Fact]
    public async Task Post_FeatureWithoutId_GetsAServerAssignedId()
    {
        var response = await _client.PostAsync("/collections/sites/items", GeoJson(Point(null, 121.05, 31.05)));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = response.Headers.Location!.Segments[^1];
        Assert.True(Guid.TryParse(id, out _), id);
        await (await _client.GetAsync(response.Headers.Location)).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
    }

    [Fact]
    public async Task Post_FeatureCollection_IsABulkWriteListingTheIds()
    {
        var response = await _client.PostAsync("/collections/sites/items", GeoJson(Collection(Point("bulk-1", 121.01, 31.01), Point("bulk-2", 121.02, 31.02), Point(null, 121.03, 31.03)), "application/json"));

        var summary = await response.ReadJsonAsync(HttpStatusCode.Created, "application/json");
        Assert.Equal(3, summary.GetProperty("inserted").GetInt32());
        Assert.Equal(0, summary.GetProperty("replaced").GetInt32());
        var ids = summary.GetProperty("ids").EnumerateArray().Select(i => i.GetString()!).ToList();
        Assert.Equal(["bulk-1", "bulk-2"], ids.Take(2));
        Assert.Equal("http://localhost/collections/sites/items", response.Headers.Location?.ToString());
        foreach (var id in ids)
        {
            await (await _client.GetAsync($"/collections/sites/items/{id}")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
        }

        Assert.Equal(28, await FeatureCountAsync());
    }

    [Fact]
    public async Task Post_StoredId_Returns409ListingItAndWritesNothing()
    {
        var versionBefore = await DataVersionAsync();

        var response = await _client.PostAsync("/collections/sites/items", GeoJson(Collection(Point("fresh", 121.01, 31.01), Point("site-03", 121.02, 31.02))));

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict, "id");
        Assert.Equal(["site-03"], problem.GetProperty("featureIds").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(versionBefore, await DataVersionAsync());
        await (await _client.GetAsync("/collections/sites/items/fresh")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(25, await FeatureCountAsync());
    }

    [Fact]
    public async Task Post_ModeUpsert_ReplacesStoredFeatures()
    {
        var single = await _client.PostAsync("/collections/sites/items?mode=upsert", GeoJson(Point("site-00", 121.5, 31.5, """{"name":"moved"}""")));
        Assert.Equal(HttpStatusCode.NoContent, single.StatusCode);

        var bulk = await _client.PostAsync("/collections/sites/items?mode=upsert", GeoJson(Collection(Point("site-01", 121.6, 31.6), Point("site-02", 121.7, 31.7))));
        var summary = await bulk.ReadJsonAsync(HttpStatusCode.OK, "application/json");
        Assert.Equal((0, 2), (summary.GetProperty("inserted").GetInt32(), summary.GetProperty("replaced").GetInt32()));

        var moved = await (await _client.GetAsync("/collections/sites/items/site-00")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
        Assert.Equal("moved", moved.GetProperty("properties").GetProperty("name").GetString());
        Assert.False(moved.GetProperty("properties").TryGetProperty("rank", out _));
        Assert.Equal(25, await FeatureCountAsync());
        await (await _client.PostAsync("/collections/sites/items?mode=merge", GeoJson(Point("x", 121, 31)))).AssertProblemAsync(HttpStatusCode.BadRequest, "mode");
    }

    [Fact]
    public async Task Post_InvalidFeatures_Returns400ListingEveryProblemAndWritesNothing()
    {
        var versionBefore = await DataVersionAsync();
        var bowTie = """{"type":"Feature","id":"bow-tie","geometry":{"type":"Polygon","coordinates":[[[121,31],[121.1,31.1],[121.1,31],[121,31.1],[121,31]]]},"properties":{}}""";

        var response = await _client.PostAsync("/collections/sites/items", GeoJson(Collection(Point("ok", 121.01, 31.01), bowTie, Point("swapped", 31.2, 121.3))));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "body");
        var problems = problem.GetProperty("problems").EnumerateArray().ToList();
        Assert.Equal(2, problems.Count);
        Assert.Contains("bow-tie", problems[0].GetProperty("location").GetString(), StringComparison.Ordinal);
        Assert.Contains("Self-intersection", problems[0].GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("swapped", problems[1].GetProperty("location").GetString(), StringComparison.Ordinal);
        Assert.Contains("outside WGS84 range", problems[1].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(versionBefore, await DataVersionAsync());
        await (await _client.GetAsync("/collections/sites/items/ok")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{\"type\":\"Feature\",")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"type\":\"Point\",\"coordinates\":[121,31]}")]
    public async Task Post_NotAFeature_Returns400NamingTheBody(string body) =>
        await (await _client.PostAsync("/collections/sites/items", GeoJson(body))).AssertProblemAsync(HttpStatusCode.BadRequest, "body");

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/geo+json; charset=gb18030")]
    public async Task Post_OtherMediaType_Returns415(string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Point("x", 121, 31)));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        await (await _client.PostAsync("/collections/sites/items", content)).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "Content-Type");
    }

    [Fact]
    public async Task Post_UnknownCollection_Returns404() =>
        await (await _client.PostAsync("/collections/nowhere/items", GeoJson(Point("x", 121, 31)))).AssertProblemAsync(HttpStatusCode.NotFound, "collectionId");

    [Fact]
    public async Task Post_BodyOverTheCap_Returns413AndWritesNothing()
    {
        await using var small = ClusterMapFactory.With(ClusterMapFactory.TestGeodata, new Dictionary<string, string?> { ["Limits:MaxRequestBodyBytes"] = "2048" });
        var client = small.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AddKeyAsync(small, "small"));
        var many = Collection([.. Enumerable.Range(0, 40).Select(i => Point($"big-{i}", 121 + (i * 0.001), 31))]);
        Assert.True(Encoding.UTF8.GetByteCount(many) > 2048);

        await (await client.PostAsync("/collections/sites/items", GeoJson(many))).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body");
        // Without Content-Length (chunked), the cap holds while reading.
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(many)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/geo+json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/collections/sites/items") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await (await client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body");

        await (await client.GetAsync("/collections/sites/items/big-0")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/collections/sites/items", GeoJson(Point("small", 121, 31)))).StatusCode);
    }

    [Fact]
    public async Task Put_NewId_Creates201_AndStoredId_Replaces204()
    {
        var created = await _client.PutAsync("/collections/sites/items/put-new", GeoJson(Point(null, 121.2, 31.2)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("http://localhost/collections/sites/items/put-new", created.Headers.Location?.ToString());

        var replaced = await _client.PutAsync("/collections/sites/items/site-04", GeoJson(Point("site-04", 121.9, 31.9, """{"name":"replaced"}""")));
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);

        var feature = await (await _client.GetAsync("/collections/sites/items/site-04")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
        Assert.Equal("replaced", feature.GetProperty("properties").GetProperty("name").GetString());
        Assert.Equal(121.9, feature.GetProperty("geometry").GetProperty("coordinates")[0].GetDouble());
        Assert.Equal(26, await FeatureCountAsync());
    }

    [Fact]
    public async Task Put_BodyIdDiffersFromPath_Returns400AndWritesNothing()
    {
        await (await _client.PutAsync("/collections/sites/items/site-04", GeoJson(Point("site-05", 121.9, 31.9)))).AssertProblemAsync(HttpStatusCode.BadRequest, "featureId");
        await (await _client.PutAsync("/collections/sites/items/site-04", GeoJson(Collection(Point("site-04", 121.9, 31.9))))).AssertProblemAsync(HttpStatusCode.BadRequest, "body");

        var feature = await (await _client.GetAsync("/collections/sites/items/site-04")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
        Assert.Equal("Test site 4", feature.GetProperty("properties").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Delete_StoredFeature_Returns204ThenIsGone404()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync("/collections/sites/items/site-07")).StatusCode);

        await (await _client.GetAsync("/collections/sites/items/site-07")).AssertProblemAsync(HttpStatusCode.NotFound, "featureId");
        await (await _client.DeleteAsync("/collections/sites/items/site-07")).AssertProblemAsync(HttpStatusCode.NotFound, "featureId");
        await (await _client.DeleteAsync("/collections/nowhere/items/site-07")).AssertProblemAsync(HttpStatusCode.NotFound, "collectionId");
        Assert.Equal(24, await FeatureCountAsync());
    }

    [Fact]
    public async Task Writes_WithoutKey_Return401WithWwwAuthenticate_AndReadsStayPublic()
    {
        var anonymous = _factory.CreateClient();

        foreach (var response in new[]
        {
            await anonymous.PostAsync("/collections/sites/items", GeoJson(Point("x", 121, 31))),
            await anonymous.PutAsync("/collections/sites/items/site-00", GeoJson(Point("site-00", 121, 31))),
            await anonymous.DeleteAsync("/collections/sites/items/site-00"),
            // Refused before anything else is looked at: an unknown collection does not tell itself apart.
            await anonymous.DeleteAsync("/collections/nowhere/items/x"),
        })
        {
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "Authorization");
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }

        await (await anonymous.GetAsync("/collections/sites/items/site-00")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
        Assert.Equal(25, await FeatureCountAsync());
    }

    [Theory]
    [InlineData("wrong-shape")]
    [InlineData("cm_0123456789ab_not-the-secret")]
    [InlineData("cm_0123456789ab_")]
    [InlineData("cm_XYZ_secret")]
    public async Task Writes_WithWrongKey_Return403(string key)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        await (await client.DeleteAsync("/collections/sites/items/site-00")).AssertProblemAsync(HttpStatusCode.Forbidden, "Authorization");
        await (await client.PostAsync("/collections/sites/items", GeoJson(Point("x", 121, 31)))).AssertProblemAsync(HttpStatusCode.Forbidden, "Authorization");
        Assert.Equal(25, await FeatureCountAsync());
    }

    [Fact]
    public async Task Writes_WithTheRightIdButAnotherSecret_Return403()
    {
        Assert.True(ApiKeys.TryParse(_key, out var keyId, out var secret));
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"cm_{keyId}_{secret[..^1]}{(secret[^1] == 'A' ? 'B' : 'A')}");

        await (await client.DeleteAsync("/collections/sites/items/site-00")).AssertProblemAsync(HttpStatusCode.Forbidden, "Authorization");
    }

    [Fact]
    public async Task Writes_WithRevokedKey_Return403()
    {
        var other = await AddKeyAsync(_factory, "soon revoked");
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", other);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/collections/sites/items/site-00")).StatusCode);

        Assert.True(ApiKeys.TryParse(other, out var keyId, out _));
        Assert.True(await _factory.Services.GetRequiredService<IFeatureStore>().RevokeApiKeyAsync(keyId));

        await (await client.DeleteAsync("/collections/sites/items/site-01")).AssertProblemAsync(HttpStatusCode.Forbidden, "Authorization");
    }

    [Fact]
    public async Task Writes_WithAKeyFromConfiguration_AreAccepted()
    {
        var (key, record) = ApiKeys.Create("configured", DateTimeOffset.UtcNow);
        await using var configured = ClusterMapFactory.With(ClusterMapFactory.TestGeodata, new Dictionary<string, string?>
        {
            ["Writes:ApiKeys:0:KeyId"] = record.KeyId,
            ["Writes:ApiKeys:0:SecretSha256"] = Convert.ToHexString(record.SecretSha256),
        });
        var client = configured.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/collections/sites/items/site-00")).StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key[..^2] + "xx");
        await (await client.DeleteAsync("/collections/sites/items/site-01")).AssertProblemAsync(HttpStatusCode.Forbidden, "Authorization");
    }

    [Fact]
    public async Task Writes_ChangeProximityAnswersAtOnce()
    {
        const string within = "/proximity/within?target=sites&radius_m=1000&lon=121.45&lat=31.45";
        async Task<List<string>> WithinAsync() =>
            [.. (await (await _client.GetAsync(within)).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json")).GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!)];
        Assert.Empty(await WithinAsync());

        await _client.PostAsync("/collections/sites/items", GeoJson(Point("near", 121.451, 31.451)));
        Assert.Equal(["near"], await WithinAsync());

        await _client.PutAsync("/collections/sites/items/site-00", GeoJson(Point(null, 121.452, 31.449)));
        Assert.Equal(["near", "site-00"], await WithinAsync());

        await _client.PutAsync("/collections/sites/items/near", GeoJson(Point(null, 121.0, 31.0)));
        Assert.Equal(["site-00"], await WithinAsync());

        await _client.DeleteAsync("/collections/sites/items/site-00");
        Assert.Empty(await WithinAsync());
    }

    [Fact]
    public async Task Conformance_DeclaresPart4_AndTheOpenApiDocumentDescribesWritesAndKeys()
    {
        var conformance = await (await _client.GetAsync("/conformance")).ReadJsonAsync(HttpStatusCode.OK, "application/json");
        var classes = conformance.GetProperty("conformsTo").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete", classes);

        var document = await (await _client.GetAsync("/api")).ReadJsonAsync(HttpStatusCode.OK, "application/json");
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("ApiKeyBearer").GetProperty("scheme").GetString());
        Assert.Equal("X-API-Key", schemes.GetProperty("ApiKeyHeader").GetProperty("name").GetString());
        var paths = document.GetProperty("paths");
        var post = paths.GetProperty("/collections/{collectionId}/items").GetProperty("post");
        Assert.True(post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/geo+json", out _));
        foreach (var status in new[] { "201", "400", "401", "403", "404", "409", "413", "415" })
        {
            Assert.True(post.GetProperty("responses").TryGetProperty(status, out _), status);
        }

        Assert.Equal(2, post.GetProperty("security").GetArrayLength());
        var item = paths.GetProperty("/collections/{collectionId}/items/{featureId}");
        Assert.True(item.TryGetProperty("put", out _));
        Assert.True(item.TryGetProperty("delete", out _));
        Assert.False(item.GetProperty("get").TryGetProperty("security", out _));
    }
}
