using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace ClusterMap.Browser.Tests;

/// <summary>
/// The planner's workflows, performed in Debian's chromium against the real service on the shipped data: what the
/// page shows is compared with the API's own answer to the same question, never with typed-in numbers.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ClientWorkflowTests(BrowserFixture fixture)
{
    private const string ShanghaiTech = "universities/shanghaitech-pudong";
    private const string Baowu = "parks/park-baowu-carbon-neutral";

    private async Task<(double Lon, double Lat, JsonElement Feature)> PlaceAsync(string reference)
    {
        var feature = await fixture.GetJsonAsync($"/collections/{reference.Replace("/", "/items/", StringComparison.Ordinal)}");
        var coordinates = feature.GetProperty("geometry").GetProperty("coordinates");
        return (coordinates[0].GetDouble(), coordinates[1].GetDouble(), feature);
    }

    private static string MapAt(double lon, double lat, int zoom) =>
        string.Create(CultureInfo.InvariantCulture, $"map={zoom}/{lat:F5}/{lon:F5}");

    private static void AssertRowsMatch(JsonElement answer, string collection, IReadOnlyList<ResultRow> rows, bool withinColumn)
    {
        var expected = Expect.Features(answer).ToList();
        Assert.Equal(expected.Select(f => $"{collection}/{f.GetProperty("id").GetString()}"), rows.Select(r => r.Ref));
        foreach (var (feature, row) in expected.Zip(rows))
        {
            var distance = Expect.Number(feature, "distance_m");
            Assert.Equal(distance, row.DistanceMeters, 6);
            Assert.Equal(Expect.DistanceText(distance), row.DistanceText);
            if (withinColumn)
            {
                Assert.Equal(Expect.Prop(feature, "within"), row.Within);
            }
        }
    }

    [Fact]
    public async Task Load_DrawsOwnTilesEveryFeatureLegendAndScale_WithoutConsoleErrors()
    {
        await using var client = await fixture.OpenAsync();
        var page = client.Page;

        await Assertions.Expect(page.Locator("img.leaflet-tile-loaded").First).ToBeVisibleAsync();
        Assert.StartsWith("/tiles/basemap/", await page.Locator("img.leaflet-tile").First.GetAttributeAsync("src"));
        foreach (var (collection, selector) in new[]
        {
            ("parks", "path.cm-park"),
            ("universities", ".leaflet-marker-icon.cm-icon-university"),
            ("institutes", ".leaflet-marker-icon.cm-icon-institute"),
        })
        {
            var answer = await fixture.GetJsonAsync($"/collections/{collection}/items?limit=1");
            Assert.Equal(answer.GetProperty("numberMatched").GetInt32(), await page.Locator(selector).CountAsync());
        }

        await Assertions.Expect(page.Locator(".leaflet-control-scale-line")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#legend")).ToContainTextAsync("Integrated circuits");
        await Assertions.Expect(page.Locator("#legend")).ToContainTextAsync("location uncertainty");
        var foreign = await page.EvaluateAsync<string[]>(
            "() => performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin))");
        Assert.Empty(foreign);
        await client.ScreenshotAsync("01-overview");
        client.AssertNoErrors();
    }

    [Fact]
    public async Task HoverAndClick_Park_ShowNamesSectorDistrictSourceAndUncertainty()
    {
        var (lon, lat, park) = await PlaceAsync(Baowu);
        await using var client = await fixture.OpenAsync($"#lang=en&{MapAt(lon, lat, 13)}");
        var page = client.Page;
        var marker = page.Locator($"path[data-ref='{Baowu}']");

        await marker.HoverAsync();
        var tooltip = page.Locator(".leaflet-tooltip.cm-tooltip");
        await Assertions.Expect(tooltip).ToContainTextAsync(Expect.Prop(park, "name_en"));
        await Assertions.Expect(tooltip).ToContainTextAsync(Expect.Prop(park, "name_zh"));
        await Assertions.Expect(tooltip).ToContainTextAsync(Expect.Prop(park, "sector_en"));
        await Assertions.Expect(tooltip).ToContainTextAsync(Expect.Prop(park, "district"));
        await Assertions.Expect(tooltip).ToContainTextAsync("± " + Expect.DistanceText(Expect.Number(park, "location_uncertainty_m")));

        await marker.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid='details-name']")).ToHaveTextAsync(Expect.Prop(park, "name_en"));
        await Assertions.Expect(page.Locator("[data-testid='details-sector']")).ToContainTextAsync(Expect.Prop(park, "sector"));
        await Assertions.Expect(page.Locator("[data-testid='details-uncertainty']")).ToContainTextAsync("estimated");
        await page.GetByText("How the location was found").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid='details-method']")).ToHaveTextAsync(Expect.Prop(park, "location_method"));
        await Assertions.Expect(page.Locator(".details .sources a").First).ToHaveAttributeAsync("href", park.GetProperty("properties").GetProperty("source_urls")[0].GetString()!);
        Assert.Equal(1, await page.Locator("path.cm-uncertainty").CountAsync());
        client.AssertNoErrors();
    }

    [Fact]
    public async Task Radius_ClickUniversityTypeAndSlide_ListsTheParksTheApiFinds()
    {
        var (lon, lat, university) = await PlaceAsync(ShanghaiTech);
        await using var client = await fixture.OpenAsync($"#lang=en&{MapAt(lon, lat, 14)}&r=2");
        var page = client.Page;

        await page.Locator($"[data-ref='{ShanghaiTech}']").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid='details-name']")).ToContainTextAsync(Expect.Prop(university, "name_en"));
        await Assertions.Expect(page.Locator("[role='tab'][aria-selected='true']")).ToHaveTextAsync("Radius");

        var typed = page.Locator("#radius-km");
        await typed.FillAsync("5");
        await typed.PressAsync("Enter");
        var summary = page.Locator("[data-testid='radius-summary']");
        await Assertions.Expect(summary).ToContainTextAsync("within 5.00 km");
        var answer = await fixture.GetJsonAsync($"/proximity/within?target=parks&radius_m=5000&from={ShanghaiTech}");
        var rows = await client.ReadRowsAsync("radius-row");
        Assert.NotEmpty(rows);
        AssertRowsMatch(answer, "parks", rows, withinColumn: true);
        foreach (var row in rows.Where(r => r.Within == "possible"))
        {
            var tr = page.Locator($"tr[data-testid='radius-row'][data-ref='{row.Ref}']");
            await Assertions.Expect(tr).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("possible"));
            await Assertions.Expect(tr.Locator(".chip")).ToHaveTextAsync("possible");
        }

        Assert.Equal(1, await page.Locator("path.cm-ring").CountAsync());
        Assert.Equal(rows.Count, await page.Locator("path.cm-hit").CountAsync());
        Assert.Equal(1, await page.Locator("path.cm-uncertainty").CountAsync());

        // One step of the slider (0.5 km) to the right.
        await page.Locator("#radius-slider").FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await Assertions.Expect(summary).ToContainTextAsync("within 5.50 km");
        await Assertions.Expect(typed).ToHaveValueAsync("5.5");
        var wider = await fixture.GetJsonAsync($"/proximity/within?target=parks&radius_m=5500&from={ShanghaiTech}");
        AssertRowsMatch(wider, "parks", await client.ReadRowsAsync("radius-row"), withinColumn: true);
        await client.ScreenshotAsync("02-radius");
        client.AssertNoErrors();
    }

    [Fact]
    public async Task Nearest_ClickPark_DrawsLinesAndListsTheApisNearestUniversitiesAndInstitutes()
    {
        var (lon, lat, _) = await PlaceAsync(Baowu);
        await using var client = await fixture.OpenAsync($"#lang=en&{MapAt(lon, lat, 13)}");
        var page = client.Page;

        await page.Locator($"path[data-ref='{Baowu}']").ClickAsync();
        await Assertions.Expect(page.Locator("[role='tab'][aria-selected='true']")).ToHaveTextAsync("Nearest");
        await Assertions.Expect(client.Rows("nearest-row-universities")).ToHaveCountAsync(5);
        var lines = 0;
        foreach (var target in new[] { "universities", "institutes" })
        {
            var answer = await fixture.GetJsonAsync($"/proximity/nearest?target={target}&k=5&from={Baowu}");
            AssertRowsMatch(answer, target, await client.ReadRowsAsync($"nearest-row-{target}"), withinColumn: false);
            lines += Expect.Features(answer).Count();
        }

        Assert.Equal(lines, await page.Locator("path.cm-line").CountAsync());

        await page.Locator("#nearest-k").SelectOptionAsync("3");
        await Assertions.Expect(client.Rows("nearest-row-institutes")).ToHaveCountAsync(3);
        await client.ScreenshotAsync("03-nearest");
        client.AssertNoErrors();
    }

    [Fact]
    public async Task Search_PartialChineseOrEnglishName_FindsAndSelectsTheFeature()
    {
        await using var client = await fixture.OpenAsync("#lang=en");
        var page = client.Page;
        var names = new List<(string Ref, string Text)>();
        foreach (var collection in new[] { "parks", "universities", "institutes" })
        {
            foreach (var f in Expect.Features(await fixture.GetJsonAsync($"/collections/{collection}/items?limit=10000")))
            {
                var p = f.GetProperty("properties");
                var text = string.Join(" ", new[] { "name_zh", "name_en", "campus_zh", "campus_en" }
                    .Select(n => p.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null).OfType<string>());
                names.Add(($"{collection}/{f.GetProperty("id").GetString()}", text));
            }
        }

        foreach (var query in new[] { "张江", "tongji", "Institute of" })
        {
            await page.Locator("#search").FillAsync(query);
            var expected = names.Where(n => n.Text.Contains(query, StringComparison.OrdinalIgnoreCase)).Select(n => n.Ref).ToList();
            Assert.NotEmpty(expected);
            var items = page.Locator("#search-results li[data-ref]");
            await Assertions.Expect(items).ToHaveCountAsync(Math.Min(12, expected.Count));
            foreach (var item in await items.AllAsync())
            {
                Assert.Contains(await item.GetAttributeAsync("data-ref"), expected);
            }
        }

        await page.Locator("#search").FillAsync("tongji");
        var first = await page.Locator("#search-results li[data-ref]").First.GetAttributeAsync("data-ref");
        await page.Locator("#search").PressAsync("Enter");
        Assert.Contains($"sel={Uri.EscapeDataString(first!)}", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("[data-testid='details-name']")).ToContainTextAsync("Tongji University");

        await page.Locator("#search").FillAsync("no such place xyz");
        await Assertions.Expect(page.Locator("#search-results li.none")).ToHaveTextAsync("No match");
        client.AssertNoErrors();
    }

    [Fact]
    public async Task Filters_BySectorAndDistrict_ShowOnlyTheParksTheApiMatches()
    {
        await using var client = await fixture.OpenAsync("#lang=en");
        var page = client.Page;
        var total = await page.Locator("path.cm-park").CountAsync();

        await page.Locator("#filter-sector").SelectOptionAsync("集成电路");
        var bySector = await fixture.GetJsonAsync($"/collections/parks/items?limit=1000&sector={Uri.EscapeDataString("集成电路")}");
        var expected = Expect.Features(bySector).Select(f => $"parks/{f.GetProperty("id").GetString()}").Order().ToList();
        await Assertions.Expect(page.Locator("path.cm-park")).ToHaveCountAsync(expected.Count);
        var shown = new List<string>();
        foreach (var path in await page.Locator("path.cm-park").AllAsync())
        {
            shown.Add((await path.GetAttributeAsync("data-ref"))!);
        }

        Assert.Equal(expected, shown.Order().ToList());
        await Assertions.Expect(page.Locator("#filter-count")).ToHaveTextAsync($"{expected.Count} of {total} parks shown");

        await page.Locator("#filter-district").SelectOptionAsync("district-pudong");
        var both = await fixture.GetJsonAsync($"/collections/parks/items?limit=1000&sector={Uri.EscapeDataString("集成电路")}&district_id=district-pudong");
        await Assertions.Expect(page.Locator("path.cm-park")).ToHaveCountAsync(both.GetProperty("numberMatched").GetInt32());
        Assert.Contains("sector=", page.Url, StringComparison.Ordinal);
        client.AssertNoErrors();
    }

    [Fact]
    public async Task Language_SwitchFromChineseToEnglish_TranslatesInterfaceAndNames()
    {
        var (_, _, university) = await PlaceAsync(ShanghaiTech);
        await using var client = await fixture.OpenAsync($"#lang=zh&tab=radius&sel={ShanghaiTech}&from={ShanghaiTech}&r=5", locale: "zh-CN");
        var page = client.Page;
        var summary = page.Locator("[data-testid='radius-summary']");
        await Assertions.Expect(page.Locator("[role='tab'][aria-selected='true']")).ToHaveTextAsync("半径查询");
        await Assertions.Expect(summary).ToContainTextAsync(Expect.Prop(university, "name_zh"));
        await Assertions.Expect(summary).ToContainTextAsync("5.00 公里");
        await client.ScreenshotAsync("06-chinese");

        await page.Locator("button[data-lang='en']").ClickAsync();
        await Assertions.Expect(page.Locator("[role='tab'][aria-selected='true']")).ToHaveTextAsync("Radius");
        await Assertions.Expect(summary).ToContainTextAsync(Expect.Prop(university, "name_en"));
        await Assertions.Expect(page.Locator("#search")).ToHaveAttributeAsync("placeholder", new System.Text.RegularExpressions.Regex("^Search"));
        Assert.Equal("en", await page.EvaluateAsync<string>("() => document.documentElement.lang"));
        Assert.Contains("lang=en", page.Url, StringComparison.Ordinal);
        client.AssertNoErrors();
    }

    [Fact]
    public async Task Permalink_OpenedInANewPage_ReproducesViewLayersFiltersSelectionAndRadius()
    {
        await using var first = await fixture.OpenAsync("#lang=en");
        var page = first.Page;
        await page.Locator("input[data-layer='metro-stations']").CheckAsync();
        await page.Locator("#filter-district").SelectOptionAsync("district-pudong");
        await page.Locator("#search").FillAsync("ShanghaiTech University, Pudong");
        await page.Locator("#search").PressAsync("Enter");
        await page.Locator("#radius-km").FillAsync("8");
        await page.Locator("#radius-km").PressAsync("Enter");
        await Assertions.Expect(page.Locator("[data-testid='radius-summary']")).ToContainTextAsync("8.00 km");
        await page.WaitForTimeoutAsync(1000);   // the fly-to animation settles and writes the view
        var rows = await first.ReadRowsAsync("radius-row");
        var link = page.Url;

        await using var second = await fixture.OpenAsync(new Uri(link).Fragment);
        var again = second.Page;
        await Assertions.Expect(again.Locator("[data-testid='radius-summary']")).ToContainTextAsync("8.00 km");
        Assert.Equal(rows, await second.ReadRowsAsync("radius-row"));
        Assert.True(await again.Locator("input[data-layer='metro-stations']").IsCheckedAsync());
        await Assertions.Expect(again.Locator("#filter-district")).ToHaveValueAsync("district-pudong");
        await Assertions.Expect(again.Locator("#radius-km")).ToHaveValueAsync("8");
        await Assertions.Expect(again.Locator("#radius-origin")).ToHaveValueAsync(ShanghaiTech);
        Assert.Equal(link, again.Url);
        first.AssertNoErrors();
        second.AssertNoErrors();
    }

    [Fact]
    public async Task ResultList_DownloadCsvAndGeoJson_HoldTheRowsOnScreen()
    {
        await using var client = await fixture.OpenAsync($"#lang=en&tab=radius&sel={ShanghaiTech}&from={ShanghaiTech}&r=6");
        var page = client.Page;
        var rows = await client.ReadRowsAsync("radius-row");
        Assert.NotEmpty(rows);

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid='within-csv']").ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var raw = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, raw[..3]);   // the byte-order mark spreadsheets need for Chinese
        var text = System.Text.Encoding.UTF8.GetString(raw);
        var records = Expect.Csv(text);
        Assert.Equal(rows.Select(r => r.Ref), records.Select(r => $"{r["collection"]}/{r["id"]}"));
        Assert.Equal(rows.Select(r => r.DistanceMeters), records.Select(r => double.Parse(r["distance_m"], CultureInfo.InvariantCulture)));
        Assert.Equal(rows.Select(r => r.Within), records.Select(r => r["within"]));
        Assert.All(records, r => Assert.False(string.IsNullOrEmpty(r["name_zh"])));

        var geojson = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid='within-geojson']").ClickAsync());
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync((await geojson.PathAsync())!));
        Assert.Equal("FeatureCollection", document.RootElement.GetProperty("type").GetString());
        Assert.Equal(rows.Select(r => r.Ref), Expect.Features(document.RootElement).Select(f => $"parks/{f.GetProperty("id").GetString()}"));
        client.AssertNoErrors();
    }

    [Fact]
    public async Task ExportMap_PngAndPdf_DownloadTheCurrentViewFromTheStaticMapEndpoint()
    {
        await using var client = await fixture.OpenAsync($"#lang=en&tab=radius&sel={ShanghaiTech}&from={ShanghaiTech}&r=5");
        var page = client.Page;
        var size = await page.Locator("#map").BoundingBoxAsync();

        var png = await page.RunAndWaitForDownloadAsync(() => page.Locator("#export-png").ClickAsync());
        Assert.Contains("/maps/static.png?", png.Url, StringComparison.Ordinal);
        Assert.Contains($"highlight={Uri.EscapeDataString(ShanghaiTech)}", png.Url, StringComparison.Ordinal);
        Assert.Contains("radius_m=5000", png.Url, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync((await png.PathAsync())!);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
        var width = (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19];
        Assert.Equal((int)Math.Round(size!.Width), width);

        var pdf = await page.RunAndWaitForDownloadAsync(() => page.Locator("#export-pdf").ClickAsync());
        var pdfBytes = await File.ReadAllBytesAsync((await pdf.PathAsync())!);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(pdfBytes, 0, 4));
        client.AssertNoErrors();
    }

    [Fact]
    public async Task ExportMap_WithFiltersAndNearest_TheFigureShowsWhatTheMapShows()
    {
        var (lon, lat, park) = await PlaceAsync(Baowu);
        var sector = Expect.Prop(park, "sector");
        // A linked view with the park in the upper middle and its institutes (about 20 km south) in the frame, clear of
        // the figure's title and legend panels, which cover the top corners of an exported map as of the page's map.
        await using var client = await fixture.OpenAsync($"#lang=en&{MapAt(lon, lat - 0.09, 11)}&tab=nearest&park={Baowu}&sel={Baowu}&k=3&sector={Uri.EscapeDataString(sector)}");
        var page = client.Page;
        await Assertions.Expect(client.Rows("nearest-row-universities")).ToHaveCountAsync(3);

        var png = await page.RunAndWaitForDownloadAsync(() => page.Locator("#export-png").ClickAsync());
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(png.Url).Query);
        Assert.Equal(sector, query["parks.sector"]);
        Assert.Equal("3", query["nearest"]);
        Assert.Equal("universities,institutes", query["nearest_to"]);
        Assert.Equal(Baowu, query["highlight"]);

        // The same figure as SVG: its text is what the PNG shows, so it can be read back.
        var svg = await page.APIRequest.GetAsync(png.Url.Replace("/maps/static.png?", "/maps/static.svg?", StringComparison.Ordinal));
        Assert.Equal(200, svg.Status);
        var texts = System.Xml.Linq.XDocument.Parse(await svg.TextAsync()).Descendants((System.Xml.Linq.XNamespace)"http://www.w3.org/2000/svg" + "text")
            .Select(t => t.Value.Trim()).ToList();
        foreach (var target in new[] { "universities", "institutes" })
        {
            var answer = await fixture.GetJsonAsync($"/proximity/nearest?target={target}&k=3&from={Baowu}");
            foreach (var distance in Expect.Features(answer).Select(f => FigureDistance(Expect.Number(f, "distance_m"))))
            {
                Assert.True(texts.Contains(distance), $"{distance} is not written in the figure {png.Url}");
            }
        }

        var others = await fixture.GetJsonAsync("/collections/parks/items?limit=1000");
        foreach (var other in Expect.Features(others).Where(f => Expect.Prop(f, "sector") != sector))
        {
            Assert.DoesNotContain(Expect.Prop(other, "name_en"), texts);
        }

        client.AssertNoErrors();
    }

    // The static map's distance labels: metres under 1 km, one decimal under 10 km, whole kilometres beyond.
    private static string FigureDistance(double meters) => meters switch
    {
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{meters:0} m"),
        < 10_000 => string.Create(CultureInfo.InvariantCulture, $"{meters / 1000:0.0} km"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{meters / 1000:0} km"),
    };

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task MapControls_LegendZoomScaleAttribution_NoneOverlaps_OnDesktopAndPhone(int width, int height)
    {
        await using var client = await fixture.OpenAsync("#lang=en", width: width, height: height);
        var page = client.Page;
        var legend = page.Locator("#legend");
        await Assertions.Expect(legend).ToBeVisibleAsync();
        if (width < 700)
        {
            // Folded on a phone; open it as a user would, and it must still keep clear of the other controls.
            await legend.Locator("summary").ClickAsync();
        }

        await Assertions.Expect(legend).ToContainTextAsync("University campus");
        var box = (await legend.BoundingBoxAsync())!;
        var map = (await page.Locator("#map").BoundingBoxAsync())!;
        Assert.True(box.X >= map.X && box.Y >= map.Y && box.X + box.Width <= map.X + map.Width + 0.5 && box.Y + box.Height <= map.Y + map.Height + 0.5,
            $"legend {box.X},{box.Y} {box.Width}×{box.Height} is not inside the map {map.X},{map.Y} {map.Width}×{map.Height}");
        // No two of the map's controls cover each other (on a phone the attribution wraps and once hid the scale bar).
        var controls = new List<(string Name, LocatorBoundingBoxResult Box)> { ("legend", box) };
        foreach (var selector in new[] { ".leaflet-control-zoom", ".leaflet-control-scale", ".leaflet-control-attribution" })
        {
            controls.Add((selector, (await page.Locator(selector).BoundingBoxAsync())!));
        }

        foreach (var (a, i) in controls.Select((c, i) => (c, i)))
        {
            foreach (var b in controls.Skip(i + 1))
            {
                var overlaps = a.Box.X < b.Box.X + b.Box.Width && b.Box.X < a.Box.X + a.Box.Width && a.Box.Y < b.Box.Y + b.Box.Height && b.Box.Y < a.Box.Y + a.Box.Height;
                Assert.False(overlaps, $"{a.Name} overlaps {b.Name}");
            }
        }

        client.AssertNoErrors();
    }

    [Fact]
    public async Task Tables_MatrixAndRings_SortableWithTheApisRowsAndCsv()
    {
        await using var client = await fixture.OpenAsync("#lang=en&tab=tables&table=matrix&to=universities&mk=2");
        var page = client.Page;
        var matrix = await fixture.GetJsonAsync("/proximity/matrix?from=parks&to=universities&k=2");
        var expectedRows = matrix.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("targets").GetArrayLength());
        var rows = client.Rows("table-row");
        await Assertions.Expect(rows).ToHaveCountAsync(expectedRows);

        var distanceHeader = page.Locator("th button.sort", new() { HasTextString = "Distance" });
        await distanceHeader.ClickAsync();
        await Assertions.Expect(page.Locator("th[aria-sort='ascending']")).ToContainTextAsync("Distance");
        var distances = await ReadColumnKmAsync(page, 3);
        Assert.Equal(distances.Order().ToList(), distances);
        var all = matrix.GetProperty("rows").EnumerateArray().SelectMany(r => r.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("distance_m").GetDouble()).Min();
        Assert.Equal(Expect.DistanceText(all), (await rows.First.Locator("td").Nth(3).InnerTextAsync()).Trim());
        await distanceHeader.ClickAsync();
        await Assertions.Expect(page.Locator("th[aria-sort='descending']")).ToContainTextAsync("Distance");

        var csv = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid='table-csv']").ClickAsync());
        var records = Expect.Csv(await File.ReadAllTextAsync((await csv.PathAsync())!));
        Assert.Equal(expectedRows, records.Count);
        Assert.Contains("origin_id", records[0].Keys);
        await client.ScreenshotAsync("04-matrix");

        await page.GetByText("Ring counts").ClickAsync();
        var rings = await fixture.GetJsonAsync("/proximity/rings?from=parks&to=universities&rings_m=1000,3000,5000,10000");
        await Assertions.Expect(rows).ToHaveCountAsync(rings.GetProperty("rows").GetArrayLength());
        var firstPark = rings.GetProperty("rows").EnumerateArray().OrderBy(r => r.GetProperty("origin").GetProperty("name_en").GetString(), StringComparer.Create(CultureInfo.GetCultureInfo("en"), false)).First();
        var firstRow = rows.First;
        Assert.Equal(firstPark.GetProperty("origin").GetProperty("name_en").GetString(), (await firstRow.Locator("td").Nth(0).InnerTextAsync()).Trim());
        var tenKm = firstPark.GetProperty("rings")[3].GetProperty("count").GetInt32();
        Assert.StartsWith(tenKm.ToString(CultureInfo.InvariantCulture), (await firstRow.Locator("td").Nth(5).InnerTextAsync()).Trim(), StringComparison.Ordinal);
        var ringsCsv = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid='table-csv']").ClickAsync());
        Assert.Contains("/proximity/rings?", ringsCsv.Url, StringComparison.Ordinal);
        Assert.NotEmpty(Expect.Csv(await File.ReadAllTextAsync((await ringsCsv.PathAsync())!)));
        await client.ScreenshotAsync("05-rings");
        client.AssertNoErrors();
    }

    private static async Task<List<double>> ReadColumnKmAsync(IPage page, int column)
    {
        var values = new List<double>();
        foreach (var cell in await page.Locator($"tr[data-testid='table-row'] td:nth-child({column + 1})").AllAsync())
        {
            var text = (await cell.InnerTextAsync()).Trim();
            var number = double.Parse(text.Split(' ')[0].Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
            values.Add(text.EndsWith(" km", StringComparison.Ordinal) ? number * 1000 : number);
        }

        return values;
    }

    [Fact]
    public async Task Phone_390PixelsWide_MapVisibleAndPanelReachable()
    {
        await using var client = await fixture.OpenAsync($"#lang=zh&tab=radius&sel={ShanghaiTech}&from={ShanghaiTech}&r=5", width: 390, height: 844, locale: "zh-CN");
        var page = client.Page;
        var map = (await page.Locator("#map").BoundingBoxAsync())!;
        Assert.True(map.Width >= 389 && map.Height >= 250, $"map {map.Width}×{map.Height}");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        var search = (await page.Locator("#search").BoundingBoxAsync())!;
        Assert.True(search.Width > 300, $"search box {search.Width} px wide");

        var row = client.Rows("radius-row").First;
        await row.ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(row).ToBeInViewportAsync();
        await client.ScreenshotAsync("07-phone", fullPage: true);
        await page.Locator("[data-tab='nearest']").ClickAsync();
        await Assertions.Expect(page.Locator("#nearest-park")).ToBeVisibleAsync();
        await page.Locator("#nearest-park").SelectOptionAsync(Baowu);
        await Assertions.Expect(client.Rows("nearest-row-universities")).ToHaveCountAsync(5);
        client.AssertNoErrors();
    }

    [Fact]
    public async Task ApiError_IsShownToTheUserWithTheServicesMessage()
    {
        await using var client = await fixture.OpenAsync("#lang=en&tab=tables&table=matrix&to=universities&mk=2&max=-1");
        var alert = client.Page.Locator("#table-result [role='alert']");
        await Assertions.Expect(alert).ToContainTextAsync("The service answered with an error");
        await Assertions.Expect(alert).ToContainTextAsync("max_m");
        // The failed request itself is all the console may show.
        Assert.All(client.Errors, e => Assert.Contains("400", e, StringComparison.Ordinal));
    }
}
