using System.Diagnostics;

namespace ClusterMap.Cli.Tests;

/// <summary>Runs the real <c>clustermap</c> program (the built clustermap.dll beside the tests) as a user would.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Task<Result> RunAsync(string workingDirectory, params string[] arguments) =>
        RunProgramAsync(workingDirectory, "dotnet", [Path.Combine(AppContext.BaseDirectory, "clustermap.dll"), .. arguments]);

    /// <summary>Any program, e.g. a shell that limits the CLI's resources before it starts it.</summary>
    public static async Task<Result> RunProgramAsync(string workingDirectory, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
