using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ClusterMap.Cli.Formats;

/// <summary>Turns a row of typed attribute values (GeoPackage columns, Shapefile DBF fields) into properties JSON.</summary>
internal static class AttributeJson
{
    private static readonly JsonWriterOptions _options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Values already JSON text (GeoPackage columns declared application/json) are written as JSON.</summary>
    public static string Write(IEnumerable<(string Name, object? Value, bool IsJson)> attributes)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, _options))
        {
            writer.WriteStartObject();
            foreach (var (name, value, isJson) in attributes)
            {
                writer.WritePropertyName(name);
                WriteValue(writer, value, isJson);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, bool isJson)
    {
        switch (value)
        {
            case null or DBNull:
                writer.WriteNullValue();
                break;
            case string text when isJson:
                using (var document = JsonDocument.Parse(text))
                {
                    document.RootElement.WriteTo(writer);
                }

                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case long or int or short or byte or sbyte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong large:
                writer.WriteNumberValue(large);
                break;
            case decimal number:
                writer.WriteNumberValue(number);
                break;
            case double or float:
                var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsFinite(d))
                {
                    writer.WriteNumberValue(d);
                }
                else
                {
                    writer.WriteNullValue();
                }

                break;
            case DateTime date:
                writer.WriteStringValue(date.ToString(date.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "o", CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                writer.WriteBase64StringValue(bytes);
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
