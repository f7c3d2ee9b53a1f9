using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ClusterMap.Core.Tiles;
using NetTopologySuite.Geometries;
using SkiaSharp;

namespace ClusterMap.Api.Tests.Ogc;

/// <summary>OGC API – Maps (OGC 20-058) on the map test data: where a feature lands, in each CRS, read from the pixels.</summary>
public sealed class MapsApiTests(MapTestFactory factory) : IClassFixture<MapTestFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    // A tall box (20°S to 40°N) where a map linear in latitude and a Web Mercator map put Park 1 (31.2°N) some 25
    // pixels apart: the test tells the two projections apart.
    private const double West = 121.1, East = 121.3, South = -20, North = 40;
    private const int Width = 400, Height = 1200;

    private static SKPointI Linear(Coordinate lonLat) =>
        new((int)((lonLat.X - West) / (East - West) * Width), (int)((North - lonLat.Y) / (North - South) * Height));

    private static SKPointI Mercator(Coordinate lonLat)
    {
        Coordinate Meters(double lon, double lat) => WebMercator.FromLonLat(new Coordinate(lon, lat));
        var (min, max, at) = (Meters(West, South), Meters(East, North), WebMercator.FromLonLat(lonLat));
        return new((int)((at.X - min.X) / (max.X - min.X) * Width), (int)((max.Y - at.Y) / (max.Y - min.Y) * Height));
    }

    private static string Box => string.Create(CultureInfo.InvariantCulture, $"{West},{South},{East},{North}");

    [Fact]
    public async Task CollectionMap_InCrs84_IsLinearInLongitudeAndLatitude_WithContentCrsAndBbox()
    {
        var response = await _client.GetAsync($"/collections/parks/map?bbox={Box}&width={Width}&height={Height}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>", Header(response, "Content-Crs"));
        Assert.Equal(Box, Header(response, "Content-Bbox"));
        using var bitmap = MapAssertions.DecodePng(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((Width, Height), (bitmap.Width, bitmap.Height));
        MapAssertions.HasColorNear(bitmap, Linear(MapAssertions.Park1), MapAssertions.LifeSciences);
        Assert.True(Mercator(MapAssertions.Park1).Y - Linear(MapAssertions.Park1).Y > 20, "the two projections must differ here for this test to tell them apart");
        Assert.False(HasColorWithin(bitmap, Mercator(MapAssertions.Park1), MapAssertions.LifeSciences, 2), "Park 1 is drawn where Web Mercator puts it, not CRS84");
    }

    [Fact]
    public async Task CollectionMap_In3857_FromACrs84Box_PutsTheParkWhereWebMercatorDoes()
    {
        var response = await _client.GetAsync($"/collections/parks/map?bbox={Box}&width={Width}&height={Height}&crs=[EPSG:3857]");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("<http://www.opengis.net/def/crs/EPSG/0/3857>", Header(response, "Content-Crs"));
        var bbox = Header(response, "Content-Bbox").Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var (min, max) = (WebMercator.FromLonLat(new Coordinate(West, South)), WebMercator.FromLonLat(new Coordinate(East, North)));
        Assert.Equal([min.X, min.Y, max.X, max.Y], bbox, (a, b) => Math.Abs(a - b) < 1e-6);
        using var bitmap = MapAssertions.DecodePng(await response.Content.ReadAsByteArrayAsync());
        MapAssertions.HasColorNear(bitmap, Mercator(MapAssertions.Park1), MapAssertions.LifeSciences);
    }

    [Fact]
    public async Task DatasetMap_WithOnlyAWidth_KeepsTheBoxsAspect_AndDrawsEveryPark()
    {
        var response = await _client.GetAsync("/map?bbox=121.1,31.1,121.5,31.3&width=800");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var bitmap = MapAssertions.DecodePng(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((800, 400), (bitmap.Width, bitmap.Height));
        var at = new SKPointI((int)((121.2 - 121.1) / 0.4 * 800), (int)((31.3 - 31.2) / 0.2 * 400));
        MapAssertions.HasColorNear(bitmap, at, MapAssertions.LifeSciences, radius: 3);
    }

    [Theory]
    [InlineData("sector = '生物医药'", true)]
    [InlineData("sector IN ('集成电路','人工智能')", false)]
    [InlineData("S_INTERSECTS(geometry, BBOX(121.15, 31.15, 121.25, 31.25))", true)]
    [InlineData("NOT S_INTERSECTS(geometry, BBOX(121.15, 31.15, 121.25, 31.25))", false)]
    public async Task CollectionMap_WithAFilter_DrawsOnlyWhatTheItemsFilterSelects(string filter, bool parkOneDrawn)
    {
        var box = "121.1,31.1,121.5,31.3";
        var url = $"/collections/parks/map?bbox={box}&width=800&filter={Uri.EscapeDataString(filter)}";
        using var bitmap = MapAssertions.DecodePng(await _client.GetByteArrayAsync(url));

        // The same filter on the items says whether Park 1 is selected: the map must agree.
        var items = await (await _client.GetAsync($"/collections/parks/items?limit=100&filter={Uri.EscapeDataString(filter)}")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
        var selected = items.GetProperty("features").EnumerateArray().Any(f => f.GetProperty("id").GetString() == "park-1");
        Assert.Equal(parkOneDrawn, selected);
        var at = new SKPointI((int)((121.2 - 121.1) / 0.4 * 800), (int)((31.3 - 31.2) / 0.2 * 400));
        Assert.Equal(selected, HasColorWithin(bitmap, at, MapAssertions.LifeSciences, 3));
    }

    [Fact]
    public async Task CollectionMap_BadFilter_Is400NamingFilterAndThePosition()
    {
        var problem = await (await _client.GetAsync($"/collections/parks/map?filter={Uri.EscapeDataString("sector = ")}")).AssertProblemAsync(HttpStatusCode.BadRequest, "filter");
        Assert.Equal(9, problem.GetProperty("position").GetInt32());
        await (await _client.GetAsync($"/map?filter={Uri.EscapeDataString("sector = 'x'")}")).AssertProblemAsync(HttpStatusCode.BadRequest, "filter");
    }

    [Theory]
    [InlineData("f=svg", null, "image/svg+xml")]
    [InlineData("f=pdf", null, "application/pdf")]
    [InlineData(null, "image/svg+xml", "image/svg+xml")]
    [InlineData(null, "application/pdf, image/png;q=0.5", "application/pdf")]
    [InlineData(null, "image/png", "image/png")]
    [InlineData("f=png", "application/pdf", "image/png")]
    public async Task Map_FormatFromFOrTheAcceptHeader(string? f, string? accept, string expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/collections/parks/map?width=320&height=200{(f is null ? "" : "&" + f)}");
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept", response.Headers.Vary);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (expected == "image/svg+xml")
        {
            // OGC 20-058 /conf/svg: the SVG's coordinates run from 0,0 to the requested width and height.
            var svg = Encoding.UTF8.GetString(bytes);
            Assert.Matches("<svg[^>]*width=\"320", svg);
            Assert.Matches("<svg[^>]*height=\"200", svg);
        }
        else if (expected == "application/pdf")
        {
            Assert.StartsWith("%PDF", Encoding.ASCII.GetString(bytes, 0, 4), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("bbox=121.3,31.1,121.1,31.3", "bbox")]
    [InlineData("bbox=121.1,31.1,121.3", "bbox")]
    [InlineData("bbox=121.1,-89,121.3,31.3", "bbox")]
    [InlineData("bbox=0,0,30000000,10&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3857", "bbox")]
    [InlineData("crs=http://www.opengis.net/def/crs/EPSG/0/4326", "crs")]
    [InlineData("bbox-crs=EPSG:4490", "bbox-crs")]
    [InlineData("width=0", "width")]
    [InlineData("height=100000", "height")]
    [InlineData("width=4000&bbox=121.0,31.0,121.1,31.5", "width")]
    [InlineData("f=jpeg", "f")]
    [InlineData("style=dark", "style")]
    public async Task Map_BadParameter_Is400NamingIt(string query, string parameter) =>
        await (await _client.GetAsync($"/collections/parks/map?{query}")).AssertProblemAsync(HttpStatusCode.BadRequest, parameter);

    [Fact]
    public async Task Map_OfAnUnknownCollection_Is404() =>
        await (await _client.GetAsync("/collections/nowhere/map")).AssertProblemAsync(HttpStatusCode.NotFound);

    [Fact]
    public async Task Map_AnswersHead_AndRevalidatesPerFormat()
    {
        const string url = "/collections/parks/map?width=200&height=100";
        var png = await _client.GetAsync(url);
        Assert.NotNull(png.Headers.ETag);

        using var head = new HttpRequestMessage(HttpMethod.Head, url);
        var headResponse = await _client.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
        Assert.Equal(png.Headers.ETag, headResponse.Headers.ETag);

        using var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(png.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(again)).StatusCode);

        // The same URL negotiated to SVG is another representation, with another ETag.
        using var svg = new HttpRequestMessage(HttpMethod.Get, url);
        svg.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/svg+xml"));
        svg.Headers.IfNoneMatch.Add(png.Headers.ETag!);
        var svgResponse = await _client.SendAsync(svg);
        Assert.Equal(HttpStatusCode.OK, svgResponse.StatusCode);
        Assert.NotEqual(png.Headers.ETag, svgResponse.Headers.ETag);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : response.Content.Headers.GetValues(name).Single();

    private static bool HasColorWithin(SKBitmap bitmap, SKPointI at, SKColor expected, int radius)
    {
        for (var dy = -radius; dy <= radius; dy++)
        {
            for (var dx = -radius; dx <= radius; dx++)
            {
                var (x, y) = (at.X + dx, at.Y + dy);
                if (x >= 0 && y >= 0 && x < bitmap.Width && y < bitmap.Height)
                {
                    var c = bitmap.GetPixel(x, y);
                    if (Math.Abs(c.Red - expected.Red) <= 12 && Math.Abs(c.Green - expected.Green) <= 12 && Math.Abs(c.Blue - expected.Blue) <= 12)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
