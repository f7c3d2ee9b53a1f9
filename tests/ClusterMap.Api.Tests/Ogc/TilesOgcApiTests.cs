using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ClusterMap.Core.Tiles;

namespace ClusterMap.Api.Tests.Ogc;

/// <summary>OGC API – Tiles (OGC 20-057) on the map test data, walked by following links as a client does.</summary>
public sealed class TilesOgcApiTests(MapTestFactory factory) : IClassFixture<MapTestFactory>
{
    private const string TilesetsMap = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map";
    private const string TilesetsVector = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector";
    private const string TilingScheme = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";

    private static readonly TileIndex _park1Tile = TileIndex.Containing(MapAssertions.Park1, 12);

    private readonly HttpClient _client = factory.CreateClient();

    private async Task<JsonElement> JsonAsync(string url) => await (await _client.GetAsync(url)).ReadJsonAsync(HttpStatusCode.OK, "application/json");

    /// <summary>From a resource's links to a tileset list, its WebMercatorQuad tileset, and that tileset's tile URL template.</summary>
    private async Task<(JsonElement Tileset, string Template)> FollowAsync(string resource, string rel, string dataType)
    {
        var list = await JsonAsync((await JsonAsync(resource)).GetProperty("links").Href(rel));
        var summary = Assert.Single(list.GetProperty("tilesets").EnumerateArray());
        Assert.Equal(dataType, summary.GetProperty("dataType").GetString());
        Assert.Equal("http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad", summary.GetProperty("tileMatrixSetURI").GetString());
        Assert.True(summary.GetProperty("links").HasLink(TilingScheme));
        var tileset = await JsonAsync(summary.GetProperty("links").Href("self"));
        var item = tileset.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "item");
        Assert.True(item.GetProperty("templated").GetBoolean());
        return (tileset, item.GetProperty("href").GetString()!);
    }

    private static string Fill(string template, TileIndex tile) => template
        .Replace("{tileMatrix}", tile.Z.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{tileRow}", tile.Y.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{tileCol}", tile.X.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    [Fact]
    public async Task TileMatrixSet_WebMercatorQuad_IsTms20From0To22_LinkedFromTheLandingPage()
    {
        var list = await JsonAsync((await JsonAsync("/")).GetProperty("links").Href("http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"));
        var set = await JsonAsync(Assert.Single(list.GetProperty("tileMatrixSets").EnumerateArray()).GetProperty("links").Href(TilingScheme));

        Assert.Equal("WebMercatorQuad", set.GetProperty("id").GetString());
        Assert.Equal("http://www.opengis.net/def/crs/EPSG/0/3857", set.GetProperty("crs").GetString());
        var matrices = set.GetProperty("tileMatrices").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 23).Select(z => z.ToString(CultureInfo.InvariantCulture)), matrices.Select(m => m.GetProperty("id").GetString()));
        foreach (var (matrix, z) in matrices.Select((m, z) => (m, z)))
        {
            // OGC 17-083r4 Annex D: 156543.0339 m per pixel at zoom 0, halved at each level; 0.28 mm pixels.
            Assert.Equal(WebMercator.MetersPerPixel(z), matrix.GetProperty("cellSize").GetDouble(), 1e-9);
            Assert.Equal(559_082_264.028717 / (1 << z), matrix.GetProperty("scaleDenominator").GetDouble(), 1e-6);
            Assert.Equal(1 << z, matrix.GetProperty("matrixWidth").GetInt32());
            Assert.Equal(-20037508.342789244, matrix.GetProperty("pointOfOrigin")[0].GetDouble(), 1e-6);
            Assert.Equal("topLeft", matrix.GetProperty("cornerOfOrigin").GetString());
        }

        await (await _client.GetAsync("/tileMatrixSets/WorldCRS84Quad")).AssertProblemAsync(HttpStatusCode.NotFound, "tileMatrixSetId");
    }

    [Fact]
    public async Task DatasetMapTiles_FromTheLandingPage_AreTheDefaultStylesPngTiles()
    {
        var (tileset, template) = await FollowAsync("/", TilesetsMap, "map");
        Assert.EndsWith("/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}", template, StringComparison.Ordinal);

        var ogc = await _client.GetAsync(Fill(template, _park1Tile));
        Assert.Equal(HttpStatusCode.OK, ogc.StatusCode);
        Assert.Equal("image/png", ogc.Content.Headers.ContentType?.MediaType);
        var xyz = await _client.GetByteArrayAsync($"/tiles/default/{_park1Tile.Z}/{_park1Tile.X}/{_park1Tile.Y}.png");
        Assert.Equal(xyz, await ogc.Content.ReadAsByteArrayAsync());
        using var bitmap = MapAssertions.DecodePng(xyz);
        MapAssertions.HasColorNear(bitmap, MapAssertions.PixelInTile(MapAssertions.Park1, _park1Tile), MapAssertions.LifeSciences);

        // The limits cover the data: Park 1's tile is inside them at every zoom.
        var limits = tileset.GetProperty("tileMatrixSetLimits").EnumerateArray().ToList();
        Assert.Equal("18", limits[^1].GetProperty("tileMatrix").GetString());
        var at12 = limits.Single(l => l.GetProperty("tileMatrix").GetString() == "12");
        Assert.InRange(_park1Tile.Y, at12.GetProperty("minTileRow").GetInt32(), at12.GetProperty("maxTileRow").GetInt32());
        Assert.InRange(_park1Tile.X, at12.GetProperty("minTileCol").GetInt32(), at12.GetProperty("maxTileCol").GetInt32());
    }

    [Fact]
    public async Task CollectionVectorTiles_FromTheCollection_AreItsMapboxVectorTiles()
    {
        var (tileset, template) = await FollowAsync("/collections/parks", TilesetsVector, "vector");
        Assert.Equal("parks", Assert.Single(tileset.GetProperty("layers").EnumerateArray()).GetProperty("id").GetString());

        var ogc = await _client.GetAsync(Fill(template, _park1Tile));
        Assert.Equal(HttpStatusCode.OK, ogc.StatusCode);
        Assert.Equal("application/vnd.mapbox-vector-tile", ogc.Content.Headers.ContentType?.MediaType);
        var bytes = await ogc.Content.ReadAsByteArrayAsync();
        Assert.NotEmpty(bytes);
        Assert.Equal(await _client.GetByteArrayAsync($"/tiles/parks/{_park1Tile.Z}/{_park1Tile.X}/{_park1Tile.Y}.mvt"), bytes);
    }

    [Fact]
    public async Task CollectionMapTiles_FromTheCollection_DrawTheCollectionWhereItIs()
    {
        var (_, template) = await FollowAsync("/collections/parks", TilesetsMap, "map");

        var response = await _client.GetAsync(Fill(template, _park1Tile));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var bitmap = MapAssertions.DecodePng(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((256, 256), (bitmap.Width, bitmap.Height));
        MapAssertions.HasColorNear(bitmap, MapAssertions.PixelInTile(MapAssertions.Park1, _park1Tile), MapAssertions.LifeSciences);
        Assert.NotNull(response.Headers.ETag);
        using var again = new HttpRequestMessage(HttpMethod.Get, Fill(template, _park1Tile));
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(again)).StatusCode);
    }

    [Theory]
    [InlineData("/tiles/WebMercatorQuad/12/0/0")]                       // outside the dataset's limits
    [InlineData("/tiles/WebMercatorQuad/0/0/0")]                        // the data is a dot at zoom 0
    [InlineData("/tiles/WebMercatorQuad/23/0/0")]                       // beyond the tile matrix set
    [InlineData("/tiles/WebMercatorQuad/19/107135/214161")]              // beyond the map tilesets' deepest level
    [InlineData("/tiles/WebMercatorQuad/12/x/0")]
    [InlineData("/collections/parks/tiles/WebMercatorQuad/17/0/0")]     // vector tiles stop at 16
    [InlineData("/collections/parks/tiles/WebMercatorQuad/12/0/0")]
    [InlineData("/collections/parks/map/tiles/WebMercatorQuad/12/0/0")]
    public async Task Tile_OutsideTheTilesetsLimits_Is404Problem(string path)
    {
        var problem = await (await _client.GetAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("tileMatrix/tileRow/tileCol", problem.GetProperty("parameter").GetString());
    }

    [Theory]
    [InlineData("/collections/nowhere/tiles")]
    [InlineData("/collections/nowhere/tiles/WebMercatorQuad/12/1715/3346")]
    [InlineData("/collections/nowhere/map/tiles/WebMercatorQuad")]
    public async Task UnknownCollection_Is404(string path) =>
        await (await _client.GetAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound);

    [Fact]
    public async Task Tile_AnswersHeadAndRevalidatesWithItsETag()
    {
        var url = $"/collections/parks/tiles/WebMercatorQuad/{_park1Tile.Z}/{_park1Tile.Y}/{_park1Tile.X}";
        var first = await _client.GetAsync(url);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using var head = new HttpRequestMessage(HttpMethod.Head, url);
        var headResponse = await _client.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
        Assert.Equal(etag, headResponse.Headers.ETag);
        Assert.Empty(await headResponse.Content.ReadAsByteArrayAsync());

        using var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag));
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task TilesetMetadata_UnknownParameter_Is400NamingIt() =>
        await (await _client.GetAsync("/collections/parks/tiles/WebMercatorQuad?zoom=3")).AssertProblemAsync(HttpStatusCode.BadRequest, "zoom");
}
