using System.Diagnostics;
using System.Globalization;

namespace ClusterMap.Benchmarks;

/// <summary>
/// Drives wrk (the C load generator) from the benchmarks: an HttpClient loop in this process costs more CPU per request
/// than the service's answer to a cached tile does, so on two shared cores it, not the service, would set the rate.
/// </summary>
internal static class Wrk
{
    public readonly record struct Run(long Requests, double RequestsPerSecond, long Failed);

    public static bool IsInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "wrk")));

    /// <summary>One thread, <paramref name="connections"/> connections, cycling through <paramref name="paths"/>.</summary>
    public static async Task<Run> RunAsync(Uri baseAddress, IReadOnlyList<string> paths, int connections, int seconds)
    {
        var script = Path.GetTempFileName();
        try
        {
            // Lua strings in long brackets ([==[…]==]) take a path verbatim.
            await File.WriteAllTextAsync(script, $$"""
                local paths = { {{string.Join(", ", paths.Select(p => $"[==[{p}]==]"))}} }
                local i = 0
                request = function()
                  i = i + 1
                  return wrk.format("GET", paths[(i % #paths) + 1])
                end
                """);
            var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-t1", $"-c{connections}", $"-d{seconds}s", "--timeout", "30s", "-s", script, baseAddress.ToString() })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {await process.StandardError.ReadToEndAsync()}");
            }

            return Parse(output);
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>Reads "N requests in …", "Requests/sec: R", and the non-2xx/3xx and socket error counts of wrk's summary.</summary>
    private static Run Parse(string output)
    {
        long requests = 0, failed = 0;
        double perSecond = 0;
        foreach (var line in output.Split('\n', StringSplitOptions.TrimEntries))
        {
            var words = line.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
            if (line.Contains(" requests in ", StringComparison.Ordinal))
            {
                requests = long.Parse(words[0], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Requests/sec:", StringComparison.Ordinal))
            {
                perSecond = double.Parse(words[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Non-2xx or 3xx responses:", StringComparison.Ordinal))
            {
                failed += long.Parse(words[^1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Socket errors:", StringComparison.Ordinal))
            {
                // "Socket errors: connect 0, read 0, write 0, timeout 0"
                failed += words.Where((_, i) => i > 1 && i % 2 == 1).Sum(w => long.Parse(w, CultureInfo.InvariantCulture));
            }
        }

        return new Run(requests, perSecond, failed);
    }
}
