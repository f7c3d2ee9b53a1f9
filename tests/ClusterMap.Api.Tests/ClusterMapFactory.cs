using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace ClusterMap.Api.Tests;

/// <summary>
/// The real service in process, on a fresh SQLite file built from a geodata folder (the small synthetic test set
/// by default), so every test sees the same data and nothing touches the developer's own database.
/// </summary>
public class ClusterMapFactory : WebApplicationFactory<Program>
{
    public static readonly string TestGeodata = Path.Combine(AppContext.BaseDirectory, "TestData", "geodata");

    private readonly string _directory = Directory.CreateTempSubdirectory("clustermap-api-").FullName;

    public ClusterMapFactory()
        : this(TestGeodata, new Dictionary<string, string?>())
    {
    }

    protected ClusterMapFactory(string geodataPath, IDictionary<string, string?> settings)
    {
        Settings = new Dictionary<string, string?>(settings)
        {
            ["Storage:SqlitePath"] = Path.Combine(_directory, "clustermap.db"),
            ["Storage:GeodataPath"] = geodataPath,
        };
        // One access-log line per request would bury the test output (the logging test runs a real process).
        Settings.TryAdd("Logging:LogLevel:ClusterMap.Requests", "Warning");
    }

    public Dictionary<string, string?> Settings { get; }

    /// <summary>A service on another geodata folder or with other settings (xunit fixtures allow one public constructor).</summary>
    public static ClusterMapFactory With(string geodataPath, IDictionary<string, string?>? settings = null) =>
        new(geodataPath, settings ?? new Dictionary<string, string?>());

    public string DatabasePath => Settings["Storage:SqlitePath"]!;

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(Settings));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
