using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClusterMap.Storage.Sqlite;
using ClusterMap.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Cli.Tests.Faults;

/// <summary>
/// The store under faults, with the real programs: the import killed with SIGKILL mid-write, a corrupt or truncated
/// database file at service start, and a disk that fills up during an import.
/// </summary>
public sealed class StoreFaultTests() : ScratchFolder("faults")
{
    /// <summary>A GeoJSON file of <paramref name="count"/> points on a grid over Shanghai, ids p-0…; generated, not real places.</summary>
    private string WritePoints(string name, int count)
    {
        var path = Path.Combine(Folder, name);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.Write("{\"type\":\"FeatureCollection\",\"features\":[");
        for (var i = 0; i < count; i++)
        {
            var lon = 121.0 + (i % 1000 * 0.0008);
            var lat = 30.8 + (i / 1000 * 0.0008);
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{(i == 0 ? "" : ",")}{{\"type\":\"Feature\",\"properties\":{{\"id\":\"p-{i}\",\"name\":\"Point {i}\"}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{lon:0.######},{lat:0.######}]}}}}"));
        }

        writer.Write("]}");
        return path;
    }

    private static async Task<List<string>> IdsAsync(string databasePath, string collection)
    {
        var store = new SqliteFeatureStore(databasePath);
        await store.InitializeAsync();
        var ids = (await store.GetAllItemsAsync(collection)).Select(f => f.Id).Order(StringComparer.Ordinal).ToList();
        SqliteConnection.ClearAllPools();
        return ids;
    }

    [Fact]
    public async Task Import_SigKilledWhileWriting_StoreReopensWithThePreviousDataAndTheServiceStarts()
    {
        var before = await CliRunner.RunAsync(Folder, "import", WritePoints("small.geojson", 3), "--collection", "points", "--db", DatabasePath);
        Assert.True(before.ExitCode == 0, before.Error);
        var big = WritePoints("big.geojson", 300_000);

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "clustermap.dll"), "import", big, "--collection", "points", "--db", DatabasePath })
        {
            start.ArgumentList.Add(argument);
        }

        using var import = Process.Start(start)!;
        var wal = new FileInfo(DatabasePath + "-wal");
        var clock = Stopwatch.StartNew();
        // Kill once the write transaction has put a megabyte into the write-ahead log: mid-write, not before or after.
        while (!import.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            wal.Refresh();
            if (wal.Exists && wal.Length > 1024 * 1024)
            {
                break;
            }

            await Task.Delay(5);
        }

        Assert.False(import.HasExited, $"the import ended (exit {(import.HasExited ? import.ExitCode : 0)}) before it could be killed mid-write; use a larger file");
        import.Kill();   // SIGKILL: no handler, no cleanup, as the kernel's OOM killer or a power cut would
        await import.WaitForExitAsync();

        Assert.Equal(["p-0", "p-1", "p-2"], await IdsAsync(DatabasePath, "points"));

        // No request timeout: on a loaded CI machine the first query may be slow, and this test is about the data.
        await using var service = await ServiceProcess.StartAsync(new ServiceProcessOptions
        {
            ApiDll = ServiceProcess.ApiDllInSourceTree(),
            GeodataPath = Path.Combine(Folder, "no-geodata"),
            Settings = new Dictionary<string, string> { ["Storage__SqlitePath"] = DatabasePath, ["Limits__RequestTimeoutSeconds"] = "0" },
        });
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        using var items = JsonDocument.Parse(await client.GetStringAsync("/collections/points/items?limit=100"));
        Assert.Equal(3, items.RootElement.GetProperty("numberMatched").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    public static TheoryData<string> Damages => ["garbage", "zeroed header", "truncated", "empty"];

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task Service_OnADamagedDatabase_RefusesToStartWithOneLineNamingTheFileAndLeavesItUntouched(string damage)
    {
        var imported = await CliRunner.RunAsync(Folder, "import", WritePoints("points.geojson", 5_000), "--collection", "points", "--db", DatabasePath);
        Assert.True(imported.ExitCode == 0, imported.Error);
        SqliteConnection.ClearAllPools();
        var bytes = await File.ReadAllBytesAsync(DatabasePath);
        Assert.False(File.Exists(DatabasePath + "-wal") && new FileInfo(DatabasePath + "-wal").Length > 0, "the import left an unmerged write-ahead log");
        byte[] damaged = damage switch
        {
            "garbage" => RandomNumberGenerator.GetBytes(bytes.Length),
            "zeroed header" => [.. new byte[100], .. bytes[100..]],
            "truncated" => bytes[..(bytes.Length / 2)],
            _ => [],
        };
        await File.WriteAllBytesAsync(DatabasePath, damaged);
        var filesBefore = Directory.GetFiles(Folder).Order(StringComparer.Ordinal).ToList();

        var (exitCode, output, error) = await RunServiceToExitAsync(DatabasePath);

        Assert.NotEqual(0, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("ClusterMap cannot start: " + DatabasePath + ": not a usable ClusterMap database", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);   // no stack trace
        Assert.Equal(damaged, await File.ReadAllBytesAsync(DatabasePath));
        Assert.Equal(filesBefore, Directory.GetFiles(Folder).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>Starts the service on <paramref name="databasePath"/> and waits for it to exit by itself (it must not start).</summary>
    private async Task<(int ExitCode, string Output, string Error)> RunServiceToExitAsync(string databasePath)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ServiceProcess.ApiDllInSourceTree());
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["Storage__SqlitePath"] = databasePath;
        start.Environment["Storage__GeodataPath"] = Path.Combine(ServiceProcess.RepositoryRoot(), "geodata");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("the service started on a damaged database:\n" + await output);
        }

        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Import_DiskFullMidWrite_FailsWithAClearMessageAndTheStoreIsIntact()
    {
        using var disk = SmallDisk.Create(Path.Combine(Folder, "disk"), sizeBytes: 2 * 1024 * 1024);
        var database = Path.Combine(disk.Path, "store.db");
        var small = WritePoints("small.geojson", 3);
        var first = await disk.RunCliAsync(Folder, "import", small, "--collection", "points", "--db", database);
        Assert.True(first.ExitCode == 0, first.Error);

        var full = await disk.RunCliAsync(Folder, "import", WritePoints("big.geojson", 50_000), "--collection", "points", "--db", database);

        Assert.Equal(1, full.ExitCode);
        Assert.Contains(database, full.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", full.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", full.Error, StringComparison.Ordinal);
        Assert.Equal(["p-0", "p-1", "p-2"], await IdsAsync(database, "points"));
    }
}

/// <summary>
/// A disk that fills up: a 2 MiB tmpfs where the machine lets us mount one (root, as in CI), otherwise a file size
/// limit on the CLI process (ulimit -f with SIGXFSZ ignored, so writes fail with an error as on a full disk).
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private readonly bool _mounted;
    private readonly long _sizeBytes;

    private SmallDisk(string path, bool mounted, long sizeBytes)
    {
        Path = path;
        _mounted = mounted;
        _sizeBytes = sizeBytes;
    }

    public string Path { get; }

    public static SmallDisk Create(string path, long sizeBytes)
    {
        Directory.CreateDirectory(path);
        var mount = Run("mount", "-t", "tmpfs", "-o", $"size={sizeBytes}", "tmpfs", path);
        return new SmallDisk(path, mount == 0, sizeBytes);
    }

    public Task<CliRunner.Result> RunCliAsync(string workingDirectory, params string[] arguments)
    {
        if (_mounted)
        {
            return CliRunner.RunAsync(workingDirectory, arguments);
        }

        var quoted = string.Join(" ", arguments.Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var script = $"trap '' XFSZ; ulimit -f {_sizeBytes / 1024}; exec dotnet '{System.IO.Path.Combine(AppContext.BaseDirectory, "clustermap.dll")}' {quoted}";
        return CliRunner.RunProgramAsync(workingDirectory, "bash", "-c", script);
    }

    private static int Run(string program, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    public void Dispose()
    {
        if (_mounted)
        {
            SqliteConnection.ClearAllPools();
            Run("umount", Path);
        }
    }
}
