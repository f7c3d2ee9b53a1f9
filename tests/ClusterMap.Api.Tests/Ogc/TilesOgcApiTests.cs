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

    /// <summary>From a resource's links to a tileset list, its tileset in a tile matrix set, and that tileset's tile URL template.</summary>
    private async Task<(JsonElement Tileset, string Template)> FollowAsync(string resource, string rel, string dataType, string tileMatrixSet = "WebMercatorQuad")
    {
        var list = await JsonAsync((await JsonAsync(resource)).GetProperty("links").Href(rel));
        var summary = Assert.Single(list.GetProperty("tilesets").EnumerateArray(),
            t => t.GetProperty("tileMatrixSetURI").GetString() == $"http://www.opengis.net/def/tilematrixset/OGC/1.0/{tileMatrixSet}");
        Assert.Equal(dataType, summary.GetProperty("dataType").GetString());
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

    /// <summary>A tile matrix set, from the landing page's tiling-schemes link.</summary>
    private async Task<JsonElement> TileMatrixSetAsync(string id)
    {
        var list = await JsonAsync((await JsonAsync("/")).GetProperty("links").Href("http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"));
        return await JsonAsync(list.GetProperty("tileMatrixSets").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id).GetProperty("links").Href(TilingScheme));
    }

    [Fact]
    public async Task TileMatrixSet_WebMercatorQuad_IsTms20From0To22_LinkedFromTheLandingPage()
    {
        var set = await TileMatrixSetAsync("WebMercatorQuad");

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

        await (await _client.GetAsync("/tileMatrixSets/WorldMercatorQuad")).AssertProblemAsync(HttpStatusCode.NotFound, "tileMatrixSetId");
    }

    [Fact]
    public async Task TileMatrixSet_WorldCRS84Quad_IsTheRegisteredCrs84Grid_From0To17()
    {
        var set = await TileMatrixSetAsync("WorldCRS84Quad");

        Assert.Equal("http://www.opengis.net/def/tilematrixset/OGC/1.0/WorldCRS84Quad", set.GetProperty("uri").GetString());
        Assert.Equal("http://www.opengis.net/def/crs/OGC/1.3/CRS84", set.GetProperty("crs").GetString());
        Assert.Equal("http://www.opengis.net/def/crs/OGC/1.3/CRS84", set.GetProperty("supportedCRS").GetString());
        Assert.Equal(["Lon", "Lat"], set.GetProperty("orderedAxes").EnumerateArray().Select(a => a.GetString()));
        var matrices = set.GetProperty("tileMatrices").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 18).Select(z => z.ToString(CultureInfo.InvariantCulture)), matrices.Select(m => m.GetProperty("id").GetString()));
        foreach (var (matrix, z) in matrices.Select((m, z) => (m, z)))
        {
            // OGC 17-083r4 Annex D: 2 × 1 tiles of 180° at level 0, 0.703125° a cell, halved at each level; 0.28 mm
            // pixels on a sphere of 6378137 m (scale denominator = cell in metres / 0.28 mm).
            Assert.Equal(0.703125 / (1 << z), matrix.GetProperty("cellSize").GetDouble(), 1e-15);
            Assert.Equal(0.703125 / (1 << z) * (Math.PI * 6378137 / 180) / 0.28e-3, matrix.GetProperty("scaleDenominator").GetDouble(), 1e-5);
            Assert.Equal((2 << z, 1 << z), (matrix.GetProperty("matrixWidth").GetInt32(), matrix.GetProperty("matrixHeight").GetInt32()));
            Assert.Equal([-180.0, 90.0], matrix.GetProperty("pointOfOrigin").EnumerateArray().Select(v => v.GetDouble()));
            Assert.Equal([-180.0, 90.0], matrix.GetProperty("topLeftCorner").EnumerateArray().Select(v => v.GetDouble()));
            Assert.Equal(matrix.GetProperty("id").GetString(), matrix.GetProperty("identifier").GetString());
        }
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
        // The link to them has no media type, the one to the map tiles is JSON: GDAL 3.6 follows only the latter
        // (docs/api.md).
        var links = (await JsonAsync("/collections/parks")).GetProperty("links").EnumerateArray().ToList();
        Assert.False(links.Single(l => l.GetProperty("rel").GetString() == TilesetsVector).TryGetProperty("type", out _));
        Assert.Equal("application/json", links.Single(l => l.GetProperty("rel").GetString() == TilesetsMap).GetProperty("type").GetString());

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

    [Fact]
    public async Task CollectionMapTiles_InWorldCRS84Quad_AreItsCrs84MapOfEachTilesBox()
    {
        var (tileset, template) = await FollowAsync("/collections/parks", TilesetsMap, "map", "WorldCRS84Quad");
        Assert.Equal("http://www.opengis.net/def/crs/OGC/1.3/CRS84", tileset.GetProperty("crs").GetString());
        var set = await JsonAsync(tileset.GetProperty("links").Href(TilingScheme));

        // The limits name whole tile matrices (GDAL 3.6 reads narrower ones wrongly), from the first level on which the
        // collection's box spans two cells each way to the deepest.
        var box = tileset.GetProperty("boundingBox");
        var (width, height) = (box.GetProperty("upperRight")[0].GetDouble() - box.GetProperty("lowerLeft")[0].GetDouble(), box.GetProperty("upperRight")[1].GetDouble() - box.GetProperty("lowerLeft")[1].GetDouble());
        var limits = tileset.GetProperty("tileMatrixSetLimits").EnumerateArray().ToList();
        var first = int.Parse(limits[0].GetProperty("tileMatrix").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(Math.Min(width, height) / (0.703125 / (1 << first)) >= 2 && Math.Min(width, height) / (0.703125 / (1 << (first - 1))) < 2, $"first level {first}");
        Assert.Equal(Enumerable.Range(first, 18 - first).Select(z => z.ToString(CultureInfo.InvariantCulture)), limits.Select(l => l.GetProperty("tileMatrix").GetString()));
        Assert.All(limits, l =>
        {
            var z = int.Parse(l.GetProperty("tileMatrix").GetString()!, CultureInfo.InvariantCulture);
            Assert.Equal((0, (1 << z) - 1, 0, (2 << z) - 1), (l.GetProperty("minTileRow").GetInt32(), l.GetProperty("maxTileRow").GetInt32(), l.GetProperty("minTileCol").GetInt32(), l.GetProperty("maxTileCol").GetInt32()));
        });

        // Park 1's tile at level 12, placed from the tile matrix set document alone.
        var matrix = set.GetProperty("tileMatrices").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "12");
        var side = matrix.GetProperty("cellSize").GetDouble() * matrix.GetProperty("tileWidth").GetInt32();
        var (west, north) = (matrix.GetProperty("pointOfOrigin")[0].GetDouble(), matrix.GetProperty("pointOfOrigin")[1].GetDouble());
        var col = (int)Math.Floor((MapAssertions.Park1.X - west) / side);
        var row = (int)Math.Floor((north - MapAssertions.Park1.Y) / side);
        var url = template.Replace("{tileMatrix}", "12", StringComparison.Ordinal).Replace("{tileRow}", row.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{tileCol}", col.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using (var bitmap = MapAssertions.DecodePng(bytes))
        {
            // Pixels linear in longitude and latitude: a tile off by one would put the park 256 pixels away.
            var (tileWest, tileNorth) = (west + (col * side), north - (row * side));
            var at = new SkiaSharp.SKPointI((int)((MapAssertions.Park1.X - tileWest) / side * 256), (int)((tileNorth - MapAssertions.Park1.Y) / side * 256));
            MapAssertions.HasColorNear(bitmap, at, MapAssertions.LifeSciences);

            // The tile is the collection's CRS84 map of the tile's box.
            var bbox = string.Join(',', new[] { tileWest, tileNorth - side, tileWest + side, tileNorth }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
            Assert.Equal(await _client.GetByteArrayAsync($"/collections/parks/map?bbox={bbox}&width=256&height=256&f=png"), bytes);
        }

        // Conditional GET and HEAD as on every tile.
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        using var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(again)).StatusCode);
        using var headRequest = new HttpRequestMessage(HttpMethod.Head, url);
        var head = await _client.SendAsync(headRequest);
        Assert.Equal((HttpStatusCode.OK, etag), (head.StatusCode, head.Headers.ETag));
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        // A tile at the pole, beyond Web Mercator's latitudes, is drawn too.
        var polar = await _client.GetAsync(template.Replace("{tileMatrix}", first.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{tileRow}", "0", StringComparison.Ordinal).Replace("{tileCol}", "0", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, polar.StatusCode);
        using var polarBitmap = MapAssertions.DecodePng(await polar.Content.ReadAsByteArrayAsync());
        Assert.Equal((256, 256), (polarBitmap.Width, polarBitmap.Height));
    }

    [Theory]
    [InlineData("/collections/parks/map/tiles/WorldMercatorQuad")]
    [InlineData("/collections/parks/map/tiles/WorldMercatorQuad/12/0/0")]
    [InlineData("/tileMatrixSets/worldcrs84quad")]
    public async Task UnknownTileMatrixSet_Is404NamingIt(string path) =>
        await (await _client.GetAsync(path)).AssertProblemAsync(HttpStatusCode.NotFound, "tileMatrixSetId");

    [Theory]
    [InlineData("/tiles/WebMercatorQuad/12/0/0")]                       // outside the dataset's limits
    [InlineData("/tiles/WebMercatorQuad/0/0/0")]                        // the data is a dot at zoom 0
    [InlineData("/tiles/WebMercatorQuad/23/0/0")]                       // beyond the tile matrix set
    [InlineData("/tiles/WebMercatorQuad/19/107135/214161")]              // beyond the map tilesets' deepest level
    [InlineData("/tiles/WebMercatorQuad/12/x/0")]
    [InlineData("/collections/parks/tiles/WebMercatorQuad/17/0/0")]     // vector tiles stop at 16
    [InlineData("/collections/parks/tiles/WebMercatorQuad/12/0/0")]
    [InlineData("/collections/parks/map/tiles/WebMercatorQuad/12/0/0")]
    [InlineData("/collections/parks/map/tiles/WorldCRS84Quad/2/0/0")]   // the collection's box is under two cells at level 2
    [InlineData("/collections/parks/map/tiles/WorldCRS84Quad/18/0/0")]  // beyond the tile matrix set
    [InlineData("/collections/parks/map/tiles/WorldCRS84Quad/3/8/0")]   // row 8 of an 8-row matrix
    [InlineData("/collections/parks/map/tiles/WorldCRS84Quad/3/0/16")]  // column 16 of a 16-column matrix
    [InlineData("/collections/parks/map/tiles/WorldCRS84Quad/3/x/0")]
    [InlineData("/collections/parks/map/tiles/WorldCRS84Quad/3/-1/0")]
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
