using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using SkiaSharp;

namespace ClusterMap.Api.Tests.Maps;

/// <summary>
/// Atlas reports read back as a reader reads them: every page's words with <c>pdftotext -bbox-layout</c> (no overlap,
/// the cover numbers every selected feature, each brief is the single report's pages), every page's QR code decoded
/// with <c>zbarimg</c> to that page's own permalink, the basemap's pixels on every map; and every bad selection a 400
/// naming its parameter.
/// </summary>
public sealed partial class AtlasReportsTests(ShippedMapFactory shipped, MapTestFactory factory) : IClassFixture<ShippedMapFactory>, IClassFixture<MapTestFactory>
{
    [GeneratedRegex(@"Data version (\d+) · rendered (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) · permalink:")]
    private static partial Regex StampText();

    [Fact]
    public async Task Atlas_OfAFilterSelectingEveryShippedPark_IsTheCoverThenEachSingleReport_WithNoOverlappingWords()
    {
        var client = shipped.CreateClient();
        const string Filter = "location_uncertainty_m >= 0";
        var path = $"/reports/parks.pdf?filter={Uri.EscapeDataString(Filter)}";
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var words = await PdfWords.ReadAsync(await response.Content.ReadAsByteArrayAsync());

        using var items = JsonDocument.Parse(await client.GetStringAsync($"/collections/parks/items?limit=1000&filter={Uri.EscapeDataString(Filter)}"));
        var parks = items.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).ToList();
        Assert.True(parks.Count >= 28, "the shipped parks were not all selected");

        var failures = new List<string>();
        failures.AddRange(PdfWords.Overlapping(words).Select(o => $"{o.A} overlaps {o.B}"));

        // The cover: one page, the selection in words, every number of the key written on the map above it.
        var cover = words.Where(w => w.Page == 1).ToList();
        var coverText = string.Join(" ", cover.Select(w => w.Text));
        Assert.Contains(Filter, coverText, StringComparison.Ordinal);
        Assert.Contains($"{parks.Count} features of {parks.Count}", coverText, StringComparison.Ordinal);
        var key = cover.First(w => w.Text == "Key");
        var onMap = cover.Where(w => w.YMax < key.YMin).SelectMany(w => w.Text.Split(',')).ToHashSet(StringComparer.Ordinal);
        failures.AddRange(Enumerable.Range(1, parks.Count).Select(n => n.ToString(CultureInfo.InvariantCulture)).Where(n => !onMap.Contains(n)).Select(n => $"cover: number {n} is not written on the map"));
        Assert.Contains("http://localhost" + path, string.Concat(cover.Select(w => w.Text)), StringComparison.Ordinal);

        // Then each park's brief, in the selection's order: as many pages as its single report, laid out as one.
        var page = 2;
        foreach (var id in parks)
        {
            var single = await PdfWords.ReadAsync(await client.GetByteArrayAsync($"/reports/parks/{Uri.EscapeDataString(id)}.pdf"));
            var pages = single.Max(w => w.Page);
            var brief = words.Where(w => w.Page >= page && w.Page < page + pages).ToList();
            Assert.True(brief.Count > 0, $"no page {page} for {id}");
            failures.AddRange(ReportLayoutTests.LayoutFailures(brief, id, NameOf(items, id)).Select(f => $"{id}: {f}"));
            // The same words as the single report, but for the render time.
            Assert.Equal(Comparable(single), Comparable(brief));
            for (var p = page; p < page + pages; p++)
            {
                Assert.Contains($"http://localhost/reports/parks/{id}.pdf", string.Concat(words.Where(w => w.Page == p).Select(w => w.Text)), StringComparison.Ordinal);
            }

            page += pages;
        }

        Assert.Equal(page - 1, words.Max(w => w.Page));
        Assert.True(failures.Count == 0, $"{failures.Count} layout failures:\n{string.Join("\n", failures)}");
    }

    [Fact]
    public async Task Atlas_OverAFakeTileServer_HasItsTilesAndCredit_AndEveryPageItsStampAndQrCode()
    {
        var fake = new SKColor(0xF0, 0x32, 0xE6);
        var cache = Directory.CreateTempSubdirectory("clustermap-atlas-cache-").FullName;
        try
        {
            await using var tiles = await FakeTileServer.StartAsync(FakeTileServer.Solid(fake));
            using var service = ClusterMapFactory.With(MapTestFactory.MapGeodata, new Dictionary<string, string?>
            {
                ["Maps:WarmUpAtStart"] = "false",
                ["Maps:Basemap:Url"] = tiles.Template,
                ["Maps:Basemap:Title"] = "Fake tiles",
                ["Maps:Basemap:Attribution"] = "© Fake Tile Co. (test)",
                ["Maps:Basemap:CacheDirectory"] = cache,
            });
            const string Path = "/reports/parks.pdf?ids=park-2,park-1&lang=en";
            var response = await service.CreateClient().GetAsync(Path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("external", response.Headers.GetValues("ClusterMap-Basemap").Single());
            var pdf = await response.Content.ReadAsByteArrayAsync();
            var words = await PdfWords.ReadAsync(pdf);
            var pageCount = words.Max(w => w.Page);
            var texts = Enumerable.Range(1, pageCount).Select(p => string.Join(" ", words.Where(w => w.Page == p).Select(w => w.Text))).ToList();

            // Cover, then park-2's brief, then park-1's: each brief starts on the page whose stamp names its report.
            var expected = new List<string> { "http://localhost" + Path };
            foreach (var id in new[] { "park-2", "park-1" })
            {
                var single = await PdfWords.ReadAsync(await service.CreateClient().GetByteArrayAsync($"/reports/parks/{id}.pdf?lang=en"));
                expected.AddRange(Enumerable.Repeat($"http://localhost/reports/parks/{id}.pdf?lang=en", single.Max(w => w.Page)));
            }

            Assert.Equal(expected.Count, pageCount);
            Assert.Contains("Fake tiles: © Fake Tile Co. (test)", string.Join(" ", texts), StringComparison.Ordinal);
            var directory = Directory.CreateTempSubdirectory("clustermap-atlas-").FullName;
            try
            {
                await File.WriteAllBytesAsync(System.IO.Path.Combine(directory, "atlas.pdf"), pdf);
                // 150 dpi: a 1.5 pt QR module is three pixels.
                await MapAssertions.RunAsync("pdftoppm", directory, "-r", "150", "-png", "atlas.pdf", "page");
                var images = Directory.GetFiles(directory, "page*.png").Order(StringComparer.Ordinal).ToList();
                Assert.Equal(pageCount, images.Count);
                for (var p = 0; p < pageCount; p++)
                {
                    var stamp = StampText().Match(texts[p]);
                    Assert.True(stamp.Success, $"no stamp on page {p + 1}: {texts[p]}");
                    Assert.Equal(expected[p], await DecodeQrAsync(images[p]));
                    Assert.Contains(expected[p], string.Concat(words.Where(w => w.Page == p + 1).Select(w => w.Text)), StringComparison.Ordinal);
                }

                // The page of every map (the cover, each brief's first page) shows the source's pixels: the map takes
                // a third of the page, and most of it is the source's ground between symbols, halos and labels.
                foreach (var p in new[] { 0, expected.IndexOf(expected[1]), expected.IndexOf(expected[^1]) })
                {
                    using var bitmap = SKBitmap.Decode(images[p]);
                    Assert.True(MagentaShare(bitmap) > 0.15, $"page {p + 1}: only {MagentaShare(bitmap):P1} of the page is the source's colour; its commonest colours: {string.Join(", ", Commonest(bitmap))}");
                }
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Theory]
    [InlineData("filter=sector%20%3D%20'x'%20AND", "filter", 16)]
    [InlineData("filter=nope%20%3D%201", "filter", 0)]
    [InlineData("ids=park-1,,park-2", "ids", 7)]
    [InlineData("ids=park-1,%20park-404", "ids", 8)]
    public async Task Atlas_BadSelection_Is400NamingTheParameterAndPosition(string query, string parameter, int position)
    {
        var response = await factory.CreateClient().GetAsync($"/reports/parks.pdf?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(parameter, problem.RootElement.GetProperty("parameter").GetString());
        Assert.Equal(position, problem.RootElement.GetProperty("position").GetInt32());
    }

    [Theory]
    [InlineData("ids=park-1&filter=sector%20IS%20NULL", "ids")]
    [InlineData("filter=sector%20%3D%20'none%20such'", "filter")]
    [InlineData("lang=fr", "lang")]
    [InlineData("idz=park-1", "idz")]
    public async Task Atlas_ConflictingEmptyOrUnknown_Is400NamingTheParameter(string query, string parameter)
    {
        var response = await factory.CreateClient().GetAsync($"/reports/parks.pdf?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"'{parameter}'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "filter", "the whole of parks has")]
    [InlineData("?filter=sector%20IS%20NOT%20NULL%20OR%20sector%20IS%20NULL", "filter", "this one selects more than 2 of parks")]
    [InlineData("?ids=park-1,park-2,park-3", "ids", "3 given")]
    public async Task Atlas_OverTheCap_Is400NamingTheParameterAndTheCap(string query, string parameter, string says)
    {
        using var capped = ClusterMapFactory.With(MapTestFactory.MapGeodata, new Dictionary<string, string?> { ["Maps:AtlasMaxFeatures"] = "2" });
        var response = await capped.CreateClient().GetAsync($"/reports/parks.pdf{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains($"'{parameter}'", body, StringComparison.Ordinal);
        Assert.Contains("at most 2", body, StringComparison.Ordinal);
        Assert.Contains(says, body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await capped.CreateClient().GetAsync("/reports/parks.pdf?ids=park-1,park-2")).StatusCode);
    }

    [Fact]
    public async Task Atlas_UnknownCollection_Is404_AndHeadAndRevalidationAnswerAsTheSingleReport()
    {
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/reports/nope.pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/reports/land.pdf")).StatusCode);

        const string Path = "/reports/parks.pdf?ids=park-1";
        var first = await client.GetAsync(Path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/pdf", first.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(first.Headers.ETag);

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Path));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(first.Headers.ETag, head.Headers.ETag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, Path);
        revalidate.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(first.Headers.ETag!.Tag));
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(revalidate)).StatusCode);
    }

    [Fact]
    public async Task PublicBaseUrl_BuildsThePermalinks_OfStaticMapsReportsAndAtlases()
    {
        using var proxied = ClusterMapFactory.With(MapTestFactory.MapGeodata, new Dictionary<string, string?> { ["Maps:PublicBaseUrl"] = "https://maps.example.org/clustermap/" });
        var client = proxied.CreateClient();

        const string MapPath = "/maps/static.png?highlight=parks/park-1&width=400&height=300";
        var png = await client.GetByteArrayAsync(MapPath);
        var directory = Directory.CreateTempSubdirectory("clustermap-public-").FullName;
        try
        {
            await File.WriteAllBytesAsync(System.IO.Path.Combine(directory, "map.png"), png);
            Assert.Equal("https://maps.example.org/clustermap" + MapPath, await DecodeQrAsync(System.IO.Path.Combine(directory, "map.png")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        var atlas = await PdfWords.ReadAsync(await client.GetByteArrayAsync("/reports/parks.pdf?ids=park-1"));
        var joined = Enumerable.Range(1, atlas.Max(w => w.Page)).Select(p => string.Concat(atlas.Where(w => w.Page == p).Select(w => w.Text))).ToList();
        Assert.Contains("https://maps.example.org/clustermap/reports/parks.pdf?ids=park-1", joined[0], StringComparison.Ordinal);
        Assert.All(joined.Skip(1), text => Assert.Contains("https://maps.example.org/clustermap/reports/parks/park-1.pdf", text, StringComparison.Ordinal));
        Assert.All(joined, text => Assert.DoesNotContain("http://localhost", text, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ftp://maps.example.org")]
    [InlineData("maps.example.org/clustermap")]
    [InlineData("https://maps.example.org/?a=1")]
    public void BadPublicBaseUrl_StopsTheServiceAtStartUp(string url)
    {
        using var service = ClusterMapFactory.With(MapTestFactory.MapGeodata, new Dictionary<string, string?> { ["Maps:PublicBaseUrl"] = url });
        var error = Assert.ThrowsAny<Exception>(() => service.CreateClient());
        Assert.Contains("Maps:PublicBaseUrl", (error as OptionsValidationException ?? error.InnerException as OptionsValidationException)?.Message ?? error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A page's words without the render time (the only thing two renderings of one report differ in).</summary>
    private static List<string> Comparable(IEnumerable<PdfWord> words) =>
        [.. words.Select(w => w.Text).Where(t => !Regex.IsMatch(t, @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"))];

    private static string NameOf(JsonDocument items, string id)
    {
        var feature = items.RootElement.GetProperty("features").EnumerateArray().First(f => f.GetProperty("id").GetString() == id);
        var properties = feature.GetProperty("properties");
        return properties.TryGetProperty("name_zh", out var zh) && zh.ValueKind == JsonValueKind.String ? zh.GetString()! : properties.GetProperty("name_en").GetString()!;
    }

    /// <summary>
    /// The share of the page in the fake's magenta (#F032E6), by hue rather than by level: poppler's colour conversion
    /// of the PDF's embedded tile moves it by several levels, and no colour of ClusterMap's own is this red and blue
    /// with this little green.
    /// </summary>
    private static double MagentaShare(SKBitmap bitmap)
    {
        var n = 0;
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var p = bitmap.GetPixel(x, y);
                n += p.Red > 200 && p.Green < 100 && p.Blue > 180 ? 1 : 0;
            }
        }

        return (double)n / (bitmap.Width * bitmap.Height);
    }

    private static IEnumerable<string> Commonest(SKBitmap bitmap) =>
        bitmap.Pixels.GroupBy(p => p).OrderByDescending(g => g.Count()).Take(5).Select(g => $"{g.Key} ×{g.Count()}");

    /// <summary>The text of the one QR code zbarimg finds in a PNG file.</summary>
    private static async Task<string> DecodeQrAsync(string png)
    {
        var output = await MapAssertions.RunAsync("zbarimg", System.IO.Path.GetDirectoryName(png)!, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", System.IO.Path.GetFileName(png));
        return Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
