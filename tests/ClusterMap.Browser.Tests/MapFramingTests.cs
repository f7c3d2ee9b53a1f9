using System.Text.Json;
using Microsoft.Playwright;

namespace ClusterMap.Browser.Tests;

/// <summary>
/// The map keeps filling its container when the panel beside it changes width (the Tables and Analysis tabs widen
/// it): Leaflet's idea of its size, the container's box and the tiles drawn are read back from the page.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class MapFramingTests(BrowserFixture fixture)
{
    /// <summary>What the page says about the map's geometry, in CSS pixels.</summary>
    private sealed record Geometry(double[] Container, double[] LeafletSize, double[] Panel, double[][] Tiles);

    private static async Task<Geometry> ReadAsync(IPage page)
    {
        var g = await page.EvaluateAsync<JsonElement>("""
        async () => {
          const { page: p } = await import('/js/session.js');
          const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
          const container = document.querySelector('#map');
          const size = p.map.getSize();
          const tiles = [...document.querySelectorAll('.leaflet-tile-pane img.leaflet-tile-loaded')].map(box);
          return { container: box(container), leafletSize: [size.x, size.y], panel: box(document.querySelector('#panel')), tiles };
        }
        """);
        static double[] Numbers(JsonElement a) => [.. a.EnumerateArray().Select(x => x.GetDouble())];
        return new Geometry(
            Numbers(g.GetProperty("container")), Numbers(g.GetProperty("leafletSize")), Numbers(g.GetProperty("panel")),
            [.. g.GetProperty("tiles").EnumerateArray().Select(Numbers)]);
    }

    private static void AssertMapFillsItsContainer(Geometry g, string when)
    {
        var (left, top, right, bottom) = (g.Container[0], g.Container[1], g.Container[2], g.Container[3]);
        Assert.True(Math.Abs(g.LeafletSize[0] - (right - left)) < 1 && Math.Abs(g.LeafletSize[1] - (bottom - top)) < 1,
            $"{when}: Leaflet thinks the map is {g.LeafletSize[0]}×{g.LeafletSize[1]} px, its container is {right - left}×{bottom - top}");
        Assert.True(g.Panel[0] >= right - 0.5, $"{when}: the panel (left {g.Panel[0]}) overlaps the map (right {right})");
        // Every point of a grid over the container lies on a loaded tile: no grey strip on any side.
        for (var x = left + 1; x < right; x += 20)
        {
            for (var y = top + 1; y < bottom; y += 40)
            {
                Assert.True(
                    g.Tiles.Any(t => t[0] <= x && x <= t[2] && t[1] <= y && y <= t[3]),
                    $"{when}: no tile at ({x:0}, {y:0}) of the map's box {left:0},{top:0}–{right:0},{bottom:0}");
            }
        }
    }

    private static async Task SettleAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.leaflet-tile-pane img:not(.leaflet-tile-loaded)').length === 0");
        await page.WaitForTimeoutAsync(400);   // tiles fade in, zoom animations end
    }

    [Theory]
    [InlineData("analysis")]
    [InlineData("tables")]
    public async Task WidePanelTabs_MapFillsWhatIsLeft_WithTilesToItsEdges(string tab)
    {
        await using var client = await fixture.OpenAsync("#lang=en&map=11/31.20000/121.50000");
        var page = client.Page;
        await SettleAsync(page);
        var before = await ReadAsync(page);
        AssertMapFillsItsContainer(before, "on the Map tab");

        await page.Locator($"[data-tab='{tab}']").ClickAsync();
        await SettleAsync(page);
        var after = await ReadAsync(page);
        Assert.True(after.Container[2] < before.Container[2] - 50, $"the {tab} tab did not widen the panel");
        AssertMapFillsItsContainer(after, $"on the {tab} tab");

        await page.Locator("[data-tab='explore']").ClickAsync();
        await SettleAsync(page);
        AssertMapFillsItsContainer(await ReadAsync(page), "back on the Map tab");
        client.AssertNoErrors();
    }
}
