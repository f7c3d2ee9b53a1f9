using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ClusterMap.Core.Tiles;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Api.Tests.RealClients;

/// <summary>
/// GDAL's OGCAPI driver (Debian's GDAL 3.6) against the running service on the map test data: it finds a collection's
/// map tiles (by default) and its map (<c>-oo API=MAP</c>) from the collection's links alone, and a raster it copies
/// shows the parks where they are.
/// </summary>
public sealed class GdalOgcApiTests : IAsyncLifetime
{
    private ServiceProcess _service = null!;
    private readonly string _directory = Directory.CreateTempSubdirectory("clustermap-ogcapi-").FullName;

    public async Task InitializeAsync() => _service = await ServiceProcess.StartAsync(MapTestFactory.MapGeodata);

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private string Parks => $"OGCAPI:{_service.BaseAddress.ToString().TrimEnd('/')}/collections/parks";

    private async Task<string> RunGdalAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _directory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GDAL_HTTP_TIMEOUT"] = "60";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{await error}\n--- service log ---\n{_service.Log}");
        return await output;
    }

    /// <summary>
    /// The collection's vector tiles, found the OGC way (its tilesets-vector link, the WebMercatorQuad tileset, its
    /// templated item link) and decoded by GDAL's MVT driver. GDAL 3.6's OGCAPI driver reads vector tiles only when
    /// built with the GML driver's definitions, which Debian's library is not (its MVT driver is there).
    /// </summary>
    [Fact]
    public async Task Ogrinfo_OfAVectorTileFoundThroughTheTilesets_ShowsParkOneWhereItIs()
    {
        using var http = new HttpClient { BaseAddress = _service.BaseAddress };
        async Task<JsonElement> GetAsync(string url) => JsonDocument.Parse(await http.GetStringAsync(url)).RootElement;
        var list = await GetAsync((await GetAsync("/collections/parks")).GetProperty("links").Href("http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"));
        var summary = list.GetProperty("tilesets").EnumerateArray()
            .Single(t => t.GetProperty("tileMatrixSetURI").GetString() == "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad");
        var tileset = await GetAsync(summary.GetProperty("links").Href("self"));
        var template = tileset.GetProperty("links").Href("item");
        var tile = TileIndex.Containing(MapAssertions.Park1, 12);
        var url = template
            .Replace("{tileMatrix}", "12", StringComparison.Ordinal)
            .Replace("{tileRow}", tile.Y.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{tileCol}", tile.X.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        // GDAL's MVT driver places a tile by its z/x/y path.
        var file = Path.Combine(_directory, "12", tile.X.ToString(CultureInfo.InvariantCulture), $"{tile.Y}.pbf");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllBytesAsync(file, await http.GetByteArrayAsync(url));

        var output = await RunGdalAsync("ogrinfo", "-ro", "-al", "-geom=NO", file);

        Assert.Contains("using driver `MVT' successful", output, StringComparison.Ordinal);
        Assert.Contains("Layer name: parks", output, StringComparison.Ordinal);
        Assert.Contains("park-1", output, StringComparison.Ordinal);
        // The layer's extent (EPSG:3857) holds Park 1, within a few of the tile's 4,096 units.
        var extent = System.Text.RegularExpressions.Regex.Match(output, @"Extent: \(([-\d.]+), ([-\d.]+)\) - \(([-\d.]+), ([-\d.]+)\)");
        Assert.True(extent.Success, output);
        var value = (int i) => double.Parse(extent.Groups[i].Value, CultureInfo.InvariantCulture);
        var park = WebMercator.FromLonLat(MapAssertions.Park1);
        var slack = 4 * tile.BoundsMeters.Width / 4096;
        Assert.InRange(park.X, value(1) - slack, value(3) + slack);
        Assert.InRange(park.Y, value(2) - slack, value(4) + slack);
    }

    [Fact]
    public async Task Gdalinfo_OnACollection_WithTheMapApi_FindsItsMapOverItsExtent()
    {
        // Asked for the map API, the driver follows the collection's map link and reads it in CRS84 over the
        // collection's extent.
        using var map = JsonDocument.Parse(await RunGdalAsync("gdalinfo", "-json", "-oo", "API=MAP", Parks));
        Assert.Equal(4, map.RootElement.GetProperty("bands").GetArrayLength());
        var corner = map.RootElement.GetProperty("cornerCoordinates").GetProperty("upperLeft");
        Assert.Equal(121.2, corner[0].GetDouble(), 1e-6);
        Assert.Equal(31.42, corner[1].GetDouble(), 1e-6);
    }

    [Theory]
    [InlineData("API=AUTO")]
    [InlineData("API=TILES")]
    public async Task Gdalinfo_OnACollection_ByDefault_ReadsItsWorldCrs84QuadMapTilesOverItsExtent(string api)
    {
        // GDAL 3.6 takes the collection's CRS84 extent as coordinates of the tile matrix set and prefers WorldCRS84Quad:
        // the raster is georeferenced in CRS84 over that extent, at the tileset's deepest level.
        using var info = JsonDocument.Parse(await RunGdalAsync("gdalinfo", "-json", "-oo", api, Parks));
        var root = info.RootElement;
        Assert.Equal(4, root.GetProperty("bands").GetArrayLength());
        Assert.Contains("ID[\"OGC\",\"CRS84\"]", root.GetProperty("coordinateSystem").GetProperty("wkt").GetString(), StringComparison.Ordinal);
        // Level 17 of WorldCRS84Quad: 0.703125° / 2^17 a pixel; the corners within a pixel of the collection's extent.
        var pixel = 0.703125 / (1 << 17);
        Assert.Equal(pixel, root.GetProperty("geoTransform")[1].GetDouble(), 1e-12);
        var corners = root.GetProperty("cornerCoordinates");
        Assert.Equal(121.2, corners.GetProperty("upperLeft")[0].GetDouble(), pixel);
        Assert.Equal(31.42, corners.GetProperty("upperLeft")[1].GetDouble(), pixel);
        Assert.Equal(121.48, corners.GetProperty("lowerRight")[0].GetDouble(), pixel);
        Assert.Equal(31.1, corners.GetProperty("lowerRight")[1].GetDouble(), pixel);
    }

    [Fact]
    public async Task GdalTranslate_OfTheCollection_ByDefault_CopiesItsMapTiles_ParkOneInItsSectorColourWhereItIs()
    {
        await RunGdalAsync("gdal_translate", "-q", "-outsize", "560", "0", Parks, "tiles.tif");

        // Read from the WorldCRS84Quad map tiles, not from the map.
        Assert.Contains("/collections/parks/map/tiles/WorldCRS84Quad/", _service.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("GET /collections/parks/map answered", _service.Log, StringComparison.Ordinal);
        await AssertParkOneWhereItIsAsync("tiles.tif");
    }

    [Fact]
    public async Task Ogrinfo_OnACollection_WithTheItemsApi_ReadsEveryFeature()
    {
        // GDAL 3.6 tries a collection's map tiles before its items, and opened for vectors only it finds nothing there
        // (docs/api.md): the items API reads it.
        var output = await RunGdalAsync("ogrinfo", "-ro", "-so", "-oo", "API=ITEMS", Parks, "parks");
        Assert.Contains("Feature Count: 6", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GdalTranslate_OfTheCollectionsMap_ShowsParkOneInItsSectorColourWhereItIs()
    {
        await RunGdalAsync("gdal_translate", "-q", "-oo", "API=MAP", "-outsize", "560", "0", Parks, "map.tif");
        await AssertParkOneWhereItIsAsync("map.tif");
    }

    private async Task AssertParkOneWhereItIsAsync(string file)
    {
        // The pixel at Park 1's lon/lat, as GDAL georeferences the copy: the life-sciences colour, #CC6677.
        var atPark = await PixelAsync(file, MapAssertions.Park1.X, MapAssertions.Park1.Y);
        Assert.Equal([MapAssertions.LifeSciences.Red, MapAssertions.LifeSciences.Green, MapAssertions.LifeSciences.Blue, 255], atPark, (a, b) => Math.Abs(a - b) <= 12);
        // Between the parks, land: not that colour.
        var between = await PixelAsync(file, 121.33, 31.27);
        Assert.False(Math.Abs(between[0] - MapAssertions.LifeSciences.Red) <= 12 && Math.Abs(between[1] - MapAssertions.LifeSciences.Green) <= 12, "the land between parks is drawn in a park's colour");
    }

    private async Task<int[]> PixelAsync(string file, double lon, double lat)
    {
        var output = await RunGdalAsync("gdallocationinfo", "-valonly", "-wgs84", file,
            lon.ToString(CultureInfo.InvariantCulture), lat.ToString(CultureInfo.InvariantCulture));
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
    }
}
