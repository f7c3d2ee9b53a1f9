using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Storage;
using ClusterMap.Storage.Sqlite;
using ClusterMap.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Benchmarks;

/// <summary>
/// The same queries over HTTP: the collection is written to a SQLite store through the service's own store
/// class, the real ClusterMap.Api.dll is started on a free loopback port on that store, and a bounded pool of
/// HttpClient workers calls <c>/proximity/within</c> and <c>/proximity/nearest</c>. Loopback only.
/// </summary>
internal sealed class HttpBench : IAsyncDisposable
{
    private readonly ServiceProcess _service;
    private readonly string _directory;
    private readonly HttpClient _client;

    private HttpBench(ServiceProcess service, string directory)
    {
        _service = service;
        _directory = directory;
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = BenchOptions.Clients * 2, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = service.BaseAddress,
            // The first request loads and indexes the whole collection: 15 s for 1M features on a quiet machine, minutes on a busy one.
            Timeout = TimeSpan.FromMinutes(10),
        };
    }

    public double StoreSeconds { get; private set; }

    public double FirstQuerySeconds { get; private set; }

    public static async Task<HttpBench> StartAsync(SyntheticCollection data, string apiDll)
    {
        var directory = Directory.CreateTempSubdirectory("clustermap-bench-").FullName;
        var database = Path.Combine(directory, "bench.db");
        var watch = Stopwatch.StartNew();
        var store = new SqliteFeatureStore(database);
        await store.InitializeAsync();
        await store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition(SyntheticCollection.CollectionId, "Benchmark", "Synthetic features around Chinese cities"), data.Records())]);
        SqliteConnection.ClearAllPools();
        var storeSeconds = watch.Elapsed.TotalSeconds;

        var service = await ServiceProcess.StartAsync(new ServiceProcessOptions
        {
            ApiDll = apiDll,
            DatabasePath = database,
            Settings = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" },
            StartTimeout = TimeSpan.FromSeconds(120),
            Output = line => Console.Error.WriteLine($"[api] {line}"),
        });
        var bench = new HttpBench(service, directory) { StoreSeconds = storeSeconds };

        // The first proximity request loads the snapshot from SQLite and builds the index.
        watch.Restart();
        _ = await bench.QueryAsync(BenchQueries.All[0], data.Origins[0]);
        bench.FirstQuerySeconds = watch.Elapsed.TotalSeconds;
        return bench;
    }

    /// <summary>Peak resident memory of the service process (VmHWM), in MB.</summary>
    public double PeakServiceMegabytes()
    {
        var status = File.ReadAllLines($"/proc/{_service.ProcessId}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return status is null ? double.NaN : double.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1e3;
    }

    public async IAsyncEnumerable<QueryRow> QueriesAsync(SyntheticCollection data, BenchOptions options)
    {
        // A fresh service runs tier-0 code: exercise every endpoint before the first figure is taken.
        foreach (var query in BenchQueries.All)
        {
            await LoadRunner.RunAsync(BenchOptions.Clients, 0, 2 * options.WarmUpSeconds, (_, i) => QueryAsync(query, data.Origins[i % data.Origins.Length]));
        }

        // The service serialises every feature's GeoJSON once per snapshot in the background: let it finish (its CPU
        // use falls to nothing) so that the figures count query work only.
        var idleDeadline = Stopwatch.StartNew();
        while (idleDeadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            var cpu = LoadRunner.ProcessCpuSeconds(_service.ProcessId);
            await Task.Delay(500);
            if (LoadRunner.ProcessCpuSeconds(_service.ProcessId) - cpu < 0.03)
            {
                break;
            }
        }

        foreach (var query in BenchQueries.All)
        {
            foreach (var workers in new[] { 1, BenchOptions.Clients })
            {
                var result = await LoadRunner.RunAsync(workers, options.Seconds, options.WarmUpSeconds, (_, i) => QueryAsync(query, data.Origins[i % data.Origins.Length]),
                    () => LoadRunner.ProcessCpuSeconds(_service.ProcessId));
                yield return new QueryRow(data.Label, query.Name, Report.Http, result);
            }
        }
    }

    /// <summary>Asserts that the service answers what the index in process answers (same ids, same order).</summary>
    public async Task CheckSameAnswersAsync(SyntheticCollection data, ProximityIndex index, int origins)
    {
        foreach (var query in BenchQueries.All)
        {
            for (var i = 0; i < origins; i++)
            {
                var origin = data.Origins[i];
                using var response = await _client.GetAsync(Url(query, origin));
                response.EnsureSuccessStatusCode();
                using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
                var served = json.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()).ToList();
                var expected = (query.Radius is { } r ? index.Within(origin, r) : index.Nearest(origin, query.K)).Select(h => h.Id).ToList();
                if (!served.SequenceEqual(expected))
                {
                    throw new InvalidOperationException($"HTTP and in-process answers differ for {query.Name} at {origin}.");
                }
            }
        }
    }

    private async Task<int> QueryAsync(BenchQueries query, NetTopologySuite.Geometries.Point origin)
    {
        using var response = await _client.GetAsync(Url(query, origin), HttpCompletionOption.ResponseContentRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{Url(query, origin)} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        // Counting features would cost the client CPU the server needs on a small machine; bytes are enough.
        return 0;
    }

    private static string Url(BenchQueries query, NetTopologySuite.Geometries.Point origin)
    {
        var lon = origin.X.ToString("R", CultureInfo.InvariantCulture);
        var lat = origin.Y.ToString("R", CultureInfo.InvariantCulture);
        return query.Radius is { } radius
            ? $"/proximity/within?target={SyntheticCollection.CollectionId}&radius_m={radius.ToString(CultureInfo.InvariantCulture)}&lon={lon}&lat={lat}"
            : $"/proximity/nearest?target={SyntheticCollection.CollectionId}&k={query.K.ToString(CultureInfo.InvariantCulture)}&lon={lon}&lat={lat}";
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _service.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
