using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Tests.Shared;

/// <summary>
/// The real service as its own process on a free loopback port (the built ClusterMap.Api.dll beside the tests),
/// for clients that need a socket: GDAL, browsers, load tools. Shared by the test projects as a linked file
/// (tests/Shared), so every real-process test starts the service the same way.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly string _directory;

    private ServiceProcess(Process process, string directory, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        BaseAddress = baseAddress;
        // A test host or benchmark stopped by a signal runs no DisposeAsync: the service would outlive it, holding its
        // port and memory (found after stopping a `maps-scale --hold`).
        _live.TryAdd(this, 0);
    }

    // The services still running, killed when this process is told to stop (SIGTERM, SIGINT) or exits without
    // disposing them; the signal then takes its default course.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<ServiceProcess, byte> _live = new();

    // Held for the life of the process: a registration that is collected stops handling its signal.
    private static readonly PosixSignalRegistration[] _stopSignals = RegisterStopSignals();

    private static PosixSignalRegistration[] RegisterStopSignals()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillLive();
        return [PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => KillLive()), PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => KillLive())];
    }

    private static void KillLive()
    {
        foreach (var service in _live.Keys)
        {
            try
            {
                service._process.Kill(entireProcessTree: true);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    public Uri BaseAddress { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// The service as built in its own project folder, in the configuration these tests were built in — for test
    /// projects that build the service without referencing it (their folder then keeps only their own assemblies).
    /// </summary>
    public static string ApiDllInSourceTree()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        var dll = Path.Combine(RepositoryRoot(), "src", "ClusterMap.Api", "bin", configuration, framework.Name, "ClusterMap.Api.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("The service is not built (run dotnet build ClusterMap.sln)", dll);
    }

    /// <summary>The repository's root (the folder of ClusterMap.sln), for the shipped geodata/.</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ClusterMap.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ClusterMap.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The service's process id (for reading its memory use from /proc).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts the service on <paramref name="geodataPath"/>; <paramref name="settings"/> are extra environment variables (Section__Key).</summary>
    public static Task<ServiceProcess> StartAsync(string geodataPath, IReadOnlyDictionary<string, string>? settings = null) =>
        StartAsync(new ServiceProcessOptions { GeodataPath = geodataPath, Settings = settings });

    public static async Task<ServiceProcess> StartAsync(ServiceProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var directory = Directory.CreateTempSubdirectory("clustermap-service-").FullName;
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var apiDll = options.ApiDll ?? Path.Combine(AppContext.BaseDirectory, "ClusterMap.Api.dll");
        var start = new ProcessStartInfo(options.InTerminal ? "script" : "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (options.InTerminal)
        {
            // util-linux's script gives the service a pseudo-terminal as stdout and copies what it writes to ours.
            start.ArgumentList.Add("--quiet");
            start.ArgumentList.Add("--flush");
            start.ArgumentList.Add("--return");
            start.ArgumentList.Add("--command");
            start.ArgumentList.Add($"exec dotnet '{apiDll}' --urls {baseAddress}");
            start.ArgumentList.Add("/dev/null");
        }
        else
        {
            start.ArgumentList.Add(apiDll);
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add(baseAddress.ToString());
        }

        start.Environment["Storage__SqlitePath"] = options.DatabasePath ?? Path.Combine(directory, "clustermap.db");
        // With an existing database the geodata folder is never read; an empty folder says so.
        start.Environment["Storage__GeodataPath"] = options.GeodataPath ?? directory;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in options.Settings ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var service = new ServiceProcess(process, directory, baseAddress);
        process.OutputDataReceived += (_, e) => service.Append(e.Data, options.Output);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data, options.Output);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service.WaitUntilReadyAsync(options.StartTimeout);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    private void Append(string? line, Action<string>? output)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        output?.Invoke(line);
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {_process.ExitCode}:\n{Log}");
            }

            try
            {
                if ((await client.GetAsync("/conformance")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The service did not answer within {timeout.TotalSeconds} s:\n{Log}");
    }

    /// <summary>Sends SIGTERM, as a container runtime or systemd does to stop the service.</summary>
    public async Task SendSigTermAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the process to end by itself and returns its exit code; throws if it has not within <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _live.TryRemove(this, out _);
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>How <see cref="ServiceProcess"/> starts the service; every member has a default.</summary>
public sealed record ServiceProcessOptions
{
    /// <summary>The geodata folder a new database is built from (default: none, for an existing <see cref="DatabasePath"/>).</summary>
    public string? GeodataPath { get; init; }

    /// <summary>The SQLite database to serve (default: a new one in the service's own temporary folder). Not deleted afterwards.</summary>
    public string? DatabasePath { get; init; }

    /// <summary>The built ClusterMap.Api.dll (default: the one beside the calling assembly).</summary>
    public string? ApiDll { get; init; }

    /// <summary>Extra environment variables (Section__Key).</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }

    /// <summary>How long to wait for the first answer (a large database takes a while to open).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Runs the service with a pseudo-terminal as its output, as a developer's shell does (default: redirected, as under a supervisor).</summary>
    public bool InTerminal { get; init; }

    /// <summary>Called with each line the service writes (the lines are also kept in <see cref="ServiceProcess.Log"/>).</summary>
    public Action<string>? Output { get; init; }
}
