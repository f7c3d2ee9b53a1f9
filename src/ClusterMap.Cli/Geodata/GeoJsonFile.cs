using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Geodata;

/// <summary>
/// Writes RFC 7946 FeatureCollections byte-for-byte reproducibly: one feature per line, keys in a fixed order,
/// coordinates rounded to a fixed number of decimals, exterior rings counter-clockwise, UTF-8 without BOM, LF.
/// </summary>
internal static class GeoJsonFile
{
    /// <summary>UTF-8 without a byte-order mark.</summary>
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private static readonly JsonWriterOptions _writerOptions = new()
    {
        // Keep Chinese names readable in the file; the output is still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static void Write(string path, IReadOnlyList<GeoFeature> features, int decimals)
    {
        var text = new StringBuilder();
        text.Append("{\"type\":\"FeatureCollection\",\"features\":[\n");
        for (var i = 0; i < features.Count; i++)
        {
            text.Append(SerializeFeature(features[i], decimals));
            text.Append(i + 1 < features.Count ? ",\n" : "\n");
        }

        text.Append("]}\n");
        WriteText(path, text.ToString());
    }

    public static void WriteText(string path, string text)
    {
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        File.WriteAllBytes(path, Utf8.GetBytes(normalized));
    }

    /// <summary>Serialises a JSON object built with <paramref name="write"/>, indented two spaces, with a final newline.</summary>
    public static string SerializeIndented(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, _writerOptions with { Indented = true }))
        {
            write(writer);
        }

        return Utf8.GetString(stream.ToArray()) + "\n";
    }

    private static string SerializeFeature(GeoFeature feature, int decimals)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, _writerOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "Feature");
            writer.WriteString("id", feature.Id);
            writer.WritePropertyName("geometry");
            WriteGeometry(writer, feature.Geometry, decimals);
            writer.WritePropertyName("properties");
            writer.WriteStartObject();
            foreach (var (key, value) in feature.Properties)
            {
                writer.WritePropertyName(key);
                WriteValue(writer, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Utf8.GetString(stream.ToArray());
    }

    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int n:
                writer.WriteNumberValue(n);
                break;
            case double d:
                writer.WriteRawValue(FormatNumber(d, 6));
                break;
            case IEnumerable<string> list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    writer.WriteStringValue(item);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"Unsupported property value type {value.GetType()}.", nameof(value));
        }
    }

    /// <summary>Invariant, shortest form of a number rounded to <paramref name="decimals"/> places ("121.5", not "121.50").</summary>
    public static string FormatNumber(double value, int decimals)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "GeoJSON numbers must be finite.");
        }

        var rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        if (rounded == 0)
        {
            rounded = 0; // no "-0"
        }

        return rounded.ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }

    private static void WriteGeometry(Utf8JsonWriter writer, Geometry geometry, int decimals)
    {
        writer.WriteStartObject();
        switch (geometry)
        {
            case Point point:
                writer.WriteString("type", "Point");
                writer.WritePropertyName("coordinates");
                WritePosition(writer, point.Coordinate, decimals);
                break;
            case Polygon polygon:
                writer.WriteString("type", "Polygon");
                writer.WritePropertyName("coordinates");
                WritePolygon(writer, polygon, decimals);
                break;
            case MultiPolygon multi:
                writer.WriteString("type", "MultiPolygon");
                writer.WritePropertyName("coordinates");
                writer.WriteStartArray();
                foreach (var part in multi.Geometries.Cast<Polygon>())
                {
                    WritePolygon(writer, part, decimals);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException($"Unsupported geometry {geometry.GeometryType}.", nameof(geometry));
        }

        writer.WriteEndObject();
    }

    private static void WritePolygon(Utf8JsonWriter writer, Polygon polygon, int decimals)
    {
        writer.WriteStartArray();
        WriteRing(writer, polygon.Shell.Coordinates, counterClockwise: true, decimals);
        foreach (var hole in polygon.Holes)
        {
            WriteRing(writer, hole.Coordinates, counterClockwise: false, decimals);
        }

        writer.WriteEndArray();
    }

    // RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
    private static void WriteRing(Utf8JsonWriter writer, Coordinate[] ring, bool counterClockwise, int decimals)
    {
        var coordinates = Orientation.IsCCW(ring) == counterClockwise ? ring : [.. ring.Reverse()];
        writer.WriteStartArray();
        foreach (var c in coordinates)
        {
            WritePosition(writer, c, decimals);
        }

        writer.WriteEndArray();
    }

    private static void WritePosition(Utf8JsonWriter writer, Coordinate c, int decimals)
    {
        writer.WriteStartArray();
        writer.WriteRawValue(FormatNumber(c.X, decimals));
        writer.WriteRawValue(FormatNumber(c.Y, decimals));
        writer.WriteEndArray();
    }
}
