using System.Diagnostics;
using ClusterMap.Core.Proximity;

namespace ClusterMap.Benchmarks;

/// <summary>Index build and the three queries called directly on <see cref="ProximityIndex"/>.</summary>
internal static class InProcessBench
{
    public static (ProximityIndex Index, BuildRow Row) Build(SyntheticCollection data, long inputBytes)
    {
        // JIT the build path on a small slice first, so the figure is the steady-state build time.
        ProximityIndex.Build(data.Items.Take(2_000));
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        var index = ProximityIndex.Build(data.Items);
        var seconds = watch.Elapsed.TotalSeconds;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var row = new BuildRow(data.Label, data.Points, data.Polygons, seconds, inputBytes / 1e6, (after - before) / 1e6, process.PeakWorkingSet64 / 1e6);
        return (index, row);
    }

    public static IEnumerable<QueryRow> Queries(SyntheticCollection data, ProximityIndex index, BenchOptions options)
    {
        var origins = data.Origins;
        foreach (var query in BenchQueries.All)
        {
            foreach (var workers in new[] { 1, Environment.ProcessorCount })
            {
                var result = LoadRunner.Run(workers, options.Seconds, options.WarmUpSeconds, i =>
                {
                    var origin = origins[i % origins.Length];
                    return ReadAll(query.Radius is { } radius ? index.Within(origin, radius) : index.Nearest(origin, query.K));
                });
                yield return new QueryRow(data.Label, query.Name, Report.InProcess, result);
            }
        }
    }

    /// <summary>
    /// Reads every hit as the service's writer does (foreach, every field of the hit), so a query is charged for
    /// its whole answer, however the engine stores it, not just its count; returns the number of hits.
    /// </summary>
    public static int ReadAll(IReadOnlyList<ProximityHit> hits)
    {
        var count = 0;
        var sum = 0.0;
        foreach (var hit in hits)
        {
            sum += hit.DistanceMeters + hit.MinDistanceMeters + hit.MaxDistanceMeters + hit.Rank + (int)hit.Certainty;
            count++;
        }

        return sum >= 0 ? count : -1;
    }
}

/// <summary>The queries every engine runs: within 1 km, within 5 km, nearest 10 from a point origin.</summary>
internal sealed record BenchQueries(string Name, double? Radius, int K)
{
    public static readonly BenchQueries[] All =
    [
        new("within 1 km", 1_000, 0),
        new("within 5 km", 5_000, 0),
        new("nearest 10", null, 10),
    ];
}
