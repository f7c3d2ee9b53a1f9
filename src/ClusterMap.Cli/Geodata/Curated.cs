using System.Text;

namespace ClusterMap.Cli.Geodata;

/// <summary>
/// The hand-curated judgement files from <c>geodata/src/</c>, compiled into this assembly
/// (see ClusterMap.Cli.csproj) so that a build needs only the sources folder.
/// </summary>
internal static class Curated
{
    public static IReadOnlyList<CsvRow> Read(string fileName)
    {
        var resource = "ClusterMap.Cli.Geodata.Curated." + fileName;
        using var stream = typeof(Curated).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Curated file {fileName} is not embedded (expected geodata/src/{fileName}).");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return CsvTable.Read(reader);
    }
}
