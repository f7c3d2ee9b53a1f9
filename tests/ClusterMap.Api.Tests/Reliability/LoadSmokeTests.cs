using System.Diagnostics;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Api.Tests.Reliability;

/// <summary>
/// `make loadtest` in small: the same script and wrk on the real process for a few seconds. It asserts that every
/// request succeeded (no non-2xx/3xx answer, no socket error or timeout), not how fast: speed is measured by the
/// full run, whose figures are in docs/performance.md.
/// </summary>
public sealed class LoadSmokeTests
{
    [Fact]
    public async Task Wrk_ShortRunOverItemsProximityTilesAndMaps_HasZeroErrors()
    {
        await using var service = await ServiceProcess.StartAsync(ClusterMapFactory.TestGeodata);
        var script = Path.Combine(ServiceProcess.RepositoryRoot(), "tests", "ClusterMap.Benchmarks", "loadtest.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, "--url", service.BaseAddress.ToString().TrimEnd('/'), "--duration", "4s", "--connections", "16", "--rounds", "1", "--collections", "sites", "sites" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var report = await output + await error;

        Assert.True(report.Contains("errors: 0", StringComparison.Ordinal), report);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(report, @"requests: [1-9]\d*"), report);
        Assert.True(process.ExitCode == 0, report);
    }
}
