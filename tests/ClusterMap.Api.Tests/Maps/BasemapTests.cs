using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using ClusterMap.Core.Tiles;
using ClusterMap.Projections.Chinese;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using SkiaSharp;

namespace ClusterMap.Api.Tests.Maps;

/// <summary>
/// <c>Maps:Basemap</c> against a fake XYZ server on loopback: figures and tiles contain its pixels and its credit; a
/// source that is down or too slow gives ClusterMap's own basemap, the <c>ClusterMap-Basemap</c> header says so, never a
/// 500; over a GCJ-02 source the drawing is moved into GCJ-02 and lands on the source's own marks.
/// </summary>
public sealed class BasemapTests : IDisposable
{
    private const string Bbox = "121.1,31.05,121.6,31.45";
    private const string Attribution = "© Fake Tile Co. (test)";

    /// <summary>No colour of ClusterMap's palette or basemap comes near it.</summary>
    private static readonly SKColor _fake = new(0xF0, 0x32, 0xE6);

    private static readonly SKColor _land = new(0xF4, 0xF1, 0xEA);

    private readonly string _cache = Directory.CreateTempSubdirectory("clustermap-basemap-cache-").FullName;

    private ClusterMapFactory Service(string template, string datum = "WGS84", int timeoutMilliseconds = 4000) =>
        ClusterMapFactory.With(MapTestFactory.MapGeodata, new Dictionary<string, string?>
        {
            ["Maps:DataVersionCheckMilliseconds"] = "0",
            // The start-up tile would fetch from the source too, at a moment the tests do not control.
            ["Maps:WarmUpAtStart"] = "false",
            ["Maps:Basemap:Url"] = template,
            ["Maps:Basemap:Title"] = "Fake tiles",
            ["Maps:Basemap:Attribution"] = Attribution,
            ["Maps:Basemap:Datum"] = datum,
            ["Maps:Basemap:TimeoutMilliseconds"] = timeoutMilliseconds.ToString(CultureInfo.InvariantCulture),
            ["Maps:Basemap:CacheDirectory"] = _cache,
        });

    [Fact]
    public async Task StaticMap_OverTheSource_HasItsPixelsAndPrintsItsCredit()
    {
        await using var tiles = await FakeTileServer.StartAsync(FakeTileServer.Solid(_fake));
        using var service = Service(tiles.Template);
        var client = service.CreateClient();

        using var response = await client.GetAsync($"/maps/static.png?bbox={Bbox}&width=640&height=480");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("external", response.Headers.GetValues("ClusterMap-Basemap").Single());
        using var bitmap = MapAssertions.DecodePng(await response.Content.ReadAsByteArrayAsync());
        // The source's colour fills what features, labels and panels leave; ClusterMap's own land is gone.
        Assert.True(Share(bitmap, _fake) > 0.5, $"only {Share(bitmap, _fake):P0} of the map is the source's colour");
        Assert.True(Share(bitmap, _land) < 0.01, $"{Share(bitmap, _land):P0} of the map is ClusterMap's own land");
        Assert.True(tiles.Hits > 0);

        var svg = XDocument.Parse(await client.GetStringAsync($"/maps/static.svg?bbox={Bbox}&width=640&height=480"));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var texts = string.Join("\n", svg.Descendants(ns + "text").Select(t => t.Value));
        Assert.Contains($"Fake tiles: {Attribution}", texts, StringComparison.Ordinal);
        Assert.DoesNotContain("ClusterMap test basemap", texts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaticMap_ETagNamesTheBasemap_SoAnotherSourceIsNotA304()
    {
        await using var tiles = await FakeTileServer.StartAsync(FakeTileServer.Solid(_fake));
        using var over = Service(tiles.Template);
        using var own = ClusterMapFactory.With(MapTestFactory.MapGeodata);
        var url = $"/maps/static.png?bbox={Bbox}&width=320&height=240";

        using var a = await over.CreateClient().GetAsync(url);
        using var b = await own.CreateClient().GetAsync(url);

        Assert.Equal("own", b.Headers.GetValues("ClusterMap-Basemap").Single());
        Assert.NotNull(a.Headers.ETag);
        Assert.NotEqual(a.Headers.ETag, b.Headers.ETag);
    }

    [Fact]
    public async Task StaticMap_SourceDown_FallsBackToOwnBasemap_AndSaysSo()
    {
        var tiles = await FakeTileServer.StartAsync(FakeTileServer.Solid(_fake));
        var template = tiles.Template;
        await tiles.StopAsync();
        await tiles.DisposeAsync();
        using var service = Service(template);

        using var response = await service.CreateClient().GetAsync($"/maps/static.png?bbox={Bbox}&width=640&height=480");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("fallback; reason=unreachable", response.Headers.GetValues("ClusterMap-Basemap").Single());
        Assert.True(response.Headers.CacheControl?.NoStore, "a fallback figure must not be cached");
        Assert.Null(response.Headers.ETag);
        using var bitmap = MapAssertions.DecodePng(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, Share(bitmap, _fake));
        Assert.True(Share(bitmap, _land) > 0.2, "ClusterMap's own land is not drawn");
    }

    [Fact]
    public async Task StaticMap_SourceTooSlow_FallsBackWithinTheTimeout()
    {
        await using var tiles = await FakeTileServer.StartAsync(FakeTileServer.Solid(_fake), delay: TimeSpan.FromSeconds(20));
        using var service = Service(tiles.Template, timeoutMilliseconds: 300);
        var client = service.CreateClient();
        await client.GetAsync("/healthz");

        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync($"/maps/static.png?bbox={Bbox}&width=400&height=300");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("fallback; reason=timeout", response.Headers.GetValues("ClusterMap-Basemap").Single());
        // The 300 ms wait and a cold rendering; far below the source's 20 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task SecondFigure_ReadsTheTilesFromTheDiskCache()
    {
        await using var tiles = await FakeTileServer.StartAsync(FakeTileServer.Solid(_fake));
        using var service = Service(tiles.Template);
        var client = service.CreateClient();

        await client.GetByteArrayAsync($"/maps/static.png?bbox={Bbox}&width=400&height=300");
        var fetched = tiles.Hits;
        using var again = await client.GetAsync($"/maps/static.png?bbox={Bbox}&width=400&height=300&title=Again");

        Assert.Equal("external", again.Headers.GetValues("ClusterMap-Basemap").Single());
        Assert.Equal(fetched, tiles.Hits);
        Assert.Equal(fetched, Directory.GetFiles(_cache, "*.tile").Length);
    }

    [Fact]
    public async Task RasterTile_OverTheSource_AndTileJsonCreditsIt()
    {
        await using var tiles = await FakeTileServer.StartAsync(FakeTileServer.Solid(_fake));
        using var service = Service(tiles.Template);
        var client = service.CreateClient();
        var tile = TileIndex.Containing(MapAssertions.Park1, 12);

        using var response = await client.GetAsync($"/tiles/default/{tile.Z}/{tile.X}/{tile.Y}.png");
        Assert.Equal("external", response.Headers.GetValues("ClusterMap-Basemap").Single());
        using var bitmap = MapAssertions.DecodePng(await response.Content.ReadAsByteArrayAsync());
        Assert.True(Share(bitmap, _fake) > 0.5);
        MapAssertions.HasColorNear(bitmap, MapAssertions.PixelInTile(MapAssertions.Park1, tile), MapAssertions.LifeSciences);

        using var json = JsonDocument.Parse(await client.GetStringAsync("/tiles/default.json"));
        Assert.StartsWith($"Fake tiles: {Attribution}", json.RootElement.GetProperty("attribution").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_CreditsTheSource_InItsProvenance()
    {
        await using var tiles = await FakeTileServer.StartAsync(FakeTileServer.Solid(_fake));
        using var service = Service(tiles.Template);

        using var response = await service.CreateClient().GetAsync("/reports/parks/park-1.pdf");
        Assert.Equal("external", response.Headers.GetValues("ClusterMap-Basemap").Single());
        var directory = Directory.CreateTempSubdirectory("clustermap-report-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, "report.pdf"), await response.Content.ReadAsByteArrayAsync());
            var text = System.Text.RegularExpressions.Regex.Replace(await MapAssertions.RunAsync("pdftotext", directory, "report.pdf", "-"), @"\s+", " ");
            Assert.Contains($"Fake tiles: {Attribution}", text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("ftp://tiles.example.org/{z}/{x}/{y}.png")]
    [InlineData("https://tiles.example.org/{z}/{x}.png")]
    [InlineData("https://{s}.tiles.example.org/{z}/{x}/{y}.png")]
    [InlineData("https://tiles.example.org/{z}/{x}/{y}.png?tk={key}")]
    public void BadSource_StopsTheServiceAtStartUp(string template)
    {
        using var service = Service(template);
        var error = Assert.ThrowsAny<Exception>(() => service.CreateClient());
        Assert.Contains("Maps:Basemap:Url", (error as OptionsValidationException ?? error.InnerException as OptionsValidationException)?.Message ?? error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Test Park 1 where a GCJ-02 basemap shows it.</summary>
    private static readonly Coordinate _park1Gcj = ChineseCoordinates.Wgs84ToGcj02(MapAssertions.Park1);

    /// <summary>Marks four red squares 30 px diagonally around Test Park 1's GCJ-02 position, as a GCJ-02 provider's map would place it.</summary>
    private static void MarkPark1InGcj02(SKCanvas canvas, TileIndex tile)
    {
        canvas.Clear(SKColors.White);
        var bounds = tile.BoundsMeters;
        var at = WebMercator.FromLonLat(_park1Gcj);
        var x = (float)((at.X - bounds.MinX) / bounds.Width * 256);
        var y = (float)((bounds.MaxY - at.Y) / bounds.Height * 256);
        using var red = new SKPaint { Color = SKColors.Red, IsAntialias = false };
        foreach (var (dx, dy) in new[] { (-30, -30), (30, -30), (-30, 30), (30, 30) })
        {
            canvas.DrawRect(SKRect.Create(x + dx - 3, y + dy - 3, 6, 6), red);
        }
    }

    [Theory]
    [InlineData("GCJ-02", true)]
    [InlineData("WGS84", false)]
    public async Task Gcj02Source_FeaturesLandOnItsMarks_AtZ16(string datum, bool aligned)
    {
        await using var tiles = await FakeTileServer.StartAsync(MarkPark1InGcj02);
        using var service = Service(tiles.Template, datum);
        var center = string.Create(CultureInfo.InvariantCulture, $"{_park1Gcj.X},{_park1Gcj.Y}");

        using var response = await service.CreateClient().GetAsync($"/maps/static.png?center={center}&zoom=16&width=600&height=600&lang=en&layers=parks");
        Assert.Equal("external", response.Headers.GetValues("ClusterMap-Basemap").Single());
        using var bitmap = MapAssertions.DecodePng(await response.Content.ReadAsByteArrayAsync());

        // Only the middle: the legend has a swatch of the park's colour too.
        var middle = SKRectI.Create(200, 200, 200, 200);
        var marks = Centroid(bitmap, middle, c => c.Red > 200 && c.Green < 60 && c.Blue < 60);
        Assert.NotNull(marks);
        var park = Centroid(bitmap, middle, c => Near(c, MapAssertions.LifeSciences, 12));
        if (!aligned)
        {
            // Drawn in WGS84 over GCJ-02 tiles, the park sits some 200 px away from its place on the basemap.
            Assert.True(park is null || SKPoint.Distance(park.Value, marks.Value) > 50, "the WGS84 drawing lined up with GCJ-02 marks: the test cannot tell");
            return;
        }

        Assert.NotNull(park);
        var distance = SKPoint.Distance(park.Value, marks.Value);
        Assert.True(distance <= 2, $"the park is drawn {distance:0.0} px from the GCJ-02 basemap's mark ({park} against {marks})");
    }

    private static SKPoint? Centroid(SKBitmap bitmap, SKRectI area, Func<SKColor, bool> match)
    {
        double sx = 0, sy = 0;
        var n = 0;
        for (var y = area.Top; y < area.Bottom; y++)
        {
            for (var x = area.Left; x < area.Right; x++)
            {
                if (match(bitmap.GetPixel(x, y)))
                {
                    sx += x;
                    sy += y;
                    n++;
                }
            }
        }

        return n == 0 ? null : new SKPoint((float)(sx / n), (float)(sy / n));
    }

    private static bool Near(SKColor c, SKColor expected, int tolerance) =>
        Math.Abs(c.Red - expected.Red) <= tolerance && Math.Abs(c.Green - expected.Green) <= tolerance && Math.Abs(c.Blue - expected.Blue) <= tolerance;

    private static double Share(SKBitmap bitmap, SKColor color)
    {
        var n = 0;
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                n += Near(bitmap.GetPixel(x, y), color, 6) ? 1 : 0;
            }
        }

        return (double)n / (bitmap.Width * bitmap.Height);
    }

    public void Dispose() => Directory.Delete(_cache, recursive: true);
}
