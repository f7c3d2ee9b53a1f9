using System.Globalization;
using System.Text;

namespace ClusterMap.Core.Text;

/// <summary>
/// ClusterMap's one CSV writer (RFC 4180: fields with commas, quotes or line breaks are quoted, quotes doubled,
/// lines end CRLF), used by the API's CSV answers, <c>clustermap export</c> and the import rejects file.
/// </summary>
public static class Csv
{
    /// <summary>Appends one record.</summary>
    public static void Line(StringBuilder text, params string?[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            var cell = cells[i] ?? "";
            // A leading =, +, - or @ would be run as a formula by spreadsheet programs.
            if (cell.Length > 0 && "=+-@".Contains(cell[0], StringComparison.Ordinal) && !double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                cell = "'" + cell;
            }

            if (cell.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                text.Append('"').Append(cell.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                text.Append(cell);
            }
        }

        text.Append("\r\n");
    }

    /// <summary>A number as it round-trips, with a decimal point whatever the culture.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
