using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using NetTopologySuite.Operation.Valid;

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
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var (text, encodingName) = Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), source, options.EncodingName);
        var rows = Parse(text, source);
        if (rows.Count == 0)
        {
            throw new ImportRejectedException(source, [new ImportProblem("line 1", "header", "the file is empty: expected a header row naming the columns")]);
        }

        var header = rows[0].Cells.Select(c => c.Trim()).ToList();
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
        foreach (var row in rows.Skip(1))
        {
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

        if (geometry.IsEmpty)
        {
            problems.Add(new ImportProblem(location, column, "empty: every feature needs at least one position"));
            return null;
        }

        if (geometry.Coordinates.Any(c => !double.IsFinite(c.X) || !double.IsFinite(c.Y)))
        {
            problems.Add(new ImportProblem(location, column, "a position is not a finite number"));
            return null;
        }

        var validation = new IsValidOp(geometry).ValidationError;
        if (validation is not null)
        {
            problems.Add(new ImportProblem(location, column,
                string.Create(CultureInfo.InvariantCulture, $"invalid {geometry.GeometryType}: {validation.Message} at [{validation.Coordinate?.X}, {validation.Coordinate?.Y}]")));
            return null;
        }

        return geometry;
    }

    private static string Properties(List<string> header, List<string> cells, HashSet<int> skip)
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

    private static (string Text, string EncodingName) Decode(ReadOnlySpan<byte> bytes, string source, string? encodingName)
    {
        var strictUtf8 = new UTF8Encoding(false, true);
        if (encodingName is not null)
        {
            var name = encodingName.Trim().ToLowerInvariant();
            Encoding encoding;
            if (name is "utf-8" or "utf8")
            {
                encoding = strictUtf8;
            }
            else if (name is "gb18030" or "gbk" or "gb2312" or "cp936")
            {
                encoding = Encoding.GetEncoding(name == "cp936" ? "gbk" : name, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            }
            else
            {
                throw new ImportRejectedException(source, [new ImportProblem("file", "encoding", $"unknown encoding '{encodingName}': expected {AcceptedEncodings}")]);
            }

            return (DecodeWith(encoding, bytes, source, name), encoding.WebName);
        }

        var withoutBom = bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes;
        try
        {
            return (strictUtf8.GetString(withoutBom), "utf-8");
        }
        catch (DecoderFallbackException)
        {
            var gb18030 = Encoding.GetEncoding("gb18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            return (DecodeWith(gb18030, bytes, source, "gb18030 (detected: the file is not valid UTF-8)"), "gb18030");
        }
    }

    private static string DecodeWith(Encoding encoding, ReadOnlySpan<byte> bytes, string source, string name)
    {
        var body = encoding is UTF8Encoding && bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes;
        try
        {
            var text = encoding.GetString(body);
            if (text.Contains('\0'))
            {
                var line = CountLines(body, body.IndexOf((byte)0));
                throw new ImportRejectedException(source, [new ImportProblem(string.Create(CultureInfo.InvariantCulture, $"line {line}"), "encoding", "contains a NUL byte: this is binary data, not a CSV text file")]);
            }

            return text;
        }
        catch (DecoderFallbackException ex)
        {
            var index = Math.Clamp(ex.Index, 0, body.Length);
            var line = CountLines(body, index);
            throw new ImportRejectedException(source, [new ImportProblem(string.Create(CultureInfo.InvariantCulture, $"line {line}"), "encoding",
                string.Create(CultureInfo.InvariantCulture, $"byte {index} is not valid {name}; name the file's encoding with --encoding ({AcceptedEncodings})"))]);
        }
    }

    private static int CountLines(ReadOnlySpan<byte> bytes, int index) => bytes[..Math.Max(0, index)].Count((byte)'\n') + 1;

    private sealed record Row(int Line, List<string> Cells);

    /// <summary>RFC 4180 fields; a quoted field may span lines, and a row's line is where it starts.</summary>
    private static List<Row> Parse(string text, string source)
    {
        var rows = new List<Row>();
        var cells = new List<string>();
        var cell = new StringBuilder();
        var line = 1;
        var rowLine = 1;
        var quoted = false;
        var quoteLine = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        cell.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    cell.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when cell.Length == 0:
                    quoted = true;
                    quoteLine = line;
                    break;
                case ',':
                    cells.Add(cell.ToString());
                    cell.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    cells.Add(cell.ToString());
                    cell.Clear();
                    rows.Add(new Row(rowLine, cells));
                    cells = [];
                    line++;
                    rowLine = line;
                    break;
                default:
                    cell.Append(c);
                    break;
            }
        }

        if (quoted)
        {
            throw new ImportRejectedException(source, [new ImportProblem(string.Create(CultureInfo.InvariantCulture, $"line {quoteLine}"), "file", "a quoted field is never closed (truncated file?)")]);
        }

        if (cell.Length > 0 || cells.Count > 0)
        {
            cells.Add(cell.ToString());
            rows.Add(new Row(rowLine, cells));
        }

        if (rows.Count > 0 && rows[0].Cells.Count > 0 && rows[0].Cells[0].StartsWith('\uFEFF'))
        {
            rows[0].Cells[0] = rows[0].Cells[0][1..];
        }

        return rows;
    }
}
