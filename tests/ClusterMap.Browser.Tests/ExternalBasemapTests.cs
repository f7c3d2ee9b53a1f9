using System.Globalization;
using System.Text.Json;
using ClusterMap.Api.Tests.Maps;
using ClusterMap.Core.Tiles;
using ClusterMap.Projections.Chinese;
using ClusterMap.Tests.Shared;
using Microsoft.Playwright;
using NetTopologySuite.Geometries;
using SkiaSharp;

namespace ClusterMap.Browser.Tests;

/// <summary>
/// The client over an external basemap served by a fake XYZ server on loopback (started by the test): over a GCJ-02
/// source the features are drawn where that source's map places them; a source whose tiles fail gives way to
/// ClusterMap's own basemap, and the page says so.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ExternalBasemapTests(BrowserFixture fixture)
{
    /// <summary>No colour of ClusterMap's palette, basemap or overlays comes near it.</summary>
    private static readonly SKColor _mark = new(0xF0, 0x32, 0xE6);

    private static Task<ServiceProcess> ServiceOver(FakeTileServer tiles, string datum) =>
        ServiceProcess.StartAsync(BrowserFixture.Geodata, new Dictionary<string, string>
        {
            ["Client__ExternalBasemapUrl"] = tiles.Template,
            ["Client__ExternalBasemapAttribution"] = "Fake tiles (test)",
            ["Client__ExternalBasemapCrs"] = datum,
            ["Maps__WarmUpAtStart"] = "false",
        });

    /// <summary>
    /// A park with no other park within 1.5 km, so no other marker covers the marks drawn around it, and sharing its point
    /// with no campus or institute, so its symbol is drawn on its point rather than beside it.
    /// </summary>
    private async Task<(string Id, Coordinate Wgs84)> LonelyParkAsync()
    {
        var features = Expect.Features(await fixture.GetJsonAsync("/collections/parks/items?limit=1000"));
        var parks = features
            .Select(f => (Id: f.GetProperty("id").GetString()!, At: new Coordinate(f.GetProperty("geometry").GetProperty("coordinates")[0].GetDouble(), f.GetProperty("geometry").GetProperty("coordinates")[1].GetDouble()),
                Shared: f.GetProperty("properties").TryGetProperty("location_shared", out var shared) && shared.ValueKind == JsonValueKind.True))
            .ToList();
        // Metres per degree near Shanghai, enough to tell 1.5 km apart.
        static double Metres(Coordinate a, Coordinate b) => Math.Sqrt(Math.Pow((a.X - b.X) * 95_000, 2) + Math.Pow((a.Y - b.Y) * 111_000, 2));
        var lonely = parks.OrderBy(p => p.Id, StringComparer.Ordinal).First(p => !p.Shared && parks.All(q => q.Id == p.Id || Metres(p.At, q.At) > 1500));
        return (lonely.Id, lonely.At);
    }

    /// <summary>Four squares 30 px diagonally around <paramref name="at"/> (lon/lat in the source's datum), as a provider's map would mark the place.</summary>
    private static Action<SKCanvas, TileIndex> MarkAround(Coordinate at) => (canvas, tile) =>
    {
        canvas.Clear(SKColors.White);
        var bounds = tile.BoundsMeters;
        var meters = WebMercator.FromLonLat(at);
        var x = (float)((meters.X - bounds.MinX) / bounds.Width * 256);
        var y = (float)((bounds.MaxY - meters.Y) / bounds.Height * 256);
        using var paint = new SKPaint { Color = _mark, IsAntialias = false };
        foreach (var (dx, dy) in new[] { (-30, -30), (30, -30), (-30, 30), (30, 30) })
        {
            canvas.DrawRect(SKRect.Create(x + dx - 3, y + dy - 3, 6, 6), paint);
        }
    };

    [Theory]
    [InlineData("GCJ-02", true)]
    [InlineData("WGS84", false)]
    public async Task Gcj02Basemap_ParkMarkerLandsOnTheSourcesMark_AtZ16(string declared, bool aligned)
    {
        var (id, wgs84) = await LonelyParkAsync();
        var gcj02 = ChineseCoordinates.Wgs84ToGcj02(wgs84);
        await using var tiles = await FakeTileServer.StartAsync(MarkAround(gcj02));
        await using var service = await ServiceOver(tiles, declared);
        var view = string.Create(CultureInfo.InvariantCulture, $"map=16/{gcj02.Y:F6}/{gcj02.X:F6}");
        await using var client = await fixture.OpenAsync($"#lang=en&base=external&layers=parks&{view}", service: service.BaseAddress);
        var page = client.Page;
        await Assertions.Expect(page.Locator("#map")).ToHaveAttributeAsync("data-datum", aligned ? "GCJ-02" : "WGS84");
        await Assertions.Expect(page.Locator("#basemap-note")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#basemap-note")).ToContainTextAsync(declared);
        // The external tiles do not draw ClusterMap's districts: the client outlines and names every one.
        var districts = (await fixture.GetJsonAsync("/collections/districts/items?limit=100")).GetProperty("numberMatched").GetInt32();
        await Assertions.Expect(page.Locator("path.cm-district")).ToHaveCountAsync(districts);
        await Assertions.Expect(page.Locator(".cm-district-label")).ToHaveCountAsync(districts);
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.leaflet-tile-container img:not(.leaflet-tile-loaded)').length === 0");
        await page.WaitForTimeoutAsync(400);   // tiles fade in

        // The marks as the reader sees them: the centroid of their pixels in a screenshot of the map.
        var map = await page.Locator("#map").BoundingBoxAsync();
        using var shot = SKBitmap.Decode(await page.ScreenshotAsync(new PageScreenshotOptions { Clip = new Clip { X = map!.X, Y = map.Y, Width = map.Width, Height = map.Height } }));
        double sx = 0, sy = 0;
        var n = 0;
        for (var y = 0; y < shot.Height; y++)
        {
            for (var x = 0; x < shot.Width; x++)
            {
                var c = shot.GetPixel(x, y);
                if (Math.Abs(c.Red - _mark.Red) <= 12 && Math.Abs(c.Green - _mark.Green) <= 12 && Math.Abs(c.Blue - _mark.Blue) <= 12)
                {
                    sx += x;
                    sy += y;
                    n++;
                }
            }
        }

        Assert.True(n >= 100, $"only {n} pixels of the source's marks are on screen");
        var marks = (X: map.X + (sx / n), Y: map.Y + (sy / n));
        var marker = await page.Locator($"path.cm-park[data-ref='parks/{id}']").BoundingBoxAsync();
        Assert.NotNull(marker);
        // Pixel centres: the centroid of a pixel run is half a pixel left of and above the geometric centre.
        var distance = Math.Sqrt(Math.Pow(marker.X + (marker.Width / 2) - (marks.X + 0.5), 2) + Math.Pow(marker.Y + (marker.Height / 2) - (marks.Y + 0.5), 2));
        if (aligned)
        {
            Assert.True(distance <= 2, $"parks/{id} is drawn {distance:0.0} px from the GCJ-02 basemap's mark");
        }
        else
        {
            // Drawn in WGS84 over GCJ-02 tiles, the park sits some 250 px from its place on the basemap at z16.
            Assert.True(distance > 50, $"drawn in WGS84 the park is only {distance:0.0} px from the GCJ-02 mark: the test cannot tell");
        }

        client.AssertNoErrors();
    }

    [Fact]
    public async Task FailingBasemap_FallsBackToOwnTiles_AndSaysSo()
    {
        await using var tiles = await FakeTileServer.StartAsync((_, _) => throw new InvalidOperationException("the fake provider fails"));
        await using var service = await ServiceOver(tiles, "GCJ-02");
        await using var client = await fixture.OpenAsync("#lang=en&base=external", service: service.BaseAddress);
        var page = client.Page;

        var note = page.Locator("#basemap-note[data-state='fallback']");
        await Assertions.Expect(note).ToBeVisibleAsync();
        await Assertions.Expect(note).ToContainTextAsync("did not load");
        await Assertions.Expect(page.Locator("img.leaflet-tile-loaded[src^='/tiles/basemap/']").First).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator($"img.leaflet-tile[src^='{tiles.BaseUrl}']").CountAsync());
        // Over ClusterMap's own basemap the features are drawn as stored, in WGS84.
        await Assertions.Expect(page.Locator("#map")).ToHaveAttributeAsync("data-datum", "WGS84");
        var park = Expect.Features(await fixture.GetJsonAsync("/collections/parks/items?limit=1")).Single();
        var ll = await page.EvaluateAsync<double[]>(
            $"async () => {{ const m = (await import('/js/session.js')).markers.get('parks/{park.GetProperty("id").GetString()}'); const p = m.getLatLng(); return [p.lng, p.lat]; }}");
        Assert.Equal(park.GetProperty("geometry").GetProperty("coordinates")[0].GetDouble(), ll[0], 9);
        Assert.True(tiles.Hits > 0, "the page never asked the fake provider");

        // Choosing the external basemap again tries the source again, and it fails again.
        await page.Locator("input[name='basemap'][value='own']").CheckAsync();
        await Assertions.Expect(page.Locator("#basemap-note")).ToBeHiddenAsync();
        await page.Locator("input[name='basemap'][value='external']").CheckAsync();
        await Assertions.Expect(note).ToBeVisibleAsync();
        Assert.Contains("base=external", page.Url, StringComparison.Ordinal);
        // The only errors are the fake provider's failing tiles.
        Assert.All(client.Errors, e => Assert.Contains("500", e, StringComparison.Ordinal));
    }
}
