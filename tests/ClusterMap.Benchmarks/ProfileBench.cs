using System.Diagnostics;
using System.Globalization;
using ClusterMap.Core.Geodesy;
using ClusterMap.Core.Proximity;

namespace ClusterMap.Benchmarks;

/// <summary>
/// `profile [SIZES]`: where a radius query's time goes, measured from outside the engine. For each origin: the whole
/// query (wall clock and the querying thread's CPU time), the same query with a filter that rejects every candidate
/// (tree search and the local bound only, no exact distance, no sort), the number of hits, and the cost of one exact
/// inverse problem on this machine. Prints the latency percentiles next to the hit counts of the queries at those
/// percentiles, so a slow tail can be told apart as "big answers" or "slow code".
/// </summary>
internal static class ProfileBench
{
    public static void Run(string[] args)
    {
        if (args.Length == 5 && args[0] == "probe")
        {
            // profile probe SIZE ID LON LAT: one target of the synthetic set as both engines' arbiter sees it.
            var points = int.Parse(args[1].TrimEnd('k', 'm'), CultureInfo.InvariantCulture) * (args[1].EndsWith('m') ? 1_000_000 : 1_000);
            var set = SyntheticCollection.Create(points, 20240604);
            var target = set.Items[int.Parse(args[2].AsSpan(1), CultureInfo.InvariantCulture)].Geometry;
            var origin = new NetTopologySuite.Geometries.GeometryFactory(new NetTopologySuite.Geometries.PrecisionModel(), 4326)
                .CreatePoint(new NetTopologySuite.Geometries.Coordinate(double.Parse(args[3], CultureInfo.InvariantCulture), double.Parse(args[4], CultureInfo.InvariantCulture)));
            Console.WriteLine(target.AsText());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"valid {target.IsValid}; ClusterMap {GeodesicDistance.Between(origin, target):F4} m; reference {ReferenceDistance.PointTo(origin, target):F4} m"));
            return;
        }

        var sizes = args.Length > 0 ? args[0].Split(',').Select(s => s.EndsWith('m') ? int.Parse(s[..^1], CultureInfo.InvariantCulture) * 1_000_000 : int.Parse(s.TrimEnd('k'), CultureInfo.InvariantCulture) * 1_000).ToArray() : [100_000, 1_000_000];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one exact inverse (1–5 km, Shanghai): {InverseMicroseconds():F3} µs"));
        foreach (var size in sizes)
        {
            var data = SyntheticCollection.Create(size, 20240604);
            var index = ProximityIndex.Build(data.Items);
            foreach (var radius in new[] { 1_000.0, 5_000.0 })
            {
                var n = Math.Min(data.Origins.Length, radius > 1_000 ? 1_000 : 4_000);
                var full = new double[n];
                var cpu = new double[n];
                var prefilter = new double[n];
                var hits = new int[n];
                for (var pass = 0; pass < 2; pass++)
                {
                    for (var i = 0; i < n; i++)
                    {
                        var origin = data.Origins[i];
                        var c = LoadRunner.ThreadCpuNanoseconds();
                        var t = Stopwatch.GetTimestamp();
                        hits[i] = InProcessBench.ReadAll(index.Within(origin, radius));
                        full[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                        cpu[i] = (LoadRunner.ThreadCpuNanoseconds() - c) / 1e6;
                        t = Stopwatch.GetTimestamp();
                        index.Within(origin, radius, 0, static _ => false);
                        prefilter[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
                    }
                }

                var order = Enumerable.Range(0, n).OrderBy(i => full[i]).ToArray();
                string At(double p)
                {
                    var i = order[Math.Min(n - 1, (int)Math.Ceiling(p * n) - 1)];
                    return string.Create(CultureInfo.InvariantCulture, $"{full[i],8:F3} ms ({hits[i],6} hits, prefilter {prefilter[i]:F3} ms, {1000 * (full[i] - prefilter[i]) / Math.Max(1, hits[i]):F2} µs/hit)");
                }

                var sortedHits = hits.Order().ToArray();

                // Thread CPU time is steadier than wall clock on a machine shared with other work.
                var sortedCpu = cpu.Order().ToArray();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{BenchOptions.SizeLabel(size)} within {radius / 1000} km: thread CPU p50 {sortedCpu[n / 2]:F3} ms, p99 {sortedCpu[(int)(0.99 * n) - 1]:F3} ms, mean {cpu.Average():F3} ms"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{BenchOptions.SizeLabel(size)} within {radius / 1000} km: p50 {At(0.5)}; p90 {At(0.9)}; p99 {At(0.99)}; hits p50 {sortedHits[n / 2]}, p99 {sortedHits[(int)(0.99 * n) - 1]}, max {sortedHits[^1]}; total {full.Sum():F0} ms, prefilter {prefilter.Sum():F0} ms, µs/hit overall {1000 * (full.Sum() - prefilter.Sum()) / hits.Sum():F2}"));
            }
        }
    }

    private static double InverseMicroseconds()
    {
        var random = new Random(1);
        var pairs = Enumerable.Range(0, 4096).Select(_ => (121.47 + (random.NextDouble() * 0.05), 31.23 + (random.NextDouble() * 0.05))).ToArray();
        double sink = 0;
        var count = 0;
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < 1_000)
        {
            for (var i = 1; i < pairs.Length; i++)
            {
                sink += Geodesic.DistanceMeters(pairs[i - 1].Item1, pairs[i - 1].Item2, pairs[i].Item1, pairs[i].Item2);
            }

            count += pairs.Length - 1;
        }

        return sink > 0 ? watch.Elapsed.TotalMilliseconds * 1000 / count : double.NaN;
    }
}
