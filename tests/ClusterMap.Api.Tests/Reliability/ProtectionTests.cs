using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterMap.Api.Tests.Reliability;

/// <summary>Body size caps, matrix cap, request timeouts, rate limiting, CORS and security headers, through HTTP.</summary>
public sealed class ProtectionTests
{
    private static ClusterMapFactory With(params (string Key, string Value)[] settings) =>
        ClusterMapFactory.With(ClusterMapFactory.TestGeodata, settings.ToDictionary(s => s.Key, s => (string?)s.Value));

    [Fact]
    public async Task Body_OverTheConfiguredCap_Is413ProblemBeforeRouting()
    {
        using var factory = With(("Limits:MaxRequestBodyBytes", "1000"));
        using var client = factory.CreateClient();
        using var content = new ByteArrayContent(new byte[1001]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/geo+json");

        var problem = await (await client.PostAsync("/collections", content)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("1000 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Limits:MaxRequestBodyBytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_AtTheCap_PassesTheCap()
    {
        using var factory = With(("Limits:MaxRequestBodyBytes", "1000"));
        using var client = factory.CreateClient();
        using var content = new ByteArrayContent(new byte[1000]);

        var response = await client.PostAsync("/collections", content);
        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.True((int)response.StatusCode < 500, response.StatusCode.ToString());
    }

    [Fact]
    public async Task Body_DefaultCap_Is32Mebibytes()
    {
        using var factory = new ClusterMapFactory();
        using var client = factory.CreateClient();
        using var content = new ByteArrayContent(new byte[(32 * 1024 * 1024) + 1]);
        await (await client.PutAsync("/collections/sites/items/site-01", content)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Matrix_MoreCellsThanTheCap_Is400NamingK()
    {
        // 25 sites × k 2 = 50 cells; the cap of 49 refuses it, 50 allows it.
        using (var tight = With(("Limits:MaxMatrixCells", "49")))
        {
            var problem = await (await tight.CreateClient().GetAsync("/proximity/matrix?from=sites&to=sites&k=2")).AssertProblemAsync(HttpStatusCode.BadRequest, "k");
            Assert.Contains("Limits:MaxMatrixCells", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using var exact = With(("Limits:MaxMatrixCells", "50"));
        Assert.Equal(HttpStatusCode.OK, (await exact.CreateClient().GetAsync("/proximity/matrix?from=sites&to=sites&k=2")).StatusCode);
    }

    [Fact]
    public async Task Limit_AboveMaxLimit_IsClampedNotRefused()
    {
        using var factory = With(("Features:MaxLimit", "3"), ("Features:DefaultLimit", "2"));
        var page = await (await factory.CreateClient().GetAsync("/collections/sites/items?limit=1000000")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
        Assert.Equal(3, page.GetProperty("features").GetArrayLength());
    }

    [Fact]
    public async Task Image_LargerThanMaxPixels_Is400()
    {
        using var factory = With(("Maps:MaxPixels", "512"));
        await (await factory.CreateClient().GetAsync("/maps/static.png?width=513&height=100")).AssertProblemAsync(HttpStatusCode.BadRequest, "width");
    }

    [Fact]
    public async Task RateLimit_RemoteClientOverThePermit_Gets429WithRetryAfter()
    {
        using var factory = new RemoteClientFactory(IPAddress.Parse("203.0.113.7"), ("RateLimiting:PermitLimit", "3"), ("RateLimiting:WindowSeconds", "60"));
        using var client = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/collections")).StatusCode);
        }

        var refused = await client.GetAsync("/collections");
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        var retryAfter = Assert.Single(refused.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task RateLimit_LoopbackClient_IsExemptByDefault()
    {
        using var factory = new RemoteClientFactory(IPAddress.Loopback, ("RateLimiting:PermitLimit", "3"));
        using var client = factory.CreateClient();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/collections")).StatusCode);
        }
    }

    [Fact]
    public async Task RateLimit_LoopbackWhenNotExempt_IsLimited()
    {
        using var factory = new RemoteClientFactory(IPAddress.IPv6Loopback, ("RateLimiting:PermitLimit", "2"), ("RateLimiting:ExemptLoopback", "false"));
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/collections")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/collections")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/collections")).StatusCode);
    }

    [Fact]
    public async Task Cors_ReadFromAnyOrigin_IsAllowedByDefault()
    {
        using var factory = new ClusterMapFactory();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/collections");
        request.Headers.Add("Origin", "https://planner.example.org");
        var response = await client.SendAsync(request);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("X-Request-Id", Assert.Single(response.Headers.GetValues("Access-Control-Expose-Headers")), StringComparison.Ordinal);

        var preflight = await PreflightAsync(client, "https://planner.example.org", "GET");
        Assert.True(preflight.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Cors_WriteFromAnOrigin_IsClosedByDefaultAndOpenWhenListed(string method)
    {
        using (var closed = new ClusterMapFactory())
        {
            // The framework answers every preflight with the methods it allows; the browser refuses the rest.
            var response = await PreflightAsync(closed.CreateClient(), "https://planner.example.org", method);
            var allowed = Assert.Single(response.Headers.GetValues("Access-Control-Allow-Methods"));
            Assert.DoesNotContain(method, allowed, StringComparison.Ordinal);
            Assert.Contains("GET", allowed, StringComparison.Ordinal);
        }

        using var open = With(("Cors:WriteOrigins:0", "https://editor.example.org"));
        var granted = await PreflightAsync(open.CreateClient(), "https://editor.example.org", method);
        Assert.Equal("https://editor.example.org", Assert.Single(granted.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains(method, Assert.Single(granted.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        var other = await PreflightAsync(open.CreateClient(), "https://elsewhere.example.org", method);
        Assert.DoesNotContain(method, Assert.Single(other.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cors_ReadOriginsConfigured_OthersAreNotGranted()
    {
        using var factory = With(("Cors:ReadOrigins:0", "https://bureau.example.gov"));
        using var client = factory.CreateClient();
        Assert.True((await PreflightAsync(client, "https://bureau.example.gov", "GET")).Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False((await PreflightAsync(client, "https://other.example.org", "GET")).Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static async Task<HttpResponseMessage> PreflightAsync(HttpClient client, string origin, string method)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/collections");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return await client.SendAsync(request);
    }

    [Theory]
    [InlineData("/index.html")]
    [InlineData("/api-docs/index.html")]
    public async Task Html_Pages_CarryNosniffFrameAncestorsAndReferrerPolicy(string path)
    {
        using var factory = new ClusterMapFactory();
        var response = await factory.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Theory]
    [InlineData("/collections")]
    [InlineData("/collections/sites/items?bbox=nonsense")]
    public async Task Json_Answers_CarryNosniff(string path)
    {
        using var factory = new ClusterMapFactory();
        var response = await factory.CreateClient().GetAsync(path);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    /// <summary>The service as seen from a given client address (TestServer has none of its own).</summary>
    private sealed class RemoteClientFactory : ClusterMapFactory
    {
        private readonly IPAddress _address;

        public RemoteClientFactory(IPAddress address, params (string Key, string Value)[] settings)
            : base(TestGeodata, settings.ToDictionary(s => s.Key, s => (string?)s.Value)) => _address = address;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new RemoteAddressFilter(_address)));
        }
    }

    private sealed class RemoteAddressFilter(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, Func<Task> following) =>
            {
                context.Connection.RemoteIpAddress = address;
                return following();
            });
            next(app);
        };
    }
}
