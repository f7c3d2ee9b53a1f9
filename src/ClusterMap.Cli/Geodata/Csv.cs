using System.Text;

namespace ClusterMap.Cli.Geodata;

/// <summary>A minimal RFC 4180 reader: quoted fields, doubled quotes, line breaks inside quotes.</summary>
internal static class Csv
{
    public static IReadOnlyList<CsvRow> ReadFile(string path) => Parse(File.ReadAllText(path, Encoding.UTF8));

    public static IReadOnlyList<CsvRow> Parse(string text)
    {
        var records = ParseRecords(text);
        if (records.Count == 0)
        {
            return [];
        }

        var header = records[0].Select(h => h.Trim()).ToArray();
        var rows = new List<CsvRow>(records.Count - 1);
        for (var i = 1; i < records.Count; i++)
        {
            var fields = records[i];
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            if (fields.Count != header.Length)
            {
                throw new FormatException($"CSV record {i} has {fields.Count} fields, the header has {header.Length}.");
            }

            rows.Add(new CsvRow(header, [.. fields], i + 1));
        }

        return rows;
    }

    private static List<List<string>> ParseRecords(string text)
    {
        var records = new List<List<string>>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var start = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                inQuotes = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n' || c == '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                fields.Add(field.ToString());
                field.Clear();
                records.Add(fields);
                fields = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            records.Add(fields);
        }

        return records;
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
