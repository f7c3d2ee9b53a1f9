using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ClusterMap.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL 15 + PostGIS 3 cluster on a free loopback port, started once per test process (initdb and
/// pg_ctl as the postgres user, fsync off) and deleted when the process exits; tests get fresh databases cloned from
/// a template that already holds the postgis extension. CLUSTERMAP_TEST_POSTGRES (an Npgsql connection string to a
/// superuser) uses an existing server instead. A machine without PostgreSQL/PostGIS fails the tests, never skips
/// them: `make test` installs postgresql-15-postgis-3 (.ci/install-test-deps.sh).
/// </summary>
public sealed class PostGisCluster
{
    private const string PgBin = "/usr/lib/postgresql/15/bin";
    private const string Template = "clustermap_template";

    private static readonly Lazy<Task<PostGisCluster>> _shared = new(StartAsync);
    private static int _databases;

    private readonly string _adminConnectionString;

    private PostGisCluster(string adminConnectionString) => _adminConnectionString = adminConnectionString;

    /// <summary>The cluster shared by every test of this process.</summary>
    public static Task<PostGisCluster> SharedAsync() => _shared.Value;

    /// <summary>Creates an empty database with PostGIS installed and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"cm_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {Template}", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing its pooled connections first.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<PostGisCluster> StartAsync()
    {
        var existing = Environment.GetEnvironmentVariable("CLUSTERMAP_TEST_POSTGRES");
        var admin = string.IsNullOrEmpty(existing) ? await StartLocalClusterAsync() : existing;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        foreach (var sql in new[]
        {
            $"DROP DATABASE IF EXISTS {Template}",
            $"CREATE DATABASE {Template}",
        })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        await using (var template = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(admin) { Database = Template, Pooling = false }.ConnectionString))
        {
            await template.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE EXTENSION postgis", template);
            await command.ExecuteNonQueryAsync();
        }

        return new PostGisCluster(admin);
    }

    private static async Task<string> StartLocalClusterAsync()
    {
        if (!File.Exists(Path.Combine(PgBin, "initdb")) || !File.Exists("/usr/share/postgresql/15/extension/postgis.control"))
        {
            throw new InvalidOperationException(
                "PostgreSQL 15 with PostGIS 3 is required for the PostGIS tests: apt-get install postgresql-15-postgis-3 (make test does), or set CLUSTERMAP_TEST_POSTGRES to a superuser connection string.");
        }

        var directory = Directory.CreateTempSubdirectory("clustermap-test-pg-").FullName;
        var port = FreePort();
        await RunAsync("chown", "postgres:postgres", directory);
        await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(PgBin, "initdb"), "-D", Path.Combine(directory, "db"), "-A", "trust", "-U", "postgres", "--no-sync");
        await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(PgBin, "pg_ctl"), "-D", Path.Combine(directory, "db"), "-l", Path.Combine(directory, "log"), "-w", "-o",
            $"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            "start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            // Best effort: a process being torn down must not throw from here.
            try
            {
                RunAsync("runuser", "-u", "postgres", "--", Path.Combine(PgBin, "pg_ctl"), "-D", Path.Combine(directory, "db"), "-m", "immediate", "-w", "stop").GetAwaiter().GetResult();
            }
            finally
            {
                RunAsync("rm", "-rf", directory).GetAwaiter().GetResult();
            }
        };
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    private static async Task RunAsync(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
