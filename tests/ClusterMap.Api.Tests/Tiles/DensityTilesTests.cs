using System.Net;
using System.Net.Http.Headers;
using ClusterMap.Core.Geodesy;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Tiles;
using ClusterMap.Tests.Shared;
using NetTopologySuite.Geometries;
using SkiaSharp;

namespace ClusterMap.Api.Tests.Tiles;

/// <summary>Generated universities and institutes (with uncertainties of 0–2.5 km) served by the real service on SQLite.</summary>
public sealed class DensityFixture : IDisposable
{
    public const double NarrowBandwidth = 700;

    public static readonly Envelope Area = new(121.3, 121.6, 31.1, 31.35);

    private readonly string _folder = Directory.CreateTempSubdirectory("clustermap-density-").FullName;
    private ClusterMapFactory? _fromStore;
    private ClusterMapFactory? _narrow;

    public DensityFixture()
    {
        Data = AnalysisData.Generate(seed: 20, parks: 4, institutions: 500, Area, straddledParks: 2);
        Data.WriteGeodata(_folder);
        Factory = ClusterMapFactory.With(_folder);
    }

    public AnalysisData Data { get; }

    public ClusterMapFactory Factory { get; }

    /// <summary>The same data with every collection read from the store's R*Tree per tile instead of held in memory.</summary>
    public ClusterMapFactory FromStore => _fromStore ??= ClusterMapFactory.With(_folder, new Dictionary<string, string?> { ["Maps:InMemoryMaxFeatures"] = "0" });

    /// <summary>The same data with the kernel bandwidth set to <see cref="NarrowBandwidth"/> metres.</summary>
    public ClusterMapFactory Narrow => _narrow ??= ClusterMapFactory.With(_folder, new Dictionary<string, string?> { ["Maps:DensityBandwidthMeters"] = "700" });

    public void Dispose()
    {
        Factory.Dispose();
        _fromStore?.Dispose();
        _narrow?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

public sealed class DensityTilesTests(DensityFixture fixture) : IClassFixture<DensityFixture>
{
    private const double Bandwidth = DensityRaster.DefaultBandwidthMeters;
    private const double R = 6_378_137.0;

    private static readonly Coordinate _centre = new(121.45, 31.225);

    private readonly HttpClient _client = fixture.Factory.CreateClient();

    [Theory]
    [InlineData(9, 1)]
    [InlineData(11, 1)]
    [InlineData(12, 2)]
    [InlineData(13, 1)]
    public Task DensityTile_PixelColours_AreTheRampClassOfTheBruteForceDensity(int zoom, int scale) =>
        AssertPixelsAsync(_client, zoom, scale, Bandwidth);

    [Fact]
    public async Task ConfiguredBandwidth_DrawsTheTiles_AndIsToldToTheClient()
    {
        var client = fixture.Narrow.CreateClient();
        var config = await (await client.GetAsync("/client/config.json")).ReadJsonAsync(HttpStatusCode.OK, "application/json");
        Assert.Equal(DensityFixture.NarrowBandwidth, config.GetProperty("density").GetProperty("bandwidth_m").GetDouble());
        Assert.Equal(DensityRaster.Ramp.Count, config.GetProperty("density").GetProperty("classes").GetArrayLength());

        await AssertPixelsAsync(client, 13, 1, DensityFixture.NarrowBandwidth);
    }

    private async Task AssertPixelsAsync(HttpClient client, int zoom, int scale, double bandwidth)
    {
        var tile = TileIndex.Containing(_centre, zoom);
        using var bitmap = await GetTileAsync(client, tile, scale);
        var size = 256 * scale;
        Assert.Equal((size, size), (bitmap.Width, bitmap.Height));

        var classesSeen = new HashSet<int>();
        var step = size / 32;
        for (var row = step / 2; row < size; row += step)
        {
            for (var column = step / 2; column < size; column += step)
            {
                var density = BruteForceDensity(tile, scale, column, row, bandwidth);
                // The service measures on a local ellipsoidal approximation: a density a hair from a class edge may fall either side.
                var low = ExpectedClass(density * 0.995);
                var high = ExpectedClass(density * 1.005);
                var shown = ClassOfColour(bitmap.GetPixel(column, row));
                Assert.True(shown >= low && shown <= high, $"{tile}@{scale}x pixel ({column}, {row}): density {density:G6}/km² is class {low}–{high}, the tile shows {shown} ({bitmap.GetPixel(column, row)})");
                classesSeen.Add(shown);
            }
        }

        // Not a vacuous pass: the generated data spans transparent pixels and several classes.
        Assert.True(classesSeen.Count >= 3, $"classes seen: {string.Join(", ", classesSeen)}");
    }

    [Theory]
    [InlineData(12, 1, 0)]
    [InlineData(12, 0, 1)]
    [InlineData(10, 1, 0)]
    public async Task NeighbouringTiles_AgreeAtTheirSeam(int zoom, int dx, int dy)
    {
        // The seam nearest the generated data's centre: between its tile and the neighbour on the nearer side.
        var containing = TileIndex.Containing(_centre, zoom);
        var inTile = MapAssertions.PixelInTile(_centre, containing);
        var back = (dx == 1 && inTile.X < 128) || (dy == 1 && inTile.Y < 128);
        var first = back ? TileIndex.Create(zoom, containing.X - dx, containing.Y - dy) : containing;
        var second = TileIndex.Create(zoom, first.X + dx, first.Y + dy);
        using var a = await GetTileAsync(_client, first, 1);
        using var b = await GetTileAsync(_client, second, 1);

        var drawn = 0;
        for (var i = 0; i < 256; i++)
        {
            // The last column (row) of the first tile beside the first column (row) of the second: one pixel apart.
            var (ca, cb) = dx == 1 ? (ClassOfColour(a.GetPixel(255, i)), ClassOfColour(b.GetPixel(0, i))) : (ClassOfColour(a.GetPixel(i, 255)), ClassOfColour(b.GetPixel(i, 0)));
            Assert.True(Math.Abs(ca - cb) <= 1, $"{first} / {second} at {i}: classes {ca} and {cb}");
            drawn += ca >= 0 ? 1 : 0;
        }

        Assert.True(drawn > 50, $"only {drawn} seam pixels are drawn");
    }

    [Theory]
    [InlineData(150.0, -30.0, 12)]
    [InlineData(121.45, 32.5, 11)]
    [InlineData(121.45, 32.5, 8)]
    public async Task DensityTile_FarFromEveryInstitution_IsFullyTransparent(double lon, double lat, int zoom)
    {
        using var bitmap = await GetTileAsync(_client, TileIndex.Containing(new Coordinate(lon, lat), zoom), 1);

        Assert.Equal((256, 256), (bitmap.Width, bitmap.Height));
        Assert.All(bitmap.Pixels, p => Assert.Equal(0, p.Alpha));
    }

    [Fact]
    public async Task DensityTile_ReadFromTheStoreIndex_EqualsTheInMemoryOne()
    {
        var fromStore = fixture.FromStore.CreateClient();
        foreach (var zoom in new[] { 9, 12, 14 })
        {
            var url = Url(TileIndex.Containing(_centre, zoom), 1);
            Assert.Equal(await _client.GetByteArrayAsync(url), await fromStore.GetByteArrayAsync(url));
        }
    }

    [Fact]
    public async Task DensityTile_HasETagAndCacheControl_AnswersHeadAndIfNoneMatch()
    {
        var url = Url(TileIndex.Containing(_centre, 11), 1);
        var get = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("image/png", get.Content.Headers.ContentType?.MediaType);
        var etag = get.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Contains("max-age=", get.Headers.CacheControl?.ToString(), StringComparison.Ordinal);

        var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(etag, head.Headers.ETag);
        Assert.Equal(get.Headers.CacheControl, head.Headers.CacheControl);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(etag);
        var notModified = await _client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);

        var stale = new HttpRequestMessage(HttpMethod.Get, url);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"stale\""));
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(stale)).StatusCode);
    }

    [Fact]
    public async Task DensityTileJson_NamesTheTilesAndTheInstitutionCredits()
    {
        var body = await (await _client.GetAsync("/tiles/density.json")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        Assert.EndsWith("/tiles/density/{z}/{x}/{y}.png", body.GetProperty("tiles")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("png", body.GetProperty("format").GetString());
    }

    private static string Url(TileIndex tile, int scale) => $"/tiles/density/{tile.Z}/{tile.X}/{tile.Y}{(scale == 2 ? "@2x" : "")}.png";

    private static async Task<SKBitmap> GetTileAsync(HttpClient client, TileIndex tile, int scale)
    {
        var response = await client.GetAsync(Url(tile, scale));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        // Decoded unpremultiplied, as the PNG stores it: a drawn pixel is exactly its class's colour.
        using var codec = SKCodec.Create(new MemoryStream(bytes));
        var bitmap = new SKBitmap(new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        Assert.Equal(SKCodecResult.Success, codec.GetPixels(bitmap.Info, bitmap.GetPixels()));
        return bitmap;
    }

    /// <summary>The density per km² at a pixel's centre, summed over every generated institution with geodesic distances.</summary>
    private double BruteForceDensity(TileIndex tile, int scale, int column, int row, double bandwidth)
    {
        var tileMeters = 2 * Math.PI * R / (1 << tile.Z);
        var pixelMeters = tileMeters / (256 * scale);
        var xMeters = (-Math.PI * R) + (tile.X * tileMeters) + ((column + 0.5) * pixelMeters);
        var yMeters = (Math.PI * R) - (tile.Y * tileMeters) - ((row + 0.5) * pixelMeters);
        var lon = xMeters / R * 180 / Math.PI;
        var lat = ((2 * Math.Atan(Math.Exp(yMeters / R))) - (Math.PI / 2)) * 180 / Math.PI;

        var sum = 0.0;
        foreach (var institution in fixture.Data.Institutions)
        {
            var at = institution.Geometry.Coordinate;
            // docs/analysis.md: the kernel radius is the bandwidth, the uncertainty and two pixels' ground size, in quadrature.
            var widening = 2 * pixelMeters * Math.Cos(at.Y * Math.PI / 180);
            var radius = Math.Sqrt((bandwidth * bandwidth) + (institution.UncertaintyMeters * institution.UncertaintyMeters) + (widening * widening));
            var d = Geodesic.DistanceMeters(lon, lat, at.X, at.Y);
            if (d < radius)
            {
                var q = 1 - (d * d / (radius * radius));
                sum += 3 / (Math.PI * radius * radius) * q * q;
            }
        }

        return sum * 1e6;
    }

    private static int ExpectedClass(double perSquareKilometre)
    {
        var found = -1;
        for (var i = 0; i < DensityRaster.Ramp.Count; i++)
        {
            if (perSquareKilometre >= DensityRaster.Ramp[i].MinPerSquareKilometre)
            {
                found = i;
            }
        }

        return found;
    }

    /// <summary>The ramp class whose colour a pixel has; -1 for a fully transparent one; fails on any other colour.</summary>
    private static int ClassOfColour(SKColor pixel)
    {
        if (pixel.Alpha == 0)
        {
            return -1;
        }

        for (var i = 0; i < DensityRaster.Ramp.Count; i++)
        {
            if (DensityRaster.Ramp[i].Color == pixel)
            {
                return i;
            }
        }

        Assert.Fail($"{pixel} is no colour of the ramp");
        return -2;
    }
}
