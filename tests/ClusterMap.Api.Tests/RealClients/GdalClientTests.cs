using System.Diagnostics;
using System.Text.Json;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Api.Tests.RealClients;

/// <summary>
/// GDAL's OGC API – Features driver (OAPIF) against the running service: our proof that real GIS clients can read
/// it. GDAL is a test prerequisite (`make test` installs gdal-bin); a missing ogrinfo fails these tests.
/// </summary>
public sealed class GdalClientTests : IAsyncLifetime
{
    private ServiceProcess _service = null!;
    private readonly string _directory = Directory.CreateTempSubdirectory("clustermap-gdal-").FullName;

    public async Task InitializeAsync() => _service = await ServiceProcess.StartAsync(ClusterMapFactory.TestGeodata);

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<string> RunGdalAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _directory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Keep GDAL from consulting anything but our service.
        start.Environment["GDAL_HTTP_TIMEOUT"] = "30";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{await error}\n--- service log ---\n{_service.Log}");
        return await output;
    }

    [Fact]
    public async Task Ogrinfo_ListsEveryCollectionWithItsFeatureCount()
    {
        var output = await RunGdalAsync("ogrinfo", "-ro", "-al", "-so", $"OAPIF:{_service.BaseAddress}");

        Assert.Contains("Layer name: sites", output, StringComparison.Ordinal);
        Assert.Contains("Layer name: zones", output, StringComparison.Ordinal);
        Assert.Matches(@"Layer name: sites[\s\S]*?Feature Count: 25", output);
        Assert.Matches(@"Layer name: zones[\s\S]*?Feature Count: 2", output);
    }

    [Fact]
    public async Task Ogr2ogr_CopiesEveryFeatureByFollowingNextLinks()
    {
        // A page size of 4 forces GDAL through seven pages of next links for 25 features.
        await RunGdalAsync("ogr2ogr", "-f", "GeoJSON", "out.geojson", $"OAPIF:{_service.BaseAddress}", "sites", "-oo", "PAGE_SIZE=4");

        using var copied = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_directory, "out.geojson")));
        var features = copied.RootElement.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"site-{i:00}"), features.Select(f => f.GetProperty("properties").GetProperty("id").GetString()));
        Assert.Equal([121.2, 31.2], features[12].GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(c => c.GetDouble()));
        Assert.Equal("Test site 12", features[12].GetProperty("properties").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Ogr2ogr_ToGeoPackage_KeepsPolygonsAndChineseText()
    {
        await RunGdalAsync("ogr2ogr", "-f", "GPKG", "out.gpkg", $"OAPIF:{_service.BaseAddress}", "zones");
        var output = await RunGdalAsync("ogrinfo", "-ro", "-al", "out.gpkg");

        Assert.Contains("Feature Count: 2", output, StringComparison.Ordinal);
        Assert.Contains("name_zh (String) = 测试园区", output, StringComparison.Ordinal);
        Assert.Contains("POLYGON ((121.05 31.05,121.15 31.05,121.15 31.15,121.05 31.15,121.05 31.05))", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GdalReadsItemsInEpsg3857ThroughCrs_MatchingOgr2ogrsOwnReprojection()
    {
        // GDAL 3.6's OAPIF driver has no CRS open option (ogrinfo --format OAPIF), so GDAL's GeoJSON driver reads the
        // items URL with crs=…/3857; the reference is GDAL reprojecting the CRS84 collection itself (-t_srs).
        var items = $"{_service.BaseAddress.ToString().TrimEnd('/')}/collections/zones/items?limit=100&crs=http://www.opengis.net/def/crs/EPSG/0/3857";
        // The service's first CRS answer loads the China outline and ProjNet; on a loaded machine that can outlast
        // GDAL's 30 s HTTP timeout, which is not what this test is about.
        using (var warmUp = new HttpClient { Timeout = TimeSpan.FromMinutes(2) })
        {
            (await warmUp.GetAsync(items)).EnsureSuccessStatusCode();
        }

        await RunGdalAsync("ogr2ogr", "-f", "GeoJSON", "served.geojson", items);
        await RunGdalAsync("ogr2ogr", "-f", "GeoJSON", "reference.geojson", $"OAPIF:{_service.BaseAddress}", "zones", "-t_srs", "EPSG:3857");

        var served = Positions(Path.Combine(_directory, "served.geojson"));
        var reference = Positions(Path.Combine(_directory, "reference.geojson"));
        Assert.Equal(reference.Keys.Order(), served.Keys.Order());
        foreach (var (id, positions) in reference)
        {
            Assert.Equal(positions.Count, served[id].Count);
            for (var i = 0; i < positions.Count; i++)
            {
                // 1 cm: PROJ and ProjNet agree to millimetres on spherical Mercator; GDAL writes 15 significant digits.
                Assert.Equal(positions[i][0], served[id][i][0], 0.01);
                Assert.Equal(positions[i][1], served[id][i][1], 0.01);
            }
        }
    }

    private static Dictionary<string, List<double[]>> Positions(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("features").EnumerateArray().ToDictionary(
            f => f.GetProperty("properties").TryGetProperty("id", out var id) ? id.ToString() : f.GetProperty("id").ToString(),
            f => Flatten(f.GetProperty("geometry").GetProperty("coordinates")).ToList());
    }

    private static IEnumerable<double[]> Flatten(JsonElement coordinates) =>
        coordinates[0].ValueKind == JsonValueKind.Number
            ? [[coordinates[0].GetDouble(), coordinates[1].GetDouble()]]
            : coordinates.EnumerateArray().SelectMany(Flatten);
}
