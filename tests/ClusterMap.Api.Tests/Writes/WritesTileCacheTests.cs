using System.Net;
using System.Net.Http.Headers;
using ClusterMap.Core.Tiles;

namespace ClusterMap.Api.Tests.Writes;

/// <summary>
/// Writes through the API reach the rendered tiles at once, although tiles trust the data version for a while
/// (Maps:DataVersionCheckMilliseconds, left at its default here): the write tells the map data it changed.
/// </summary>
public sealed class WritesTileCacheTests : IAsyncLifetime
{
    private static readonly TileIndex _park1Tile = TileIndex.Containing(MapAssertions.Park1, 12);

    private readonly ClusterMapFactory _factory = ClusterMapFactory.With(MapTestFactory.MapGeodata);
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _client = _factory.CreateClient();
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await WritesApiTests.AddKeyAsync(_factory, "tiles"));
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private async Task<(EntityTagHeaderValue ETag, byte[] Png)> TileAsync(string path)
    {
        var response = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response.Headers.ETag!, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task RasterAndVectorTiles_AfterDeletePutAndPost_HaveNewETags()
    {
        var raster = $"/tiles/default/{_park1Tile.Z}/{_park1Tile.X}/{_park1Tile.Y}.png";
        var vector = $"/tiles/parks/{_park1Tile.Z}/{_park1Tile.X}/{_park1Tile.Y}.mvt";
        var (rasterBefore, png) = await TileAsync(raster);
        var (vectorBefore, _) = await TileAsync(vector);
        using (var bitmap = MapAssertions.DecodePng(png))
        {
            MapAssertions.HasColorNear(bitmap, MapAssertions.PixelInTile(MapAssertions.Park1, _park1Tile), MapAssertions.LifeSciences);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync("/collections/parks/items/park-1")).StatusCode);

        var (rasterDeleted, _) = await TileAsync(raster);
        var (vectorDeleted, _) = await TileAsync(vector);
        Assert.NotEqual(rasterBefore, rasterDeleted);
        Assert.NotEqual(vectorBefore, vectorDeleted);

        // Back as an integrated-circuit park (#332288), then a second park beside it.
        var park = """{"type":"Feature","geometry":{"type":"Point","coordinates":[121.2,31.2]},"properties":{"name_zh":"测试园区1","name_en":"Test Park 1","sector":"集成电路","sector_en":"Integrated circuits","location_uncertainty_m":2500}}""";
        Assert.Equal(HttpStatusCode.Created, (await _client.PutAsync("/collections/parks/items/park-1", WritesApiTests.GeoJson(park))).StatusCode);
        var (rasterPut, changedPng) = await TileAsync(raster);
        Assert.NotEqual(rasterDeleted, rasterPut);
        Assert.NotEqual(rasterBefore, rasterPut);
        using (var bitmap = MapAssertions.DecodePng(changedPng))
        {
            MapAssertions.HasColorNear(bitmap, MapAssertions.PixelInTile(MapAssertions.Park1, _park1Tile), new SkiaSharp.SKColor(0x33, 0x22, 0x88));
        }

        var (vectorPut, _) = await TileAsync(vector);
        var second = park.Replace("121.2,31.2", "121.19,31.19", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsync("/collections/parks/items", WritesApiTests.GeoJson(second))).StatusCode);
        Assert.NotEqual(vectorPut, (await TileAsync(vector)).ETag);
    }
}
