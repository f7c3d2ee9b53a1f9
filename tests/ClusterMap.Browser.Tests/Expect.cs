using System.Globalization;
using System.Text.Json;

namespace ClusterMap.Browser.Tests;

/// <summary>What the user should read, derived from the API's own answers rather than typed-in numbers.</summary>
internal static class Expect
{
    /// <summary>
    /// The English interface's distance text: whole metres below 1 km, else km with two decimals (one from 10 km),
    /// rounded half away from zero as Intl.NumberFormat does.
    /// </summary>
    public static string DistanceText(double meters)
    {
        if (meters < 1000)
        {
            return Math.Round(meters, MidpointRounding.AwayFromZero).ToString("N0", CultureInfo.InvariantCulture) + " m";
        }

        var km = meters / 1000;
        var decimals = km < 10 ? 2 : 1;
        return Math.Round(km, decimals, MidpointRounding.AwayFromZero).ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + " km";
    }

    public static IEnumerable<JsonElement> Features(JsonElement collection) => collection.GetProperty("features").EnumerateArray();

    public static string Prop(JsonElement feature, string name) => feature.GetProperty("properties").GetProperty(name).ToString();

    public static double Number(JsonElement feature, string name) => feature.GetProperty("properties").GetProperty(name).GetDouble();

    /// <summary>Fields of one CSV line (RFC 4180 quoting), enough for the files the client and the API write.</summary>
    public static List<string> CsvFields(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }

    public static List<Dictionary<string, string>> Csv(string text)
    {
        var lines = text.TrimStart('\uFEFF').Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        var header = CsvFields(lines[0]);
        return lines.Skip(1).Select(l => header.Zip(CsvFields(l)).ToDictionary(p => p.First, p => p.Second)).ToList();
    }
}
