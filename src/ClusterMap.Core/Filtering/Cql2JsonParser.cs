using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Filtering;

/// <summary>
/// Parser of CQL2-JSON (OGC 21-065, clause 8.3 and its JSON Schema) to the same tree as CQL2-text. The JSON is read
/// token by token so that every node keeps its character offset in the filter, for errors found at any stage.
/// </summary>
internal static class Cql2JsonParser
{
    public static Cql2Node Parse(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        JsonValue root;
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            reader.Read();
            root = JsonValue.Read(ref reader, bytes);
            if (reader.Read())
            {
                throw Cql2Exception.At(CharOffset(bytes, (int)reader.TokenStartIndex), "the end of the filter after the JSON object", reader.TokenType.ToString());
            }
        }
        catch (JsonException ex)
        {
            // The reader reports a line and a byte within it; both are turned into a character offset.
            var position = CharOffsetOfLine(json, (int)(ex.LineNumber ?? 0), (int)(ex.BytePositionInLine ?? 0));
            throw new Cql2Exception(new Cql2Error(position, $"At character {position}: the filter is not valid JSON ({ex.Message.Split(" Path:")[0].TrimEnd('.')}); expected a JSON object.", "a JSON object"));
        }

        return Node(root);
    }

    private static Cql2Node Node(JsonValue value)
    {
        switch (value.Kind)
        {
            case JsonTokenType.String:
                return new Cql2String(value.Text!) { Position = value.Offset };
            case JsonTokenType.Number:
                return new Cql2Number(value.Number) { Position = value.Offset };
            case JsonTokenType.True or JsonTokenType.False:
                return new Cql2Boolean(value.Kind == JsonTokenType.True) { Position = value.Offset };
            case JsonTokenType.StartArray:
                throw Cql2Exception.At(value.Offset, "an expression (an array is only allowed as the list of \"in\")", "an array");
            case JsonTokenType.StartObject:
                return ObjectNode(value);
            default:
                throw Cql2Exception.At(value.Offset, "an expression", "null");
        }
    }

    private static Cql2Node ObjectNode(JsonValue value)
    {
        var position = value.Offset;
        if (value.Member("op") is { } op)
        {
            if (op.Kind != JsonTokenType.String)
            {
                throw Cql2Exception.At(op.Offset, "the operator's name as a string", op.Kind.ToString());
            }

            var args = value.Member("args");
            if (args is null)
            {
                throw Cql2Exception.At(position, $"\"args\" with the arguments of \"{op.Text}\"", "an object without \"args\"");
            }

            if (args.Kind != JsonTokenType.StartArray)
            {
                throw Cql2Exception.At(args.Offset, "\"args\" as an array", args.Kind.ToString());
            }

            return Operator(op.Text!, args, position);
        }

        if (value.Member("property") is { } property)
        {
            if (property.Kind != JsonTokenType.String || property.Text!.Length == 0)
            {
                throw Cql2Exception.At(property.Offset, "the property's name as a string", property.Kind.ToString());
            }

            return new Cql2Property(property.Text) { Position = position };
        }

        if (value.Member("date") is { } date)
        {
            return Instant(date, isDate: true) with { Position = position };
        }

        if (value.Member("timestamp") is { } timestamp)
        {
            return Instant(timestamp, isDate: false) with { Position = position };
        }

        if (value.Member("interval") is { } interval)
        {
            if (interval.Kind != JsonTokenType.StartArray || interval.Items!.Count != 2)
            {
                throw Cql2Exception.At(interval.Offset, "\"interval\" as an array of two ends", interval.Kind == JsonTokenType.StartArray ? $"{interval.Items!.Count} items" : interval.Kind.ToString());
            }

            return new Cql2Interval(IntervalEnd(interval.Items[0]), IntervalEnd(interval.Items[1])) { Position = position };
        }

        if (value.Member("bbox") is { } bbox)
        {
            if (bbox.Kind != JsonTokenType.StartArray || bbox.Items!.Count is not (4 or 6) || bbox.Items.Any(n => n.Kind != JsonTokenType.Number))
            {
                throw Cql2Exception.At(bbox.Offset, "\"bbox\" as an array of 4 or 6 numbers", "something else");
            }

            return new Cql2GeometryLiteral(Cql2Bbox.ToGeometry([.. bbox.Items.Select(n => n.Number)], bbox.Offset)) { Position = position };
        }

        if (value.Member("type") is not null)
        {
            return new Cql2GeometryLiteral(GeoJson(value)) { Position = position };
        }

        throw Cql2Exception.At(position, "an object with \"op\" and \"args\", \"property\", \"date\", \"timestamp\", \"interval\", \"bbox\" or a GeoJSON geometry", "an object with none of them");
    }

    private static Cql2Node Operator(string name, JsonValue args, int position)
    {
        var items = args.Items!;
        Cql2Node Arg(int i) => Node(items[i]);
        void Count(int count)
        {
            if (items.Count != count)
            {
                throw Cql2Exception.At(args.Offset, $"{count} argument{(count == 1 ? "" : "s")} for \"{name}\"", $"{items.Count}");
            }
        }

        switch (name.ToLowerInvariant())
        {
            case "and" or "or":
                if (items.Count < 2)
                {
                    throw Cql2Exception.At(args.Offset, $"at least 2 arguments for \"{name}\"", $"{items.Count}");
                }

                var operands = items.Select(Node).ToList();
                return name.Equals("and", StringComparison.OrdinalIgnoreCase) ? new Cql2And(operands) { Position = position } : new Cql2Or(operands) { Position = position };
            case "not":
                Count(1);
                return new Cql2Not(Arg(0)) { Position = position };
            case "like":
                Count(2);
                return new Cql2Like(Arg(0), Arg(1)) { Position = position };
            case "between":
                Count(3);
                return new Cql2Between(Arg(0), Arg(1), Arg(2)) { Position = position };
            case "in":
                Count(2);
                if (items[1].Kind != JsonTokenType.StartArray)
                {
                    throw Cql2Exception.At(items[1].Offset, "the list of \"in\" as an array", items[1].Kind.ToString());
                }

                return new Cql2In(Arg(0), [.. items[1].Items!.Select(Node)]) { Position = position };
            case "isnull":
                Count(1);
                return new Cql2IsNull(Arg(0)) { Position = position };
            case "casei":
                Count(1);
                return new Cql2CaseInsensitive(Arg(0)) { Position = position };
        }

        if (Cql2Names.TryGetComparison(name, out var comparison))
        {
            Count(2);
            return new Cql2Comparison(comparison, Arg(0), Arg(1)) { Position = position };
        }

        if (Cql2Names.TryGetSpatial(name, out var spatial))
        {
            Count(2);
            return new Cql2Spatial(spatial, Arg(0), Arg(1)) { Position = position };
        }

        if (Cql2Names.TryGetTemporal(name, out var temporal))
        {
            Count(2);
            return new Cql2Temporal(temporal, Arg(0), Arg(1)) { Position = position };
        }

        return new Cql2Function(name, [.. items.Select(Node)]) { Position = position };
    }

    private static Cql2Instant Instant(JsonValue value, bool? isDate)
    {
        if (value.Kind != JsonTokenType.String || !Rfc3339.TryParse(value.Text!, out var instant, out var date) || (isDate is { } expected && expected != date))
        {
            throw Cql2Exception.At(value.Offset, isDate switch
            {
                true => "a date string, e.g. \"2012-06-05\"",
                false => "a timestamp string, e.g. \"2012-06-05T10:30:00Z\"",
                null => "an instant string, e.g. \"2012-06-05\" or \"2012-06-05T10:30:00Z\"",
            }, value.Kind == JsonTokenType.String ? $"\"{value.Text}\"" : value.Kind.ToString());
        }

        return new Cql2Instant(instant, date) { Position = value.Offset };
    }

    private static Cql2Node IntervalEnd(JsonValue value) => value.Kind switch
    {
        JsonTokenType.String when value.Text == ".." => new Cql2OpenEnd { Position = value.Offset },
        JsonTokenType.String => Instant(value, isDate: null),
        JsonTokenType.StartObject => ObjectNode(value),
        _ => throw Cql2Exception.At(value.Offset, "an instant string, \"..\" or a property", value.Kind.ToString()),
    };

    private static Geometry GeoJson(JsonValue value)
    {
        var factory = Cql2Bbox.Factory;
        var type = value.Member("type")!;
        if (type.Text == "GeometryCollection")
        {
            var geometries = value.Member("geometries");
            if (geometries?.Kind != JsonTokenType.StartArray)
            {
                throw Cql2Exception.At(value.Offset, "\"geometries\" as an array", "none");
            }

            return factory.CreateGeometryCollection([.. geometries.Items!.Select(GeoJson)]);
        }

        var coordinates = value.Member("coordinates");
        if (coordinates is null)
        {
            throw Cql2Exception.At(value.Offset, "\"coordinates\" of the GeoJSON geometry", "none");
        }

        return type.Text switch
        {
            "Point" => factory.CreatePoint(Position(coordinates)),
            "LineString" => factory.CreateLineString(Positions(coordinates, minimum: 2)),
            "Polygon" => Polygon(coordinates),
            "MultiPoint" => factory.CreateMultiPoint([.. Array(coordinates).Select(c => factory.CreatePoint(Position(c)))]),
            "MultiLineString" => factory.CreateMultiLineString([.. Array(coordinates).Select(c => factory.CreateLineString(Positions(c, minimum: 2)))]),
            "MultiPolygon" => factory.CreateMultiPolygon([.. Array(coordinates).Select(Polygon)]),
            _ => throw Cql2Exception.At(type.Offset, "a GeoJSON geometry type (Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon, GeometryCollection)", type.Kind == JsonTokenType.String ? $"\"{type.Text}\"" : type.Kind.ToString()),
        };
    }

    private static List<JsonValue> Array(JsonValue value) =>
        value.Kind == JsonTokenType.StartArray ? value.Items! : throw Cql2Exception.At(value.Offset, "an array of coordinates", value.Kind.ToString());

    private static Coordinate Position(JsonValue value)
    {
        var items = Array(value);
        if (items.Count is < 2 or > 3 || items.Any(i => i.Kind != JsonTokenType.Number))
        {
            throw Cql2Exception.At(value.Offset, "a position of 2 or 3 numbers", $"{items.Count} items");
        }

        return new Coordinate(items[0].Number, items[1].Number);
    }

    private static Coordinate[] Positions(JsonValue value, int minimum)
    {
        var positions = Array(value).Select(Position).ToArray();
        if (positions.Length < minimum)
        {
            throw Cql2Exception.At(value.Offset, $"at least {minimum} positions", $"{positions.Length}");
        }

        return positions;
    }

    private static Polygon Polygon(JsonValue value)
    {
        var rings = Array(value).Select(ring =>
        {
            var positions = Positions(ring, minimum: 4);
            return positions[0].Equals2D(positions[^1])
                ? Cql2Bbox.Factory.CreateLinearRing(positions)
                : throw Cql2Exception.At(ring.Offset, "a polygon ring that ends at its first position", "an open ring");
        }).ToArray();
        if (rings.Length == 0)
        {
            throw Cql2Exception.At(value.Offset, "at least one ring", "none");
        }

        return Cql2Bbox.Factory.CreatePolygon(rings[0], rings[1..]);
    }

    private static int CharOffset(byte[] bytes, int byteOffset) => Encoding.UTF8.GetCharCount(bytes, 0, Math.Min(byteOffset, bytes.Length));

    private static int CharOffsetOfLine(string text, int line, int bytesInLine)
    {
        var start = 0;
        for (var i = 0; i < line; i++)
        {
            var newline = text.IndexOf('\n', start);
            if (newline < 0)
            {
                break;
            }

            start = newline + 1;
        }

        var rest = Encoding.UTF8.GetBytes(text[start..]);
        return start + Encoding.UTF8.GetCharCount(rest, 0, Math.Min(bytesInLine, rest.Length));
    }

    /// <summary>A JSON value with the character offset where it starts.</summary>
    private sealed class JsonValue
    {
        public JsonTokenType Kind { get; private init; }
        public int Offset { get; private init; }
        public string? Text { get; private init; }
        public double Number { get; private init; }
        public List<JsonValue>? Items { get; private init; }
        public List<(string Name, JsonValue Value)>? Members { get; private init; }

        public JsonValue? Member(string name) => Members?.FirstOrDefault(m => m.Name == name).Value;

        public static JsonValue Read(ref Utf8JsonReader reader, byte[] bytes)
        {
            var offset = CharOffset(bytes, (int)reader.TokenStartIndex);
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    var members = new List<(string, JsonValue)>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                    {
                        var name = reader.GetString()!;
                        reader.Read();
                        members.Add((name, Read(ref reader, bytes)));
                    }

                    return new JsonValue { Kind = JsonTokenType.StartObject, Offset = offset, Members = members };
                case JsonTokenType.StartArray:
                    var items = new List<JsonValue>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        items.Add(Read(ref reader, bytes));
                    }

                    return new JsonValue { Kind = JsonTokenType.StartArray, Offset = offset, Items = items };
                case JsonTokenType.String:
                    return new JsonValue { Kind = JsonTokenType.String, Offset = offset, Text = reader.GetString() };
                case JsonTokenType.Number:
                    return reader.TryGetDouble(out var number) && double.IsFinite(number)
                        ? new JsonValue { Kind = JsonTokenType.Number, Offset = offset, Number = number }
                        : throw Cql2Exception.At(offset, "a number that fits a double", "a number out of range");
                default:
                    return new JsonValue { Kind = reader.TokenType, Offset = offset };
            }
        }
    }
}
