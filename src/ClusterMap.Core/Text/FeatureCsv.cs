using System.Text;
using System.Text.Json;
using ClusterMap.Core.Features;
using NetTopologySuite.IO;

namespace ClusterMap.Core.Text;

/// <summary>
/// Features as CSV, the one layout used by <c>f=csv</c> on items and by <c>clustermap export --format csv</c>:
/// <c>id</c>, <c>wkt</c> (the geometry, in whatever CRS the caller converted it to), then every property that any
/// feature has, in first-seen order. Text as is, numbers and booleans as JSON writes them, null as an empty cell,
/// arrays and objects as their JSON. <c>clustermap import</c> reads the same layout back (the <c>wkt</c> column).
/// </summary>
public static class FeatureCsv
{
    public static void Write(StringBuilder text, IReadOnlyList<FeatureRecord> features)
    {
        var documents = features.Select(f => JsonDocument.Parse(f.PropertiesJson)).ToList();
        try
        {
            var columns = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal) { "id", "wkt" };
            foreach (var document in documents)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (seen.Add(property.Name))
                    {
                        columns.Add(property.Name);
                    }
                }
            }

            Csv.Line(text, ["id", "wkt", .. columns]);
            // Full precision: a CSV export must not move a coordinate.
            var wkt = new WKTWriter { MaxCoordinatesPerLine = int.MaxValue };
            var cells = new string?[columns.Count + 2];
            for (var i = 0; i < features.Count; i++)
            {
                cells[0] = features[i].Id;
                cells[1] = wkt.Write(features[i].Geometry);
                var root = documents[i].RootElement;
                for (var c = 0; c < columns.Count; c++)
                {
                    cells[c + 2] = root.TryGetProperty(columns[c], out var value) ? Cell(value) : null;
                }

                Csv.Line(text, cells);
            }
        }
        finally
        {
            documents.ForEach(d => d.Dispose());
        }
    }

    private static string? Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };
}
