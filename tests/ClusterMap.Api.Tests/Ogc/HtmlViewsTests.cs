using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClusterMap.Api.Tests.Writes;

namespace ClusterMap.Api.Tests.Ogc;

/// <summary>
/// The server-rendered HTML views (f=html or a browser's Accept) against the JSON they stand for, on the synthetic
/// test geodata: the same features in the same order, paging through all of them, every value encoded, JSON
/// clients unchanged, labels in Chinese and English, conditional GETs.
/// </summary>
public sealed partial class HtmlViewsTests(ClusterMapFactory factory) : IClassFixture<ClusterMapFactory>
{
    /// <summary>What Debian's chromium sends for a page.</summary>
    public const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

    private readonly HttpClient _client = factory.CreateClient();

    internal static async Task<string> GetHtmlAsync(HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK, string? acceptLanguage = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Accept", BrowserAccept);
        if (acceptLanguage is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{url}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<!DOCTYPE html>", body, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", string.Join(";", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        return body;
    }

    /// <summary>The ids of the rows of a table of features (<c>tr data-id</c>), decoded, in page order.</summary>
    internal static List<string> RowIds(string html, string tableClass = "items")
    {
        var table = Regex.Match(html, $"<table class=\"{tableClass}\"[^>]*>(.*?)</table>", RegexOptions.Singleline);
        Assert.True(table.Success, $"no table.{tableClass}");
        return [.. DataId().Matches(table.Groups[1].Value).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];
    }

    /// <summary>The decoded href of the page's first link with this rel, or null.</summary>
    internal static string? LinkRel(string html, string rel) =>
        Regex.Match(html, $"<a href=\"([^\"]+)\" rel=\"{rel}\">") is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

    private async Task<JsonElement> GetGeoJsonAsync(string url) =>
        await (await _client.GetAsync(url)).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

    private static List<string> Ids(JsonElement page) =>
        [.. page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!)];

    [Theory]
    [InlineData("sites", "limit=7")]
    [InlineData("sites", "limit=5&offset=10")]
    [InlineData("sites", "sortby=-rank&limit=6&offset=3")]
    [InlineData("sites", "filter=rank%20%3E%205%20AND%20kind%20%3D%20%27odd%27&sortby=name")]
    [InlineData("sites", "kind=even&limit=4")]
    [InlineData("sites", "bbox=121.05,31.05,121.25,31.35&limit=100")]
    [InlineData("zones", "")]
    public async Task ItemsHtml_ListsExactlyTheFeaturesOfTheJsonPage_InTheSameOrder(string collection, string query)
    {
        var json = await GetGeoJsonAsync($"/collections/{collection}/items?{query}");
        var html = await GetHtmlAsync(_client, $"/collections/{collection}/items?{query}");

        Assert.NotEmpty(Ids(json));
        Assert.Equal(Ids(json), RowIds(html));
        Assert.Contains($"data-matched=\"{json.GetProperty("numberMatched").GetInt64()}\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("limit=4")]
    [InlineData("limit=3&sortby=-rank&kind=odd")]
    [InlineData("limit=2&filter=rank%20%3C%3D%2010")]
    public async Task ItemsHtml_NextLinks_PageThroughEveryFeatureOnce_KeepingEveryParameter(string query)
    {
        var all = Ids(await GetGeoJsonAsync($"/collections/sites/items?{Regex.Replace(query, "limit=\\d+", "limit=1000")}"));
        var seen = new List<string>();
        string? url = $"/collections/sites/items?{query}";
        var pages = 0;
        while (url is not null)
        {
            var html = await GetHtmlAsync(_client, url);
            seen.AddRange(RowIds(html));
            url = LinkRel(html, "next");
            if (url is not null)
            {
                // Every parameter of the first page rides along (filter, sortby, the equality), and f=html.
                foreach (var pair in query.Split('&').Where(p => !p.StartsWith("limit", StringComparison.Ordinal)))
                {
                    Assert.Contains(pair, url, StringComparison.Ordinal);
                }

                Assert.Contains("f=html", url, StringComparison.Ordinal);
            }

            Assert.True(++pages <= all.Count, "the next links do not end");
        }

        Assert.Equal(all, seen);
    }

    [Fact]
    public async Task JsonRepresentations_LinkTheirHtmlAsAlternate_AndTheHtmlLinksBackToJson()
    {
        foreach (var (url, mediaType) in new[]
        {
            ("/collections", "application/json"),
            ("/collections/sites", "application/json"),
            ("/collections/sites/items?limit=3", "application/geo+json"),
            ("/collections/sites/items/site-03", "application/geo+json"),
        })
        {
            var json = await (await _client.GetAsync(url)).ReadJsonAsync(HttpStatusCode.OK, mediaType);
            var alternate = json.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "alternate");
            Assert.Equal("text/html", alternate.GetProperty("type").GetString());
            var html = await GetHtmlAsync(_client, alternate.GetProperty("href").GetString()!);
            var back = Regex.Match(html, $"<link rel=\"alternate\" type=\"{Regex.Escape(mediaType)}\" href=\"([^\"]+)\"");
            Assert.True(back.Success, url);
            var again = await (await _client.GetAsync(WebUtility.HtmlDecode(back.Groups[1].Value))).ReadJsonAsync(HttpStatusCode.OK, mediaType);
            Assert.Equal(json.GetProperty("links").GetArrayLength(), again.GetProperty("links").GetArrayLength());
        }
    }

    [Theory]
    [InlineData("/conformance")]
    [InlineData("/collections")]
    [InlineData("/collections/sites")]
    [InlineData("/collections/sites/queryables")]
    [InlineData("/collections/sites/items")]
    [InlineData("/collections/sites/items/site-03")]
    public async Task JsonClients_StillGetJson_BrowsersAndFHtmlGetHtml(string path)
    {
        foreach (var accept in new string?[] { null, "application/json", "*/*", "application/geo+json", "text/html, application/json", "application/json;q=1, text/html;q=0.5" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (accept is not null)
            {
                request.Headers.TryAddWithoutValidation("Accept", accept);
            }

            using var response = await _client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).Dispose();
            Assert.Contains("Accept", response.Headers.Vary);
        }

        await GetHtmlAsync(_client, path);
        using var forced = await _client.GetAsync(path + "?f=html");
        Assert.Equal("text/html", forced.Content.Headers.ContentType?.MediaType);
        using var json = new HttpRequestMessage(HttpMethod.Get, path + "?f=json");
        json.Headers.TryAddWithoutValidation("Accept", BrowserAccept);
        using var asked = await _client.SendAsync(json);
        Assert.NotEqual("text/html", asked.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/collections", "zh", "数据集", "Collections")]
    [InlineData("/conformance", "zh", "符合性声明", "Conformance")]
    [InlineData("/collections/sites", "zh", "可查询属性", "Queryables")]
    [InlineData("/collections/sites/items", "zh", "筛选（CQL2 文本）", "Filter (CQL2 text)")]
    [InlineData("/collections/sites/items/site-03", "zh", "属性", "Properties")]
    public async Task Labels_SwitchWithLangAndAcceptLanguage(string path, string _, string chinese, string english)
    {
        var zh = await GetHtmlAsync(_client, path + "?lang=zh");
        var en = await GetHtmlAsync(_client, path + "?lang=en");
        var byHeader = await GetHtmlAsync(_client, path, acceptLanguage: "zh-CN,zh;q=0.9,en;q=0.8");
        var byDefault = await GetHtmlAsync(_client, path);

        Assert.Contains("<html lang=\"zh-CN\">", zh, StringComparison.Ordinal);
        Assert.Contains(chinese, zh, StringComparison.Ordinal);
        Assert.DoesNotContain(">" + english + "<", zh, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"en\">", en, StringComparison.Ordinal);
        Assert.Contains(english, en, StringComparison.Ordinal);
        Assert.DoesNotContain(chinese + "<", en, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"zh-CN\">", byHeader, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"en\">", byDefault, StringComparison.Ordinal);
        // A page reached from a Chinese page stays Chinese.
        Assert.Contains("/collections?f=html&amp;lang=zh", zh, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadLang_OrBadParameter_InAnHtmlView_IsStillA400ProblemNamingIt()
    {
        using var lang = new HttpRequestMessage(HttpMethod.Get, "/collections?lang=fr");
        lang.Headers.TryAddWithoutValidation("Accept", BrowserAccept);
        await (await _client.SendAsync(lang)).AssertProblemAsync(HttpStatusCode.BadRequest, "lang");
        await (await _client.GetAsync("/collections/sites/items?f=html&bbox=1,2,3")).AssertProblemAsync(HttpStatusCode.BadRequest, "bbox");
        await (await _client.GetAsync("/collections/sites/items?f=html&limt=3")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await _client.GetAsync("/collections/nope?f=html")).AssertProblemAsync(HttpStatusCode.NotFound, "collectionId");
    }

    [Fact]
    public async Task ItemsHtml_BadFilter_ShowsTheErrorOnThePageWithItsPosition_As400()
    {
        const string filter = "rank > AND kind = 'odd'";
        var html = await GetHtmlAsync(_client, $"/collections/sites/items?f=html&lang=en&filter={Uri.EscapeDataString(filter)}", HttpStatusCode.BadRequest);
        var problem = await (await _client.GetAsync($"/collections/sites/items?filter={Uri.EscapeDataString(filter)}")).AssertProblemAsync(HttpStatusCode.BadRequest, "filter");
        var position = problem.GetProperty("position").GetInt32();

        Assert.Contains("id=\"filter-error\"", html, StringComparison.Ordinal);
        Assert.Contains($"at character {position}", html, StringComparison.Ordinal);
        Assert.Contains(problem.GetProperty("detail").GetString()!, WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains($"<mark>{WebUtility.HtmlEncode(filter[position].ToString())}</mark>", html, StringComparison.Ordinal);
        // The form keeps what was typed, so it can be corrected.
        Assert.Contains($"value=\"{WebUtility.HtmlEncode(filter)}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<table class=\"items\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HtmlViews_AnswerHeadAndConditionalGets_KeyedOnAccept()
    {
        const string url = "/collections/sites/items?limit=3";
        using var first = new HttpRequestMessage(HttpMethod.Get, url);
        first.Headers.TryAddWithoutValidation("Accept", BrowserAccept);
        using var page = await _client.SendAsync(first);
        var etag = page.Headers.ETag;
        Assert.NotNull(etag);
        Assert.Contains("Accept", page.Headers.Vary);
        var json = await _client.GetAsync(url);
        Assert.NotEqual(etag, json.Headers.ETag);

        using var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.TryAddWithoutValidation("Accept", BrowserAccept);
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await _client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var head = new HttpRequestMessage(HttpMethod.Head, url);
        head.Headers.TryAddWithoutValidation("Accept", BrowserAccept);
        using var headResponse = await _client.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
        Assert.Equal("text/html", headResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal(etag, headResponse.Headers.ETag);
        Assert.Empty(await headResponse.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task CollectionHtml_ShowsItsMetadataExtentAndEveryQueryable()
    {
        var json = await (await _client.GetAsync("/collections/sites")).ReadJsonAsync(HttpStatusCode.OK, "application/json");
        using var schema = JsonDocument.Parse(await _client.GetStringAsync("/collections/sites/queryables"));
        var html = await GetHtmlAsync(_client, "/collections/sites?lang=en");

        Assert.Contains(json.GetProperty("title").GetString()!, html, StringComparison.Ordinal);
        Assert.Contains(json.GetProperty("description").GetString()!, html, StringComparison.Ordinal);
        Assert.Contains("121, 31, 121.4, 31.4", html, StringComparison.Ordinal);
        var names = schema.RootElement.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
        var rows = Regex.Matches(html, "<tr data-name=\"([^\"]+)\">").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));
        Assert.Contains("/collections/sites/items?f=html", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_DocumentsFHtmlAndLangOnEveryHtmlRoute()
    {
        using var api = JsonDocument.Parse(await _client.GetStringAsync("/api"));
        foreach (var path in new[] { "/conformance", "/collections", "/collections/{collectionId}", "/collections/{collectionId}/queryables", "/collections/{collectionId}/items", "/collections/{collectionId}/items/{featureId}" })
        {
            var parameters = api.RootElement.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("parameters").EnumerateArray().ToList();
            var format = parameters.Single(p => p.GetProperty("name").GetString() == "f");
            Assert.Contains("html", format.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
            Assert.Contains(parameters, p => p.GetProperty("name").GetString() == "lang");
        }
    }

    /// <summary>OGC API – Features Part 1, abstract test /ats/html/definition: every resource asked for as HTML answers 200 text/html.</summary>
    [Theory]
    [InlineData("/")]
    [InlineData("/conformance")]
    [InlineData("/api")]
    [InlineData("/collections")]
    [InlineData("/collections/sites")]
    [InlineData("/collections/sites/queryables")]
    [InlineData("/collections/sites/items")]
    [InlineData("/collections/sites/items/site-03")]
    public async Task HtmlConformance_EveryResourceAskedForAsHtml_IsTextHtml(string path)
    {
        foreach (var url in new[] { path, path + "?f=html" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Accept", url.EndsWith("f=html", StringComparison.Ordinal) ? "*/*" : BrowserAccept);
            using var response = await _client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        }
    }

    /// <summary>
    /// Abstract test /ats/html/content: the page is an HTML 5 document whose body holds the JSON's information
    /// (checked here: every link, as an a element with the same href, and every id, title and property value).
    /// </summary>
    [Theory]
    [InlineData("/conformance", "application/json")]
    [InlineData("/collections", "application/json")]
    [InlineData("/collections/sites", "application/json")]
    [InlineData("/collections/zones/items?limit=1&offset=1", "application/geo+json")]
    [InlineData("/collections/sites/items?limit=3&offset=3&sortby=-rank", "application/geo+json")]
    [InlineData("/collections/sites/items/site-03", "application/geo+json")]
    public async Task HtmlConformance_TheBodyHoldsEveryLinkAndValueOfTheJson(string url, string mediaType)
    {
        var json = await (await _client.GetAsync(url)).ReadJsonAsync(HttpStatusCode.OK, mediaType);
        var html = await GetHtmlAsync(_client, url);
        Assert.Matches("^<!DOCTYPE html>\n<html lang=\"(en|zh-CN)\"><head><meta charset=\"utf-8\">", html);
        Assert.Contains("<title>", html, StringComparison.Ordinal);
        var body = html[html.IndexOf("<body>", StringComparison.Ordinal)..];
        var text = WebUtility.HtmlDecode(body);

        var links = new List<JsonElement>();
        void Collect(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var member in element.EnumerateObject())
                {
                    if (member.Name == "links")
                    {
                        links.AddRange(member.Value.EnumerateArray());
                    }
                    else if (member.Name is not ("geometry" or "timeStamp"))
                    {
                        // timeStamp is each response's own time: the JSON and the HTML are two requests, which can fall in different seconds.
                        Collect(member.Value);
                    }
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item);
                }
            }
            else if (element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } value && !value.StartsWith("http", StringComparison.Ordinal) && value != "Feature" && value != "FeatureCollection" && value != "feature")
            {
                Assert.Contains(value, text, StringComparison.Ordinal);
            }
        }

        Collect(json);
        foreach (var link in links.Where(l => l.GetProperty("rel").GetString() is not ("self" or "alternate")))
        {
            Assert.Contains($"<a href=\"{WebUtility.HtmlEncode(link.GetProperty("href").GetString())}\"", body, StringComparison.Ordinal);
        }

        if (json.TryGetProperty("conformsTo", out var classes))
        {
            Assert.All(classes.EnumerateArray(), c => Assert.Contains($"<a href=\"{c.GetString()}\"", body, StringComparison.Ordinal));
        }

        if (json.TryGetProperty("geometry", out var geometry))
        {
            Assert.Contains(geometry.GetProperty("type").GetString()!, text, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex("<tr data-id=\"([^\"]*)\">")]
    private static partial Regex DataId();
}

/// <summary>HTML views of data written through the write API: every value is text, never markup.</summary>
public sealed class HtmlViewsEncodingTests : IAsyncLifetime
{
    private readonly ClusterMapFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _client = _factory.CreateClient();
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await WritesApiTests.AddKeyAsync(_factory, "tests"));
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task AFeatureWithMarkupInItsProperties_IsShownEscapedOnEveryView()
    {
        const string script = "<script>alert(1)</script>";
        const string attribute = "\"><img src=x onerror=alert(2)>";
        var properties = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = script,
            ["kind"] = attribute,
            ["rank"] = 7,
            ["source_url"] = "javascript:alert(3)",
            ["location_method"] = "a & b < c",
        });
        var created = await _client.PostAsync("/collections/sites/items", WritesApiTests.GeoJson(WritesApiTests.Point("evil-site", 121.05, 31.05, properties)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        foreach (var url in new[] { "/collections/sites/items?limit=100", "/collections/sites/items/evil-site", "/collections/sites/items?filter=" + Uri.EscapeDataString($"name = '{script}'") + "&limit=100", "/collections/sites" })
        {
            var html = await HtmlViewsTests.GetHtmlAsync(_client, url);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
            Assert.DoesNotContain("href=\"javascript:", html, StringComparison.Ordinal);
            if (url.Contains("items", StringComparison.Ordinal))
            {
                Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
            }
        }

        var feature = await HtmlViewsTests.GetHtmlAsync(_client, "/collections/sites/items/evil-site");
        Assert.Contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;", feature, StringComparison.Ordinal);
        Assert.Contains("a &amp; b &lt; c", feature, StringComparison.Ordinal);
        Assert.Contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>", feature, StringComparison.Ordinal);
        var filtered = await HtmlViewsTests.GetHtmlAsync(_client, "/collections/sites/items?filter=" + Uri.EscapeDataString($"name = '{script}'"));
        Assert.Equal(["evil-site"], HtmlViewsTests.RowIds(filtered));
    }
}

/// <summary>A feature's page on the shipped data: its nearest institutions are the proximity engine's answer.</summary>
public sealed class FeatureHtmlShippedDataTests : IDisposable
{
    private readonly ClusterMapFactory _factory = ClusterMapFactory.With(Path.Combine(ClusterMap.Tests.Shared.ServiceProcess.RepositoryRoot(), "geodata"));

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData("parks", "park-zhangjiang-ai-island", "universities")]
    [InlineData("parks", "park-zhangjiang-ai-island", "institutes")]
    [InlineData("universities", "shanghaitech-pudong", "parks")]
    public async Task FeatureHtml_ListsTheNearestAsProximityNearestAnswers_WithMapReportAndProvenance(string collection, string id, string target)
    {
        var client = _factory.CreateClient();
        var html = await HtmlViewsTests.GetHtmlAsync(client, $"/collections/{collection}/items/{id}?lang=en");
        var nearest = await (await client.GetAsync($"/proximity/nearest?target={target}&from={collection}/{id}&k=5")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

        var expected = nearest.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(expected.Select(f => f.GetProperty("id").GetString()), HtmlViewsTests.RowIds(html.Split($"data-target=\"{target}\"")[1].Insert(0, "<table class=\"nearest\">"), "nearest"));
        var table = html.Split($"data-target=\"{target}\"")[1].Split("</table>")[0];
        var distances = Regex.Matches(table, "<td class=\"number\">([0-9,]+)</td><td class=\"number\">").Select(m => double.Parse(m.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(expected.Count, distances.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            // Shown to the metre; the API gives centimetres.
            Assert.InRange(distances[i], expected[i].GetProperty("properties").GetProperty("distance_m").GetDouble() - 0.51, expected[i].GetProperty("properties").GetProperty("distance_m").GetDouble() + 0.51);
        }

        var feature = await (await client.GetAsync($"/collections/{collection}/items/{id}")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
        var properties = feature.GetProperty("properties");
        Assert.Contains(properties.GetProperty("location_method").GetString()!, WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains(properties.GetProperty("name_zh").GetString()!, WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains(properties.GetProperty("name_en").GetString()!, WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains($"/reports/{collection}/{id}.pdf?lang=en", html, StringComparison.Ordinal);
        var map = WebUtility.HtmlDecode(Regex.Match(html, "<img src=\"([^\"]+)\"").Groups[1].Value);
        Assert.Contains("nearest=5", map, StringComparison.Ordinal);
        using var image = await client.GetAsync(map);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
    }
}
