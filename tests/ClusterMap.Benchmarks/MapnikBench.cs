using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Tiles;
using ClusterMap.Tests.Shared;
using NetTopologySuite.Geometries;

namespace ClusterMap.Benchmarks;

/// <summary>
/// `ClusterMap.Benchmarks mapnik [--quick]`: the same cold raster tiles, z8–z14, drawn by ClusterMap (the real service
/// over loopback HTTP, SQLite store) and by Mapnik 3.1 (Debian python3-mapnik, mapnik_tiles.py, in the same style),
/// on generated data: 20,000 park polygons and 100,000 institute points around Shanghai (--quick: a tenth).
/// </summary>
/// <remarks>
/// Zoom by zoom, ClusterMap's tiles then Mapnik's, so both see the same machine load. Every tile is asked for once
/// (no tile cache can answer: the memory cache is sized 0 and the tile store is off, as both configurations share one database). ClusterMap runs twice: with the collections held in memory for maps (the default,
/// Maps:InMemoryMaxFeatures 100,000) and read from the store's R*Tree per tile (Maps:InMemoryMaxFeatures 0). Mapnik
/// reads GeoJSON into its in-memory index once, timed apart; ClusterMap's first tile after start is timed apart too.
/// </remarks>
internal static class MapnikBench
{
    private static readonly Coordinate _center = new(121.47, 31.23);

    public static async Task<int> RunAsync(string[] args, string apiDll)
    {
        var quick = args.Contains("--quick");
        var polygons = quick ? 2_000 : 20_000;
        var points = quick ? 10_000 : 100_000;
        if (!EnsureMapnik())
        {
            return 1;
        }

        // --keep DIR: generate into DIR and leave it (geodata/ and bench.db) for profiling a service by hand.
        var keep = Array.IndexOf(args, "--keep") is var at and >= 0 && at + 1 < args.Length ? Path.GetFullPath(args[at + 1]) : null;
        var directory = keep ?? Directory.CreateTempSubdirectory("clustermap-mapnik-").FullName;
        Directory.CreateDirectory(directory);
        try
        {
            var geodata = Path.Combine(directory, "geodata");
            Directory.CreateDirectory(geodata);
            WriteData(geodata, polygons, points);
            var database = Path.Combine(directory, "bench.db");
            var script = Path.Combine(ServiceProcess.RepositoryRoot(), "tests", "ClusterMap.Benchmarks", "mapnik_tiles.py");
            Console.WriteLine($"Data: {polygons:N0} park polygons + {points:N0} institute points (generated, seeded); tiles 256 px, style default");

            // First start imports the data; the second start is a fresh process on the built database.
            var import = Stopwatch.StartNew();
            await using (await ServiceProcess.StartAsync(new ServiceProcessOptions { ApiDll = apiDll, GeodataPath = geodata, DatabasePath = database, StartTimeout = TimeSpan.FromMinutes(10) }))
            {
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Import (first start): {import.Elapsed.TotalSeconds:0.0} s"));
            var zooms = Enumerable.Range(8, 7).ToList();
            var configurations = new[] { ("in memory", "100000"), ("store R*Tree", "0") };
            var clusterMap = new Dictionary<(string, int), List<double>>();
            var mapnik = new Dictionary<int, List<double>>();
            var firstTile = new Dictionary<string, double>();
            var empty = new Dictionary<string, List<double>>();
            var services = new Dictionary<string, ServiceProcess>();
            try
            {
                foreach (var (name, threshold) in configurations)
                {
                    var service = await ServiceProcess.StartAsync(new ServiceProcessOptions
                    {
                        ApiDll = apiDll,
                        DatabasePath = database,
                        Settings = new Dictionary<string, string> { ["Maps__InMemoryMaxFeatures"] = threshold, ["Maps__TileCacheBytes"] = "0", ["Maps__TileStore"] = "false" },
                    });
                    services[name] = service;
                    using var client = new HttpClient { BaseAddress = service.BaseAddress };
                    try
                    {
                        // After readiness, as a load balancer would send it; not the z12 tile the service draws as it
                        // starts (Maps:WarmUpAtStart), nor one of that tile's meta-tile.
                        await WaitUntilReadyAsync(client);
                        firstTile[name] = await TimeTileAsync(client, TileIndex.Containing(_center, 13));
                    }
                    catch (HttpRequestException)
                    {
                        Console.Error.WriteLine(service.Log[Math.Max(0, service.Log.Length - 4000)..]);
                        throw;
                    }
                }

                foreach (var z in zooms)
                {
                    var tiles = Block(z).ToList();
                    foreach (var (name, _) in configurations)
                    {
                        using var client = new HttpClient { BaseAddress = services[name].BaseAddress };
                        var times = new List<double>();
                        foreach (var tile in tiles)
                        {
                            times.Add(await TimeTileAsync(client, tile));
                        }

                        clusterMap[(name, z)] = times;
                    }

                    mapnik[z] = RunMapnik(script, geodata, tiles, directory).Tiles;
                }

                var emptyTiles = Enumerable.Range(0, 40).Select(i => TileIndex.Create(14, 5000 + i, 9000)).ToList();
                foreach (var (name, _) in configurations)
                {
                    using var client = new HttpClient { BaseAddress = services[name].BaseAddress };
                    empty[name] = [];
                    foreach (var tile in emptyTiles)
                    {
                        empty[name].Add(await TimeTileAsync(client, tile));
                    }
                }

                var emptyMapnik = RunMapnik(script, geodata, emptyTiles, directory);
                Print(zooms, configurations.Select(c => c.Item1).ToList(), clusterMap, mapnik, firstTile, empty, emptyMapnik);
            }
            finally
            {
                foreach (var service in services.Values)
                {
                    await service.DisposeAsync();
                }
            }

            return 0;
        }
        finally
        {
            if (keep is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static void Print(
        List<int> zooms, List<string> names, Dictionary<(string, int), List<double>> clusterMap, Dictionary<int, List<double>> mapnik,
        Dictionary<string, double> firstTile, Dictionary<string, List<double>> empty, (double LoadMs, double FirstMs, List<double> Tiles) emptyMapnik)
    {
        Console.WriteLine();
        Console.WriteLine("Mean cold ms per tile (ClusterMap: HTTP request to PNG bytes; Mapnik: render and PNG encode in process)");
        Console.WriteLine($"zoom  tiles  {string.Join("  ", names.Select(n => $"ClusterMap {n,-12}"))}  Mapnik 3.1  ratio ({names[0]})  ratio ({names[1]})");
        foreach (var z in zooms)
        {
            var m = mapnik[z].Average();
            var line = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{z,4}  {mapnik[z].Count,5}"));
            foreach (var name in names)
            {
                line.Append(CultureInfo.InvariantCulture, $"  {clusterMap[(name, z)].Average(),23:0.00}");
            }

            line.Append(CultureInfo.InvariantCulture, $"  {m,10:0.00}");
            foreach (var name in names)
            {
                line.Append(CultureInfo.InvariantCulture, $"  {clusterMap[(name, z)].Average() / m,16:0.00}×");
            }

            Console.WriteLine(line);
        }

        Console.WriteLine();
        foreach (var name in names)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ClusterMap {name}: first tile after start {firstTile[name]:0.0} ms; empty tile (z14, far from all data) mean {empty[name].Average():0.00} ms, median {Median(empty[name]):0.00} ms"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Mapnik: datasources opened and indexed in {emptyMapnik.LoadMs:0.0} ms; first tile after that {emptyMapnik.FirstMs:0.0} ms; empty tile mean {emptyMapnik.Tiles.Average():0.00} ms, median {Median(emptyMapnik.Tiles):0.00} ms"));
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task WaitUntilReadyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while ((await client.GetAsync("/readyz")).StatusCode != System.Net.HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the service did not become ready within 5 minutes");
            }

            await Task.Delay(20);
        }
    }

    private static async Task<double> TimeTileAsync(HttpClient client, TileIndex tile)
    {
        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync($"/tiles/default/{tile.Z}/{tile.X}/{tile.Y}.png");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var ms = watch.Elapsed.TotalMilliseconds;
        if (!response.IsSuccessStatusCode || bytes.Length < 8)
        {
            throw new InvalidOperationException($"tile {tile}: {(int)response.StatusCode}");
        }

        return ms;
    }

    /// <summary>A 4×4 block of tiles (one label meta-tile) at the data's centre.</summary>
    private static IEnumerable<TileIndex> Block(int z)
    {
        var middle = TileIndex.Containing(_center, z);
        var x0 = middle.X / 4 * 4;
        var y0 = middle.Y / 4 * 4;
        for (var y = y0; y < y0 + 4; y++)
        {
            for (var x = x0; x < x0 + 4; x++)
            {
                yield return TileIndex.Create(z, x, y);
            }
        }
    }

    private static (double LoadMs, double FirstMs, List<double> Tiles) RunMapnik(string script, string geodata, List<TileIndex> tiles, string directory)
    {
        var list = Path.Combine(directory, "tiles.txt");
        File.WriteAllLines(list, tiles.Select(t => $"{t.Z} {t.X} {t.Y}"));
        var output = Path.Combine(directory, "mapnik.json");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, geodata, list, output })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("mapnik_tiles.py failed:\n" + error);
        }

        using var json = JsonDocument.Parse(File.ReadAllText(output));
        return (json.RootElement.GetProperty("load_ms").GetDouble(), json.RootElement.GetProperty("first_ms").GetDouble(), [.. json.RootElement.GetProperty("tiles").EnumerateArray().Select(t => t[3].GetDouble())]);
    }

    /// <summary>Mapnik's Python binding from Debian, installed with apt-get when missing (the benchmark runs as root in CI).</summary>
    private static bool EnsureMapnik()
    {
        if (Run("/usr/bin/python3", "-c", "import mapnik") == 0)
        {
            return true;
        }

        Console.WriteLine("Installing python3-mapnik (Mapnik 3.1) with apt-get…");
        if (Run("apt-get", "install", "-y", "-q", "python3-mapnik") == 0 && Run("/usr/bin/python3", "-c", "import mapnik") == 0)
        {
            return true;
        }

        Console.Error.WriteLine("Mapnik is not available: install it with `sudo apt-get install python3-mapnik` and run again.");
        return false;
    }

    private static int Run(string tool, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    /// <summary>
    /// Park polygons (hexagons of 60–350 m) and institute points, 70 % around twelve centres (σ 2–6 km), the rest spread
    /// over the city; names say they are generated. Written as a geodata folder both renderers read.
    /// </summary>
    private static void WriteData(string geodata, int polygons, int points)
    {
        var random = new Random(2026);
        var centres = Enumerable.Range(0, 12).Select(_ => (X: 121.15 + (random.NextDouble() * 0.65), Y: 30.9 + (random.NextDouble() * 0.5), Sigma: 0.02 + (random.NextDouble() * 0.04))).ToArray();
        (double X, double Y) Place()
        {
            if (random.NextDouble() < 0.3)
            {
                return (121.0 + (random.NextDouble() * 0.9), 30.75 + (random.NextDouble() * 0.8));
            }

            var c = centres[random.Next(centres.Length)];
            var r = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * c.Sigma;
            var a = random.NextDouble() * 2 * Math.PI;
            return (c.X + (r * Math.Cos(a)), c.Y + (r * Math.Sin(a)));
        }

        var parks = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[\n");
        for (var i = 0; i < polygons; i++)
        {
            var (x, y) = Place();
            var radius = (60 + (random.NextDouble() * 290)) / 111_320;
            var ring = Enumerable.Range(0, 7).Select(k => k % 6).Select(k => string.Create(CultureInfo.InvariantCulture,
                $"[{x + (radius * Math.Cos(k * Math.PI / 3) / Math.Cos(y * Math.PI / 180)):0.000000},{y + (radius * Math.Sin(k * Math.PI / 3)):0.000000}]")).ToList();
            parks.Append(CultureInfo.InvariantCulture, $"{(i > 0 ? ",\n" : "")}{{\"type\":\"Feature\",\"id\":\"park-{i:D6}\",\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[{string.Join(',', ring)}]]}},\"properties\":{{\"name_en\":\"Generated park {i:D6}\"}}}}");
        }

        File.WriteAllText(Path.Combine(geodata, "parks.geojson"), parks.Append("\n]}\n").ToString());
        var institutes = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[\n");
        for (var i = 0; i < points; i++)
        {
            var (x, y) = Place();
            institutes.Append(CultureInfo.InvariantCulture, $"{(i > 0 ? ",\n" : "")}{{\"type\":\"Feature\",\"id\":\"inst-{i:D6}\",\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{x:0.000000},{y:0.000000}]}},\"properties\":{{\"name_en\":\"Generated institute {i:D6}\"}}}}");
        }

        File.WriteAllText(Path.Combine(geodata, "institutes.geojson"), institutes.Append("\n]}\n").ToString());
        File.WriteAllText(Path.Combine(geodata, "collections.json"), """
            {
              "collections": [
                { "id": "parks", "title": "Generated parks", "description": "Benchmark polygons (generated)", "file": "parks.geojson", "attribution": "generated", "license": "CC0-1.0", "role": "park" },
                { "id": "institutes", "title": "Generated institutes", "description": "Benchmark points (generated)", "file": "institutes.geojson", "attribution": "generated", "license": "CC0-1.0", "role": "institute" }
              ]
            }
            """);
    }
}
