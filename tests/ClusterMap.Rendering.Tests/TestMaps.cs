using ClusterMap.Core.Import;
using ClusterMap.Rendering.Model;

namespace ClusterMap.Rendering.Tests;

/// <summary>The synthetic test geodata (invented names on an invented coast) as map data, and one shared renderer.</summary>
internal static class TestMaps
{
    public static readonly string Geodata = Path.Combine(AppContext.BaseDirectory, "TestData", "geodata");

    private static readonly Lazy<MapData> _data = new(() => Load(Geodata));

    private static readonly Lazy<MapRenderer> _renderer = new(MapRenderer.Create);

    public static MapData Data => _data.Value;

    public static MapRenderer Renderer => _renderer.Value;

    public static MapData Load(string geodataDirectory, long version = 1) =>
        MapData.From(GeodataManifest.ReadAll(geodataDirectory).Select(i => (i.Definition, i.Features)), version);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ClusterMap.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ClusterMap.sln not found above " + AppContext.BaseDirectory);
    }
}
