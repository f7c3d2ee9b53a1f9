using ClusterMap.Core.Import;

namespace ClusterMap.Core.Tests.Import;

public sealed class GeodataManifestTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clustermap-manifest-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ReadAll_ListedFiles_AreReadInManifestOrderWithTheirDefinitions()
    {
        File.WriteAllText(Path.Combine(_directory, "collections.json"), """
            {"collections":[
              {"id":"sites","title":"Sites","description":"d","file":"sites.geojson","attribution":"A","license":"CC0-1.0","role":"context"},
              {"id":"lines","title":"Lines","description":"","file":"lines.geojson"}]}
            """);
        File.WriteAllText(Path.Combine(_directory, "sites.geojson"), """{"type":"FeatureCollection","features":[{"type":"Feature","id":"s1","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}""");
        File.WriteAllText(Path.Combine(_directory, "lines.geojson"), """{"type":"FeatureCollection","features":[]}""");

        var imports = GeodataManifest.ReadAll(_directory);

        Assert.Equal(["sites", "lines"], imports.Select(i => i.Definition.Id));
        Assert.Equal(("Sites", "A", "CC0-1.0"), (imports[0].Definition.Title, imports[0].Definition.Attribution, imports[0].Definition.License));
        Assert.Equal("s1", Assert.Single(imports[0].Features).Id);
        Assert.Empty(imports[1].Features);
    }

    [Fact]
    public void Load_BadIdAndEscapingPath_AreBothReported()
    {
        File.WriteAllText(Path.Combine(_directory, "collections.json"), """
            {"collections":[{"id":"Bad_Id","title":"x","description":"","file":"../../etc/passwd"}]}
            """);

        var error = Assert.Throws<ImportRejectedException>(() => GeodataManifest.Load(_directory));

        Assert.Equal(["id", "file"], error.Problems.Select(p => p.Field));
    }

    [Fact]
    public void Load_MissingManifest_SaysWhereItLookedAndWhichSettingToChange()
    {
        var error = Assert.Throws<FileNotFoundException>(() => GeodataManifest.Load(_directory));

        Assert.Contains("Storage__GeodataPath", error.Message, StringComparison.Ordinal);
    }
}
