using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Filtering;

/// <summary>
/// Writes a tree as CQL2-JSON in one canonical form (operators in lower case, instants in UTC, BBOX as its polygon),
/// so that two trees are equal exactly when their canonical JSON is.
/// </summary>
public static class Cql2Json
{
    private static readonly JsonWriterOptions _options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(Cql2Node node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, _options))
        {
            Write(writer, node, insideInterval: false);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, Cql2Node node, bool insideInterval)
    {
        switch (node)
        {
            case Cql2And and:
                Operator(writer, "and", and.Args);
                break;
            case Cql2Or or:
                Operator(writer, "or", or.Args);
                break;
            case Cql2Not not:
                Operator(writer, "not", [not.Arg]);
                break;
            case Cql2Comparison comparison:
                Operator(writer, Cql2Names.Symbol(comparison.Operator), [comparison.Left, comparison.Right]);
                break;
            case Cql2Like like:
                Operator(writer, "like", [like.Value, like.Pattern]);
                break;
            case Cql2Between between:
                Operator(writer, "between", [between.Value, between.Low, between.High]);
                break;
            case Cql2In inList:
                writer.WriteStartObject();
                writer.WriteString("op", "in");
                writer.WriteStartArray("args");
                Write(writer, inList.Value, insideInterval: false);
                writer.WriteStartArray();
                foreach (var item in inList.List)
                {
                    Write(writer, item, insideInterval: false);
                }

                writer.WriteEndArray();
                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            case Cql2IsNull isNull:
                Operator(writer, "isNull", [isNull.Value]);
                break;
            case Cql2Spatial spatial:
                Operator(writer, Cql2Names.Name(spatial.Operator).ToLowerInvariant(), [spatial.Left, spatial.Right]);
                break;
            case Cql2Temporal temporal:
                Operator(writer, Cql2Names.Name(temporal.Operator).ToLowerInvariant(), [temporal.Left, temporal.Right]);
                break;
            case Cql2CaseInsensitive casei:
                Operator(writer, "casei", [casei.Arg]);
                break;
            case Cql2Function function:
                Operator(writer, function.Name, function.Args);
                break;
            case Cql2Property property:
                writer.WriteStartObject();
                writer.WriteString("property", property.Name);
                writer.WriteEndObject();
                break;
            case Cql2String text:
                writer.WriteStringValue(text.Value);
                break;
            case Cql2Number number:
                writer.WriteNumberValue(number.Value);
                break;
            case Cql2Boolean boolean:
                writer.WriteBooleanValue(boolean.Value);
                break;
            case Cql2GeometryLiteral geometry:
                GeoJson(writer, geometry.Geometry);
                break;
            case Cql2Instant instant when insideInterval:
                writer.WriteStringValue(Rfc3339.Format(instant.Value, instant.IsDate));
                break;
            case Cql2Instant instant:
                writer.WriteStartObject();
                writer.WriteString(instant.IsDate ? "date" : "timestamp", Rfc3339.Format(instant.Value, instant.IsDate));
                writer.WriteEndObject();
                break;
            case Cql2OpenEnd:
                writer.WriteStringValue("..");
                break;
            case Cql2Interval interval:
                writer.WriteStartObject();
                writer.WriteStartArray("interval");
                Write(writer, interval.Start, insideInterval: true);
                Write(writer, interval.End, insideInterval: true);
                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(node), node.GetType().Name, "not a CQL2 node");
        }
    }

    private static void Operator(Utf8JsonWriter writer, string op, IReadOnlyList<Cql2Node> args)
    {
        writer.WriteStartObject();
        writer.WriteString("op", op);
        writer.WriteStartArray("args");
        foreach (var arg in args)
        {
            Write(writer, arg, insideInterval: false);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void GeoJson(Utf8JsonWriter writer, Geometry geometry)
    {
        writer.WriteStartObject();
        writer.WriteString("type", geometry.GeometryType);
        if (geometry is GeometryCollection and not (MultiPoint or MultiLineString or MultiPolygon))
        {
            writer.WriteStartArray("geometries");
            for (var i = 0; i < geometry.NumGeometries; i++)
            {
                GeoJson(writer, geometry.GetGeometryN(i));
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WritePropertyName("coordinates");
            Coordinates(writer, geometry);
        }

        writer.WriteEndObject();
    }

    private static void Coordinates(Utf8JsonWriter writer, Geometry geometry)
    {
        switch (geometry)
        {
            case Point point when point.IsEmpty:
                writer.WriteStartArray();
                writer.WriteEndArray();
                break;
            case Point point:
                Position(writer, point.Coordinate);
                break;
            case LineString line:
                writer.WriteStartArray();
                foreach (var coordinate in line.Coordinates)
                {
                    Position(writer, coordinate);
                }

                writer.WriteEndArray();
                break;
            case Polygon polygon:
                writer.WriteStartArray();
                if (!polygon.IsEmpty)
                {
                    Coordinates(writer, polygon.ExteriorRing);
                    foreach (var hole in polygon.InteriorRings)
                    {
                        Coordinates(writer, hole);
                    }
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStartArray();
                for (var i = 0; i < geometry.NumGeometries; i++)
                {
                    Coordinates(writer, geometry.GetGeometryN(i));
                }

                writer.WriteEndArray();
                break;
        }
    }

    private static void Position(Utf8JsonWriter writer, Coordinate coordinate)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(coordinate.X);
        writer.WriteNumberValue(coordinate.Y);
        writer.WriteEndArray();
    }
}
