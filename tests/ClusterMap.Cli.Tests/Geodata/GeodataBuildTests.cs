using ClusterMap.Cli.Geodata;

namespace ClusterMap.Cli.Tests.Geodata;

/// <summary>The build is reproducible: same inputs, same bytes; and the committed geodata/ is what the build gives.</summary>
public class GeodataBuildTests
{
    private static readonly string[] _basemapFiles = [GeodataBuilder.LandFile, GeodataBuilder.WaterFile];

    [Fact]
    public void Build_RunTwice_WritesByteIdenticalFiles()
    {
        var first = GeodataPaths.NewTempDirectory();
        var second = GeodataPaths.NewTempDirectory();
        try
        {
            var a = GeodataBuilder.Build(GeodataPaths.Sources, first, TextWriter.Null);
            var b = GeodataBuilder.Build(GeodataPaths.Sources, second, TextWriter.Null);

            Assert.Equal(a.FilesWritten, b.FilesWritten);
            Assert.Equal(FileNames(first), FileNames(second));
            foreach (var name in FileNames(first))
            {
                Assert.True(
                    File.ReadAllBytes(Path.Combine(first, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(second, name))),
                    $"{name} differs between two builds");
            }
        }
        finally
        {
            Directory.Delete(first, recursive: true);
            Directory.Delete(second, recursive: true);
        }
    }

    [Fact]
    public void Build_FromSharedSources_ReproducesCommittedGeodata()
    {
        var output = GeodataPaths.NewTempDirectory();
        try
        {
            var report = GeodataBuilder.Build(GeodataPaths.Sources, output, TextWriter.Null);

            Assert.False(report.BasemapRebuilt);
            foreach (var name in report.FilesWritten)
            {
                AssertSameBytes(Path.Combine(GeodataPaths.CommittedGeodata, name), Path.Combine(output, name));
            }

            // Every committed data file is produced by the build (nothing hand-edited is shipped beside it).
            var committed = FileNames(GeodataPaths.CommittedGeodata)
                .Where(n => n.EndsWith(".geojson", StringComparison.Ordinal) || n.EndsWith(".json", StringComparison.Ordinal))
                .Except(_basemapFiles);
            Assert.Equal(committed.Order(StringComparer.Ordinal), report.FilesWritten.Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void Build_WithBasemapSource_ReproducesCommittedBasemap()
    {
        // Without the package this test would prove nothing, so it installs it (as `make geodata` does) or fails.
        GeodataPaths.EnsureBasemapSource();

        var output = GeodataPaths.NewTempDirectory();
        try
        {
            var report = GeodataBuilder.Build(GeodataPaths.Sources, output, TextWriter.Null, new GeodataBuildOptions(GeodataPaths.BasemapSource));

            Assert.True(report.BasemapRebuilt);
            foreach (var name in _basemapFiles)
            {
                AssertSameBytes(Path.Combine(GeodataPaths.CommittedGeodata, name), Path.Combine(output, name));
                Assert.True(new FileInfo(Path.Combine(output, name)).Length < 2_000_000, $"{name} should stay under 2 MB");
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void Build_WithoutBasemapSource_KeepsExistingBasemapFiles()
    {
        var output = GeodataPaths.NewTempDirectory();
        try
        {
            foreach (var name in _basemapFiles)
            {
                File.WriteAllText(Path.Combine(output, name), "kept");
            }

            var report = GeodataBuilder.Build(GeodataPaths.Sources, output, TextWriter.Null, new GeodataBuildOptions("/nonexistent/basemap"));

            Assert.False(report.BasemapRebuilt);
            Assert.Contains(report.Warnings, w => w.Contains("kept the existing", StringComparison.Ordinal));
            foreach (var name in _basemapFiles)
            {
                Assert.Equal("kept", File.ReadAllText(Path.Combine(output, name)));
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static string[] FileNames(string directory) =>
        [.. Directory.GetFiles(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    private static void AssertSameBytes(string expectedPath, string actualPath)
    {
        Assert.True(File.Exists(expectedPath), $"{expectedPath} is not committed; run the bless step (geodata/README.md)");
        var expected = File.ReadAllBytes(expectedPath);
        var actual = File.ReadAllBytes(actualPath);
        Assert.True(
            expected.AsSpan().SequenceEqual(actual),
            $"{Path.GetFileName(expectedPath)}: a fresh build differs from the committed file; rebuild and review the diff");
    }
}
