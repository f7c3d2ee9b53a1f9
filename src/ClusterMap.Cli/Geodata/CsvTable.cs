using System.Text;
using ClusterMap.Core.Text;

namespace ClusterMap.Cli.Geodata;

/// <summary>The geodata sources' CSV files as rows addressed by column name, read by Core's one CSV reader.</summary>
internal static class CsvTable
{
    public static IReadOnlyList<CsvRow> ReadFile(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader);
    }

    public static IReadOnlyList<CsvRow> Parse(string text) => Read(new StringReader(text));

    public static IReadOnlyList<CsvRow> Read(TextReader text)
    {
        var records = new CsvReader(text).ReadAll().ToList();
        if (records.Count == 0)
        {
            return [];
        }

        var header = records[0].Cells.Select(h => h.Trim()).ToArray();
        var rows = new List<CsvRow>(records.Count - 1);
        foreach (var record in records.Skip(1))
        {
            if (record.Cells.Count == 1 && record.Cells[0].Length == 0)
            {
                continue;
            }

            if (record.Cells.Count != header.Length)
            {
                throw new FormatException($"CSV line {record.Line} has {record.Cells.Count} fields, the header has {header.Length}.");
            }

            rows.Add(new CsvRow(header, [.. record.Cells], record.Line));
        }

        return rows;
    }
}

/// <summary>One CSV record addressed by column name.</summary>
internal sealed class CsvRow(string[] header, string[] fields, int lineNumber)
{
    public int LineNumber { get; } = lineNumber;

    public string this[string column]
    {
        get
        {
            var index = Array.IndexOf(header, column);
            return index >= 0
                ? fields[index].Trim()
                : throw new KeyNotFoundException($"CSV has no column '{column}' (line {LineNumber}).");
        }
    }

    /// <summary>The field, or null when it is empty.</summary>
    public string? Optional(string column)
    {
        var value = this[column];
        return value.Length == 0 ? null : value;
    }
}
