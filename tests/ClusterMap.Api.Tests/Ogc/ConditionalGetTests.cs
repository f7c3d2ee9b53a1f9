using System.Net;
using System.Net.Http.Headers;
using ClusterMap.Api.Tests.Writes;

namespace ClusterMap.Api.Tests.Ogc;

/// <summary>
/// The data routes carry a strong ETag of the request and the data version: a client that holds an answer gets 304
/// (also on HEAD), a write gives every route a new ETag, and errors carry none.
/// </summary>
public sealed class ConditionalGetTests : IAsyncLifetime
{
    public static readonly TheoryData<string> Routes =
    [
        "/",
        "/conformance",
        "/collections",
        "/collections/parks",
        "/collections/parks/queryables",
        "/collections/parks/items?limit=2",
        "/collections/parks/items?f=csv",
        "/collections/parks/items/park-2",
        "/proximity/within?target=parks&radius_m=20000&from=universities/uni-1",
        "/proximity/nearest?target=universities&k=2&from=parks/park-2",
        "/proximity/matrix?from=parks&to=universities&k=1",
        "/proximity/rings?from=universities&to=parks&rings_m=5000,10000",
        "/client/config.json",
        "/tileMatrixSets/WebMercatorQuad",
        "/tiles/WebMercatorQuad",
        "/collections/parks/tiles/WebMercatorQuad",
        "/collections/parks/map/tiles",
        "/map?width=200",
        "/collections/parks/map?width=200&f=svg",
    ];

    private readonly ClusterMapFactory _factory = ClusterMapFactory.With(MapTestFactory.MapGeodata);
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _client = _factory.CreateClient();
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await WritesApiTests.AddKeyAsync(_factory, "etags"));
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, EntityTagHeaderValue? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.ParseAdd("application/json");
        if (ifNoneMatch is not null)
        {
            request.Headers.IfNoneMatch.Add(ifNoneMatch);
        }

        return await _client.SendAsync(request);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Route_AnswersWithAnETag_And304WhenTheClientHoldsIt_UntilAWrite(string path)
    {
        var first = await SendAsync(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());
        Assert.Contains("Accept", first.Headers.Vary);

        var again = await SendAsync(HttpMethod.Get, path, etag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, again.Headers.ETag);

        var head = await SendAsync(HttpMethod.Head, path);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(etag, head.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, (await SendAsync(HttpMethod.Head, path, etag)).StatusCode);

        // Any write changes the data version, and with it the answer's name.
        var institute = """{"type":"Feature","geometry":{"type":"Point","coordinates":[121.3,31.3]},"properties":{"name_en":"Written institute","location_uncertainty_m":100}}""";
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsync("/collections/institutes/items", WritesApiTests.GeoJson(institute))).StatusCode);
        var afterWrite = await SendAsync(HttpMethod.Get, path, etag);
        Assert.Equal(HttpStatusCode.OK, afterWrite.StatusCode);
        Assert.NotEqual(etag, afterWrite.Headers.ETag);
    }

    [Fact]
    public async Task OtherRepresentations_HaveOtherETags_AndErrorsHaveNone()
    {
        var json = (await SendAsync(HttpMethod.Get, "/collections/parks/items")).Headers.ETag;
        var csv = (await SendAsync(HttpMethod.Get, "/collections/parks/items?f=csv")).Headers.ETag;
        using var geojsonRequest = new HttpRequestMessage(HttpMethod.Get, "/collections/parks/items");
        geojsonRequest.Headers.Accept.ParseAdd("application/geo+json");
        var geojson = (await _client.SendAsync(geojsonRequest)).Headers.ETag;
        Assert.Equal(3, new[] { json, csv, geojson }.Distinct().Count());

        var problem = await SendAsync(HttpMethod.Get, "/collections/parks/items?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, problem.StatusCode);
        Assert.Null(problem.Headers.ETag);
        var missing = await SendAsync(HttpMethod.Get, "/collections/parks/items/no-such-park");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Null(missing.Headers.ETag);
    }
}
