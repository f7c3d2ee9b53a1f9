using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace ClusterMap.Core.Import;

/// <summary>Options for reading a GeoJSON FeatureCollection.</summary>
/// <param name="IdField">
/// Property that holds each feature's id. When null the top-level <c>id</c> member is used, then a property
/// named <c>id</c> (where GDAL's <c>ogr2ogr -f GeoJSON</c> puts string ids).
/// </param>
/// <param name="NewId">
/// When given, a feature without an id gets one from it instead of being rejected (the write API assigns ids to
/// posted features that bring none).
/// </param>
public sealed record GeoJsonReadOptions(string? IdField = null, Func<string>? NewId = null);

/// <summary>
/// Reads a GeoJSON FeatureCollection into validated <see cref="FeatureRecord"/>s. Every problem in the file is
/// collected and reported together; a file with any problem yields no features at all.
/// </summary>
public static class GeoJsonFeatureReader
{
    private static readonly JsonSerializerOptions _geometryOptions = CreateGeometryOptions();

    // Names GDAL and others write in the legacy (2008) "crs" member for WGS84 with lon, lat axis order.
    private static readonly HashSet<string> _wgs84CrsNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "OGC:CRS84",
        "CRS84",
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "urn:ogc:def:crs:EPSG::4326",
        "EPSG:4326",
        "http://www.opengis.net/def/crs/EPSG/0/4326",
    };

    public static IReadOnlyList<FeatureRecord> Read(Stream stream, string source, GeoJsonReadOptions options)
    {
        // A JSON document is held whole anyway; reading the bytes first lets UTF-8 be checked, which the JSON
        // parser does not do inside strings (a GBK file would otherwise be stored as mojibake).
        using var buffer = new MemoryStream();
        var head = new byte[4096];
        var headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var start = head.AsSpan(0, headLength).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        var first = head.AsSpan(start, headLength - start).IndexOfAnyExcept(" \t\r\n"u8);
        if (first < 0 || head[start + first] is not ((byte)'{' or (byte)'['))
        {
            // Not a JSON object: say so from the first bytes rather than reading a large wrong file into memory.
            var line = head.AsSpan(0, first < 0 ? headLength : start + first).Count((byte)'\n') + 1;
            throw new ImportRejectedException(source, [new ImportProblem(string.Create(CultureInfo.InvariantCulture, $"line {line}"), "file",
                first < 0 ? "empty: expected a GeoJSON FeatureCollection object" : string.Create(CultureInfo.InvariantCulture, $"not JSON: starts with byte 0x{head[start + first]:X2} where a GeoJSON FeatureCollection starts with '{{'"))]);
        }

        buffer.Write(head, 0, headLength);
        stream.CopyTo(buffer);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            var invalid = FirstInvalidUtf8(bytes.Span);
            var line = bytes.Span[..invalid].Count((byte)'\n') + 1;
            throw new ImportRejectedException(source, [new ImportProblem(string.Create(CultureInfo.InvariantCulture, $"line {line}"), "encoding",
                string.Create(CultureInfo.InvariantCulture, $"byte {invalid} is not valid UTF-8; GeoJSON must be UTF-8 (RFC 7946 §11)"))]);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var location = string.Create(CultureInfo.InvariantCulture, $"line {line}");
            throw new ImportRejectedException(source, [new ImportProblem(location, "file", $"not valid JSON ({FirstSentence(ex.Message)})")]);
        }
        catch (DecoderFallbackException)
        {
            throw new ImportRejectedException(source, [new ImportProblem("file", "encoding", "not valid UTF-8; GeoJSON must be UTF-8 (RFC 7946 §11)")]);
        }

        using (document)
        {
            return ReadCollection(document.RootElement, source, options);
        }
    }

    /// <summary>Reads one GeoJSON Feature object (the body of a write request) the way a collection's features are read.</summary>
    public static FeatureRecord ReadFeature(JsonElement feature, string source, GeoJsonReadOptions options) => AsUnicode(source, () =>
    {
        var problems = new List<ImportProblem>();
        var record = ReadFeature(feature, 1, options, problems);
        return record is not null && problems.Count == 0 ? record : throw new ImportRejectedException(source, problems);
    });

    /// <summary>Reads a FeatureCollection already parsed (also the body of a bulk write request).</summary>
    public static IReadOnlyList<FeatureRecord> ReadCollection(JsonElement root, string source, GeoJsonReadOptions options) =>
        AsUnicode(source, () => ReadCollectionChecked(root, source, options));

    /// <summary>
    /// Valid JSON can escape text that is not Unicode (an unpaired surrogate, "\ud800"), which the JSON API refuses to
    /// turn into a string with an InvalidOperationException; that is a problem of the input, not of the reader.
    /// </summary>
    private static T AsUnicode<T>(string source, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException ex)
        {
            throw new ImportRejectedException(source, [new ImportProblem("file", "encoding", $"a string is not valid Unicode text ({FirstSentence(ex.Message)})")]);
        }
    }

    private static IReadOnlyList<FeatureRecord> ReadCollectionChecked(JsonElement root, string source, GeoJsonReadOptions options)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "FeatureCollection")
        {
            throw new ImportRejectedException(source, [new ImportProblem("file", "type", "expected a GeoJSON object with \"type\": \"FeatureCollection\"")]);
        }

        var problems = new List<ImportProblem>();
        CheckCrs(root, problems);
        if (!root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new ImportProblem("file", "features", "expected an array of Feature objects"));
            throw new ImportRejectedException(source, problems);
        }

        var records = new List<FeatureRecord>(features.GetArrayLength());
        var seenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var number = 0;
        foreach (var feature in features.EnumerateArray())
        {
            number++;
            var record = ReadFeature(feature, number, options, problems);
            if (record is null)
            {
                continue;
            }

            if (seenIds.TryGetValue(record.Id, out var firstNumber))
            {
                problems.Add(new ImportProblem(ImportProblem.FeatureLocation(number, record.Id), "id",
                    string.Create(CultureInfo.InvariantCulture, $"duplicate id: feature {firstNumber} has the same id; ids must be unique in a collection")));
                continue;
            }

            seenIds.Add(record.Id, number);
            records.Add(record);
        }

        if (problems.Count > 0)
        {
            throw new ImportRejectedException(source, problems);
        }

        return records;
    }

    private static void CheckCrs(JsonElement root, List<ImportProblem> problems)
    {
        if (!root.TryGetProperty("crs", out var crs) || crs.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        string? name = null;
        if (crs.ValueKind == JsonValueKind.Object
            && crs.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            && properties.TryGetProperty("name", out var nameElement) && nameElement.ValueKind == JsonValueKind.String)
        {
            name = nameElement.GetString();
        }

        if (name is null || !_wgs84CrsNames.Contains(name))
        {
            problems.Add(new ImportProblem("file", "crs",
                $"the file declares the coordinate system '{name ?? crs.GetRawText()}'; ClusterMap stores WGS84 lon/lat (CRS84) only, so reproject first (e.g. ogr2ogr -t_srs EPSG:4326)"));
        }
    }

    private static FeatureRecord? ReadFeature(JsonElement feature, int number, GeoJsonReadOptions options, List<ImportProblem> problems)
    {
        var anonymous = ImportProblem.FeatureLocation(number, null);
        if (feature.ValueKind != JsonValueKind.Object || !feature.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "Feature")
        {
            problems.Add(new ImportProblem(anonymous, "type", "expected an object with \"type\": \"Feature\""));
            return null;
        }

        var hasProperties = feature.TryGetProperty("properties", out var properties) && properties.ValueKind != JsonValueKind.Null;
        if (hasProperties && properties.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new ImportProblem(anonymous, "properties", "expected a JSON object or null"));
            return null;
        }

        var id = ReadId(feature, hasProperties ? properties : default, options, anonymous, problems);
        var location = ImportProblem.FeatureLocation(number, id);
        var geometry = ReadGeometry(feature, location, problems);
        if (id is null || geometry is null)
        {
            return null;
        }

        return new FeatureRecord(id, Rfc7946.Orient(geometry), hasProperties ? Compact(properties) : "{}");
    }

    private static string? ReadId(JsonElement feature, JsonElement properties, GeoJsonReadOptions options, string location, List<ImportProblem> problems)
    {
        JsonElement idElement = default;
        string field;
        if (options.IdField is { } idField)
        {
            field = $"properties.{idField}";
            if (properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty(idField, out idElement))
            {
                problems.Add(new ImportProblem(location, field, $"missing: every feature needs the id property '{idField}' named by --id-field"));
                return null;
            }
        }
        else if (feature.TryGetProperty("id", out idElement))
        {
            field = "id";
        }
        else if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("id", out idElement))
        {
            field = "properties.id";
        }
        else if (options.NewId is { } newId)
        {
            // An id given from outside the data (the path of a PUT) obeys the same rule as one inside it.
            return ValidId(newId(), location, "id", problems);
        }
        else
        {
            problems.Add(new ImportProblem(location, "id", "missing: give every feature an \"id\" member, or name the property that holds it with --id-field"));
            return null;
        }

        var id = idElement.ValueKind switch
        {
            JsonValueKind.String => idElement.GetString(),
            JsonValueKind.Number => idElement.GetRawText(),
            _ => null,
        };
        return ValidId(id, location, field, problems);
    }

    private static string? ValidId(string? id, string location, string field, List<ImportProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 256 || id.Any(char.IsControl))
        {
            problems.Add(new ImportProblem(location, field, "expected a non-empty string or number of at most 256 characters without control characters"));
            return null;
        }

        return id;
    }

    private static Geometry? ReadGeometry(JsonElement feature, string location, List<ImportProblem> problems)
    {
        if (!feature.TryGetProperty("geometry", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            problems.Add(new ImportProblem(location, "geometry", "missing or null: every feature needs a geometry"));
            return null;
        }

        Geometry? geometry;
        try
        {
            geometry = element.Deserialize<Geometry>(_geometryOptions);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            problems.Add(new ImportProblem(location, "geometry", $"not a valid GeoJSON geometry ({FirstSentence(ex.Message)})"));
            return null;
        }

        if (GeometryChecks.Problem(geometry) is { } problem)
        {
            problems.Add(new ImportProblem(location, "geometry", problem));
            return null;
        }

        foreach (var coordinate in geometry!.Coordinates)
        {
            if (coordinate.X is < -180 or > 180 || coordinate.Y is < -90 or > 90)
            {
                // Shanghai as [31.2, 121.5] is the usual case: the swapped pair is in range, so say so.
                var swap = coordinate.Y is >= -180 and <= 180 && coordinate.X is >= -90 and <= 90 ? "; probable lat/lon swap: longitude comes first" : "";
                problems.Add(new ImportProblem(location, "geometry",
                    string.Create(CultureInfo.InvariantCulture, $"position [{coordinate.X}, {coordinate.Y}] is outside WGS84 range: longitude −180…180 first, then latitude −90…90{swap}")));
                return null;
            }
        }

        return geometry;
    }

    private static string Compact(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[256];
        var offset = 0;
        while (offset < bytes.Length)
        {
            var status = System.Text.Unicode.Utf8.ToUtf16(bytes[offset..], chars, out var read, out _, replaceInvalidSequences: false, isFinalBlock: true);
            offset += read;
            if (status is System.Buffers.OperationStatus.InvalidData or System.Buffers.OperationStatus.NeedMoreData)
            {
                return offset;
            }
        }

        return offset;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }

    private static JsonSerializerOptions CreateGeometryOptions()
    {
        var options = new JsonSerializerOptions();
        options.Converters.Add(new GeoJsonConverterFactory());
        return options;
    }
}
