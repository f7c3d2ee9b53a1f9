namespace ClusterMap.Cli.Tests.Geodata;

/// <summary>Where the repository, its committed geodata and the shared sources are, seen from a test run.</summary>
internal static class GeodataPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string CommittedGeodata => Path.Combine(RepoRoot, "geodata");

    /// <summary>CI and every developer have shared/ beside the clone: &lt;repo&gt;/../shared/geodata-sources.</summary>
    public static string Sources => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "geodata-sources"));

    /// <summary>The basemap package as installed by <c>npm ci --prefix geodata/src/basemap</c>, if it was.</summary>
    public static string BasemapSource => Path.Combine(RepoRoot, "geodata", "src", "basemap", "node_modules");

    public static bool BasemapSourcePresent =>
        File.Exists(Path.Combine(BasemapSource, "@geo-maps", "countries-land-10m", "map.geo.json"));

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
