using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClusterMap.Tests.Shared;
using Microsoft.Playwright;

namespace ClusterMap.Browser.Tests;

/// <summary>How the client is served: one URL for browsers and API clients, our own copy of Leaflet, and the CSP.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ServingTests(BrowserFixture fixture)
{
    private static readonly string _npmFolder = Path.Combine(ServiceProcess.RepositoryRoot(), "src", "ClusterMap.Api", "npm");
    private static readonly string _vendorFolder = Path.Combine(ServiceProcess.RepositoryRoot(), "src", "ClusterMap.Api", "wwwroot", "vendor", "leaflet");

    private async Task<HttpResponseMessage> GetRootAsync(string? accept, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/" + query);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return await fixture.Api.SendAsync(request);
    }

    [Theory]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", "", "text/html")]
    [InlineData("application/json", "", "application/json")]
    [InlineData("*/*", "", "application/json")]
    [InlineData(null, "", "application/json")]
    [InlineData("text/html, application/json", "", "application/json")]
    [InlineData("application/json", "?f=html", "text/html")]
    [InlineData("text/html", "?f=json", "application/json")]
    public async Task Root_NegotiatesHtmlForBrowsersAndJsonForApiClients(string? accept, string query, string mediaType)
    {
        using var response = await GetRootAsync(accept, query);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept", response.Headers.Vary);
    }

    [Fact]
    public async Task Root_AsJson_LinksTheHtmlClientAsAlternate()
    {
        using var response = await GetRootAsync("application/json");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var alternate = document.RootElement.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "alternate");
        Assert.Equal("text/html", alternate.GetProperty("type").GetString());
        using var html = await fixture.Api.GetAsync(alternate.GetProperty("href").GetString());
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Root_WithUnknownFormat_IsAProblemNamingF()
    {
        using var response = await GetRootAsync("text/html", "?f=xml");
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("'f'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_HasAStrictContentSecurityPolicyAndNoInlineScript()
    {
        using var response = await GetRootAsync("text/html");
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(ForeignUrl(), html);
    }

    [Fact]
    public async Task VendoredLeaflet_IsTheVersionPinnedInTheLockfile_AndIsServedAsCommitted()
    {
        using var lockfile = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_npmFolder, "package-lock.json")));
        var pinned = lockfile.RootElement.GetProperty("packages").GetProperty("node_modules/leaflet").GetProperty("version").GetString();
        using var package = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_npmFolder, "package.json")));
        Assert.Equal(pinned, package.RootElement.GetProperty("dependencies").GetProperty("leaflet").GetString());

        var committed = await File.ReadAllTextAsync(Path.Combine(_vendorFolder, "leaflet.js"));
        Assert.Contains($"version=\"{pinned}\"", committed, StringComparison.Ordinal);
        Assert.StartsWith($"/* @preserve\n * Leaflet {pinned},", committed, StringComparison.Ordinal);
        Assert.StartsWith("/* required styles */", await File.ReadAllTextAsync(Path.Combine(_vendorFolder, "leaflet.css")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_vendorFolder, "LICENSE")));

        Assert.Equal(committed, await fixture.Api.GetStringAsync("/vendor/leaflet/leaflet.js"));
        using var css = await fixture.Api.GetAsync("/vendor/leaflet/leaflet.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task VendoredChartJs_IsTheVersionPinnedInTheLockfile_AndIsServedAsCommitted()
    {
        using var lockfile = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_npmFolder, "package-lock.json")));
        var pinned = lockfile.RootElement.GetProperty("packages").GetProperty("node_modules/chart.js").GetProperty("version").GetString();
        using var package = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_npmFolder, "package.json")));
        Assert.Equal(pinned, package.RootElement.GetProperty("dependencies").GetProperty("chart.js").GetString());

        var folder = Path.Combine(ServiceProcess.RepositoryRoot(), "src", "ClusterMap.Api", "wwwroot", "vendor", "chartjs");
        var committed = await File.ReadAllTextAsync(Path.Combine(folder, "chart.umd.min.js"));
        Assert.StartsWith($"/*!\n * Chart.js v{pinned}\n", committed, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "LICENSE.md")));
        Assert.Equal(committed, await fixture.Api.GetStringAsync("/vendor/chartjs/chart.umd.min.js"));
    }

    [Fact]
    public async Task ExternalBasemap_Gcj02Provider_IsOfferedWithWhatItShowsAndAllowedByTheCsp()
    {
        // The fixture's own service plays the external provider: another origin on loopback, as a CDN would be.
        var template = new Uri(fixture.Service.BaseAddress, "/tiles/default/{z}/{x}/{y}.png").ToString().Replace("%7B", "{", StringComparison.Ordinal).Replace("%7D", "}", StringComparison.Ordinal);
        await using var service = await ServiceProcess.StartAsync(BrowserFixture.Geodata, new Dictionary<string, string>
        {
            ["Client__ExternalBasemapUrl"] = template,
            ["Client__ExternalBasemapAttribution"] = "Test provider",
            ["Client__ExternalBasemapCrs"] = "GCJ-02",
        });
        using var http = new HttpClient { BaseAddress = service.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var response = await http.SendAsync(request);
        var origin = fixture.Service.BaseAddress.GetLeftPart(UriPartial.Authority);
        Assert.Contains($"img-src 'self' data: blob: {origin};", string.Join(";", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);

        await using var client = await fixture.OpenAsync("#lang=en", service: service.BaseAddress);
        var page = client.Page;
        await Assertions.Expect(page.Locator("#basemap-note")).ToBeHiddenAsync();
        await page.Locator("input[name='basemap'][value='external']").CheckAsync();
        await Assertions.Expect(page.Locator("#basemap-note")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#basemap-note")).ToContainTextAsync("GCJ-02");
        await Assertions.Expect(page.Locator($"img.leaflet-tile-loaded[src^='{origin}/tiles/default/']").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".leaflet-control-attribution")).ToContainTextAsync("Test provider");
        Assert.Contains("base=external", page.Url, StringComparison.Ordinal);
        client.AssertNoErrors();
    }

    [Fact]
    public async Task InterfaceStrings_ExistInChineseAndEnglish_WithTheSamePlaceholders_ForEveryKeyThePageAndScriptsUse()
    {
        await using var client = await fixture.OpenAsync("#lang=zh");
        var strings = await client.Page.EvaluateAsync<Dictionary<string, Dictionary<string, string>>>("async () => (await import('/js/i18n.js')).strings");
        var english = strings["en"];
        var chinese = strings["zh"];
        Assert.Equal(english.Keys.Order(StringComparer.Ordinal), chinese.Keys.Order(StringComparer.Ordinal));
        foreach (var key in english.Keys)
        {
            Assert.True(
                Placeholders(english[key]).SequenceEqual(Placeholders(chinese[key])),
                $"'{key}': en has {string.Join(", ", Placeholders(english[key]))}, zh has {string.Join(", ", Placeholders(chinese[key]))}");
            Assert.False(string.IsNullOrWhiteSpace(chinese[key]), $"'{key}' is empty in zh");
        }

        // Keys the page asks for in its markup, and the literal keys the scripts pass to t().
        var used = await client.Page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('[data-i18n],[data-i18n-placeholder],[data-i18n-title],[data-i18n-aria]')]"
            + ".flatMap(el => [el.dataset.i18n, el.dataset.i18nPlaceholder, el.dataset.i18nTitle, el.dataset.i18nAria]).filter(k => k)");
        var scripts = Directory.GetFiles(Path.Combine(ServiceProcess.RepositoryRoot(), "src", "ClusterMap.Api", "wwwroot", "js"), "*.js");
        var called = scripts.SelectMany(file => TranslationCall().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value)).ToList();
        Assert.NotEmpty(used);
        Assert.NotEmpty(called);
        var missing = used.Concat(called).Distinct().Where(key => !english.ContainsKey(key)).ToList();
        Assert.True(missing.Count == 0, "Keys used but not translated: " + string.Join(", ", missing));
        client.AssertNoErrors();
    }

    private static IEnumerable<string> Placeholders(string text) =>
        PlaceholderPattern().Matches(text).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal);

    [GeneratedRegex(@"\{\w+\}")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"\bt\('([^']+)'")]
    private static partial Regex TranslationCall();

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"(src|href)=""(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ForeignUrl();
}
