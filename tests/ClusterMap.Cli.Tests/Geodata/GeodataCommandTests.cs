using ClusterMap.Cli.Geodata;

namespace ClusterMap.Cli.Tests.Geodata;

public class GeodataCommandTests
{
    [Fact]
    public void Run_MissingSourcesFolder_FailsWithMessage()
    {
        var error = new StringWriter();
        var output = GeodataPaths.NewTempDirectory();

        var exitCode = GeodataCommand.Run("/nonexistent/sources", output, null, TextWriter.Null, error);

        Directory.Delete(output, recursive: true);
        Assert.Equal(1, exitCode);
        Assert.Contains("/nonexistent/sources", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ParsesBuildWithItsOptions()
    {
        var command = GeodataCommand.Create();

        var result = command.Parse(["build", "--sources", "s", "--out", "o", "--basemap-source", "b"]);

        Assert.Empty(result.Errors);
        Assert.Equal("build", result.CommandResult.Command.Name);
    }
}
