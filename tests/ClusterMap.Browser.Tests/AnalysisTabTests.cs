using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace ClusterMap.Browser.Tests;

/// <summary>
/// The Analysis tab as a planner uses it, in Debian's chromium on the shipped data: what the card, the charts, the
/// white-spot layer and the downloads show is compared with the API's own answers.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AnalysisTabTests(BrowserFixture fixture)
{
    // A park with a sourced link to an institution ClusterMap holds (docs/analysis.md, Partnerships).
    private const string Park = "park-life-blue-bay";

    [Fact]
    public async Task PickPark_CardShowsTheApisResearchBaseTiersAndPartners()
    {
        await using var client = await fixture.OpenAsync("#lang=en&tab=analysis");
        var page = client.Page;
        await page.Locator("#analysis-park").SelectOptionAsync($"parks/{Park}");
        await page.Locator("[data-testid='analysis-bands']").WaitForAsync();

        var researchBase = await fixture.GetJsonAsync($"/analysis/parks/{Park}/research-base");
        foreach (var band in researchBase.GetProperty("bands").EnumerateArray())
        {
            var radius = band.GetProperty("radius_m").GetDouble().ToString(CultureInfo.InvariantCulture);
            foreach (var field in new[] { "certain", "possible", "estimated" })
            {
                Assert.Equal(band.GetProperty(field).GetInt32().ToString(CultureInfo.InvariantCulture), await CellAsync(page, field, radius));
            }

            var tier = band.GetProperty("tiers").GetProperty("985");
            var (certain, possible) = (tier.GetProperty("certain").GetInt32(), tier.GetProperty("possible").GetInt32());
            Assert.Equal(possible == 0 ? $"{certain}" : $"{certain} (+{possible}?)", await CellAsync(page, "tier-985", radius));
        }

        var partners = await fixture.GetJsonAsync($"/analysis/parks/{Park}/partners");
        var links = partners.GetProperty("links").EnumerateArray().ToList();
        Assert.NotEmpty(links);
        await Assertions.Expect(page.Locator("[data-testid='analysis-partners'] li")).ToHaveCountAsync(links.Count);
        foreach (var partner in links.SelectMany(l => l.GetProperty("partners").EnumerateArray()))
        {
            var line = page.Locator($"[data-partner='{partner.GetProperty("id").GetString()}']");
            Assert.Equal(Expect.DistanceText(partner.GetProperty("distance_m").GetDouble()), (await line.Locator("[data-field='partner-distance']").InnerTextAsync()).Trim());
            var rank = partner.GetProperty("rank");
            Assert.Contains($"rank {rank.GetProperty("estimated").GetInt32()} ", await line.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains($"of {rank.GetProperty("of").GetInt32()}", await line.InnerTextAsync(), StringComparison.Ordinal);
        }

        // The charts hold the API's district and sector counts, drawn by Chart.js.
        var districts = await fixture.GetJsonAsync("/analysis/districts");
        var shown = JsonDocument.Parse((await page.Locator("#analysis-district-chart").GetAttributeAsync("data-values"))!).RootElement;
        Assert.Equal(
            districts.GetProperty("districts").EnumerateArray().Select(d => (d.GetProperty("id").GetString(), d.GetProperty("counts").GetProperty("parks").GetInt32())),
            shown.EnumerateArray().Select(v => (v[0].GetString(), v[1].GetInt32())));
        Assert.True(await page.EvaluateAsync<bool>("() => window.Chart.getChart(document.querySelector('#analysis-district-chart')) !== undefined"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.Chart.getChart(document.querySelector('#analysis-sector-chart')) !== undefined"));

        Assert.Contains($"ap=parks%2F{Park}", page.Url, StringComparison.Ordinal);
        await client.ScreenshotAsync("08-analysis");
        client.AssertNoErrors();
    }

    [Fact]
    public async Task WhiteSpotLayer_OpensWithTheApisCells_AndTheLinkReproducesIt()
    {
        await using var client = await fixture.OpenAsync("#lang=en&tab=analysis");
        var page = client.Page;
        var before = await page.Locator(".leaflet-overlay-pane path").CountAsync();
        await page.Locator("#analysis-white-spots").CheckAsync();
        var count = page.Locator("#analysis-white-spot-count[data-cells]");
        await count.WaitForAsync();

        var spots = await fixture.GetJsonAsync("/analysis/white-spots");
        var cells = spots.GetProperty("features").GetArrayLength();
        Assert.True(cells > 0);
        Assert.Equal(cells.ToString(CultureInfo.InvariantCulture), await count.GetAttributeAsync("data-cells"));
        var certain = Expect.Features(spots).Count(f => Expect.Prop(f, "status") == "certain");
        Assert.Equal(certain.ToString(CultureInfo.InvariantCulture), await count.GetAttributeAsync("data-certain"));
        Assert.Equal(before + cells, await page.Locator(".leaflet-overlay-pane path").CountAsync());
        Assert.Contains("ws=1", page.Url, StringComparison.Ordinal);

        await using var again = await fixture.OpenAsync(new Uri(page.Url).Fragment);
        await again.Page.Locator("#analysis-white-spot-count[data-cells]").WaitForAsync();
        Assert.True(await again.Page.Locator("#analysis-white-spots").IsCheckedAsync());

        await page.Locator("#analysis-white-spots").UncheckAsync();
        await Assertions.Expect(page.Locator(".leaflet-overlay-pane path")).ToHaveCountAsync(before);
        client.AssertNoErrors();
        again.AssertNoErrors();
    }

    [Fact]
    public async Task DensityLayer_LoadsTheDensityTilesAndShowsItsLegend_AndTheLinkReproducesIt()
    {
        await using var client = await fixture.OpenAsync("#lang=en&tab=analysis&map=12/31.23000/121.47000");
        var page = client.Page;
        Assert.Equal(0, await page.Locator(".cm-density").CountAsync());
        await page.Locator("#analysis-density").CheckAsync();

        // Leaflet marks a tile loaded once its image has decoded: the service's density PNGs, over the basemap.
        var loaded = page.Locator(".cm-density img.leaflet-tile-loaded");
        await Assertions.Expect(loaded.First).ToBeAttachedAsync();
        var sources = await loaded.EvaluateAllAsync<string[]>("tiles => tiles.filter(t => t.naturalWidth > 0).map(t => t.src)");
        Assert.NotEmpty(sources);
        Assert.All(sources, src => Assert.Matches(@"/tiles/density/12/\d+/\d+(@2x)?\.png$", src));

        var config = await fixture.GetJsonAsync("/client/config.json");
        var classes = config.GetProperty("density").GetProperty("classes");
        var legend = page.Locator("[data-testid='density-legend']");
        await Assertions.Expect(legend).ToBeVisibleAsync();
        await Assertions.Expect(legend.Locator(".step")).ToHaveCountAsync(classes.GetArrayLength());
        Assert.Equal(
            classes.EnumerateArray().Select(c => c.GetProperty("min_per_km2").GetDouble().ToString(CultureInfo.InvariantCulture)),
            await legend.Locator(".step").EvaluateAllAsync<string[]>("steps => steps.map(s => s.dataset.min)"));
        Assert.Contains("per km² (kernel 2 km)", await legend.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("dn=1", page.Url, StringComparison.Ordinal);
        await client.ScreenshotAsync("10-density");

        await using var again = await fixture.OpenAsync(new Uri(page.Url).Fragment);
        await Assertions.Expect(again.Page.Locator(".cm-density img.leaflet-tile-loaded").First).ToBeAttachedAsync();
        Assert.True(await again.Page.Locator("#analysis-density").IsCheckedAsync());
        await Assertions.Expect(again.Page.Locator("[data-testid='density-legend']")).ToBeVisibleAsync();

        await page.Locator("#analysis-density").UncheckAsync();
        await Assertions.Expect(page.Locator(".cm-density")).ToHaveCountAsync(0);
        await Assertions.Expect(legend).ToHaveCountAsync(0);
        Assert.DoesNotContain("dn=1", page.Url, StringComparison.Ordinal);
        client.AssertNoErrors();
        again.AssertNoErrors();
    }

    [Fact]
    public async Task ChartCsvDownloads_HoldTheApisTables()
    {
        await using var client = await fixture.OpenAsync($"#lang=zh&tab=analysis&ap=parks%2F{Park}");
        var page = client.Page;
        await page.Locator("[data-testid='analysis-bands']").WaitForAsync();

        var districts = await fixture.GetJsonAsync("/analysis/districts");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid='analysis-district-csv']").ClickAsync());
        var raw = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, raw[..3]);
        var records = Expect.Csv(System.Text.Encoding.UTF8.GetString(raw));
        var bands = districts.GetProperty("made_with").GetProperty("bands_m").GetArrayLength();
        Assert.Equal(districts.GetProperty("districts").GetArrayLength() * bands, records.Count);
        foreach (var district in districts.GetProperty("districts").EnumerateArray())
        {
            var row = records.First(r => r["district_id"] == district.GetProperty("id").GetString());
            Assert.Equal(district.GetProperty("counts").GetProperty("universities").GetInt32().ToString(CultureInfo.InvariantCulture), row["universities"]);
        }

        var sectors = await fixture.GetJsonAsync("/analysis/sectors");
        var sectorCsv = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid='analysis-sector-csv']").ClickAsync());
        var sectorRecords = Expect.Csv(await File.ReadAllTextAsync((await sectorCsv.PathAsync())!));
        Assert.Equal(sectors.GetProperty("sectors").GetArrayLength(), sectorRecords.Count);

        var partnersCsv = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid='analysis-partners-csv']").ClickAsync());
        var partnerRecords = Expect.Csv(await File.ReadAllTextAsync((await partnersCsv.PathAsync())!));
        Assert.All(partnerRecords, r => Assert.Equal(Park, r["park_id"]));
        Assert.NotEmpty(partnerRecords);
        client.AssertNoErrors();
    }

    private static async Task<string> CellAsync(IPage page, string field, string radius) =>
        (await page.Locator($"[data-testid='analysis-bands'] td[data-field='{field}'][data-band='{radius}'], [data-testid='analysis-tiers'] td[data-field='{field}'][data-band='{radius}']").InnerTextAsync()).Trim();
}
