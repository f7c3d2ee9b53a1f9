using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace ClusterMap.Core.Import;

/// <summary>Options for reading a CSV file of features.</summary>
/// <param name="LonColumn">Column of longitudes or eastings (default: lon, lng, longitude, x, 经度).</param>
/// <param name="LatColumn">Column of latitudes or northings (default: lat, latitude, y, 纬度).</param>
/// <param name="WktColumn">Column of WKT geometries (default: wkt, geometry, geom), used when no lon/lat pair is found.</param>
/// <param name="IdColumn">Column of ids (default: id).</param>
/// <param name="EncodingName">utf-8, gb18030 or gbk; null detects UTF-8 (with or without BOM), else GB18030.</param>
public sealed record CsvReadOptions(string? LonColumn = null, string? LatColumn = null, string? WktColumn = null, string? IdColumn = null, string? EncodingName = null);

/// <summary>
/// What a reader found: the rows that are valid as read and a problem for every row that is not. File-level
/// problems (undecodable text, no usable columns) throw <see cref="ImportRejectedException"/> instead.
/// Coordinates are as in the file, in the CRS the caller declares; the caller converts and checks their range.
/// </summary>
public sealed record FeatureReadResult(IReadOnlyList<FeatureRecord> Features, IReadOnlyList<ImportProblem> Problems, string EncodingName, IReadOnlyDictionary<string, string> Locations);

/// <summary>
/// Reads CSV (RFC 4180: comma-separated, double quotes, header row) with either a lon/lat column pair or a WKT
/// column. Every other column becomes a string property. Spreadsheets written on Chinese Windows save GBK/GB18030,
/// so text that is not valid UTF-8 is read as GB18030 unless an encoding is named.
/// </summary>
public static class CsvFeatureReader
{
    public const string AcceptedEncodings = "utf-8, gb18030 or gbk";

    private static readonly string[] _lonNames = ["lon", "lng", "long", "longitude", "x", "经度"];
    private static readonly string[] _latNames = ["lat", "latitude", "y", "纬度"];
    private static readonly string[] _wktNames = ["wkt", "geometry", "geom", "the_geom"];

    static CsvFeatureReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static FeatureReadResult Read(Stream stream, string source, CsvReadOptions options)
    {
        if (options.EncodingName is not null)
        {
            var (encoding, name) = Named(options.EncodingName, source);
            return Read(stream, source, options, encoding, name, detected: false);
        }

        var start = stream.CanSeek ? stream.Position : -1;
        try
        {
            return Read(stream, source, options, new UTF8Encoding(false, false), "utf-8", detected: stream.CanSeek);
        }
        catch (Utf8Failed) when (start >= 0)
        {
            // Not UTF-8: spreadsheets on Chinese Windows save GB18030/GBK. Read the file again from the start.
            stream.Position = start;
            return Read(stream, source, options, Gb18030(), "gb18030", detected: false, fallback: true);
        }
    }

    private static FeatureReadResult Read(Stream stream, string source, CsvReadOptions options, Encoding encoding, string encodingName, bool detected, bool fallback = false)
    {
        // No byte-order-mark detection: a UTF-8 BOM decodes to U+FEFF, which CsvReader drops; a UTF-16 guess on
        // arbitrary bytes would hide a wrong file behind a wrong encoding.
        using var text = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true);
        var csv = new CsvReader(text);
        try
        {
            return Read(csv.ReadAll(), source, options, encodingName);
        }
        catch (CsvFormatException ex) when (ex.Kind == CsvErrorKind.Undecodable && detected)
        {
            throw new Utf8Failed();
        }
        catch (CsvFormatException ex)
        {
            var reason = ex.Kind == CsvErrorKind.Undecodable
                ? $"a byte sequence that is not valid {encodingName}{(fallback ? " (detected: the file is not valid UTF-8)" : "")}; name the file's encoding with --encoding ({AcceptedEncodings})"
                : ex.Reason;
            var field = ex.Kind is CsvErrorKind.Undecodable or CsvErrorKind.Binary ? "encoding" : "file";
            throw new ImportRejectedException(source, [new ImportProblem(string.Create(CultureInfo.InvariantCulture, $"line {ex.Line}"), field, reason)]);
        }
    }

    private static FeatureReadResult Read(IEnumerable<CsvRecord> records, string source, CsvReadOptions options, string encodingName)
    {
        using var rows = records.GetEnumerator();
        if (!rows.MoveNext())
        {
            throw new ImportRejectedException(source, [new ImportProblem("line 1", "header", "the file is empty: expected a header row naming the columns")]);
        }

        var header = rows.Current.Cells.Select(c => c.Trim()).ToList();
        var lon = Column(header, options.LonColumn, _lonNames, "--lon", source);
        var lat = Column(header, options.LatColumn, _latNames, "--lat", source);
        var wkt = Column(header, options.WktColumn, _wktNames, "--wkt", source);
        var id = Column(header, options.IdColumn, ["id"], "--id-field", source);
        var usePair = lon >= 0 && lat >= 0 && (options.WktColumn is null || options.LonColumn is not null);
        if (!usePair && wkt < 0)
        {
            throw new ImportRejectedException(source, [new ImportProblem("line 1", "header",
                $"no coordinate columns: expected lon and lat columns ({string.Join(", ", _lonNames)} / {string.Join(", ", _latNames)}) or a WKT column ({string.Join(", ", _wktNames)}), or name them with --lon/--lat or --wkt; found {string.Join(", ", header)}")]);
        }

        if (id < 0)
        {
            throw new ImportRejectedException(source, [new ImportProblem("line 1", "header", $"no id column: expected a column named id, or name one with --id-field; found {string.Join(", ", header)}")]);
        }

        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var wktReader = new WKTReader(factory.GeometryServices);
        var features = new List<FeatureRecord>();
        var problems = new List<ImportProblem>();
        var locations = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        while (rows.MoveNext())
        {
            var row = rows.Current;
            if (row.Cells.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            var anonymous = Line(row.Line, null);
            if (row.Cells.Count != header.Count)
            {
                problems.Add(new ImportProblem(anonymous, "row", string.Create(CultureInfo.InvariantCulture, $"{row.Cells.Count} cells where the header has {header.Count}")));
                continue;
            }

            var featureId = row.Cells[id].Trim();
            if (featureId.Length == 0 || featureId.Length > 256 || featureId.Any(char.IsControl))
            {
                problems.Add(new ImportProblem(anonymous, header[id], "missing or invalid id: expected a non-empty value of at most 256 characters without control characters"));
                continue;
            }

            var location = Line(row.Line, featureId);
            if (seen.TryGetValue(featureId, out var firstLine))
            {
                problems.Add(new ImportProblem(location, header[id], string.Create(CultureInfo.InvariantCulture, $"duplicate id: line {firstLine} has the same id; ids must be unique in a collection")));
                continue;
            }

            seen.Add(featureId, row.Line);
            var geometry = usePair
                ? ReadPoint(row.Cells[lon], row.Cells[lat], header[lon], header[lat], factory, location, problems)
                : ReadWkt(row.Cells[wkt], header[wkt], wktReader, location, problems);
            if (geometry is null)
            {
                continue;
            }

            var skip = usePair ? new HashSet<int> { lon, lat } : [wkt];
            features.Add(new FeatureRecord(featureId, geometry, Properties(header, row.Cells, skip)));
            locations[featureId] = location;
        }

        return new FeatureReadResult(features, problems, encodingName, locations);
    }

    private static string Line(int line, string? id) =>
        id is null ? string.Create(CultureInfo.InvariantCulture, $"line {line}") : string.Create(CultureInfo.InvariantCulture, $"line {line} (id '{id}')");

    private static int Column(List<string> header, string? named, string[] defaults, string flag, string source)
    {
        if (named is not null)
        {
            var index = header.FindIndex(h => string.Equals(h, named, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                throw new ImportRejectedException(source, [new ImportProblem("line 1", "header", $"{flag} names the column '{named}', which the header does not have; found {string.Join(", ", header)}")]);
            }

            return index;
        }

        return header.FindIndex(h => defaults.Contains(h, StringComparer.OrdinalIgnoreCase));
    }

    private static Point? ReadPoint(string lonText, string latText, string lonName, string latName, GeometryFactory factory, string location, List<ImportProblem> problems)
    {
        var okLon = double.TryParse(lonText.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x);
        var okLat = double.TryParse(latText.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var y);
        if (!okLon || !double.IsFinite(x))
        {
            problems.Add(new ImportProblem(location, lonName, $"'{lonText}' is not a finite number (decimal point, no thousands separator)"));
            return null;
        }

        if (!okLat || !double.IsFinite(y))
        {
            problems.Add(new ImportProblem(location, latName, $"'{latText}' is not a finite number (decimal point, no thousands separator)"));
            return null;
        }

        return factory.CreatePoint(new Coordinate(x, y));
    }

    private static Geometry? ReadWkt(string text, string column, WKTReader reader, string location, List<ImportProblem> problems)
    {
        Geometry geometry;
        try
        {
            geometry = reader.Read(text);
        }
        catch (Exception ex) when (ex is ParseException or ArgumentException or FormatException or InvalidOperationException)
        {
            problems.Add(new ImportProblem(location, column, $"not valid WKT ({ex.Message.TrimEnd('.')})"));
            return null;
        }

        if (GeometryChecks.Problem(geometry) is { } problem)
        {
            problems.Add(new ImportProblem(location, column, problem));
            return null;
        }

        return geometry;
    }

    private static string Properties(List<string> header, IReadOnlyList<string> cells, HashSet<int> skip)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            for (var i = 0; i < header.Count; i++)
            {
                if (!skip.Contains(i))
                {
                    writer.WriteString(header[i], cells[i]);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static (Encoding Encoding, string Name) Named(string encodingName, string source)
    {
        var name = encodingName.Trim().ToLowerInvariant();
        if (name is "utf-8" or "utf8")
        {
            return (new UTF8Encoding(false, false), "utf-8");
        }

        if (name is "gb18030" or "gbk" or "gb2312" or "cp936")
        {
            var web = name == "cp936" ? "gbk" : name;
            return (Encoding.GetEncoding(web, EncoderFallback.ReplacementFallback, new DecoderReplacementFallback("\uFFFD")), web);
        }

        throw new ImportRejectedException(source, [new ImportProblem("file", "encoding", $"unknown encoding '{encodingName}': expected {AcceptedEncodings}")]);
    }

    // Undecodable bytes become U+FFFD, which CsvReader stops at with the line it is on.
    private static Encoding Gb18030() => Encoding.GetEncoding("gb18030", EncoderFallback.ReplacementFallback, new DecoderReplacementFallback("\uFFFD"));

    private sealed class Utf8Failed : Exception;
}
