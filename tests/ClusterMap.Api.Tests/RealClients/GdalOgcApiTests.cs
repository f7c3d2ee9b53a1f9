using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Api.Tests.RealClients;

/// <summary>
/// GDAL's OGCAPI driver (Debian's GDAL 3.6) against the running service on the map test data: it finds a collection's
/// map from the collection's links alone, and a map it copies shows the parks where they are.
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

    [Fact]
    public async Task Ogrinfo_OnACollection_WithTheItemsApi_ReadsEveryFeature()
    {
        // GDAL 3.6 prefers a collection's tiles, which it cannot open here (docs/api.md): the items API still reads it.
        var output = await RunGdalAsync("ogrinfo", "-ro", "-so", "-oo", "API=ITEMS", Parks, "parks");
        Assert.Contains("Feature Count: 6", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GdalTranslate_OfTheCollectionsMap_ShowsParkOneInItsSectorColourWhereItIs()
    {
        await RunGdalAsync("gdal_translate", "-q", "-oo", "API=MAP", "-outsize", "560", "0", Parks, "map.tif");

        // The pixel at Park 1's lon/lat, as GDAL georeferences the copy: the life-sciences colour, #CC6677.
        var atPark = await PixelAsync("map.tif", MapAssertions.Park1.X, MapAssertions.Park1.Y);
        Assert.Equal([MapAssertions.LifeSciences.Red, MapAssertions.LifeSciences.Green, MapAssertions.LifeSciences.Blue, 255], atPark, (a, b) => Math.Abs(a - b) <= 12);
        // Between the parks, land: not that colour.
        var between = await PixelAsync("map.tif", 121.33, 31.27);
        Assert.False(Math.Abs(between[0] - MapAssertions.LifeSciences.Red) <= 12 && Math.Abs(between[1] - MapAssertions.LifeSciences.Green) <= 12, "the land between parks is drawn in a park's colour");
    }

    private async Task<int[]> PixelAsync(string file, double lon, double lat)
    {
        var output = await RunGdalAsync("gdallocationinfo", "-valonly", "-wgs84", file,
            lon.ToString(CultureInfo.InvariantCulture), lat.ToString(CultureInfo.InvariantCulture));
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
    }
}
