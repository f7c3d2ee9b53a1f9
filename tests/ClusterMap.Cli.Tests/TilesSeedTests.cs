using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClusterMap.Core.Tiles;
using ClusterMap.Storage.Sqlite;
using ClusterMap.Tests.Shared;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.VectorTiles;
using NetTopologySuite.IO.VectorTiles.Mapbox;
using SkiaSharp;

namespace ClusterMap.Cli.Tests;

/// <summary>The shipped data's store and the real service on it, shared by the seed tests (building both costs seconds).</summary>
public sealed class SeedStoreFixture : IAsyncLifetime
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("clustermap-seed-").FullName;

    public string DatabasePath => Path.Combine(Folder, "shipped.db");

    public ServiceProcess Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await SqliteDatabaseBootstrap.OpenOrCreateAsync(DatabasePath, () => ClusterMap.Core.Import.GeodataManifest.ReadAll(Geodata.GeodataPaths.CommittedGeodata));
        Service = await ServiceProcess.StartAsync(new ServiceProcessOptions
        {
            ApiDll = ServiceProcess.ApiDllInSourceTree(),
            DatabasePath = DatabasePath,
            // The database exists, so only the research base's fit table is read from it.
            GeodataPath = Geodata.GeodataPaths.CommittedGeodata,
            StartTimeout = TimeSpan.FromSeconds(90),
        });
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>
/// <c>clustermap tiles seed</c> through the real CLI: the MBTiles it writes opened by GDAL (raster and vector), its tiles
/// compared with the service's at the same address, bad options refused, Ctrl-C leaving no file.
/// </summary>
public sealed class TilesSeedTests(SeedStoreFixture fixture) : IClassFixture<SeedStoreFixture>
{
    /// <summary>Central Shanghai (People's Square to Lujiazui and beyond): parks, campuses and stations at z10–12.</summary>
    private const string Bbox = "121.40,31.15,121.55,31.30";

    private static readonly Envelope _bbox = new(121.40, 121.55, 31.15, 31.30);

    /// <summary>The README's z12 tile: parks, campuses, stations and their labels.</summary>
    private static readonly TileIndex _tile = TileIndex.Create(12, 3430, 1672);

    /// <summary>A z12 tile in Xuhui with parks, campuses and stations in it.</summary>
    private static readonly TileIndex _vectorTile = TileIndex.Create(12, 3429, 1674);

    private string Output(string name) => Path.Combine(fixture.Folder, name);

    [Fact]
    public async Task SeedPng_GdalinfoOpensTheMbTilesWithItsBoundsAndZooms()
    {
        var path = Output("raster.mbtiles");

        var result = await CliRunner.RunAsync(fixture.Folder, "tiles", "seed", "--bbox", Bbox, "--zooms", "10-12", "--out", path, "--db", fixture.DatabasePath);

        Assert.True(result.ExitCode == 0, result.Error);
        using var info = JsonDocument.Parse(await RunAsync("gdalinfo", "-json", path));
        var root = info.RootElement;
        Assert.Equal("MBTiles", root.GetProperty("driverShortName").GetString());
        // GDAL takes the extent from the bounds metadata, snapped to the pixels of the finest zoom (z12: 360/2^20 degree).
        const double Pixel = 360.0 / (1 << 20);
        var corners = root.GetProperty("wgs84Extent").GetProperty("coordinates")[0].EnumerateArray()
            .Select(c => (Lon: c[0].GetDouble(), Lat: c[1].GetDouble())).ToList();
        Assert.Equal(_bbox.MinX, corners.Min(c => c.Lon), Pixel);
        Assert.Equal(_bbox.MaxX, corners.Max(c => c.Lon), Pixel);
        Assert.Equal(_bbox.MinY, corners.Min(c => c.Lat), Pixel);
        Assert.Equal(_bbox.MaxY, corners.Max(c => c.Lat), Pixel);
        // Full resolution is z12 (its pixel size); the first overview is z11, half as many pixels.
        var pixel = root.GetProperty("geoTransform")[1].GetDouble();
        Assert.Equal(WebMercator.MetersPerPixel(12), pixel, 1e-6);
        var width = root.GetProperty("size")[0].GetInt32();
        var overview = root.GetProperty("bands")[0].GetProperty("overviews")[0].GetProperty("size")[0].GetInt32();
        Assert.InRange(overview, (width / 2) - 1, (width / 2) + 1);
        var metadata = root.GetProperty("metadata").GetProperty("").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(("10", "12", "png"), (metadata["minzoom"], metadata["maxzoom"], metadata["format"]));
        // Every tile meeting the box at each zoom, counted here by brute force over the zoom's whole tile grid.
        var expected = new List<(int Z, int X, int TmsRow)>();
        for (var z = 10; z <= 12; z++)
        {
            for (var x = 0; x < TileIndex.TilesPerSide(z); x++)
            {
                for (var y = 0; y < TileIndex.TilesPerSide(z); y++)
                {
                    if (TileIndex.Create(z, x, y).BoundsLonLat.Intersects(_bbox))
                    {
                        expected.Add((z, x, TileIndex.TilesPerSide(z) - 1 - y));
                    }
                }
            }
        }

        Assert.Equal(expected.Order(), (await ReadTilesAsync(path)).Keys.Order());
    }

    [Fact]
    public async Task SeedPng_TileHasTheServicesPixels()
    {
        var path = Output("same.mbtiles");
        var box = Inner(_tile);

        var result = await CliRunner.RunAsync(fixture.Folder, "tiles", "seed", "--bbox", box, "--zooms", "12", "--out", path, "--db", fixture.DatabasePath);

        Assert.True(result.ExitCode == 0, result.Error);
        var seeded = Assert.Single(await ReadTilesAsync(path));
        Assert.Equal((12, _tile.X, 4095 - _tile.Y), seeded.Key);
        using var client = new HttpClient { BaseAddress = fixture.Service.BaseAddress };
        var served = await client.GetByteArrayAsync($"/tiles/default/{_tile.Z}/{_tile.X}/{_tile.Y}.png");
        using var ours = SKBitmap.Decode(seeded.Value);
        using var theirs = SKBitmap.Decode(served);
        Assert.Equal((256, 256), (ours.Width, ours.Height));
        Assert.Equal(theirs.Pixels, ours.Pixels);
        // Not blank: the tile shows the city (more than the basemap's two colours).
        Assert.True(ours.Pixels.Distinct().Count() > 50);
    }

    [Fact]
    public async Task SeedDensity_TileIsTheServicesDensityTile()
    {
        var path = Output("density.mbtiles");

        var result = await CliRunner.RunAsync(fixture.Folder, "tiles", "seed", "--bbox", Inner(_tile), "--zooms", "12", "--style", "density", "--out", path, "--db", fixture.DatabasePath);

        Assert.True(result.ExitCode == 0, result.Error);
        var seeded = Assert.Single(await ReadTilesAsync(path));
        using var client = new HttpClient { BaseAddress = fixture.Service.BaseAddress };
        // No labels and no basemap: the same bytes, the default bandwidth on both sides.
        Assert.Equal(await client.GetByteArrayAsync($"/tiles/density/{_tile.Z}/{_tile.X}/{_tile.Y}.png"), seeded.Value);
        using var bitmap = SKBitmap.Decode(seeded.Value);
        Assert.Contains(bitmap.Pixels, p => p.Alpha > 0);
    }

    [Fact]
    public async Task SeedMvt_OgrinfoListsTheLayersWithTheTilesFeatures_AsTheServiceWritesThem()
    {
        var path = Output("vector.mbtiles");
        string[] collections = ["parks", "universities", "metro-stations"];

        var result = await CliRunner.RunAsync(fixture.Folder, "tiles", "seed", "--bbox", Inner(_vectorTile), "--zooms", "12", "--format", "mvt",
            "--collections", string.Join(',', collections), "--out", path, "--db", fixture.DatabasePath);

        Assert.True(result.ExitCode == 0, result.Error);
        // The expected counts by brute force: every stored feature of the collection within the tile and its buffer.
        var store = new SqliteFeatureStore(fixture.DatabasePath);
        var bounds = _vectorTile.BoundsLonLat;
        var buffered = new Envelope(bounds);
        buffered.ExpandBy(bounds.Width * 64 / 4096, bounds.Height * 64 / 4096);
        var expected = new Dictionary<string, int>();
        foreach (var collection in collections)
        {
            expected[collection] = (await store.GetAllItemsAsync(collection)).Count(f => buffered.Intersects(f.Geometry.EnvelopeInternal));
        }

        Assert.All(expected.Values, count => Assert.True(count > 0, "the test tile should hold features of every layer"));
        var listing = await RunAsync("ogrinfo", "-ro", "-so", "-al", path);
        var counts = Regex.Matches(listing, @"Layer name: (\S+)[\s\S]*?Feature Count: (\d+)")
            .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.Equal(expected.OrderBy(p => p.Key), counts.OrderBy(p => p.Key));
        Assert.Contains("MBTiles", await RunAsync("ogrinfo", "-ro", "-so", path), StringComparison.Ordinal);

        // Layer by layer, the seeded tile holds the service's tile of that collection: same ids, properties, geometry.
        var seeded = Decode(Gunzip(Assert.Single(await ReadTilesAsync(path)).Value));
        using var client = new HttpClient { BaseAddress = fixture.Service.BaseAddress };
        foreach (var collection in collections)
        {
            var served = Decode(await client.GetByteArrayAsync($"/tiles/{collection}/{_vectorTile.Z}/{_vectorTile.X}/{_vectorTile.Y}.mvt"));
            Assert.Equal(Describe(served, collection), Describe(seeded, collection));
            Assert.Equal(expected[collection], Describe(seeded, collection).Count);
        }
    }

    [Theory]
    [InlineData("--bbox", "121.4,31.1,121.5", "minLon,minLat,maxLon,maxLat")]
    [InlineData("--bbox", "121.5,31.1,121.4,31.2", "min < max")]
    [InlineData("--bbox", "121.4,-89,121.5,31", "85.0511")]
    [InlineData("--zooms", "14-8", "MIN-MAX")]
    [InlineData("--zooms", "23", "≤ 22")]
    [InlineData("--format", "jpg", "png or mvt")]
    [InlineData("--style", "fancy", "default, clusters, basemap")]
    [InlineData("--collections", "parks,nope", "comma-separated ids from:")]
    [InlineData("--lang", "fr", "zh, en or both")]
    public async Task Seed_WithBadOption_NamesTheOptionAndItsFormAndWritesNothing(string option, string value, string form)
    {
        var path = Output($"bad-{Guid.NewGuid():N}.mbtiles");
        string[] arguments = ["tiles", "seed", "--bbox", Bbox, "--zooms", "11", "--out", path, "--db", fixture.DatabasePath];
        if (option == "--collections")
        {
            arguments = [.. arguments, "--format", "mvt"];
        }

        var index = Array.IndexOf(arguments, option);
        arguments = index >= 0 ? [.. arguments[..(index + 1)], value, .. arguments[(index + 2)..]] : [.. arguments, option, value];

        var result = await CliRunner.RunAsync(fixture.Folder, arguments);

        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith(option + ":", result.Error, StringComparison.Ordinal);
        Assert.Contains(form, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public async Task Seed_InterruptedWithCtrlC_LeavesTheDestinationAsItWasAndNoPartialFile()
    {
        var path = Output("interrupted.mbtiles");
        await File.WriteAllTextAsync(path, "an earlier file");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = fixture.Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The whole city at z8–16 (some 60,000 tiles) takes far longer than this test waits.
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "clustermap.dll"), "tiles", "seed", "--bbox", "120.9,30.7,122.0,31.8", "--zooms", "8-16", "--out", path, "--db", fixture.DatabasePath])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(path + ".partial") && DateTime.UtcNow < deadline && !process.HasExited)
        {
            await Task.Delay(50);
        }

        Assert.True(File.Exists(path + ".partial"), "the seed should have started writing");
        await Task.Delay(1000);
        using (var interrupt = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)])!)
        {
            await interrupt.WaitForExitAsync();
        }

        // Generous: under the whole suite's load the tiles in flight finish slowly before the seed stops.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(130, process.ExitCode);
        Assert.Contains("Stopped: nothing was written", await error, StringComparison.Ordinal);
        Assert.Equal("an earlier file", await File.ReadAllTextAsync(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    /// <summary>A box strictly inside the tile, so a seed at its zoom draws that tile alone.</summary>
    private static string Inner(TileIndex tile)
    {
        var b = tile.BoundsLonLat;
        return string.Create(CultureInfo.InvariantCulture, $"{b.MinX + (b.Width / 4)},{b.MinY + (b.Height / 4)},{b.MaxX - (b.Width / 4)},{b.MaxY - (b.Height / 4)}");
    }

    private static async Task<Dictionary<(int Z, int X, int TmsRow), byte[]>> ReadTilesAsync(string path)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles";
        await using var reader = await command.ExecuteReaderAsync();
        var tiles = new Dictionary<(int, int, int), byte[]>();
        while (await reader.ReadAsync())
        {
            tiles[(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2))] = (byte[])reader[3];
        }

        return tiles;
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    private static VectorTile Decode(byte[] bytes) =>
        new MapboxTileReader().Read(new MemoryStream(bytes), new NetTopologySuite.IO.VectorTiles.Tiles.Tile(_vectorTile.X, _vectorTile.Y, _vectorTile.Z));

    /// <summary>A layer's features as comparable text: id, every attribute, geometry as WKT, sorted by id.</summary>
    private static List<string> Describe(VectorTile tile, string layer) =>
        [.. (tile.Layers.FirstOrDefault(l => l.Name == layer)?.Features ?? [])
            .Select(f => string.Join('|', f.Attributes.GetNames().Order(StringComparer.Ordinal).Select(n => $"{n}={Convert.ToString(f.Attributes[n], CultureInfo.InvariantCulture)}")) + "|" + f.Geometry.AsText())
            .Order(StringComparer.Ordinal)];

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var result = await CliRunner.RunProgramAsync(Path.GetTempPath(), program, arguments);
        Assert.True(result.ExitCode == 0, $"{program} failed: {result.Error}");
        return result.Output;
    }
}
