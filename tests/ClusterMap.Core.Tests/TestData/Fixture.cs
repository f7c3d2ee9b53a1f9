using System.Globalization;
using System.Text;

namespace ClusterMap.Core.Tests.TestData;

/// <summary>Reads the CSV fixtures written by Fixtures/generate_fixtures.py ('#' lines are provenance).</summary>
internal sealed class Fixture
{
    private readonly Dictionary<string, int> _columns;

    private Fixture(string[] header, List<string[]> rows)
    {
        _columns = header.Select((name, i) => (name, i)).ToDictionary(t => t.name, t => t.i, StringComparer.Ordinal);
        Rows = rows.Select(r => new Row(this, r)).ToList();
    }

    public IReadOnlyList<Row> Rows { get; }

    public static Fixture Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", fileName);
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        return new Fixture(Split(lines[0]), lines.Skip(1).Select(Split).ToList());
    }

    private static string[] Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return [.. fields];
    }

    internal sealed class Row(Fixture owner, string[] values)
    {
        public string this[string column] => values[owner._columns[column]];

        public double D(string column) => double.Parse(this[column], NumberStyles.Float, CultureInfo.InvariantCulture);

        public override string ToString() => string.Join(",", values);
    }
}
