using System.Globalization;

namespace ClusterMap.Projections.Tests.Fixtures;

/// <summary>Reads a fixture CSV (header row, comma-separated, no quoting) beside the test assembly.</summary>
internal static class Fixture
{
    public static IEnumerable<Dictionary<string, string>> Rows(string fileName)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", fileName));
        var header = lines[0].Split(',');
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var cells = line.Split(',');
            yield return header.Zip(cells).ToDictionary(p => p.First, p => p.Second);
        }
    }

    public static double Number(this Dictionary<string, string> row, string column) =>
        double.Parse(row[column], NumberStyles.Float, CultureInfo.InvariantCulture);
}
