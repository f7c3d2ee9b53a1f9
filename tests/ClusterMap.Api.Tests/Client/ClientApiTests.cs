using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClusterMap.Api.Client;
using ClusterMap.Api.Hosting;

namespace ClusterMap.Api.Tests.Client;

/// <summary>The client's files and configuration through the in-process host (WebApplicationFactory sees wwwroot too).</summary>
public sealed partial class ClientApiTests(ClusterMapFactory factory) : IClassFixture<ClusterMapFactory>
{
    [Theory]
    [InlineData("/?f=html", "text/html")]
    [InlineData("/index.html", "text/html")]
    [InlineData("/js/app.js", "text/javascript")]
    [InlineData("/css/app.css", "text/css")]
    [InlineData("/vendor/leaflet/leaflet.js", "text/javascript")]
    [InlineData("/vendor/leaflet/images/layers.png", "image/png")]
    [InlineData("/vendor/chartjs/chart.umd.min.js", "text/javascript")]
    public async Task ClientFiles_AreServedInProcess(string path, string mediaType)
    {
        using var response = await factory.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Page_PreloadsEveryModuleAppJsImports_AndEveryModuleIsImported()
    {
        var client = factory.CreateClient();
        var preloaded = ModulePreload().Matches(await client.GetStringAsync("/index.html")).Select(m => m.Groups[1].Value).ToList();

        // The module graph as the browser walks it: from js/app.js through every static import, as served.
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>(["js/app.js"]);
        while (pending.TryDequeue(out var module))
        {
            if (reached.Add(module))
            {
                foreach (Match import in StaticImport().Matches(await client.GetStringAsync("/" + module)))
                {
                    pending.Enqueue("js/" + import.Groups[1].Value);
                }
            }
        }

        Assert.True(reached.Count > 1, "app.js imports nothing: the import pattern no longer matches the modules");
        Assert.Equal(reached.Order(StringComparer.Ordinal), preloaded.Order(StringComparer.Ordinal));
        var files = Directory.GetFiles(Path.Combine(ClientFiles.Root, "js"), "*.js").Select(f => "js/" + Path.GetFileName(f));
        Assert.Equal(reached.Order(StringComparer.Ordinal), files.Order(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"<link rel=""modulepreload"" href=""([^""]+)"">")]
    private static partial Regex ModulePreload();

    [GeneratedRegex(@"^import .+ from '\./([\w-]+\.js)';$", RegexOptions.Multiline)]
    private static partial Regex StaticImport();

    [Fact]
    public async Task Root_ForABrowser_IsThePageWithSecurityHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        using var response = await factory.CreateClient().SendAsync(request);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task Root_ForGdal_StaysTheJsonLandingPage()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await factory.CreateClient().SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Config_GivesTheBasemapPaletteAndEveryParksSectorFamily()
    {
        using var document = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/client/config.json"));
        var root = document.RootElement;
        Assert.Equal("/tiles/basemap/{z}/{x}/{y}.png", root.GetProperty("basemap").GetProperty("url").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("external_basemap").ValueKind);
        Assert.All(root.GetProperty("sectors").EnumerateArray(), s => Assert.Matches("^#[0-9a-f]{6}$", s.GetProperty("color").GetString()));
        var families = root.GetProperty("sectors").EnumerateArray().Select(s => s.GetProperty("family").GetString()).ToHashSet();
        Assert.All(root.GetProperty("park_sector_family").EnumerateObject(), p => Assert.Contains(p.Value.GetString(), families));
    }

    [Fact]
    public async Task BasemapStyle_Tile_IsAPng()
    {
        using var response = await factory.CreateClient().GetAsync("/tiles/basemap/10/857/418.png");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8", "", "GCJ-02", "https://*.is.autonavi.com")]
    [InlineData("https://rt{s}.map.gtimg.com/tile?z={z}&x={x}&y={y}", "", "GCJ-02", "https://*.map.gtimg.com")]
    [InlineData("https://tile.example.org/{z}/{x}/{y}.png", "", "WGS84", "https://tile.example.org")]
    [InlineData("http://127.0.0.1:8080/{z}/{x}/{y}.png", "gcj02", "GCJ-02", "http://127.0.0.1:8080")]
    [InlineData("http://127.0.0.1:8080/{z}/{x}/{y}.png", "bd09", "BD-09", "http://127.0.0.1:8080")]
    [InlineData("https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}", "cgcs2000", "CGCS2000", "https://*.tianditu.gov.cn")]
    public void ExternalBasemap_DatumAndCspOrigin(string url, string crs, string datum, string origin)
    {
        var options = new ClientOptions { ExternalBasemapUrl = url, ExternalBasemapCrs = crs };
        Assert.Equal(datum, ClientConfig.External(options)!.Crs);
        Assert.Equal(origin, ClientConfig.ExternalOrigin(options));
        Assert.Contains($"img-src 'self' data: blob: {origin};", ClientFiles.ContentSecurityPolicy(options), StringComparison.Ordinal);
    }

    [Fact]
    public void ExternalBasemap_NotConfigured_AddsNothingToTheCsp()
    {
        Assert.Null(ClientConfig.External(new ClientOptions()));
        Assert.Contains("img-src 'self' data: blob:;", ClientFiles.ContentSecurityPolicy(new ClientOptions()), StringComparison.Ordinal);
    }
}
