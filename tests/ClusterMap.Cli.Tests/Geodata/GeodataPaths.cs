namespace ClusterMap.Cli.Tests.Geodata;

/// <summary>Where the repository, its committed geodata and the shared sources are, seen from a test run.</summary>
internal static class GeodataPaths
{
    private static readonly Lock _installLock = new();

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string CommittedGeodata => Path.Combine(RepoRoot, "geodata");

    /// <summary>
    /// CI and every developer have shared/ beside the clone: &lt;repo&gt;/../shared/geodata-sources; a checkout elsewhere
    /// (a git worktree) names the folder in CLUSTERMAP_GEODATA_SOURCES.
    /// </summary>
    public static string Sources => Environment.GetEnvironmentVariable("CLUSTERMAP_GEODATA_SOURCES") is { Length: > 0 } sources
        ? Path.GetFullPath(sources)
        : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "geodata-sources"));

    /// <summary>The basemap package as installed by <c>npm ci --prefix geodata/src/basemap</c>, if it was.</summary>
    public static string BasemapSource => Path.Combine(RepoRoot, "geodata", "src", "basemap", "node_modules");

    public static bool BasemapSourcePresent =>
        File.Exists(Path.Combine(BasemapSource, "@geo-maps", "countries-land-10m", "map.geo.json"));

    /// <summary>
    /// Installs the pinned basemap package with <c>npm ci</c> (the lockfile in geodata/src/basemap) when it is absent,
    /// and fails, saying why, when that cannot be done: a rebuild comparison must never pass without rebuilding.
    /// </summary>
    public static void EnsureBasemapSource()
    {
        lock (_installLock)
        {
            if (BasemapSourcePresent)
            {
                return;
            }

            var prefix = Path.Combine(RepoRoot, "geodata", "src", "basemap");
            var start = new System.Diagnostics.ProcessStartInfo("npm")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in new[] { "ci", "--prefix", prefix, "--no-audit", "--no-fund" })
            {
                start.ArgumentList.Add(argument);
            }

            string output;
            int exitCode;
            try
            {
                using var npm = System.Diagnostics.Process.Start(start)!;
                var stdout = npm.StandardOutput.ReadToEndAsync();
                output = npm.StandardError.ReadToEnd() + stdout.Result;
                npm.WaitForExit();
                exitCode = npm.ExitCode;
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException($"The basemap package is not installed and npm cannot be started ({ex.Message}); install npm (Debian: apt-get install npm) or run `npm ci --prefix geodata/src/basemap`.", ex);
            }

            if (exitCode != 0 || !BasemapSourcePresent)
            {
                throw new InvalidOperationException($"`npm ci --prefix {prefix}` failed (exit {exitCode}), so the committed basemap cannot be compared with a rebuild:\n{output}");
            }
        }
    }

    public static string NewTempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "clustermap-geodata-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClusterMap.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ClusterMap.sln not found above " + AppContext.BaseDirectory);
    }
}
