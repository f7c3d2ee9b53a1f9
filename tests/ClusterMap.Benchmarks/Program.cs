using System.Globalization;
using ClusterMap.Benchmarks;

// ClusterMap benchmarks. `tiles [GEODATA] [--http-only] [--api-dll DLL]`: tile and static-map rendering, and the HTTP
// cost per request (issue 5). `mapnik [--quick] [--keep DIR]`: the same cold tiles z8–z14 by ClusterMap and by Mapnik 3.1 on
// 20k polygons + 100k points, with the ratio per zoom, the empty tile and the first tile after start. `scale`: 1M points + 200k polygons on PostGIS behind one and two API replicas (issue 8).
// `maps-scale`: tiles, vector tiles, static maps, TileJSON and the client's config on that data, one cold request at a time, with the service's peak RSS (issue 16).
// Otherwise the proximity benchmarks (issue 4): index build, radius and nearest-k queries in process, over HTTP and on
// PostGIS, on seeded synthetic data. `analysis`: the cluster analyses at 100k institutions + 20k parks (issue 19). `make bench` runs them all at full size; `make bench QUICK=1` is a smoke run.
if (args.Length > 0 && args[0] == "tiles")
{
    await TileBench.RunAsync(args[1..]);
    return 0;
}

if (args.Length > 0 && args[0] == "mapnik")
{
    return await MapnikBench.RunAsync(args[1..], DefaultApiDll());
}

if (args.Length > 0 && args[0] == "scale")
{
    return await ScaleBench.RunAsync(args[1..], DefaultApiDll());
}

if (args.Length > 0 && args[0] == "maps-scale")
{
    return await MapsScaleBench.RunAsync(args[1..], DefaultApiDll());
}

if (args.Length > 0 && args[0] == "analysis")
{
    AnalysisBench.Run(args[1..]);
    return 0;
}

if (args.Length > 0 && args[0] == "profile")
{
    ProfileBench.Run(args[1..]);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var apiDll = Path.GetFullPath(options.ApiDll ?? DefaultApiDll());
var report = new Report();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"ClusterMap benchmarks: {Environment.ProcessorCount} cores, .NET {Environment.Version}, seed {options.Seed}, {options.Seconds} s per figure, sizes {string.Join(", ", options.Sizes.Select(BenchOptions.SizeLabel))}"));
Console.WriteLine($"HTTP: {(options.Http ? apiDll : "skipped")}; PostGIS: {(options.Postgres is null ? "skipped (no --postgres)" : "yes")}");
var loadAtStart = LoadAverage();

foreach (var size in options.Sizes)
{
    var before = GC.GetTotalMemory(forceFullCollection: true);
    var data = SyntheticCollection.Create(size, options.Seed);
    var inputBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
    Log($"{data.Label}: {data.Points:N0} points + {data.Polygons:N0} polygons generated");

    var (index, build) = InProcessBench.Build(data, inputBytes);
    report.Builds.Add(build);
    Log($"{data.Label}: index built in {build.BuildSeconds:F2} s, {build.IndexMegabytes:N0} MB");
    foreach (var row in InProcessBench.Queries(data, index, options))
    {
        Add(row);
    }

    if (options.Http)
    {
        await using var http = await HttpBench.StartAsync(data, apiDll);
        await http.CheckSameAnswersAsync(data, index, origins: 20);
        report.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"{data.Label} over HTTP: SQLite store written in {http.StoreSeconds:F1} s; first proximity request (snapshot load + index build) {http.FirstQuerySeconds:F1} s; answers identical to in process on 20 origins × 3 queries."));
        await foreach (var row in http.QueriesAsync(data, options))
        {
            Add(row);
        }

        report.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"{data.Label} over HTTP: service peak resident memory {http.PeakServiceMegabytes():N0} MB."));
    }

    if (options.Postgres is { } connectionString)
    {
        await using var postgis = await PostGisBench.LoadAsync(connectionString, data);
        report.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"{data.Label} on PostGIS: COPY {postgis.LoadSeconds:F1} s, GiST index + ANALYZE {postgis.IndexSeconds:F1} s."));
        foreach (var row in await postgis.ExactnessAsync(data, index, options.ExactnessSample))
        {
            report.Exactness.Add(row);
            Log($"{row.Size} exactness {row.Query}: max |Δd| points {row.MaxPointDifferenceMeters:F4} m, polygons {row.MaxPolygonDifferenceMeters:F4} m; ClusterMap error {row.MaxClusterMapErrorMeters:F4} m, PostGIS error {row.MaxPostGisErrorMeters:F4} m over {row.PairsCompared:N0} pairs, {row.MembershipDisagreements} disagreements");
        }

        await foreach (var row in postgis.QueriesAsync(data, options))
        {
            Add(row);
        }
    }

    // Tables so far, after every size: a long run that fails later still leaves its figures.
    if (options.Markdown is { } partial)
    {
        await File.WriteAllTextAsync(partial, report.Render());
    }
}

report.Notes.Add(string.Create(CultureInfo.InvariantCulture,
    $"Run on {DateTime.UtcNow:yyyy-MM-dd} (UTC), {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; load average (1 min) {loadAtStart} at the start and {LoadAverage()} at the end: other work on the machine shares the cores and shows in the tail latencies."));
report.Notes.Add("Arguments: " + (args.Length == 0 ? "(none)" : string.Join(' ', args.Select(a => a.StartsWith("Host=", StringComparison.Ordinal) ? "<connection string>" : a))));
var rendered = report.Render();
Console.WriteLine();
Console.WriteLine(rendered);
if (options.Markdown is { } markdown)
{
    await File.WriteAllTextAsync(markdown, rendered);
}

// The run fails when ClusterMap is off the brute-force reference by more than 1 cm, or the reference sides with
// PostGIS on a radius membership; differences where the reference sides with ClusterMap are PostGIS's.
var failed = report.Exactness.Any(e => e.DisagreementsWherePostGisIsRight > 0 || e.MaxPointDifferenceMeters > 0.5 || e.MaxClusterMapErrorMeters > 0.01);
if (failed)
{
    Console.Error.WriteLine("Exactness against PostGIS failed: see the table above.");
}

return failed ? 1 : 0;

void Add(QueryRow row)
{
    report.Queries.Add(row);
    var r = row.Result;
    Log($"{row.Size} {row.Query,-12} {row.Engine,-10} x{r.Workers}: {r.QueriesPerSecond,10:N0} q/s  p50 {r.P50Ms,7:F3} ms  p99 {r.P99Ms,7:F3} ms  (CPU p50 {r.CpuP50Ms:F3}, p99 {r.CpuP99Ms:F3})  hits {r.MeanHits,8:F1}");
}

static void Log(FormattableString message) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss}] ") + message.ToString(CultureInfo.InvariantCulture));

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

static string DefaultApiDll()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ClusterMap.sln")))
    {
        directory = directory.Parent;
    }

    var configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
    return directory is null
        ? "ClusterMap.Api.dll"
        : Path.Combine(directory.FullName, "src", "ClusterMap.Api", "bin", configuration, "net10.0", "ClusterMap.Api.dll");
}
