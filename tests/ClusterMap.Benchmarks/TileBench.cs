using System.Diagnostics;
using System.Globalization;
using ClusterMap.Core.Import;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering;
using ClusterMap.Rendering.Model;
using ClusterMap.Tests.Shared;
using NetTopologySuite.Geometries;

namespace ClusterMap.Benchmarks;

/// <summary>Tile and static-map rendering benchmarks (issue 5): `make bench` runs them after the proximity benchmarks.</summary>
internal static class TileBench
{
    public static async Task RunAsync(string[] args)
    {
        // `make bench`: tile rendering per zoom (cold: rendered, not cached; one thread), tiles served from the API's cache
        // over HTTP, and static map time. A plain Stopwatch harness: the figures asked for are milliseconds per tile and
        // tiles per second, and BenchmarkDotNet's statistics would take minutes per zoom on two cores.
        var root = FindRepositoryRoot();
        // Options: --http-only skips the rendering figures (minutes on a busy machine) for a quick look at the HTTP
        // costs; --api-dll points the HTTP part at another build of the service (an older commit's, for a before/after).
        var httpOnly = args.Contains("--http-only");
        args = [.. args.Where(a => a != "--http-only")];
        var apiAt = Array.IndexOf(args, "--api-dll");
        var api = apiAt >= 0 && apiAt + 1 < args.Length ? Path.GetFullPath(args[apiAt + 1])
            : Path.Combine(root, "src", "ClusterMap.Api", "bin", "Release", "net10.0", "ClusterMap.Api.dll");
        args = apiAt >= 0 ? [.. args[..apiAt], .. args[Math.Min(args.Length, apiAt + 2)..]] : args;
        var geodata = args.Length > 0 ? args[0] : Path.Combine(root, "geodata");
        if (!File.Exists(Path.Combine(geodata, GeodataManifest.FileName)))
        {
            geodata = Path.Combine(root, "tests", "ClusterMap.Rendering.Tests", "TestData", "geodata");
        }

        Console.WriteLine($"Data: {geodata}");
        if (httpOnly)
        {
            await CachedOverHttpAsync(api, geodata);
            return;
        }

        var data = MapData.From(GeodataManifest.ReadAll(geodata).Select(i => (i.Definition, i.Features)), 1);
        using var renderer = MapRenderer.Create();
        var center = new Coordinate(121.47, 31.23);

        Console.WriteLine();
        Console.WriteLine("Raster tiles, 256 px, style default, one thread (cold = rendered and encoded, no tile cache)");
        // CPU ms (the process's processor time per tile) is printed beside wall time: on a shared, busy machine it is the
        // steadier figure of what one tile costs.
        Console.WriteLine("zoom  tiles  first tile ms  mean ms  p95 ms  mean CPU ms");
        var coldMeans = new List<double>();
        for (var z = 8; z <= 16; z++)
        {
            var tiles = Block(center, z, 5).ToList();
            var times = new List<double>();
            var process = Process.GetCurrentProcess();
            var cpuAfterFirst = TimeSpan.Zero;
            foreach (var tile in tiles)
            {
                if (times.Count == 1)
                {
                    process.Refresh();
                    cpuAfterFirst = process.TotalProcessorTime;
                }

                var watch = Stopwatch.StartNew();
                renderer.RenderPng(data, MapRequest.ForTile(tile, 1, null));
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            // The first tile of a zoom also lays out that zoom's labels once for the whole data set.
            var rest = times.Skip(1).Order().ToList();
            var mean = rest.Average();
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuAfterFirst).TotalMilliseconds / rest.Count;
            if (z <= 14)
            {
                coldMeans.Add(mean);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{z,4}  {tiles.Count,5}  {times[0],13:0.0}  {mean,7:0.00}  {rest[(int)(rest.Count * 0.95)],6:0.00}  {cpu,11:0.00}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Mean cold tile z8–z14: {coldMeans.Average():0.00} ms (target < 20 ms)"));

        Console.WriteLine();
        Console.WriteLine("Static maps, 800×600 with title, legend, scale bar, attribution");
        var bounds = MapRequest.BoundsFitting(new Envelope(121.0, 122.0, 30.8, 31.5), 800, 600);
        foreach (var format in new[] { MapFormat.Png, MapFormat.Svg, MapFormat.Pdf })
        {
            var request = new MapRequest(bounds, 800, 600) { Figure = new MapFigure("Benchmark") };
            renderer.Render(data, request, format);
            var watch = Stopwatch.StartNew();
            const int runs = 10;
            for (var i = 0; i < runs; i++)
            {
                renderer.Render(data, request, format);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {format,-4} {watch.Elapsed.TotalMilliseconds / runs,7:0.0} ms"));
        }

        await CachedOverHttpAsync(api, geodata);

        static IEnumerable<TileIndex> Block(Coordinate center, int z, int side)
        {
            var middle = TileIndex.Containing(center, z);
            for (var dx = -side / 2; dx <= side / 2; dx++)
            {
                for (var dy = -side / 2; dy <= side / 2; dy++)
                {
                    if (TileIndex.TryCreate(z, middle.X + dx, middle.Y + dy, out var tile))
                    {
                        yield return tile.Value;
                    }
                }
            }
        }

        // The HTTP cost per request (issue 5's cached tiles, and the envelope around a proximity answer): the real service
        // in its own process with its production logging (one JSON line per request), driven by wrk on loopback. Each
        // endpoint is warmed for a few seconds first, so that the figures are those of optimised code rather than of the
        // JIT's first tiers; the service's CPU is read from /proc before and after, so wrk's own CPU is not in it.
        static async Task CachedOverHttpAsync(string api, string geodata)
        {
            if (!File.Exists(api))
            {
                Console.WriteLine($"\nHTTP cost per request: skipped ({api} not built; `make bench` builds it).");
                return;
            }

            if (!Wrk.IsInstalled())
            {
                Console.WriteLine("\nHTTP cost per request: skipped (wrk is not installed: bash .ci/install-test-deps.sh).");
                return;
            }

            await using var service = await ServiceProcess.StartAsync(new ServiceProcessOptions { ApiDll = api, GeodataPath = geodata });
            using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
            var tiles = Block(new Coordinate(121.47, 31.23), 12, 8).Select(t => $"/tiles/default/{t.Z}/{t.X}/{t.Y}.png").ToArray();
            (string Name, string[] Paths)[] endpoints =
            [
                ("GET /healthz", ["/healthz"]),
                ($"cached tile (z12, {tiles.Length} tiles in turn)", tiles),
                ("GET /collections/parks/items?limit=10", ["/collections/parks/items?limit=10"]),
                ("GET /proximity/nearest k=10", ["/proximity/nearest?target=universities&k=10&lon=121.47&lat=31.23"]),
            ];
            foreach (var path in endpoints.SelectMany(e => e.Paths))
            {
                // Renders every tile once (cold), and loads the proximity snapshot, before anything is timed.
                (await client.GetAsync(path)).EnsureSuccessStatusCode();
            }

            const int connections = 32;
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"HTTP cost per request: wrk, 1 thread, {connections} connections on loopback, 5 s after a 5 s warm-up per endpoint; {Environment.ProcessorCount} cores shared by client and service; production logging (a JSON line per request)"));
            Console.WriteLine("endpoint                                          requests/s   service CPU µs/request   non-2xx   load average");
            foreach (var (name, paths) in endpoints)
            {
                await Wrk.RunAsync(service.BaseAddress, paths, connections, seconds: 5);
                var cpuBefore = LoadRunner.ProcessCpuSeconds(service.ProcessId);
                var run = await Wrk.RunAsync(service.BaseAddress, paths, connections, seconds: 5);
                var cpuPerRequest = (LoadRunner.ProcessCpuSeconds(service.ProcessId) - cpuBefore) / Math.Max(1, run.Requests);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-49} {run.RequestsPerSecond,10:0} {cpuPerRequest * 1e6,24:0} {run.Failed,9}   {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            }

            Console.WriteLine("(service CPU per request: the rate one free core could serve is 1 / that; targets: cached tiles > 10,000/s)");
        }

        static string FindRepositoryRoot()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ClusterMap.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? Directory.GetCurrentDirectory();
        }
    }
}
