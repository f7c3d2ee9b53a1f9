using System.Net;
using System.Xml.Linq;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Model;
using NetTopologySuite.Geometries;
using SkiaSharp;

namespace ClusterMap.Api.Tests.Maps;

public sealed class StaticMapsApiTests(MapTestFactory factory) : IClassFixture<MapTestFactory>
{
    private const string Bbox = "121.1,31.05,121.6,31.45";
    private static readonly Envelope _bbox = new(121.1, 121.6, 31.05, 31.45);

    /// <summary>Where a lon/lat point lands in a static map of <see cref="Bbox"/> at width×height (times the scale).</summary>
    private static SKPointI PixelInMap(Coordinate lonLat, int width, int height, float scale = 1)
    {
        var bounds = MapRequest.BoundsFitting(_bbox, width, height);
        var meters = WebMercator.FromLonLat(lonLat);
        return new SKPointI((int)((meters.X - bounds.MinX) / bounds.Width * width * scale), (int)((bounds.MaxY - meters.Y) / bounds.Height * height * scale));
    }

    [Fact]
    public async Task Png_IsTheAskedSize_WithParksInTheirColourAndAWhiteTitlePanel()
    {
        var response = await factory.CreateClient().GetAsync($"/maps/static.png?bbox={Bbox}&width=640&height=480");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        using var bitmap = MapAssertions.DecodePng(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((640, 480), (bitmap.Width, bitmap.Height));
        MapAssertions.HasColorNear(bitmap, PixelInMap(MapAssertions.Park1, 640, 480), MapAssertions.LifeSciences);
        // The title panel sits in the top-left corner, white at 90 % opacity.
        MapAssertions.HasColorNear(bitmap, new SKPointI(14, 14), new SKColor(0xFF, 0xFF, 0xFF), radius: 0, tolerance: 20);
    }

    [Fact]
    public async Task Png_AtDpi192_HasTwiceThePixels()
    {
        var bytes = await factory.CreateClient().GetByteArrayAsync($"/maps/static.png?bbox={Bbox}&width=400&height=300&dpi=192");
        using var bitmap = MapAssertions.DecodePng(bytes);
        Assert.Equal((800, 600), (bitmap.Width, bitmap.Height));
        MapAssertions.HasColorNear(bitmap, PixelInMap(MapAssertions.Park1, 400, 300, 2), MapAssertions.LifeSciences, radius: 3);
    }

    [Fact]
    public async Task Svg_ParsesAndCarriesLabelsLegendAndAttributionAsText()
    {
        var response = await factory.CreateClient().GetAsync($"/maps/static.svg?bbox={Bbox}&width=640&height=480");

        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        var svg = XDocument.Parse(await response.Content.ReadAsStringAsync());
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);
        Assert.Equal("640", svg.Root.Attribute("width")?.Value);
        var texts = string.Join("\n", svg.Descendants(ns + "text").Select(t => t.Value));
        Assert.Contains("测试园区1", texts, StringComparison.Ordinal);
        Assert.Contains("Test Park 1", texts, StringComparison.Ordinal);
        Assert.Contains("Legend", texts, StringComparison.Ordinal);
        Assert.Contains("ClusterMap test parks", texts, StringComparison.Ordinal);
        Assert.Contains("ClusterMap test basemap", texts, StringComparison.Ordinal);
        // Every label is in the one CJK family: nothing falls back to another font.
        var families = svg.Descendants(ns + "text").Select(t => t.Attribute("font-family")?.Value).Distinct().ToList();
        Assert.All(families, family => Assert.Contains("Noto Sans CJK", family, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pdf_RenderedBackByPdftoppm_ShowsTheSameMap()
    {
        var response = await factory.CreateClient().GetAsync($"/maps/static.pdf?bbox={Bbox}&width=640&height=480");
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var pdf = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("%PDF-"u8.ToArray(), pdf[..5]);

        var directory = Directory.CreateTempSubdirectory("clustermap-pdf-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, "map.pdf"), pdf);
            // At 96 dpi a page of 640×480 CSS pixels comes back as 640×480 pixels.
            await MapAssertions.RunAsync("pdftoppm", directory, "-r", "96", "-png", "-singlefile", "map.pdf", "page");
            using var bitmap = MapAssertions.DecodePng(await File.ReadAllBytesAsync(Path.Combine(directory, "page.png")));
            Assert.Equal((640, 480), (bitmap.Width, bitmap.Height));
            MapAssertions.HasColorNear(bitmap, PixelInMap(MapAssertions.Park1, 640, 480), MapAssertions.LifeSciences, radius: 3, tolerance: 16);

            var text = await MapAssertions.RunAsync("pdftotext", directory, "map.pdf", "-");
            Assert.Contains("Test Park 1", text, StringComparison.Ordinal);
            Assert.Contains("测试园区1", text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Highlight_WithRings_WritesTheRingDistances()
    {
        var response = await factory.CreateClient().GetAsync("/maps/static.svg?highlight=parks/park-1&radius_m=2000,5000&lang=en&width=640&height=480");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var svg = XDocument.Parse(await response.Content.ReadAsStringAsync());
        var texts = svg.Descendants((XNamespace)"http://www.w3.org/2000/svg" + "text").Select(t => t.Value.Trim()).ToList();
        Assert.Contains("2 km", texts);
        Assert.Contains("5 km", texts);
        Assert.Contains("Test Park 1", texts);
        Assert.DoesNotContain("测试园区1", texts);
    }

    [Theory]
    [InlineData("width=5000", "width")]
    [InlineData("height=0", "height")]
    [InlineData("width=3000&dpi=300", "dpi")]
    [InlineData("layers=parks,nope", "layers")]
    [InlineData("bbox=121.3,31.1,121.3,31.2", "bbox")]
    [InlineData("bbox=121.3,31.2,121.4,31.2", "bbox")]
    [InlineData("bbox=121.3,31.2", "bbox")]
    [InlineData("center=121.3,31.2", "zoom")]
    [InlineData("center=121.3,31.2&zoom=30", "zoom")]
    [InlineData("zoom=10", "center")]
    [InlineData("lang=fr", "lang")]
    [InlineData("highlight=parks/none", "highlight")]
    [InlineData("radius_m=1000", "radius_m")]
    [InlineData("highlight=parks/park-1&radius_m=-5", "radius_m")]
    [InlineData("colour=red", "colour")]
    [InlineData("parks.nope=1", "parks.nope")]
    [InlineData("nope.sector=x", "nope.sector")]
    [InlineData("parks.=x", "parks.")]
    [InlineData("nearest=3", "nearest")]
    [InlineData("highlight=parks/park-1&nearest=0", "nearest")]
    [InlineData("highlight=parks/park-1&nearest=21", "nearest")]
    [InlineData("highlight=parks/park-1&nearest_to=universities", "nearest")]
    [InlineData("highlight=parks/park-1&nearest=2&nearest_to=universities,nope", "nearest_to")]
    [InlineData("highlight=parks/park-1&nearest=2&nearest_to=land", "nearest_to")]
    public async Task BadInput_Is400NamingTheParameter(string query, string parameter)
    {
        var response = await factory.CreateClient().GetAsync($"/maps/static.png?{query}");
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, parameter);
    }

    [Fact]
    public async Task LayerFilter_DrawsOnlyTheFeaturesWhosePropertyEqualsTheValue()
    {
        var all = await SvgTextsAsync("lang=en");
        var filtered = await SvgTextsAsync("lang=en&parks.sector=生物医药");

        Assert.Contains("Test Park 1", all);
        Assert.Contains("Test Park 2", all);
        Assert.Contains("Test Park 1", filtered);
        Assert.DoesNotContain("Test Park 2", filtered);
        Assert.DoesNotContain("Test Park 3", filtered);
        // Other layers are untouched by a parks filter.
        Assert.Contains("Test Institute 1", filtered);
    }

    [Fact]
    public async Task LayerCql2Filter_LeavesTheExcludedParkOffThePixels()
    {
        var client = factory.CreateClient();
        using var all = MapAssertions.DecodePng(await client.GetByteArrayAsync($"/maps/static.png?bbox={Bbox}&width=640&height=480"));
        using var filtered = MapAssertions.DecodePng(await client.GetByteArrayAsync(
            $"/maps/static.png?bbox={Bbox}&width=640&height=480&parks.filter={Uri.EscapeDataString("sector <> '生物医药'")}"));

        var park1 = PixelInMap(MapAssertions.Park1, 640, 480);
        MapAssertions.HasColorNear(all, park1, MapAssertions.LifeSciences);
        Assert.Throws<Xunit.Sdk.FailException>(() => MapAssertions.HasColorNear(filtered, park1, MapAssertions.LifeSciences, radius: 4, tolerance: 40));
    }

    [Fact]
    public async Task LayerCql2Filter_DrawsWhatTheEqualFilterDraws_InTextOrJson()
    {
        var equality = await SvgTextsAsync("lang=en&parks.sector=生物医药");
        var text = await SvgTextsAsync($"lang=en&parks.filter={Uri.EscapeDataString("sector = '生物医药'")}");
        var json = await SvgTextsAsync($"lang=en&parks.filter-lang=cql2-json&parks.filter={Uri.EscapeDataString("""{"op":"=","args":[{"property":"sector"},"生物医药"]}""")}");
        var other = await SvgTextsAsync($"lang=en&parks.filter={Uri.EscapeDataString("sector IN ('集成电路', '人工智能')")}&institutes.filter={Uri.EscapeDataString("name_en LIKE '%2'")}");

        Assert.Contains("Test Park 1", text);
        Assert.Equal(equality, text);
        Assert.Equal(equality, json);
        Assert.DoesNotContain("Test Park 1", other);
        Assert.Contains("Test Park 2", other);
        Assert.Equal(["Test Institute 2"], other.Where(t => t.StartsWith("Test Institute", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("parks.filter=sector%20%3D", "parks.filter")]
    [InlineData("parks.filter=nope%20%3D%201", "parks.filter")]
    [InlineData("parks.filter=TRUE&parks.filter-lang=sql", "parks.filter-lang")]
    [InlineData("parks.filter=TRUE&parks.filter-crs=EPSG:0", "parks.filter-crs")]
    [InlineData("nope.filter=TRUE", "nope.filter")]
    public async Task BadLayerCql2Filter_Is400NamingIt(string query, string parameter)
    {
        var response = await factory.CreateClient().GetAsync($"/maps/static.png?{query}");
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, parameter);
    }

    [Fact]
    public async Task LayerFilters_CombineWithAnd_AndApplyPerLayer()
    {
        var texts = await SvgTextsAsync("lang=en&parks.district=测试区&parks.sector_en=Integrated circuits&institutes.name_en=Test Institute 2");

        Assert.Equal(["Test Park 2"], texts.Where(t => t.StartsWith("Test Park", StringComparison.Ordinal)));
        Assert.Equal(["Test Institute 2"], texts.Where(t => t.StartsWith("Test Institute", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Nearest_DrawsLinesLabelledWithTheProximityApiDistances()
    {
        var client = factory.CreateClient();
        var expected = new List<string>();
        foreach (var target in new[] { "universities", "institutes" })
        {
            using var answer = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync($"/proximity/nearest?from=parks/park-1&target={target}&k=2"));
            expected.AddRange(answer.RootElement.GetProperty("features").EnumerateArray()
                .Select(f => Distance(f.GetProperty("properties").GetProperty("distance_m").GetDouble())));
        }

        var texts = await SvgTextsAsync("lang=en&highlight=parks/park-1&nearest=2&nearest_to=universities,institutes");

        Assert.Equal(4, expected.Count);
        Assert.All(expected, d => Assert.Contains(d, texts));
        var without = await SvgTextsAsync("lang=en&highlight=parks/park-1");
        Assert.DoesNotContain(expected[0], without);
    }

    [Fact]
    public async Task Nearest_WithoutNearestTo_LinksAParkToUniversitiesAndInstitutes()
    {
        var texts = await SvgTextsAsync("lang=en&highlight=parks/park-1&nearest=1");
        var withTargets = await SvgTextsAsync("lang=en&highlight=parks/park-1&nearest=1&nearest_to=universities,institutes");

        Assert.Equal(withTargets, texts);
    }

    // The renderer's distance format (MapWords.Distance): metres under 1 km, one decimal under 10 km, whole km beyond.
    private static string Distance(double meters) => meters switch
    {
        < 1000 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{meters:0} m"),
        < 10_000 => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{meters / 1000:0.0} km"),
        _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{meters / 1000:0} km"),
    };

    private async Task<List<string>> SvgTextsAsync(string query)
    {
        var response = await factory.CreateClient().GetAsync($"/maps/static.svg?bbox={Bbox}&width=800&height=600&{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return MapAssertions.SvgTextsWithoutStamp(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownFormat_Is404()
    {
        await (await factory.CreateClient().GetAsync("/maps/static.gif")).AssertProblemAsync(HttpStatusCode.NotFound, "format");
    }
}
