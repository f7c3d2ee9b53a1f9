using System.Diagnostics;
using System.Globalization;
using ClusterMap.Core.Analysis;
using ClusterMap.Core.Proximity;
using ClusterMap.Tests.Shared;
using NetTopologySuite.Geometries;

namespace ClusterMap.Benchmarks;

/// <summary>
/// `analysis [--institutions N] [--parks N] [--runs N]`: the cluster analyses at scale, in process (issue 19's
/// targets: the all-parks research base over 100k institutions and 20k parks under 2 s, white spots on a 1 km grid over
/// Shanghai under 1 s). The data are AnalysisData's seeded generator spread over the Shanghai region box; a sample of
/// parks and cells is checked against the brute force before anything is timed.
/// </summary>
internal static class AnalysisBench
{
    private static readonly Envelope _shanghai = new(120.8, 122.2, 30.6, 31.9);

    public static void Run(string[] args)
    {
        var institutions = 100_000;
        var parks = 20_000;
        var runs = 3;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            _ = args[i] switch
            {
                "--institutions" => institutions = value,
                "--parks" => parks = value,
                "--runs" => runs = value,
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        Log($"analysis: {institutions:N0} institutions + {parks:N0} parks over lon 120.8–122.2, lat 30.6–31.9; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var data = AnalysisData.Generate(seed: 20240604, parks, institutions, _shanghai, straddledParks: 0, polygons: false);
        var fit = SectorFitTable.Parse(AnalysisData.SectorFitCsv, AnalysisData.CategoryCsv);
        var byId = data.Institutions.ToDictionary(s => s.Id, s => s.PropertiesJson);
        var parkItems = data.Parks.Select(p => p.Item).ToArray();
        var institutionItems = data.Institutions.Select(s => s.Item).ToArray();

        var clock = Stopwatch.StartNew();
        var index = ProximityIndex.Build(institutionItems);
        var indexSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var source = InstitutionSource.Create("institutions", index, id => byId[id], fit);
        var sourceSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var parkIndex = ProximityIndex.Build(parkItems);
        var parkIndexSeconds = clock.Elapsed.TotalSeconds;
        Log($"prepare (once per data version): institution index {indexSeconds:F2} s, tiers and disciplines {sourceSeconds:F2} s, park index {parkIndexSeconds:F2} s");

        var settings = new ResearchBaseSettings(ResearchBaseSettings.DefaultBandsMeters, ResearchBaseSettings.DefaultTierWeights, fit);
        var rows = ResearchBase.ForParks(parkItems, [source], settings);
        foreach (var p in Enumerable.Range(0, 10).Select(k => k * (parks / 10)))
        {
            var expected = AnalysisData.BruteForce(data.Parks[p], data.Institutions, 20_000, settings.TierWeights);
            if (expected.Institutions != rows[p].Bands[^1].Institutions || expected.Estimated != rows[p].Bands[^1].Estimated)
            {
                throw new InvalidOperationException($"park {p}: {rows[p].Bands[^1].Institutions} but brute force {expected.Institutions}");
            }
        }

        var outer = rows.Select(r => r.Bands[^1].Institutions.AtMost).Order().ToArray();
        Log($"research base checked against brute force on 10 parks; 20 km band per park: median {outer[outer.Length / 2]:N0}, max {outer[^1]:N0} institutions (certain + possible)");
        var table = Time(runs, () => ResearchBase.ForParks(parkItems, [source], settings));
        Log($"all-parks research base (4 bands): {Summary(table)} {VersusTarget(table, 2)}");
        var engineOnly = Time(runs, () => Parallel.For(0, parkItems.Length, i => index.VisitWithin(parkItems[i].Geometry, 20_000, parkItems[i].LocationUncertaintyMeters, static (_, _, _) => { })));
        Log($"of which the radius queries alone (20 km, nothing counted): {Summary(engineOnly)}");

        var whiteSettings = WhiteSpotSettings.Default;
        var grid = EqualAreaGrid.Covering(_shanghai, whiteSettings.CellMeters);
        var cells = WhiteSpots.Find(grid, [source], [parkIndex], whiteSettings);
        foreach (var cell in cells.Take(10))
        {
            var expected = AnalysisData.BruteForceCount(cell.Centre, data.Institutions, whiteSettings.InstitutionRadiusMeters);
            if (expected != cell.Institutions)
            {
                throw new InvalidOperationException($"cell {cell.Column},{cell.Row}: {cell.Institutions} but brute force {expected}");
            }
        }

        Log($"white spots checked against brute force on 10 cells; {grid.Columns} × {grid.Rows} = {grid.CellCount:N0} cells of {whiteSettings.CellMeters} m, {cells.Count:N0} white spots ({cells.Count(c => c.Status == WhiteSpotStatus.Certain):N0} certain)");
        var spots = Time(runs, () => WhiteSpots.Find(grid, [source], [parkIndex], whiteSettings));
        Log($"white spots (N {whiteSettings.MinInstitutions}, R {whiteSettings.InstitutionRadiusMeters} m, R' {whiteSettings.ParkRadiusMeters} m): {Summary(spots)} {VersusTarget(spots, 1)}");
        Log($"load average (1 min) at the end: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a")}");
    }

    // Wall-clock seconds and the process's CPU seconds of each run: on a shared machine the wall clock measures the
    // other work too, while CPU seconds ÷ cores is what the run would take with the cores to itself.
    private static (double Wall, double Cpu)[] Time(int runs, Action action)
    {
        var seconds = new (double, double)[runs];
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < runs; i++)
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            action();
            seconds[i].Item1 = clock.Elapsed.TotalSeconds;
            process.Refresh();
            seconds[i].Item2 = (process.TotalProcessorTime - cpu).TotalSeconds;
        }

        return seconds;
    }

    private static string Summary((double Wall, double Cpu)[] seconds)
    {
        var best = seconds.MinBy(s => s.Wall);
        var cpu = seconds.Select(s => s.Cpu).Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"wall best {best.Wall:F2} s, median {seconds.Select(s => s.Wall).Order().ElementAt(seconds.Length / 2):F2} s; CPU median {cpu[cpu.Length / 2]:F2} s = {cpu[cpu.Length / 2] / Environment.ProcessorCount:F2} s on {Environment.ProcessorCount} free cores ({seconds.Length} runs)");
    }

    // The median run against a target in seconds, by the wall clock and by CPU seconds ÷ cores (the shared machine's
    // wall clock includes other work): a ratio below 1 meets the target.
    private static string VersusTarget((double Wall, double Cpu)[] seconds, double targetSeconds)
    {
        var wall = seconds.Select(s => s.Wall).Order().ElementAt(seconds.Length / 2);
        var cpu = seconds.Select(s => s.Cpu).Order().ElementAt(seconds.Length / 2) / Environment.ProcessorCount;
        return string.Create(CultureInfo.InvariantCulture,
            $"(target < {targetSeconds} s: wall {wall / targetSeconds:F2}× the target, CPU ÷ cores {cpu / targetSeconds:F2}×, {(cpu < targetSeconds ? "met" : "not met")} on free cores)");
    }

    private static void Log(FormattableString message) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.Now:HH:mm:ss}] ") + message.ToString(CultureInfo.InvariantCulture));
}
