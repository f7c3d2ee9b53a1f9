using System.Diagnostics;

namespace ClusterMap.Benchmarks;

/// <summary>Throughput and latency of one kind of query at one concurrency.</summary>
/// <remarks>
/// CpuP50Ms and CpuP99Ms (in process only) count the time the query's thread spent on a core, read from
/// CLOCK_THREAD_CPUTIME_ID: on a machine shared with other work they show the engine's own cost, which the
/// wall-clock percentiles mix with the time the thread waited for a core. A large radius query that spreads over
/// the cores does part of its work on pool threads, which these leave out.
/// </remarks>
/// CpuMeanMs is the engine's CPU time per query: the benchmark process's (in process: the querying threads, the pool
/// threads a large query spreads to, the collector), the service process's (HTTP, all of its threads: Kestrel,
/// routing, JSON), or the PostgreSQL backends' serving the connections (PostGIS), read from /proc around the measured
/// phase. Client work is in none of them, so the three compare the engines' own cost.
internal sealed record LoadResult(int Workers, long Count, double Seconds, double MeanHits, double P50Ms, double P99Ms, double CpuP50Ms = double.NaN, double CpuP99Ms = double.NaN, double CpuMeanMs = double.NaN)
{
    public double QueriesPerSecond => Count / Seconds;
}

/// <summary>
/// Runs a query in a closed loop on a fixed number of workers, bounded in time and count, after a warm-up,
/// and records every latency with <see cref="Stopwatch"/>. Query i uses origin i modulo the origin count, so
/// every worker count sees the same mix of origins.
/// </summary>
internal static partial class LoadRunner
{
    private const int ClockThreadCpuTime = 3;

    private const long MaxQueries = 2_000_000;

    public static LoadResult Run(int workers, double seconds, double warmUpSeconds, Func<long, int> query)
    {
        Measure(workers, warmUpSeconds, query);
        return Measure(workers, seconds, query);
    }

    public static async Task<LoadResult> RunAsync(int workers, double seconds, double warmUpSeconds, Func<int, long, Task<int>> query, Func<double>? serverCpuSeconds = null)
    {
        await MeasureAsync(workers, warmUpSeconds, query);
        var cpuBefore = serverCpuSeconds?.Invoke() ?? double.NaN;
        var result = await MeasureAsync(workers, seconds, query);
        var cpu = (serverCpuSeconds?.Invoke() ?? double.NaN) - cpuBefore;
        return result with { CpuMeanMs = result.Count == 0 ? double.NaN : cpu * 1000 / result.Count };
    }

    /// <summary>User + system CPU seconds of a process so far, from /proc/PID/stat (NaN when it cannot be read).</summary>
    public static double ProcessCpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime, stime are 14 and 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    // USER_HZ: 100 on every Linux the project runs on.
    private const double ClockTicksPerSecond = 100;

    private static LoadResult Measure(int workers, double seconds, Func<long, int> query)
    {
        var next = -1L;
        var latencies = new List<long>[workers];
        var cpu = new List<long>[workers];
        var hits = new long[workers];
        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var processCpuBefore = ProcessCpuSeconds(Environment.ProcessId);
        var start = Stopwatch.GetTimestamp();
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var mine = latencies[w] = new List<long>(1 << 16);
            var mineCpu = cpu[w] = new List<long>(1 << 16);
            long t;
            while ((t = Stopwatch.GetTimestamp()) < deadline)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= MaxQueries)
                {
                    break;
                }

                var c = ThreadCpuNanoseconds();
                hits[w] += query(i);
                mineCpu.Add(ThreadCpuNanoseconds() - c);
                mine.Add(Stopwatch.GetTimestamp() - t);
            }
        });
        var processCpu = ProcessCpuSeconds(Environment.ProcessId) - processCpuBefore;
        var result = Summarise(workers, start, latencies, hits.Sum());
        var cpuAll = cpu.SelectMany(l => l).ToArray();
        var cpuMean = cpuAll.Length == 0 ? double.NaN : processCpu * 1000 / cpuAll.Length;
        Array.Sort(cpuAll);
        double CpuPercentile(double p) => cpuAll.Length == 0 ? double.NaN : cpuAll[Math.Min(cpuAll.Length - 1, (int)Math.Ceiling(p * cpuAll.Length) - 1)] / 1e6;
        return result with { CpuP50Ms = CpuPercentile(0.50), CpuP99Ms = CpuPercentile(0.99), CpuMeanMs = cpuMean };
    }

    private static async Task<LoadResult> MeasureAsync(int workers, double seconds, Func<int, long, Task<int>> query)
    {
        var next = -1L;
        var latencies = new List<long>[workers];
        var hits = new long[workers];
        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<long>(1 << 14);
            long t;
            while ((t = Stopwatch.GetTimestamp()) < deadline)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= MaxQueries)
                {
                    break;
                }

                hits[w] += await query(w, i);
                mine.Add(Stopwatch.GetTimestamp() - t);
            }
        })));
        return Summarise(workers, start, latencies, hits.Sum());
    }

    private static LoadResult Summarise(int workers, long start, List<long>[] latencies, long hits)
    {
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
        return new LoadResult(workers, all.Length, elapsed, all.Length == 0 ? 0 : (double)hits / all.Length, Percentile(0.50), Percentile(0.99));
    }

    internal static long ThreadCpuNanoseconds() => ClockGetTime(ClockThreadCpuTime, out var ts) == 0 ? (ts.Seconds * 1_000_000_000) + ts.Nanoseconds : 0;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec time);

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
