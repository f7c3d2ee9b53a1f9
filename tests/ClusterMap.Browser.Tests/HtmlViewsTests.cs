using System.Globalization;
using Microsoft.Playwright;

namespace ClusterMap.Browser.Tests;

/// <summary>
/// The server-rendered HTML views as a reader meets them in Debian's chromium: from the collections to the parks,
/// their items, the filter form and one park, with the static maps loaded and no console error or CSP violation.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class HtmlViewsTests(BrowserFixture fixture)
{
    private const string Filter = "sector='集成电路'";

    /// <summary>A page that records console errors, failed requests and CSP violations (reported by the browser as console errors, and by the event).</summary>
    private async Task<(IPage Page, List<string> Errors)> OpenAsync(string path, string locale = "en-US")
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add($"console: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) => errors.Add($"page error: {error}");
        page.RequestFailed += (_, request) => errors.Add($"request failed: {request.Url} {request.Failure}");
        await page.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));");
        var response = await page.GotoAsync(new Uri(fixture.Service.BaseAddress, path).AbsoluteUri);
        Assert.Equal(200, response!.Status);
        return (page, errors);
    }

    private static async Task AssertMapLoadedAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => { const i = document.getElementById('static-map'); return i && i.complete && i.naturalWidth > 0; }", null, new() { Timeout = 60_000 });
        Assert.True(await page.EvaluateAsync<int>("() => document.getElementById('static-map').naturalWidth") > 0);
    }

    [Fact]
    public async Task Collections_ToParks_ToItems_Filter_ToAPark_WithMapsAndWithoutErrors()
    {
        var (page, errors) = await OpenAsync("/collections?f=html");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));

        await page.ClickAsync("tr[data-id='parks'] td:first-child a");
        await page.WaitForURLAsync("**/collections/parks?*");
        Assert.Equal("sector", await page.Locator("table.queryables tr[data-name='sector'] code").TextContentAsync());

        await page.ClickAsync("#items-link");
        await page.WaitForURLAsync("**/collections/parks/items?*");
        await AssertMapLoadedAsync(page);
        var all = await fixture.GetJsonAsync("/collections/parks/items");
        Assert.Equal(all.GetProperty("numberMatched").GetInt64().ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#matched", "data-matched"));

        // The browser encodes the Chinese value of the form (a raw non-ASCII request line would be refused).
        await page.FillAsync("#filter", Filter);
        await page.ClickAsync("form.filter button[type='submit']");
        await page.WaitForURLAsync("**filter=*");
        Assert.Contains("%E9%9B%86%E6%88%90%E7%94%B5%E8%B7%AF", page.Url, StringComparison.Ordinal);
        var filtered = await fixture.GetJsonAsync("/collections/parks/items?limit=100&filter=" + Uri.EscapeDataString(Filter));
        var matched = filtered.GetProperty("numberMatched").GetInt64();
        Assert.True(matched > 0);
        Assert.Equal(matched.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#matched", "data-matched"));
        var ids = filtered.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()).Take(10).ToList();
        var rows = await page.Locator("table.items tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)");
        Assert.Equal(ids, rows);
        Assert.Equal(Filter, await page.InputValueAsync("#filter"));
        await AssertMapLoadedAsync(page);

        await page.ClickAsync("table.items tbody tr:first-child td:first-child a");
        await page.WaitForURLAsync($"**/collections/parks/items/{ids[0]}?*");
        await AssertMapLoadedAsync(page);
        Assert.True(await page.Locator("table.nearest[data-target='universities'] tbody tr").CountAsync() > 0);
        Assert.True(await page.Locator("dl.provenance dt").CountAsync() >= 2);
        Assert.EndsWith(".pdf?lang=en", await page.GetAttributeAsync("#report-link", "href"), StringComparison.Ordinal);

        // A bad filter: the page says where, with status 400, and nothing else breaks.
        var bad = await page.GotoAsync(new Uri(fixture.Service.BaseAddress, "/collections/parks/items?f=html&filter=" + Uri.EscapeDataString("sector = ")).AbsoluteUri);
        Assert.Equal(400, bad!.Status);
        using var problem = await fixture.Api.GetAsync("/collections/parks/items?filter=" + Uri.EscapeDataString("sector = "));
        var position = System.Text.Json.JsonDocument.Parse(await problem.Content.ReadAsStringAsync()).RootElement.GetProperty("position").GetInt32();
        Assert.Contains($"at character {position}", await page.Locator("#filter-error").InnerTextAsync(), StringComparison.Ordinal);

        await page.Context.CloseAsync();
        // The 400 of the bad filter is the only error a console may show (chromium logs failed documents).
        Assert.True(errors.All(e => e.Contains("400", StringComparison.Ordinal)), string.Join("\n", errors));
    }

    [Fact]
    public async Task ChineseReader_GetsChineseLabels_AndCanSwitchToEnglish()
    {
        var (page, errors) = await OpenAsync("/collections/parks/items?f=html", locale: "zh-CN");

        Assert.Equal("zh-CN", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("数据集", await page.Locator("#nav-collections").TextContentAsync());
        Assert.Equal("名称", await page.Locator("table.items thead th:nth-child(2)").TextContentAsync());
        Assert.Equal("筛选（CQL2 文本）", await page.Locator("label[for='filter']").TextContentAsync());
        await AssertMapLoadedAsync(page);

        await page.ClickAsync("nav.lang a[lang='en']");
        await page.WaitForURLAsync("**lang=en*");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Collections", await page.Locator("#nav-collections").TextContentAsync());
        Assert.Equal("Name", await page.Locator("table.items thead th:nth-child(2)").TextContentAsync());
        await page.Context.CloseAsync();
        Assert.Empty(errors);
    }

    [Fact]
    public async Task MapClient_LinksToTheCollectionsPages_AndThosePagesBackToTheClient()
    {
        await using var client = await fixture.OpenAsync();
        // The client is the landing page's HTML: it links every link of the JSON landing page (OGC /req/html/content).
        var landing = await fixture.GetJsonAsync("/");
        var anchors = await client.Page.Locator("a[href]").EvaluateAllAsync<string[]>("anchors => anchors.map(a => a.href)");
        foreach (var link in landing.GetProperty("links").EnumerateArray().Where(l => l.GetProperty("rel").GetString() is not ("self" or "alternate")))
        {
            Assert.Contains(link.GetProperty("href").GetString(), anchors);
        }

        await client.Page.ClickAsync("#data-link");
        await client.Page.WaitForURLAsync("**/collections");
        Assert.Equal("text/html", await client.Page.EvaluateAsync<string>("() => document.contentType"));
        Assert.True(await client.Page.Locator("table.collections tr[data-id='parks']").CountAsync() == 1);
        await client.Page.ClickAsync("#nav-client");
        await client.WaitReadyAsync();
        client.AssertNoErrors();
    }
}
