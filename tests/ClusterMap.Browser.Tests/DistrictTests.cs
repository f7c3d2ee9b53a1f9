using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterMap.Tests.Shared;
using Microsoft.Playwright;

namespace ClusterMap.Browser.Tests;

/// <summary>
/// The district chooser and filter in Debian's chromium: its entries are the `districts` collection, the chosen
/// district is outlined and named on the map and kept in the link, and the features shown are those the API places
/// in it — by the district_id the geodata build computed, or, for features without one, by the polygon itself.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DistrictTests(BrowserFixture fixture)
{
    private static readonly string[] _collections = ["parks", "universities", "institutes"];

    /// <summary>The refs of the markers the page shows for the three layers.</summary>
    private static async Task<List<string>> ShownAsync(IPage page) =>
        [.. (await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('path.cm-park[data-ref], .leaflet-marker-icon[data-ref]')].map(e => e.dataset.ref)")).Order(StringComparer.Ordinal)];

    private async Task<List<string>> ApiInDistrictAsync(string district)
    {
        var refs = new List<string>();
        foreach (var collection in _collections)
        {
            var answer = await fixture.GetJsonAsync($"/collections/{collection}/items?limit=10000&district_id={district}");
            refs.AddRange(Expect.Features(answer).Select(f => $"{collection}/{f.GetProperty("id").GetString()}"));
        }

        return [.. refs.Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task DistrictChooser_ListsTheCollectionsDistricts_OutlinesAndNamesTheChosenOne_AndKeepsItInTheLink()
    {
        var districts = Expect.Features(await fixture.GetJsonAsync("/collections/districts/items?limit=100")).ToList();
        Assert.Equal(16, districts.Count);
        await using var client = await fixture.OpenAsync("#lang=en");
        var page = client.Page;

        var options = await page.EvaluateAsync<string[][]>("() => [...document.querySelectorAll('#filter-district option')].filter(o => o.value).map(o => [o.value, o.textContent])");
        Assert.Equal(
            districts.Select(d => $"{d.GetProperty("id").GetString()}={Expect.Prop(d, "name_en")}").Order(StringComparer.Ordinal),
            options.Select(o => $"{o[0]}={o[1]}").Order(StringComparer.Ordinal));
        await page.Locator("button[data-lang='zh']").ClickAsync();
        var chinese = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#filter-district option')].filter(o => o.value).map(o => o.textContent)");
        Assert.Equal(districts.Select(d => Expect.Prop(d, "name_zh")).Order(StringComparer.Ordinal), chinese.Order(StringComparer.Ordinal));
        await page.Locator("button[data-lang='en']").ClickAsync();

        // On ClusterMap's own basemap the tiles draw every district; the chosen one is outlined and named on top.
        Assert.Equal(0, await page.Locator("path.cm-district").CountAsync());
        await page.Locator("#filter-district").SelectOptionAsync("district-xuhui");
        await Assertions.Expect(page.Locator("path.cm-district-chosen[data-district='district-xuhui']")).ToHaveCountAsync(1);
        var label = page.Locator(".cm-district-label.is-chosen[data-district='district-xuhui']");
        await Assertions.Expect(label.Locator("strong")).ToHaveTextAsync("Xuhui District");
        await Assertions.Expect(label).ToContainTextAsync("徐汇区");
        await Assertions.Expect(label).ToBeVisibleAsync();
        // The label sits inside the outline's box, and the map framed the district.
        var outline = await SteadyBoxAsync(page, page.Locator("path.cm-district-chosen"));
        var text = await SteadyBoxAsync(page, label);
        Assert.InRange(text.X + (text.Width / 2), outline.X, outline.X + outline.Width);
        Assert.InRange(text.Y + (text.Height / 2), outline.Y, outline.Y + outline.Height);
        var map = (await page.Locator("#map").BoundingBoxAsync())!;
        Assert.True(outline.Width > map.Width / 4 || outline.Height > map.Height / 4, $"the district is not framed: {outline.Width}×{outline.Height} px");
        await page.Locator("button[data-lang='zh']").ClickAsync();
        await Assertions.Expect(label.Locator("strong")).ToHaveTextAsync("徐汇区");
        Assert.Contains("district=district-xuhui", page.Url, StringComparison.Ordinal);

        await using var again = await fixture.OpenAsync(new Uri(page.Url).Fragment);
        await Assertions.Expect(again.Page.Locator("#filter-district")).ToHaveValueAsync("district-xuhui");
        await Assertions.Expect(again.Page.Locator("path.cm-district-chosen[data-district='district-xuhui']")).ToHaveCountAsync(1);
        Assert.Equal(await ApiInDistrictAsync("district-xuhui"), await ShownAsync(again.Page));

        // A link of the days when the filter held the district's name still opens on that district.
        await using var old = await fixture.OpenAsync($"#lang=en&district={Uri.EscapeDataString("浦东新区")}");
        await Assertions.Expect(old.Page.Locator("#filter-district")).ToHaveValueAsync("district-pudong");
        client.AssertNoErrors();
        again.AssertNoErrors();
        old.AssertNoErrors();
    }

    /// <summary>
    /// The element's box once the map has stopped moving: the client flies to the chosen district, and a box read
    /// during the flight belongs to neither the start nor the end of it.
    /// </summary>
    private static async Task<LocatorBoundingBoxResult> SteadyBoxAsync(IPage page, ILocator locator)
    {
        var box = (await locator.BoundingBoxAsync())!;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await page.WaitForTimeoutAsync(150);
            var next = (await locator.BoundingBoxAsync())!;
            if (next.X == box.X && next.Y == box.Y && next.Width == box.Width && next.Height == box.Height)
            {
                return next;
            }

            box = next;
        }

        return box;
    }

    [Theory]
    [InlineData("district-pudong")]
    [InlineData("district-huangpu")]
    [InlineData("district-songjiang")]
    public async Task DistrictFilter_ShowsExactlyTheParksCampusesAndInstitutesTheApiPlacesInIt(string district)
    {
        await using var client = await fixture.OpenAsync("#lang=en");
        var page = client.Page;
        await page.Locator("#filter-district").SelectOptionAsync(district);
        var expected = await ApiInDistrictAsync(district);
        Assert.NotEmpty(expected);
        await Assertions.Expect(page.Locator("path.cm-park[data-ref]")).ToHaveCountAsync(expected.Count(r => r.StartsWith("parks/", StringComparison.Ordinal)));
        Assert.Equal(expected, await ShownAsync(page));
        if (district == "district-pudong")
        {
            await client.ScreenshotAsync("09-district");
        }

        client.AssertNoErrors();
    }

    [Fact]
    public async Task DistrictFilter_OnFeaturesWithoutDistrictId_DecidesByThePolygon_AsTheApiDoes()
    {
        // The shipped data with every campus and institute stripped of its district fields, as an imported collection
        // would come: the client must place them by the district polygons.
        var geodata = Directory.CreateTempSubdirectory("clustermap-districtless-").FullName;
        foreach (var file in Directory.GetFiles(BrowserFixture.Geodata))
        {
            File.Copy(file, Path.Combine(geodata, Path.GetFileName(file)));
        }

        foreach (var sub in Directory.GetDirectories(BrowserFixture.Geodata))
        {
            CopyDirectory(sub, Path.Combine(geodata, Path.GetFileName(sub)));
        }

        foreach (var collection in new[] { "universities", "institutes" })
        {
            var path = Path.Combine(geodata, collection + ".geojson");
            var json = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
            foreach (var f in json["features"]!.AsArray())
            {
                var properties = f!["properties"]!.AsObject();
                foreach (var name in properties.Select(p => p.Key).Where(k => k.StartsWith("district", StringComparison.Ordinal)).ToList())
                {
                    properties.Remove(name);
                }
            }

            await File.WriteAllTextAsync(path, json.ToJsonString(), new UTF8Encoding(false));
        }

        await using var service = await ServiceProcess.StartAsync(geodata);
        using var http = new HttpClient { BaseAddress = service.BaseAddress };
        var stripped = JsonDocument.Parse(await http.GetStringAsync("/collections/institutes/items?limit=1")).RootElement;
        Assert.DoesNotContain(Expect.Features(stripped).Single().GetProperty("properties").EnumerateObject(), p => p.Name == "district_id");

        await using var client = await fixture.OpenAsync("#lang=en", service: service.BaseAddress);
        var page = client.Page;
        foreach (var district in new[] { "district-huangpu", "district-yangpu", "district-pudong", "district-minhang" })
        {
            await page.Locator("#filter-district").SelectOptionAsync(district);
            await Assertions.Expect(page.Locator("#filter-district")).ToHaveValueAsync(district);
            // The fixture's service holds the district_id the geodata build computed from the same polygons.
            Assert.Equal(await ApiInDistrictAsync(district), await ShownAsync(page));
        }

        // And against the API's own spatial filter, for districts whose polygon fits in a CQL2 filter.
        foreach (var district in new[] { "district-huangpu", "district-yangpu", "district-hongkou" })
        {
            await page.Locator("#filter-district").SelectOptionAsync(district);
            var polygon = JsonDocument.Parse(await http.GetStringAsync($"/collections/districts/items/{district}")).RootElement.GetProperty("geometry");
            var wkt = "POLYGON(" + string.Join(",", polygon.GetProperty("coordinates").EnumerateArray().Select(ring =>
                "(" + string.Join(",", ring.EnumerateArray().Select(p => string.Create(CultureInfo.InvariantCulture, $"{p[0].GetDouble()} {p[1].GetDouble()}"))) + ")")) + ")";
            var shown = await ShownAsync(page);
            foreach (var collection in new[] { "universities", "institutes" })
            {
                var answer = JsonDocument.Parse(await http.GetStringAsync($"/collections/{collection}/items?limit=10000&filter={Uri.EscapeDataString($"S_INTERSECTS(geometry, {wkt})")}")).RootElement;
                Assert.Equal(
                    Expect.Features(answer).Select(f => $"{collection}/{f.GetProperty("id").GetString()}").Order(StringComparer.Ordinal),
                    shown.Where(r => r.StartsWith(collection + "/", StringComparison.Ordinal)));
            }
        }

        client.AssertNoErrors();
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var sub in Directory.GetDirectories(from))
        {
            CopyDirectory(sub, Path.Combine(to, Path.GetFileName(sub)));
        }
    }
}
