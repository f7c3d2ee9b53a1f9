using System.Net;
using System.Text.RegularExpressions;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Tests.Maps;

/// <summary>HEAD on every GET route; strong ETags, 304 and Cache-Control on static maps and reports.</summary>
public sealed partial class HttpBasicsTests : IDisposable
{
    private static readonly TileIndex _tile = TileIndex.Containing(MapAssertions.Park1, 12);

    // A value for every route parameter of the service: a new parameter name fails the walk until it is given one here.
    private static readonly Dictionary<string, string> _routeValues = new(StringComparer.Ordinal)
    {
        ["collectionId"] = "parks",
        ["featureId"] = "park-1",
        ["style"] = "default",
        ["z"] = _tile.Z.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["x"] = _tile.X.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["y"] = _tile.Y.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["format"] = "png",
        ["crsId"] = "GCJ-02",
        ["tileMatrixSetId"] = "WebMercatorQuad",
        ["tileMatrix"] = _tile.Z.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["tileRow"] = _tile.Y.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["tileCol"] = _tile.X.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    // Headers that differ between any two responses.
    private static readonly string[] _perResponse = ["Date", "X-Request-Id", "Transfer-Encoding"];

    private readonly ClusterMapFactory _factory = ClusterMapFactory.With(MapTestFactory.MapGeodata, new Dictionary<string, string?> { ["Maps:DataVersionCheckMilliseconds"] = "0" });

    [GeneratedRegex(@"\{\**(?<name>[A-Za-z]+)(:[^}]*)?\??\}")]
    private static partial Regex RouteParameter();

    /// <summary>Every route the service answers GET on, with its parameters filled in.</summary>
    private List<string> GetRoutes()
    {
        var routes = new List<string>();
        foreach (var endpoint in _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods;
            if (methods is not null && !methods.Contains("GET"))
            {
                continue;
            }

            var path = "/" + RouteParameter().Replace(endpoint.RoutePattern.RawText!.TrimStart('/'), m =>
                _routeValues.TryGetValue(m.Groups["name"].Value, out var value) ? value : throw new InvalidOperationException($"no test value for {{{m.Groups["name"].Value}}} in {endpoint.RoutePattern.RawText}"));
            routes.Add(path);
        }

        return [.. routes.Distinct()];
    }

    [Fact]
    public async Task Head_OnEveryGetRoute_AnswersLikeGetWithoutABody()
    {
        var client = _factory.CreateClient();
        var routes = GetRoutes();
        Assert.Contains(routes, r => r.StartsWith("/tiles/default/", StringComparison.Ordinal));
        Assert.Contains(routes, r => r.StartsWith("/reports/", StringComparison.Ordinal));

        foreach (var route in routes)
        {
            using var get = await client.GetAsync(route);
            using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, route));

            Assert.True(get.StatusCode == head.StatusCode, $"HEAD {route}: {head.StatusCode}, GET: {get.StatusCode}");
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
            // A figure prints the second it was rendered, and its compressed bytes may differ in length by that; the
            // ETag names the request and the data version, so it (and every other header) is the same.
            var figure = route.StartsWith("/maps/static", StringComparison.Ordinal) || route.StartsWith("/reports/", StringComparison.Ordinal);
            Assert.Equal(Headers(get).Where(h => !figure || !h.StartsWith("Content-Length", StringComparison.Ordinal)), Headers(head).Where(h => !figure || !h.StartsWith("Content-Length", StringComparison.Ordinal)));
        }
    }

    private static List<string> Headers(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers)
            .Where(h => !_perResponse.Contains(h.Key, StringComparer.OrdinalIgnoreCase) && !(h.Key == "Content-Length" && !response.Content.Headers.ContentLength.HasValue))
            .Select(h => $"{h.Key}: {string.Join(",", h.Value)}")
            .Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData("/maps/static.png?highlight=parks/park-1&radius_m=2000&width=300&height=200")]
    [InlineData("/maps/static.svg?lang=en")]
    [InlineData("/reports/parks/park-1.pdf")]
    public async Task Figure_HasStrongETagAndCacheControl_AndAnswers304WhenTheClientHoldsIt(string url)
    {
        var client = _factory.CreateClient();

        using var first = await client.GetAsync(url);
        var etag = first.Headers.ETag;
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.True(first.Headers.CacheControl?.Public);
        Assert.NotNull(first.Headers.CacheControl?.MaxAge);

        using var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(etag);
        using var revalidated = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, revalidated.Headers.ETag);

        using var other = await client.GetAsync(url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "lang=zh");
        Assert.NotEqual(etag, other.Headers.ETag);
    }

    [Fact]
    public async Task Figure_AfterADataChange_HasANewETag()
    {
        const string url = "/maps/static.png?width=300&height=200";
        var client = _factory.CreateClient();
        using var before = await client.GetAsync(url);

        var store = _factory.Services.GetRequiredService<IFeatureStore>();
        await store.WriteFeaturesAsync("parks", [new FeatureRecord("park-new", new Point(121.3, 31.25), """{"name_en":"Test Park New"}""")], FeatureWriteMode.Insert);
        using var stale = new HttpRequestMessage(HttpMethod.Get, url);
        stale.Headers.IfNoneMatch.Add(before.Headers.ETag!);
        using var after = await client.SendAsync(stale);

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
    }

    public void Dispose() => _factory.Dispose();
}
