using ClusterMap.Cli.Geodata;

namespace ClusterMap.Cli.Tests.Geodata;

/// <summary>
/// `GEODATA_BLESS=1 dotnet test --filter GeodataBless` rebuilds the committed geodata/ in place (the "bless" step:
/// review the diff, then commit). Without the variable this test does nothing.
/// </summary>
public class GeodataBlessTests
{
    [Fact]
    public void GeodataBless_WhenRequested_RebuildsCommittedGeodata()
    {
        if (Environment.GetEnvironmentVariable("GEODATA_BLESS") != "1")
        {
            return;
        }

        var options = new GeodataBuildOptions(GeodataPaths.BasemapSourcePresent ? GeodataPaths.BasemapSource : null);
        var report = GeodataBuilder.Build(GeodataPaths.Sources, GeodataPaths.CommittedGeodata, Console.Out, options);
        Assert.NotEmpty(report.FilesWritten);
    }
}
