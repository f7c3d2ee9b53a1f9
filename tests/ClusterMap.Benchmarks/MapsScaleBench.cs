using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Data;
using ClusterMap.Tests.Shared;
using NetTopologySuite.Geometries;
using Npgsql;

namespace ClusterMap.Benchmarks;

/// <summary>
/// `maps-scale`: the maps of issue 16 on the scale benchmark's data (1M points + 200k polygons, loaded by
/// <see cref="ScaleBench.LoadAsync"/> into a throwaway PostGIS database), served by one real API process with no tile
/// cache (memory cache 0, tile store off) and asked by one client at a time: latency, not throughput. The points are
/// loaded as an institute collection and the polygons as a park collection, named, so the default style draws, clusters
/// and labels them at every zoom as it would a real dataset (the scale benchmark's own collection, role context and
/// unnamed, is drawn from z12 only: --one-collection).
/// </summary>
/// <remarks>
/// Every raster and vector tile is cold: distinct tiles, one per label meta-tile, so each request also places its
/// meta-tile's labels. Tiles contain query origins drawn from the data's own distribution (where users look), plus
/// tiles far out at sea. Vector tiles are asked of a first process that builds them in PostGIS (ST_AsMVT, the
/// default) and of a second one that reads the features and writes them itself (Maps:VectorTilesInDatabase=false).
/// The service's peak resident memory (VmHWM) is read after start and after every group of requests, so the group
/// that raised it is visible; the CPU of the service and of the PostgreSQL backends serving it is read around each group.
/// </remarks>
internal static class MapsScaleBench
{
    private const string Usage = """
        ClusterMap maps at scale (issue 16): ClusterMap.Benchmarks maps-scale --postgres CONNSTR [options]
          --points N            points to load (default 1m; polygons = 20% of the points); --quick: 10k
          --tiles N             tiles per zoom, z8–z14, raster and vector (default 40, quick 8); as many static maps of each size
                                and park reports
          --repeat N            requests of the client config and each TileJSON (default 20, quick 5)
          --in-memory-max N     set Maps:InMemoryMaxFeatures (default: the service's own default)
          --one-collection      load the scale benchmark's single unnamed collection as it does (role context: no
                                symbol below z12, no label), instead of its points as institutes and its polygons as parks
          --seed N              generator seed (default 20240604, the scale benchmark's)
          --api-dll PATH        the built ClusterMap.Api.dll
          --markdown PATH       also write the tables as Markdown to PATH
          --warm-up N           before measuring, N other tiles per zoom (raster and vector), static maps and briefs,
                                away from the measured tiles' meta-tiles, so that the .NET JIT's tiers have settled
                                (default 8; 0 measures a process that has drawn only its start-up tile)
          --hold SECONDS        instead of measuring: start the ST_AsMVT service on the loaded data, print its address
                                and process id and the tiles it would ask for, and keep it up that long (for profiling)
        """;

    private const string Database = "clustermap_maps_scale";

    // The two ways vector tiles are built: by PostGIS, or by the service from the features it reads.
    private const string InDatabase = "ST_AsMVT";

    private const string Writer = "service writer";

    private const int MinZoom = 8;

    private const int MaxZoom = 14;

    // Targets of issue 16's "Done when", printed beside what was measured.
    private const double PeakRssTargetMegabytes = 1024;

    private const double RasterP95TargetMs = 150;

    private const double VectorP95TargetMs = 50;

    private sealed record Group(string Service, string Route, string Zoom, IReadOnlyList<string> Paths);

    private sealed record Measured(Group Group, double[] Ms, long[] Bytes, int Errors, double ApiCpuMsPerRequest, double PostgresCpuMsPerRequest, double PeakRssMegabytes)
    {
        public double P(double quantile) => Percentile(Ms, quantile);

        public double P(double quantile, long[] values) => Percentile([.. values.Select(v => (double)v)], quantile);
    }

    public static async Task<int> RunAsync(string[] args, string defaultApiDll)
    {
        int? points = null, tilesPerZoom = null, repeat = null, holdSeconds = null;
        var warmUp = 8;
        var seed = 20240604;
        long? inMemoryMax = null;
        string? postgres = null, markdown = null, apiDll = null;
        bool quick = false, oneCollection = false;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--points": points = BenchOptions.ParseSize(Next()); break;
                    case "--tiles": tilesPerZoom = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--repeat": repeat = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--in-memory-max": inMemoryMax = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--postgres": postgres = Next(); break;
                    case "--api-dll": apiDll = Next(); break;
                    case "--markdown": markdown = Next(); break;
                    case "--warm-up": warmUp = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--hold": holdSeconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--quick": quick = true; break;
                    case "--one-collection": oneCollection = true; break;
                    default: throw new ArgumentException($"Unknown option {args[i]}.");
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"{e.Message}\n{Usage}");
            return 2;
        }

        if (string.IsNullOrEmpty(postgres))
        {
            Console.Error.WriteLine($"maps-scale needs --postgres (make bench starts a throwaway cluster).\n{Usage}");
            return 2;
        }

        var size = points ?? (quick ? 10_000 : 1_000_000);
        var perZoom = tilesPerZoom ?? (quick ? 8 : 40);
        var repeats = repeat ?? (quick ? 5 : 20);
        var loadAtStart = LoadAverage();
        var notes = new List<string>();
        var data = SyntheticCollection.Create(size, seed);
        Log($"maps-scale: {data.Points:N0} points + {data.Polygons:N0} polygons generated");

        var admin = new NpgsqlConnectionStringBuilder(postgres) { Pooling = false }.ConnectionString;
        await ScaleBench.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
        await ScaleBench.ExecuteAsync(admin, $"CREATE DATABASE {Database}");
        var connectionString = new NpgsqlConnectionStringBuilder(postgres) { Database = Database }.ConnectionString;
        var results = new List<Measured>();
        var afterStart = new Dictionary<string, double>();
        var warmedUp = new Dictionary<string, (int Requests, double Seconds)>();
        try
        {
            var collections = oneCollection ? null : ParksAndInstitutes(data);
            notes.Add(await ScaleBench.LoadAsync(connectionString, data, collections));
            Log($"maps-scale: {notes[^1]}");
            NpgsqlConnection.ClearAllPools();
            var threshold = inMemoryMax ?? new MapReadSettings().InMemoryMaxFeatures;
            var loaded = collections?.Select(c => (c.Definition.Id, c.Features.Count, Role: CollectionRole.Of(c.Definition))).ToList()
                ?? [(SyntheticCollection.CollectionId, data.Items.Length, CollectionRole.Context)];
            foreach (var (id, count, role) in loaded)
            {
                notes.Add(Invariant($"Collection {id} (role {role}) holds {count:N0} features; Maps:InMemoryMaxFeatures {threshold:N0}{(inMemoryMax is null ? " (the service's default)" : "")}: maps read it {(count > threshold ? "from PostGIS's GiST index per tile or figure" : "from memory (held once per data version), not from PostGIS per tile")}."));
                Log($"maps-scale: {notes[^1]}");
            }

            var vectorIds = loaded.Select(c => c.Item1).ToList();
            var invalid = await ScaleBench.ScalarAsync(connectionString, "SELECT count(*) FROM features WHERE NOT ST_IsValid(geom)");
            var reason = await ScaleBench.ScalarAsync(connectionString, "SELECT feature_id || ': ' || ST_IsValidReason(geom) FROM features WHERE NOT ST_IsValid(geom) ORDER BY fid LIMIT 1");
            notes.Add(Invariant($"Invalid geometries (PostGIS ST_IsValid) among the {data.Polygons:N0} generated polygons: {invalid}{(reason.Length > 0 ? $", e.g. {reason}" : "")}; a map must draw them all the same."));
            Log($"maps-scale: {notes[^1]}");

            var tiles = Enumerable.Range(MinZoom, MaxZoom - MinZoom + 1).ToDictionary(z => z, z => TilesWithData(data.Origins, z, perZoom, []));
            var empty = EmptyTiles(perZoom);
            var origins = data.Origins.Take(perZoom).ToList();
            // The warm-up's inputs: origins from the second half, tiles of other meta-tiles than the measured ones (whose
            // labels it would otherwise place), other parks.
            var warmOrigins = data.Origins[(data.Origins.Length / 2)..];
            var warmTiles = Enumerable.Range(MinZoom, MaxZoom - MinZoom + 1).ToDictionary(
                z => z, z => TilesWithData(warmOrigins, z, warmUp, [.. tiles[z].Select(t => (t.X / 4, t.Y / 4))]));
            var warmParks = ReportedParks(data, perZoom + warmUp).Except(ReportedParks(data, perZoom)).Take(warmUp).ToList();

            foreach (var (service, inDatabase) in new[] { (InDatabase, true), (Writer, false) })
            {
                var groups = new List<Group>();
                if (inDatabase)
                {
                    // What a browser asks for first, then the tiles, then figures.
                    groups.Add(Single(service, "/client/config.json", "/client/config.json", repeats));
                    groups.Add(Single(service, "TileJSON raster", "/tiles/default.json", repeats));
                    groups.AddRange(vectorIds.Select(id => Single(service, $"TileJSON vector {id}", $"/tiles/{id}.json", repeats)));
                    groups.AddRange(tiles.Select(t => new Group(service, "raster tile", Zoom(t.Key), [.. t.Value.Select(x => $"/tiles/default/{x.Z}/{x.X}/{x.Y}.png")])));
                    groups.Add(new Group(service, "raster tile, empty (at sea)", "8–14", [.. empty.Select(x => $"/tiles/default/{x.Z}/{x.X}/{x.Y}.png")]));
                }

                foreach (var id in vectorIds)
                {
                    groups.AddRange(tiles.Select(t => new Group(service, $"vector tile {id} ({service})", Zoom(t.Key), [.. t.Value.Select(x => $"/tiles/{id}/{x.Z}/{x.X}/{x.Y}.mvt")])));
                    groups.Add(new Group(service, $"vector tile {id} ({service}), empty (at sea)", "8–14", [.. empty.Select(x => $"/tiles/{id}/{x.Z}/{x.X}/{x.Y}.mvt")]));
                }
                if (inDatabase)
                {
                    groups.Add(new Group(service, "static map 800×600, 0.1° × 0.075° (about 10 km)", "–", [.. origins.Select(o => StaticMap(o, 0.05))]));
                    groups.Add(new Group(service, "static map 800×600, 2° × 1.5° (about 200 km)", "–", [.. origins.Select(o => StaticMap(o, 1))]));
                    if (!oneCollection)
                    {
                        // A park's brief: its map, its 10 nearest institutes and its research base (institutes within
                        // 2–20 km), measured over the whole institute collection.
                        groups.Add(new Group(service, "report (PDF brief) of a park", "–", [.. ReportedParks(data, perZoom).Select(id => $"/reports/bench_parks/{Uri.EscapeDataString(id)}.pdf")]));
                    }
                }

                var settings = new Dictionary<string, string>
                {
                    ["Storage__Provider"] = "PostGis",
                    ["ConnectionStrings__ClusterMap"] = connectionString,
                    ["Logging__LogLevel__Default"] = "Warning",
                    // Every tile cold: nothing kept in memory, nothing written to or read from the database's tile store.
                    ["Maps__TileCacheBytes"] = "0",
                    ["Maps__TileStore"] = "false",
                    ["Maps__VectorTilesInDatabase"] = inDatabase ? "true" : "false",
                };
                if (inMemoryMax is { } max)
                {
                    settings["Maps__InMemoryMaxFeatures"] = max.ToString(CultureInfo.InvariantCulture);
                }

                var watch = Stopwatch.StartNew();
                await using var process = await ServiceProcess.StartAsync(new ServiceProcessOptions
                {
                    ApiDll = Path.GetFullPath(apiDll ?? defaultApiDll),
                    StartTimeout = TimeSpan.FromSeconds(300),
                    Settings = settings,
                    Output = line => Console.Error.WriteLine($"[api] {line}"),
                });
                using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
                {
                    BaseAddress = process.BaseAddress,
                    Timeout = TimeSpan.FromMinutes(5),
                };
                await WaitUntilReadyAsync(client);
                afterStart[service] = PeakRssMegabytes(process.ProcessId);
                Log(Invariant($"maps-scale: {service}: ready in {watch.Elapsed.TotalSeconds:F1} s (map warm-up included), peak RSS {afterStart[service]:N0} MB before the first request"));
                if (holdSeconds is { } hold)
                {
                    Log(Invariant($"maps-scale: holding {process.BaseAddress} (process {process.ProcessId}) for {hold} s; its requests:"));
                    foreach (var path in groups.SelectMany(g => g.Paths))
                    {
                        Console.WriteLine(path);
                    }

                    await Task.Delay(TimeSpan.FromSeconds(hold));
                    return 0;
                }

                if (warmUp > 0)
                {
                    // Briefs and figures first, tiles last: the briefs' garbage is collected before the first measured tile.
                    var warmPaths = (oneCollection ? [] : warmParks.Select(id => $"/reports/bench_parks/{Uri.EscapeDataString(id)}.pdf"))
                        .Concat(warmOrigins.Take(warmUp).SelectMany(o => (IEnumerable<string>)[StaticMap(o, 0.05), StaticMap(o, 1)]))
                        .Concat(warmTiles.Values.SelectMany(t => t).SelectMany(x => (IEnumerable<string>)[
                            $"/tiles/default/{x.Z}/{x.X}/{x.Y}.png", .. vectorIds.Select(id => $"/tiles/{id}/{x.Z}/{x.X}/{x.Y}.mvt")]))
                        .ToList();
                    var warmWatch = Stopwatch.StartNew();
                    foreach (var path in warmPaths)
                    {
                        using var response = await client.GetAsync(path);
                        await response.Content.ReadAsByteArrayAsync();
                    }

                    warmedUp[service] = (warmPaths.Count, warmWatch.Elapsed.TotalSeconds);
                    Log(Invariant($"maps-scale: {service}: warm-up of {warmPaths.Count} requests away from the measured tiles in {warmWatch.Elapsed.TotalSeconds:F1} s"));
                }

                foreach (var group in groups)
                {
                    var measured = await MeasureAsync(client, process.ProcessId, connectionString, group);
                    results.Add(measured);
                    Log($"maps-scale: {Row(measured)}");
                }
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            try
            {
                await ScaleBench.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
            }
            catch (PostgresException ex)
            {
                notes.Add(Invariant($"Dropping {Database} failed: {ex.MessageText}."));
            }
        }

        notes.Add(Invariant($"{perZoom} tiles per zoom at most: distinct tiles containing query origins drawn from the data's distribution (another seed), one per label meta-tile (4 × 4 tiles), fewer where the data covers fewer meta-tiles; the same tiles as raster and vector. Empty tiles: {EmptyTiles(perZoom).Count} over z8–z14 in the Tasman Sea. Static maps: bbox centred on the first {perZoom} origins, default layers. Reports: {perZoom} parks, every n-th generated polygon. One request at a time over loopback, response read whole; client, service and PostgreSQL share {Environment.ProcessorCount} cores."));
        notes.Add(warmUp > 0
            ? Invariant($"Before measuring, each service process answered a warm-up ({string.Join("; ", warmedUp.Select(w => $"{w.Key}: {w.Value.Requests} requests in {w.Value.Seconds:F1} s"))}): up to {warmUp} tiles per zoom, raster and vector, in meta-tiles no measured tile is in, static maps around other origins and briefs of other parks, so that the .NET JIT's tiers have settled. The measured tiles and figures are still cold: no tile cache, no tile store, labels not yet placed in their meta-tiles.")
            : "No warm-up (--warm-up 0): the service had drawn only its start-up tile, so the first requests of each kind also pay the .NET JIT's compilation.");
        notes.Add("Milliseconds: from sending the request to the last byte of the answer; the latency and size columns count the answered (200) requests only, errors (logged above) are counted apart and make the run fail. p95 is the nearest-rank percentile: with fewer than 20 requests it is the slowest.");
        notes.Add("Peak RSS is the service process's VmHWM (/proc/PID/status) after each group of requests, in the order listed; CPU columns: the service process's user + system time, and the PostgreSQL backends connected to the benchmark database (/proc/PID/stat), per request.");
        notes.Add(Invariant($"Run on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}; load average (1 min) {loadAtStart} at the start and {LoadAverage()} at the end."));
        var report = Render(results, afterStart, notes);
        Console.WriteLine();
        Console.WriteLine(report);
        if (markdown is not null)
        {
            await File.WriteAllTextAsync(markdown, report);
        }

        return results.Any(r => r.Errors > 0) ? 1 : 0;

        static Group Single(string service, string route, string path, int count) => new(service, route, "–", [.. Enumerable.Repeat(path, count)]);
    }

    /// <summary>
    /// The same features as two collections a map draws by role: the points as institutes, the polygons as parks, each
    /// with an English name that says it is generated (labels cost as much as symbols on a real map).
    /// </summary>
    private static List<CollectionImport> ParksAndInstitutes(SyntheticCollection data)
    {
        static FeatureRecord Named(ClusterMap.Core.Proximity.ProximityItem item, string kind) =>
            new(item.Id, item.Geometry, JsonSerializer.Serialize(new Dictionary<string, string> { ["name_en"] = $"Generated {kind} {item.Id}" }));
        return
        [
            new(new CollectionDefinition("bench_parks", "Generated parks", "Benchmark polygons around Chinese cities (generated)", MetadataJson: CollectionRole.WithRole(null, CollectionRole.Park)),
                [.. data.Items.Where(i => i.Geometry is not Point).Select(i => Named(i, "park"))]),
            new(new CollectionDefinition("bench_institutes", "Generated institutes", "Benchmark points around Chinese cities (generated)", MetadataJson: CollectionRole.WithRole(null, CollectionRole.Institute)),
                [.. data.Items.Where(i => i.Geometry is Point).Select(i => Named(i, "institute"))]),
        ];
    }

    /// <summary>Parks spread over the generated data: every n-th polygon, <paramref name="count"/> of them.</summary>
    private static List<string> ReportedParks(SyntheticCollection data, int count)
    {
        var parks = data.Items.Where(i => i.Geometry is not Point).Select(i => i.Id).ToList();
        var step = Math.Max(1, parks.Count / Math.Max(1, count));
        return [.. parks.Where((_, i) => i % step == 0).Take(count)];
    }

    private static string Zoom(int z) => z.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Distinct tiles holding the origins, the first origin of each label meta-tile, at most <paramref name="count"/>,
    /// none in <paramref name="excludedMetaTiles"/>.
    /// </summary>
    private static List<TileIndex> TilesWithData(IEnumerable<Point> origins, int z, int count, IEnumerable<(int, int)> excludedMetaTiles)
    {
        // An excluded meta-tile counts as taken.
        var metaTiles = new HashSet<(int, int)>(excludedMetaTiles);
        var tiles = new List<TileIndex>();
        foreach (var origin in origins)
        {
            var tile = TileIndex.Containing(origin.Coordinate, z);
            if (tiles.Count < count && metaTiles.Add((tile.X / 4, tile.Y / 4)))
            {
                tiles.Add(tile);
            }
        }

        return tiles;
    }

    /// <summary>Tiles over z8–z14 in the Tasman Sea, thousands of kilometres from any generated feature.</summary>
    private static List<TileIndex> EmptyTiles(int count) =>
        [.. Enumerable.Range(0, Math.Max(MaxZoom - MinZoom + 1, count / 4)).Select(i => TileIndex.Containing(new Coordinate(155 + (i * 0.37), -35 + (i % 5 * 0.5)), MinZoom + (i % (MaxZoom - MinZoom + 1)))).Distinct()];

    private static string StaticMap(Point origin, double halfWidthDegrees) =>
        Invariant($"/maps/static.png?bbox={origin.X - halfWidthDegrees:R},{origin.Y - (halfWidthDegrees * 0.75):R},{origin.X + halfWidthDegrees:R},{origin.Y + (halfWidthDegrees * 0.75):R}&width=800&height=600");

    private static async Task<Measured> MeasureAsync(HttpClient client, int servicePid, string connectionString, Group group)
    {
        var apiCpu = LoadRunner.ProcessCpuSeconds(servicePid);
        var backends = await BackendCpuAsync(connectionString);
        // Latencies and sizes of the answered requests only: an error's body says nothing of the route's cost.
        var ms = new List<double>(group.Paths.Count);
        var bytes = new List<long>(group.Paths.Count);
        var errors = 0;
        var slowest = (Ms: 0.0, Path: "");
        foreach (var path in group.Paths)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                using var response = await client.GetAsync(path, HttpCompletionOption.ResponseContentRead);
                var body = await response.Content.ReadAsByteArrayAsync();
                var elapsed = watch.Elapsed.TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    errors++;
                    Console.Error.WriteLine($"{path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300))}");
                    continue;
                }

                ms.Add(elapsed);
                bytes.Add(body.Length);
                slowest = elapsed > slowest.Ms ? (elapsed, path) : slowest;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                errors++;
                Console.Error.WriteLine($"{path}: {e.Message}");
            }
        }

        Log(Invariant($"maps-scale: slowest of {group.Route} {group.Zoom}: {slowest.Path} {slowest.Ms:F1} ms"));
        apiCpu = LoadRunner.ProcessCpuSeconds(servicePid) - apiCpu;
        // Backends the pool opened during the group count from zero; one it closed meanwhile is lost (the pool keeps
        // idle connections for minutes, far longer than a group).
        var after = await BackendCpuAsync(connectionString);
        var postgresCpu = after.Sum(b => b.Value - backends.GetValueOrDefault(b.Key));
        return new Measured(group, [.. ms], [.. bytes], errors, apiCpu * 1000 / group.Paths.Count, postgresCpu * 1000 / group.Paths.Count, PeakRssMegabytes(servicePid));
    }

    private static async Task<Dictionary<int, double>> BackendCpuAsync(string connectionString) =>
        (await ScaleBench.BackendsAsync(connectionString)).ToDictionary(pid => pid, LoadRunner.ProcessCpuSeconds);

    /// <summary>The process's peak resident set (VmHWM) in MB, or NaN when it has gone.</summary>
    private static double PeakRssMegabytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? double.NaN : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    private static async Task WaitUntilReadyAsync(HttpClient client)
    {
        // The map warm-up draws a tile before /readyz answers 200: "before the first request" means after it.
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while ((await client.GetAsync("/readyz")).StatusCode != HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the service did not become ready within 10 minutes");
            }

            await Task.Delay(50);
        }
    }

    private static string Render(List<Measured> results, Dictionary<string, double> afterStart, List<string> notes)
    {
        var text = new StringBuilder();
        text.AppendLine("| service | route | zoom | requests | errors | mean ms | p50 ms | p95 ms | max ms | mean bytes | max bytes | service CPU ms/request | PostgreSQL CPU ms/request | service peak RSS MB after |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.AppendLine(Row(r));
        }

        text.AppendLine();
        text.AppendLine("Vector tiles, the service's writer / ST_AsMVT (same tiles, same data; answered requests only, so where one way failed on a tile the two means are over different tiles):");
        text.AppendLine();
        text.AppendLine("| route | zoom | mean ms ratio | p95 ms ratio | mean bytes ratio |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        var vector = results.Where(r => r.Group.Route.StartsWith("vector tile", StringComparison.Ordinal)).ToList();
        foreach (var inDatabase in vector.Where(r => r.Group.Service == InDatabase))
        {
            var route = inDatabase.Group.Route.Replace(InDatabase, Writer, StringComparison.Ordinal);
            if (vector.FirstOrDefault(r => r.Group.Route == route && r.Group.Zoom == inDatabase.Group.Zoom) is { } written)
            {
                text.AppendLine(Invariant($"| {inDatabase.Group.Route.Replace($" ({InDatabase})", "", StringComparison.Ordinal)} | {inDatabase.Group.Zoom} | {Ratio(Mean(written.Ms), Mean(inDatabase.Ms))} | {Ratio(written.P(0.95), inDatabase.P(0.95))} | {Ratio(Mean(written.Bytes.Select(b => (double)b)), Mean(inDatabase.Bytes.Select(b => (double)b)))} |"));
            }
        }

        text.AppendLine();
        text.AppendLine("Issue 16's targets against this run:");
        text.AppendLine();
        foreach (var (service, rss) in afterStart)
        {
            var peak = results.Where(r => r.Group.Service == service).Select(r => r.PeakRssMegabytes).Append(rss).Max();
            text.AppendLine(Invariant($"- {service} process: peak RSS {rss:N0} MB after start (map warm-up drawn), {peak:N0} MB at the end: {Verdict(peak < PeakRssTargetMegabytes)} (< {PeakRssTargetMegabytes:N0} MB)."));
        }

        Worst("cold raster tile (z8–z14)", results.Where(r => r.Group.Route == "raster tile"), RasterP95TargetMs);
        foreach (var service in new[] { InDatabase, Writer })
        {
            Worst($"vector tile, {service} (z8–z14)", vector.Where(r => r.Group.Service == service && !r.Group.Route.Contains("empty", StringComparison.Ordinal)), VectorP95TargetMs);
        }

        text.AppendLine();
        foreach (var note in notes)
        {
            text.AppendLine("- " + note);
        }

        return text.ToString();

        void Worst(string what, IEnumerable<Measured> rows, double target)
        {
            if (rows.MaxBy(r => r.P(0.95)) is { } worst)
            {
                text.AppendLine(Invariant($"- {what}: worst p95 {worst.P(0.95):F1} ms ({worst.Group.Route}, z{worst.Group.Zoom}): {Verdict(worst.P(0.95) < target)} (< {target:F0} ms)."));
            }
        }
    }

    private static string Row(Measured r) => Invariant(
        $"| {r.Group.Service} | {r.Group.Route} | {r.Group.Zoom} | {r.Group.Paths.Count} | {r.Errors} | {Mean(r.Ms):F1} | {r.P(0.5):F1} | {r.P(0.95):F1} | {r.P(1):F1} | {Mean(r.Bytes.Select(b => (double)b)):N0} | {r.P(1, r.Bytes):N0} | {r.ApiCpuMsPerRequest:F1} | {r.PostgresCpuMsPerRequest:F1} | {r.PeakRssMegabytes:N0} |");

    /// <summary>Nearest-rank percentile: the smallest value with at least <paramref name="quantile"/> of the values at or below it.</summary>
    private static double Percentile(double[] values, double quantile)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static double Mean(IEnumerable<double> values) => values.DefaultIfEmpty(double.NaN).Average();

    private static string Ratio(double numerator, double denominator) => denominator > 0 && !double.IsNaN(numerator) ? Invariant($"{numerator / denominator:F2}×") : "–";

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static void Log(string message) => Console.WriteLine(Invariant($"[{DateTime.Now:HH:mm:ss}] ") + message);
}
