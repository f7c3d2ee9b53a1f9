using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using ClusterMap.Storage.PostGis;
using ClusterMap.Tests.Shared;
using Npgsql;

namespace ClusterMap.Benchmarks;

/// <summary>
/// The scale benchmark of issue 8: 1M points + 200k polygons loaded into a throwaway PostGIS database through the
/// service's own store (binary COPY into the indexed table, one transaction; then ANALYZE), then one and then two real
/// API processes on it, with proximity pushed down (the collection is above Proximity:InMemoryMaxFeatures), measured by
/// a closed loop of HttpClient workers spread round-robin over the replicas, as a load balancer would. Before the
/// replicas start, one client times a selective spatial and a selective property filter through the store, and the
/// plan of each shows whether its index (GiST on the geometry, GIN on the properties) is used; and the collection's
/// queryables are read as a replica's cache reads them, counted in PostgreSQL and, for comparison, in the process.
/// </summary>
internal static class ScaleBench
{
    private const string Usage = """
        ClusterMap scale benchmark (issue 8): ClusterMap.Benchmarks scale --postgres CONNSTR [options]
          --points N          points to load (default 1m; polygons = 20% of the points); --quick: 10k
          --seconds S         measuring time per figure (default 10, quick 2)
          --clients N         concurrent HTTP clients in every figure (default 16)
          --api-dll PATH      the built ClusterMap.Api.dll
          --markdown PATH     also write the table as Markdown to PATH
        """;

    private const string Database = "clustermap_scale";

    // Every feature carries one synthetic string property, "cell", shared by about this many features: equality on
    // it is a selective property filter (some 100,000 distinct values at 1.2M features).
    private const int FeaturesPerCell = 12;

    private static readonly Cql2Queryables _queryables = new(new Dictionary<string, Cql2PropertyType>
    {
        ["geometry"] = Cql2PropertyType.Geometry,
        ["cell"] = Cql2PropertyType.String,
    });

    private sealed record Workload(string Name, Func<SyntheticCollection, long, string> Path);

    private static readonly Workload[] _workloads =
    [
        new("items bbox, limit=100", AtOrigin(o => Invariant($"/collections/{SyntheticCollection.CollectionId}/items?bbox={o.X - 0.05:R},{o.Y - 0.05:R},{o.X + 0.05:R},{o.Y + 0.05:R}&limit=100"))),
        new("items CQL2 S_INTERSECTS 0.01° box, limit=100", AtOrigin(o => Invariant($"/collections/{SyntheticCollection.CollectionId}/items?filter-lang=cql2-text&limit=100&filter={Uri.EscapeDataString(SelectiveFilter(o))}"))),
        new($"items CQL2 cell = '…' (~{FeaturesPerCell} features), limit=100", (d, i) => Invariant($"/collections/{SyntheticCollection.CollectionId}/items?filter-lang=cql2-text&limit=100&filter={Uri.EscapeDataString(CellFilter(d, i))}")),
        new("within 1 km", AtOrigin(o => Invariant($"/proximity/within?target={SyntheticCollection.CollectionId}&radius_m=1000&lon={o.X:R}&lat={o.Y:R}"))),
        new("nearest 10", AtOrigin(o => Invariant($"/proximity/nearest?target={SyntheticCollection.CollectionId}&k=10&lon={o.X:R}&lat={o.Y:R}"))),
    ];

    public static async Task<int> RunAsync(string[] args, string defaultApiDll)
    {
        int points = 1_000_000, clients = 16, seed = 20240604;
        double? seconds = null;
        string? postgres = null, markdown = null, apiDll = null;
        var quick = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            switch (args[i])
            {
                case "--points": points = int.Parse(Next().Replace("k", "000", StringComparison.Ordinal).Replace("m", "000000", StringComparison.Ordinal), CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--clients": clients = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--postgres": postgres = Next(); break;
                case "--api-dll": apiDll = Next(); break;
                case "--markdown": markdown = Next(); break;
                case "--quick": quick = true; points = 10_000; break;
                default: Console.Error.WriteLine($"Unknown option {args[i]}.\n{Usage}"); return 2;
            }
        }

        if (string.IsNullOrEmpty(postgres))
        {
            Console.Error.WriteLine($"scale needs --postgres (make bench starts a throwaway cluster).\n{Usage}");
            return 2;
        }

        var measureSeconds = seconds ?? (quick ? 2 : 10);
        var loadAtStart = LoadAverage();
        var notes = new List<string>();
        var data = SyntheticCollection.Create(points, seed);
        Log($"scale: {data.Points:N0} points + {data.Polygons:N0} polygons generated");

        var admin = new NpgsqlConnectionStringBuilder(postgres) { Pooling = false }.ConnectionString;
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
        await ExecuteAsync(admin, $"CREATE DATABASE {Database}");
        var connectionString = new NpgsqlConnectionStringBuilder(postgres) { Database = Database }.ConnectionString;
        var rows = new List<string>();
        var filterRows = new List<string>();
        try
        {
            notes.Add(await LoadAsync(connectionString, data, [new CollectionImport(new CollectionDefinition(SyntheticCollection.CollectionId, "Benchmark", "Synthetic features around Chinese cities"), RecordsWithCells(data))]));
            Log($"scale: {notes[^1]}");
            foreach (var (label, filter, index) in new[]
            {
                ("spatial", SelectiveFilter(data.Origins[0]), "features_geom"),
                ("property", CellFilter(data, 0), "features_properties"),
            })
            {
                var plan = await ExplainFilterAsync(connectionString, filter);
                var usesIndex = plan.Any(line => line.Contains($"Index Scan on {index}", StringComparison.Ordinal) || line.Contains($"Index Scan using {index}", StringComparison.Ordinal));
                notes.Add(Invariant($"EXPLAIN (ANALYZE) of the selective {label} filter {filter}, as the store's own CQL2 translator writes it (PostGisCql2Translator; warm): {index} used: {(usesIndex ? "yes" : "NO")}; {string.Join(" / ", plan)}"));
                Log($"scale: {notes[^1]}");
            }

            await using (var store = new PostGisFeatureStore(connectionString))
            {
                filterRows.Add(await TimeFilterAsync(store, "S_INTERSECTS 0.01° box", i => SelectiveFilter(Origin(data, i)), FilterQueries(quick)));
                filterRows.Add(await TimeFilterAsync(store, $"cell = '…' (~{FeaturesPerCell} features)", i => CellFilter(data, i), FilterQueries(quick)));
                notes.Add(await TimeQueryablesAsync(store, data, connectionString));
                Log($"scale: {notes[^1]}");
            }

            foreach (var row in filterRows)
            {
                Log($"scale: {row}");
            }

            NpgsqlConnection.ClearAllPools();
            foreach (var replicas in new[] { 1, 2 })
            {
                var services = await Task.WhenAll(Enumerable.Range(0, replicas).Select(_ => ServiceProcess.StartAsync(new ServiceProcessOptions
                {
                    ApiDll = Path.GetFullPath(apiDll ?? defaultApiDll), // the replicas run in their own working directory
                    StartTimeout = TimeSpan.FromSeconds(120),
                    Settings = new Dictionary<string, string>
                    {
                        ["Storage__Provider"] = "PostGis",
                        ["ConnectionStrings__ClusterMap"] = connectionString,
                        ["Logging__LogLevel__Default"] = "Warning",
                        // Below the collection's size, as on a replica sized not to hold it: every query is pushed down.
                        ["Proximity__InMemoryMaxFeatures"] = (data.Items.Length / 2).ToString(CultureInfo.InvariantCulture),
                    },
                    Output = line => Console.Error.WriteLine($"[api] {line}"),
                })));
                try
                {
                    foreach (var row in await MeasureAsync(services, data, clients, measureSeconds, connectionString))
                    {
                        rows.Add(row);
                        Log($"scale: {row}");
                    }
                }
                finally
                {
                    foreach (var service in services)
                    {
                        await service.DisposeAsync();
                    }
                }
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            try
            {
                await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
            }
            catch (PostgresException ex)
            {
                // The figures are measured by now: a failed clean-up (a full disk fails the drop's checkpoint) is reported, not fatal.
                notes.Add(Invariant($"Dropping {Database} failed: {ex.MessageText}."));
                Log($"scale: {notes[^1]}");
            }
        }

        notes.Add(Invariant($"{clients} concurrent HttpClient workers per figure, round-robin over the replicas, {measureSeconds:F0} s after a warm-up; loopback; client, replicas and PostgreSQL share {Environment.ProcessorCount} cores, so a second replica adds no cores: on a 2-core machine it shows the cost of the split, not the gain of a second server."));
        notes.Add(Invariant($"Run on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}; load average (1 min) {loadAtStart} at the start and {LoadAverage()} at the end."));
        var report = new StringBuilder();
        report.AppendLine(Invariant($"Selective filters, one client in turn, through PostGisFeatureStore.GetItemsAsync (limit=100 and numberMatched, as an items page), {FilterQueries(quick)} queries after {FilterQueries(quick) / 10} unmeasured, a different origin or cell each time:"));
        report.AppendLine();
        report.AppendLine("| filter | p50 ms | p95 ms | p99 ms | mean matched |");
        report.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var row in filterRows)
        {
            report.AppendLine(row);
        }

        report.AppendLine();
        report.AppendLine("| replicas | workload | requests/s | p50 ms | p99 ms | errors | API CPU ms/request | PostgreSQL CPU ms/request |");
        report.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            report.AppendLine(row);
        }

        report.AppendLine();
        foreach (var note in notes)
        {
            report.AppendLine("- " + note);
        }

        Console.WriteLine();
        Console.WriteLine(report);
        if (markdown is not null)
        {
            await File.WriteAllTextAsync(markdown, report.ToString());
        }

        return rows.Any(r => !r.Contains("| 0 |", StringComparison.Ordinal)) ? 1 : 0;
    }

    private static async Task<List<string>> MeasureAsync(ServiceProcess[] services, SyntheticCollection data, int clients, double seconds, string connectionString)
    {
        var http = services.Select(s => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = s.BaseAddress,
            Timeout = TimeSpan.FromMinutes(2),
        }).ToArray();
        var rows = new List<string>();
        try
        {
            foreach (var workload in _workloads)
            {
                var errors = 0L;
                async Task<int> Query(int worker, long i)
                {
                    try
                    {
                        using var response = await http[i % http.Length].GetAsync(workload.Path(data, i), HttpCompletionOption.ResponseContentRead);
                        if (response.StatusCode != HttpStatusCode.OK)
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref errors);
                    }
                    catch (TaskCanceledException)
                    {
                        Interlocked.Increment(ref errors);
                    }

                    return 0;
                }

                // Warm-up (tier-0 code, connection pools, the collection's largest uncertainty read once), then the
                // backends serving the replicas are known and their CPU can be read around the measured phase.
                await LoadRunner.RunAsync(clients, 0, Math.Max(2, seconds / 3), Query);
                errors = 0;
                var backends = await BackendsAsync(connectionString);
                var apiCpu = services.Sum(s => LoadRunner.ProcessCpuSeconds(s.ProcessId));
                var pgCpu = backends.Sum(LoadRunner.ProcessCpuSeconds);
                var result = await LoadRunner.RunAsync(clients, seconds, 0, Query);
                apiCpu = services.Sum(s => LoadRunner.ProcessCpuSeconds(s.ProcessId)) - apiCpu;
                pgCpu = backends.Sum(LoadRunner.ProcessCpuSeconds) - pgCpu;
                rows.Add(Invariant($"| {services.Length} | {workload.Name} | {result.QueriesPerSecond:N0} | {result.P50Ms:F1} | {result.P99Ms:F1} | {errors} | {apiCpu * 1000 / result.Count:F2} | {pgCpu * 1000 / result.Count:F2} |"));
            }
        }
        finally
        {
            foreach (var client in http)
            {
                client.Dispose();
            }
        }

        return rows;
    }

    /// <summary>
    /// Loads the data into the empty database of <paramref name="connectionString"/> through the service's own store
    /// (schema, then one binary COPY into the indexed table in one transaction), then ANALYZE; returns a note on the load.
    /// Shared with <see cref="MapsScaleBench"/>, which measures maps on the same data, as one collection or split
    /// (<paramref name="collections"/>: the same features under other collections).
    /// </summary>
    internal static async Task<string> LoadAsync(string connectionString, SyntheticCollection data, IReadOnlyList<CollectionImport>? collections = null)
    {
        await using var store = new PostGisFeatureStore(connectionString);
        var watch = Stopwatch.StartNew();
        await store.InitializeAsync();
        var schemaSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        await store.ReplaceCollectionsAsync(collections ?? [new CollectionImport(new CollectionDefinition(SyntheticCollection.CollectionId, "Benchmark", "Synthetic features around Chinese cities"), data.Records())]);
        var copySeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        await ExecuteAsync(connectionString, "ANALYZE features");
        var analyzeSeconds = watch.Elapsed.TotalSeconds;
        var size = await ScalarAsync(connectionString, "SELECT pg_size_pretty(pg_total_relation_size('features'))");
        return Invariant($"Load of {data.Points:N0} points + {data.Polygons:N0} polygons through PostGisFeatureStore.ReplaceCollectionsAsync: schema {schemaSeconds:F1} s; binary COPY into the indexed table (GiST on geometry and geography, GIN on the properties, B-trees; one transaction) {copySeconds:F1} s ({data.Items.Length / copySeconds:N0} features/s); ANALYZE {analyzeSeconds:F1} s; table with indexes {size}.");
    }

    // A CQL2 filter selecting the features in a box of 0.01° (about 1 km) around an origin: a few hundred of 1.2M.
    private static string SelectiveFilter(NetTopologySuite.Geometries.Point o) =>
        Invariant($"S_INTERSECTS(geometry, BBOX({o.X - 0.005:R}, {o.Y - 0.005:R}, {o.X + 0.005:R}, {o.Y + 0.005:R}))");

    private static NetTopologySuite.Geometries.Point Origin(SyntheticCollection data, long i) => data.Origins[i % data.Origins.Length];

    // Query i at origin i (modulo the number of origins).
    private static Func<SyntheticCollection, long, string> AtOrigin(Func<NetTopologySuite.Geometries.Point, string> path) => (data, i) => path(Origin(data, i));

    private static int Cells(SyntheticCollection data) => Math.Max(1, data.Items.Length / FeaturesPerCell);

    // Feature i has cell i modulo the number of cells: cells are spread over the whole collection, not clustered.
    private static string Cell(int i) => "c" + i.ToString("D6", CultureInfo.InvariantCulture);

    private static List<FeatureRecord> RecordsWithCells(SyntheticCollection data)
    {
        var cells = Cells(data);
        return [.. data.Items.Select((item, i) => new FeatureRecord(item.Id, item.Geometry, $"{{\"cell\":\"{Cell(i % cells)}\"}}"))];
    }

    // Query i asks for a cell far from query i - 1's, so consecutive queries do not share pages.
    private static string CellFilter(SyntheticCollection data, long i) => $"cell = '{Cell((int)(i * 7919 % Cells(data)))}'";

    private static int FilterQueries(bool quick) => quick ? 100 : 1000;

    // The service's default Features:MaxExactCount, so that a page is counted as an items page counts it.
    private const int ServiceMaxExactCount = 10_000;

    /// <summary>p50, p95 and p99 of one client's items pages with a filter, as a table row.</summary>
    private static async Task<string> TimeFilterAsync(PostGisFeatureStore store, string label, Func<long, string> filter, int queries)
    {
        var warmUp = queries / 10;
        var milliseconds = new List<double>(queries);
        var matched = 0L;
        for (var i = 0; i < warmUp + queries; i++)
        {
            var condition = Cql2.ParseText(filter(i));
            Cql2Validator.Validate(condition, _queryables);
            var watch = Stopwatch.StartNew();
            var page = await store.GetItemsAsync(new ItemsQuery(SyntheticCollection.CollectionId, [], [], 100, 0, new ItemsFilter(condition, _queryables), MaxExactCount: ServiceMaxExactCount));
            watch.Stop();
            if (i >= warmUp)
            {
                milliseconds.Add(watch.Elapsed.TotalMilliseconds);
                matched += page.NumberMatched ?? throw new InvalidOperationException($"'{filter(i)}' matches more than {ServiceMaxExactCount}: not a selective filter");
            }
        }

        milliseconds.Sort();
        double Percentile(double p) => milliseconds[Math.Clamp((int)Math.Ceiling(p * milliseconds.Count) - 1, 0, milliseconds.Count - 1)];
        return Invariant($"| {label} | {Percentile(0.50):F2} | {Percentile(0.95):F2} | {Percentile(0.99):F2} | {(double)matched / queries:F1} |");
    }

    /// <summary>
    /// What a replica's CollectionQueryablesCache does on its first filtered request: after a write, the queryables
    /// counted in PostgreSQL (the store's IPropertyStatisticsReader; three counts, the kept answer cleared before each);
    /// on any other replica or restart, the kept answer read (three reads); and once, for comparison, the fallback of
    /// stores without the capability (every feature read into the process and counted there).
    /// </summary>
    private static async Task<string> TimeQueryablesAsync(PostGisFeatureStore store, SyntheticCollection data, string connectionString)
    {
        var collection = (await store.GetCollectionAsync(SyntheticCollection.CollectionId))!;
        async Task<(double Milliseconds, CollectionQueryables Queryables)> ReadAsync()
        {
            var watch = Stopwatch.StartNew();
            var statistics = await store.GetPropertyStatisticsAsync(collection.Id) ?? throw new InvalidOperationException("The store left the statistics to the caller.");
            return (watch.Elapsed.TotalMilliseconds, CollectionQueryables.Of(collection.Definition, statistics));
        }

        var counts = new List<double>();
        var kept = new List<double>();
        CollectionQueryables? inStore = null;
        for (var i = 0; i < 3; i++)
        {
            await ExecuteAsync(connectionString, "UPDATE collections SET property_statistics = NULL");
            (var milliseconds, inStore) = await ReadAsync();
            counts.Add(milliseconds);
        }

        for (var i = 0; i < 3; i++)
        {
            kept.Add((await ReadAsync()).Milliseconds);
        }

        var whole = Stopwatch.StartNew();
        var inProcess = CollectionQueryables.Of(collection.Definition, await store.GetAllItemsAsync(collection.Id));
        var wholeMilliseconds = whole.Elapsed.TotalMilliseconds;
        static string Schema(CollectionQueryables q) =>
            QueryablesSchema.ToJsonSchema(q.Properties, "urn:bench", "bench", q.TemporalProperty) + string.Join(",", q.PropertyNames.Order(StringComparer.Ordinal)) + q.TemporalExtent;
        counts.Sort();
        kept.Sort();
        return Invariant($"Queryables of the {data.Items.Length:N0}-feature collection (one string property, cell, with {Cells(data):N0} distinct values) as a replica's cache reads them: counted in PostgreSQL after a change (PostGisFeatureStore.GetPropertyStatisticsAsync + CollectionQueryables.Of) {counts[1]:F0} ms median of 3 (min {counts[0]:F0}, max {counts[2]:F0}); the kept answer read by the other replicas {kept[1]:F1} ms median of 3; every feature read into the process and counted (GetAllItemsAsync + CollectionQueryables.Of, the path of stores without the capability) {wholeMilliseconds:F0} ms; same answer: {(Schema(inStore!) == Schema(inProcess) ? "yes" : "NO")}.");
    }

    /// <summary>The plan and timing of a filter's WHERE clause from the store's translator, on the features table.</summary>
    private static async Task<List<string>> ExplainFilterAsync(string connectionString, string filter)
    {
        var condition = Cql2.ParseText(filter);
        Cql2Validator.Validate(condition, _queryables);
        var sql = new PostGisCql2Translator(_queryables).Translate(condition);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var lines = new List<string>();
        for (var run = 0; run < 2; run++)
        {
            lines.Clear();
            await using var command = new NpgsqlCommand($"EXPLAIN (ANALYZE, BUFFERS) SELECT f.feature_id FROM features f WHERE f.collection_id = @collection AND {sql.Where}", connection);
            command.Parameters.AddWithValue("collection", SyntheticCollection.CollectionId);
            foreach (var (name, value) in sql.Parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0).Trim());
            }
        }

        return lines;
    }

    /// <summary>The PostgreSQL backends connected to the benchmark database (the replicas' pools), by process id.</summary>
    internal static async Task<int[]> BackendsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", connection);
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return [.. pids];
    }

    internal static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    internal static async Task<string> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static void Log(string message) => Console.WriteLine(Invariant($"[{DateTime.Now:HH:mm:ss}] ") + message);
}
