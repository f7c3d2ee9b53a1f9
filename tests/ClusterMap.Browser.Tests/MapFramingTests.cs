using System.Globalization;
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

    /// <summary>
    /// Every park, university and institute symbol is drawn where Leaflet places its feature: the centre of its box on
    /// the page is the container point of the feature's coordinates (from the API) to within 2 px. A CSS rotation on a
    /// marker (Leaflet positions markers with their transform) would turn its position about the map's corner instead.
    /// Features that share one point (parks placed at one anchor, an institute at a campus's point) are drawn side by
    /// side: their symbols are centred on that point together and lie apart, so each can be seen and clicked.
    /// </summary>
    [Fact]
    public async Task PointSymbols_AreDrawnAtTheirFeaturesPositions()
    {
        var features = new List<(string Ref, double Lon, double Lat)>();
        foreach (var collection in new[] { "parks", "universities", "institutes" })
        {
            var items = await fixture.GetJsonAsync($"/collections/{collection}/items?limit=1000");
            foreach (var feature in items.GetProperty("features").EnumerateArray())
            {
                var coordinates = feature.GetProperty("geometry").GetProperty("coordinates");
                features.Add(($"{collection}/{feature.GetProperty("id").GetString()}", coordinates[0].GetDouble(), coordinates[1].GetDouble()));
            }
        }

        Assert.Contains(features, f => f.Ref.StartsWith("institutes/", StringComparison.Ordinal));
        Assert.Contains(features, f => f.Ref.StartsWith("parks/", StringComparison.Ordinal));
        await using var client = await fixture.OpenAsync("#lang=en&map=10/31.20000/121.50000");
        var page = client.Page;
        await SettleAsync(page);

        var misplaced = new List<string>();
        var sharedPoints = 0;
        foreach (var point in features.GroupBy(f => (f.Lon, f.Lat)))
        {
            var offsets = new List<double[]>();
            foreach (var (reference, lon, lat) in point)
            {
                var offset = await page.EvaluateAsync<double[]?>($$"""
                async () => {
                  const { page: p } = await import('/js/session.js');
                  const marker = document.querySelector(`[data-ref="{{reference}}"]`);
                  if (!marker) return null;
                  const r = marker.getBoundingClientRect();
                  const map = document.querySelector('#map').getBoundingClientRect();
                  const expected = p.map.latLngToContainerPoint([{{lat.ToString(CultureInfo.InvariantCulture)}}, {{lon.ToString(CultureInfo.InvariantCulture)}}]);
                  return [(r.left + r.right) / 2 - map.left - expected.x, (r.top + r.bottom) / 2 - map.top - expected.y];
                }
                """);
                Assert.True(offset is not null, $"{reference} has no symbol on the map");
                offsets.Add(offset);
            }

            var refs = string.Join(" + ", point.Select(f => f.Ref));
            var (meanX, meanY) = (offsets.Average(o => o[0]), offsets.Average(o => o[1]));
            if (Math.Abs(meanX) > 2 || Math.Abs(meanY) > 2)
            {
                misplaced.Add($"{refs} ({meanX:0} px, {meanY:0} px off)");
            }

            if (offsets.Count > 1)
            {
                sharedPoints++;
                var closest = offsets.SelectMany((a, i) => offsets.Skip(i + 1).Select(b => double.Hypot(a[0] - b[0], a[1] - b[1]))).Min();
                if (closest < 12)
                {
                    misplaced.Add($"{refs} share a point and are drawn {closest:0} px apart");
                }
            }
        }

        Assert.True(misplaced.Count == 0, $"{misplaced.Count} point symbols drawn away from their positions: {string.Join(", ", misplaced)}");
        Assert.True(sharedPoints > 0, "the shipped data has parks placed at one anchor; the side-by-side drawing went untested");
        client.AssertNoErrors();
    }

    /// <summary>
    /// A park that shares its estimated point says so in its details, naming (as the map does) every feature it shares
    /// the point with, from the park's own <c>location_shared_with</c>.
    /// </summary>
    [Fact]
    public async Task SharedPoint_IsNamedInTheDetails()
    {
        var parks = await fixture.GetJsonAsync("/collections/parks/items?limit=1000");
        var shared = parks.GetProperty("features").EnumerateArray()
            .First(f => f.GetProperty("properties").TryGetProperty("location_shared", out var s) && s.ValueKind == JsonValueKind.True);
        var id = shared.GetProperty("id").GetString()!;
        var expected = new List<string>();
        foreach (var other in shared.GetProperty("properties").GetProperty("location_shared_with").EnumerateArray())
        {
            var otherId = other.GetString()!;
            string? name = null;
            foreach (var collection in new[] { "parks", "universities", "institutes" })
            {
                using var response = await fixture.Api.GetAsync($"/collections/{collection}/items/{otherId}");
                if (response.IsSuccessStatusCode)
                {
                    using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    var properties = document.RootElement.GetProperty("properties");
                    name = new[] { "name_en", "name_zh" }
                        .Select(key => properties.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null)
                        .FirstOrDefault(value => !string.IsNullOrEmpty(value));
                    break;
                }
            }

            expected.Add(name ?? otherId);
        }

        await using var client = await fixture.OpenAsync($"#lang=en&sel=parks/{id}");
        var page = client.Page;
        var sharedWith = page.Locator("[data-testid='details-shared']");
        await Assertions.Expect(sharedWith).ToBeVisibleAsync();
        var text = await sharedWith.InnerTextAsync();
        foreach (var name in expected)
        {
            Assert.Contains(name, text, StringComparison.Ordinal);
        }

        client.AssertNoErrors();
    }
}
