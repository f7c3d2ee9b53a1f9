using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using ClusterMap.Core.Import;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Tests.Tiles;

public sealed class TilesApiTests(MapTestFactory factory) : IClassFixture<MapTestFactory>
{
    private static readonly TileIndex _park1Tile = TileIndex.Containing(MapAssertions.Park1, 12);

    private static string RasterUrl(TileIndex tile, string suffix = "") => $"/tiles/default/{tile.Z}/{tile.X}/{tile.Y}{suffix}.png";

    [Fact]
    public async Task RasterTile_DrawsParkInItsSectorColourWhereItIs()
    {
        var response = await factory.CreateClient().GetAsync(RasterUrl(_park1Tile));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        using var bitmap = MapAssertions.DecodePng(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((256, 256), (bitmap.Width, bitmap.Height));
        MapAssertions.HasColorNear(bitmap, MapAssertions.PixelInTile(MapAssertions.Park1, _park1Tile), MapAssertions.LifeSciences);
    }

    [Fact]
    public async Task RasterTile_At2x_Is512PixelsWithTheSameContent()
    {
        var response = await factory.CreateClient().GetAsync(RasterUrl(_park1Tile, "@2x"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var bitmap = MapAssertions.DecodePng(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((512, 512), (bitmap.Width, bitmap.Height));
        MapAssertions.HasColorNear(bitmap, MapAssertions.PixelInTile(MapAssertions.Park1, _park1Tile, 2), MapAssertions.LifeSciences, radius: 3);
    }

    [Fact]
    public async Task RasterTile_OfOpenSea_IsWaterColoured()
    {
        // The synthetic sea lies east of 121.7°E.
        var tile = TileIndex.Containing(new Coordinate(121.85, 31.0), 12);
        using var bitmap = MapAssertions.DecodePng(await factory.CreateClient().GetByteArrayAsync(RasterUrl(tile)));
        MapAssertions.HasColorNear(bitmap, new SkiaSharp.SKPointI(128, 128), new SkiaSharp.SKColor(0xAB, 0xCF, 0xE3), radius: 0, tolerance: 2);
    }

    [Theory]
    [InlineData("3/8/0")]
    [InlineData("3/0/8")]
    [InlineData("23/0/0")]
    [InlineData("-1/0/0")]
    [InlineData("3/-1/0")]
    [InlineData("a/0/0")]
    [InlineData("3/0/0@3x")]
    public async Task RasterTile_ImpossibleAddress_Is404Problem(string address)
    {
        var response = await factory.CreateClient().GetAsync($"/tiles/default/{address}.png");
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RasterTile_UnknownStyle_Is400NamingStyle()
    {
        var response = await factory.CreateClient().GetAsync("/tiles/fancy/0/0/0.png");
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "style");
    }

    [Fact]
    public async Task RasterTile_HasStrongETagAndCacheControl_AndAnswersIfNoneMatchWith304()
    {
        var client = factory.CreateClient();
        var first = await client.GetAsync(RasterUrl(_park1Tile));
        var etag = first.Headers.ETag;

        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Contains("max-age=", first.Headers.CacheControl?.ToString(), StringComparison.Ordinal);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, RasterUrl(_park1Tile));
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"other\""));
        conditional.Headers.IfNoneMatch.Add(etag);
        var second = await client.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, second.Headers.ETag);

        using var stale = new HttpRequestMessage(HttpMethod.Get, RasterUrl(_park1Tile));
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"stale\""));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(stale)).StatusCode);
    }

    [Fact]
    public async Task RasterTile_AfterDataChange_IsRenderedAgainWithNewETag()
    {
        // Its own service: this test changes the data.
        await using var own = ClusterMapFactory.With(MapTestFactory.MapGeodata, new Dictionary<string, string?> { ["Maps:DataVersionCheckMilliseconds"] = "0" });
        var client = own.CreateClient();
        var before = await client.GetAsync(RasterUrl(_park1Tile));
        using (var bitmap = MapAssertions.DecodePng(await before.Content.ReadAsByteArrayAsync()))
        {
            MapAssertions.HasColorNear(bitmap, MapAssertions.PixelInTile(MapAssertions.Park1, _park1Tile), MapAssertions.LifeSciences);
        }

        // Test Park 1 becomes an integrated-circuit park (#332288).
        var store = own.Services.GetRequiredService<IFeatureStore>();
        var parks = GeodataManifest.ReadAll(MapTestFactory.MapGeodata).Single(c => c.Definition.Id == "parks");
        var changed = parks.Features.Select(f => f.Id == "park-1"
            ? f with { PropertiesJson = f.PropertiesJson.Replace("\"生物医药\"", "\"集成电路\"", StringComparison.Ordinal).Replace("\"Biomedicine\"", "\"Integrated circuits\"", StringComparison.Ordinal) }
            : f).ToList();
        await store.ReplaceCollectionsAsync([new CollectionImport(parks.Definition, changed)]);

        var after = await client.GetAsync(RasterUrl(_park1Tile));
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        using var changedBitmap = MapAssertions.DecodePng(await after.Content.ReadAsByteArrayAsync());
        MapAssertions.HasColorNear(changedBitmap, MapAssertions.PixelInTile(MapAssertions.Park1, _park1Tile), new SkiaSharp.SKColor(0x33, 0x22, 0x88));
    }

    [Fact]
    public async Task RasterTileJson_DescribesTheTemplateAndAttribution()
    {
        var json = await (await factory.CreateClient().GetAsync("/tiles/default.json")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        Assert.Equal("3.0.0", json.GetProperty("tilejson").GetString());
        Assert.EndsWith("/tiles/default/{z}/{x}/{y}.png", json.GetProperty("tiles")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("ClusterMap test parks", json.GetProperty("attribution").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, json.GetProperty("bounds").GetArrayLength());
    }

    [Fact]
    public async Task VectorTileJson_ListsTheLayerAndItsFields()
    {
        var json = await (await factory.CreateClient().GetAsync("/tiles/parks.json")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        Assert.EndsWith("/tiles/parks/{z}/{x}/{y}.mvt", json.GetProperty("tiles")[0].GetString(), StringComparison.Ordinal);
        var layer = json.GetProperty("vector_layers")[0];
        Assert.Equal("parks", layer.GetProperty("id").GetString());
        Assert.Equal("String", layer.GetProperty("fields").GetProperty("name_zh").GetString());
        Assert.Equal("Number", layer.GetProperty("fields").GetProperty("location_uncertainty_m").GetString());
    }

    [Fact]
    public async Task TileJson_UnknownName_Is400()
    {
        var response = await factory.CreateClient().GetAsync("/tiles/nothing-here.json");
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "style");
    }

    [Fact]
    public async Task VectorTile_UnknownCollection_Is404_AndImpossibleTile404()
    {
        await (await factory.CreateClient().GetAsync("/tiles/nothing/0/0/0.mvt")).AssertProblemAsync(HttpStatusCode.NotFound, "collectionId");
        await (await factory.CreateClient().GetAsync("/tiles/parks/2/4/0.mvt")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task VectorTile_ReadBackByOgrinfo_HasTheParksWithNamesAndPositions()
    {
        var tile = TileIndex.Containing(MapAssertions.Park1, 10);
        var response = await factory.CreateClient().GetAsync($"/tiles/parks/{tile.Z}/{tile.X}/{tile.Y}.mvt");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.mapbox-vector-tile", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.ETag);

        var directory = Directory.CreateTempSubdirectory("clustermap-mvt-").FullName;
        try
        {
            var path = Path.Combine(directory, "tile.mvt");
            await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
            var output = await MapAssertions.RunAsync("ogrinfo", directory, "-ro", "-al",
                "-oo", $"Z={tile.Z}", "-oo", $"X={tile.X}", "-oo", $"Y={tile.Y}", path);

            Assert.Contains("Layer name: parks", output, StringComparison.Ordinal);
            Assert.Contains("name_zh (String) = 测试园区1", output, StringComparison.Ordinal);
            Assert.Contains("name_en (String) = Test Park 1", output, StringComparison.Ordinal);

            // ogrinfo georeferences the tile in EPSG:3857; a 4096-unit grid at z10 is exact to ~10 m.
            var match = Regex.Match(output, @"id \(String\) = park-1[\s\S]*?POINT \(([-\d.]+) ([-\d.]+)\)");
            Assert.True(match.Success, output);
            var expected = WebMercator.FromLonLat(MapAssertions.Park1);
            Assert.Equal(expected.X, double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 20.0);
            Assert.Equal(expected.Y, double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), 20.0);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
