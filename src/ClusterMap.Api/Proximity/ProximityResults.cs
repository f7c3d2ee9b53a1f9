using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ClusterMap.Api.Ogc;
using ClusterMap.Core.Features;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Text;
using ClusterMap.Projections;
using Microsoft.AspNetCore.Http.Metadata;

namespace ClusterMap.Api.Proximity;

/// <summary>How proximity answers name their members; one place, so JSON, GeoJSON and CSV agree.</summary>
internal static class ProximityMembers
{
    public const string DistanceM = "distance_m";
    public const string DistanceMinM = "distance_min_m";
    public const string DistanceMaxM = "distance_max_m";
    public const string DistanceExact = "distance_exact";
    public const string Rank = "rank";
    public const string Within = "within";

    /// <summary>Every member an answer adds to a feature's properties.</summary>
    public static readonly FrozenSet<string> All = FrozenSet.ToFrozenSet([DistanceM, DistanceMinM, DistanceMaxM, DistanceExact, Rank, Within], StringComparer.Ordinal);

    public static string Certainty(ProximityCertainty certainty) => certainty == ProximityCertainty.Certain ? "certain" : "possible";

    /// <summary>Distances are exact to micrometres, but centimetres are all any location here can claim.</summary>
    public static double Round(double meters) => Math.Round(meters, 2, MidpointRounding.AwayFromZero);

    public static string? Name(CollectionSnapshot snapshot, string featureId, string language)
    {
        var feature = snapshot.Find(featureId);
        if (feature is null)
        {
            return null;
        }

        using var properties = JsonDocument.Parse(feature.PropertiesJson);
        foreach (var candidate in new[] { $"name_{language}", "name" })
        {
            if (properties.RootElement.TryGetProperty(candidate, out var value) && value.ValueKind == JsonValueKind.String)
            {
                return value.GetString();
            }
        }

        return null;
    }
}

/// <summary>
/// Within/nearest answers: a GeoJSON FeatureCollection of the target features (so GDAL and web maps read it), each
/// with its stored properties plus distance_m, rank, the distance interval and, against a radius, within.
/// </summary>
internal sealed class ProximityFeaturesResult(CollectionSnapshot target, IReadOnlyList<ProximityHit> hits, ProximityApi.Origin origin, double? radiusMeters, HttpRequest request)
    : IResult, IEndpointMetadataProvider
{
    /// <summary>The CRS of the target geometries (<c>crs</c>); CRS84 when null.</summary>
    public Crs? Crs { get; init; }

    /// <summary><c>f=csv</c>: Core's feature CSV layout, the distance members as further columns.</summary>
    public bool AsCsv { get; init; }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var crs = Crs ?? CrsRegistry.Wgs84;
        GeoJsonWriting.SetContentCrs(httpContext.Response, crs);
        if (AsCsv)
        {
            await WriteCsvAsync(httpContext, crs);
            return;
        }

        httpContext.Response.ContentType = OgcLinks.GeoJson;
        await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, GeoJsonWriting.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        writer.WriteString("target", target.Collection.Id);
        writer.WriteStartObject("origin");
        if (origin.FeatureId is not null)
        {
            writer.WriteString("collection", origin.CollectionId);
            writer.WriteString("id", origin.FeatureId);
            writer.WriteNumber("location_uncertainty_m", origin.UncertaintyMeters);
        }
        else
        {
            writer.WriteNumber("lon", origin.Geometry.Coordinate.X);
            writer.WriteNumber("lat", origin.Geometry.Coordinate.Y);
        }

        writer.WriteEndObject();
        if (radiusMeters is { } radius)
        {
            writer.WriteNumber("radius_m", radius);
        }

        writer.WriteNumber("numberReturned", hits.Count);
        writer.WriteString("distance", "geodesic on the WGS84 ellipsoid between the geometries (0 when they touch), in metres");
        GeoJsonWriting.WriteLinks(writer, [new Link(OgcLinks.BaseUrl(request) + request.Path + request.QueryString, "self", OgcLinks.GeoJson, "This answer")]);
        writer.WriteStartArray("features");
        var json = ProximityFeatureJson.Of(target);
        var tail = new ArrayBufferWriter<byte>(256);
        using var tailWriter = new Utf8JsonWriter(tail, GeoJsonWriting.WriterOptions);
        var feature = new ArrayBufferWriter<byte>(1024);
        foreach (var hit in hits)
        {
            // The feature's own part (type, id, geometry, stored properties) was serialised once for this snapshot;
            // only the answer's members are written per request, by a writer of the same options, and spliced on.
            tail.ResetWrittenCount();
            tailWriter.Reset();
            tailWriter.WriteStartObject();
            tailWriter.WriteNumber(ProximityMembers.Rank, hit.Rank);
            tailWriter.WriteNumber(ProximityMembers.DistanceM, ProximityMembers.Round(hit.DistanceMeters));
            tailWriter.WriteNumber(ProximityMembers.DistanceMinM, ProximityMembers.Round(hit.MinDistanceMeters));
            tailWriter.WriteNumber(ProximityMembers.DistanceMaxM, ProximityMembers.Round(hit.MaxDistanceMeters));
            tailWriter.WriteBoolean(ProximityMembers.DistanceExact, hit.IsExact);
            if (radiusMeters is not null)
            {
                tailWriter.WriteString(ProximityMembers.Within, ProximityMembers.Certainty(hit.Certainty));
            }

            tailWriter.WriteEndObject();
            tailWriter.Flush();
            feature.ResetWrittenCount();
            // Cached prefixes are CRS84; another crs is written per request (rare, and never cached stale).
            feature.Write(ReferenceEquals(crs, CrsRegistry.Wgs84) ? json.Prefix(hit.Item) : ProximityFeatureJson.Serialize(target.Find(hit.Id)!, crs));
            feature.Write(tail.WrittenSpan[1..]);
            feature.Write("}"u8);
            writer.WriteRawValue(feature.WrittenSpan, skipInputValidation: true);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted);
    }

    private async Task WriteCsvAsync(HttpContext httpContext, Crs crs)
    {
        var rows = new List<FeatureRecord>(hits.Count);
        foreach (var hit in hits)
        {
            var feature = target.Find(hit.Id)!;
            var properties = System.Text.Json.Nodes.JsonNode.Parse(feature.PropertiesJson)!.AsObject();
            properties[ProximityMembers.Rank] = hit.Rank;
            properties[ProximityMembers.DistanceM] = ProximityMembers.Round(hit.DistanceMeters);
            properties[ProximityMembers.DistanceMinM] = ProximityMembers.Round(hit.MinDistanceMeters);
            properties[ProximityMembers.DistanceMaxM] = ProximityMembers.Round(hit.MaxDistanceMeters);
            properties[ProximityMembers.DistanceExact] = hit.IsExact;
            if (radiusMeters is not null)
            {
                properties[ProximityMembers.Within] = ProximityMembers.Certainty(hit.Certainty);
            }

            rows.Add(new FeatureRecord(feature.Id, GeoJsonWriting.InCrs(feature.Geometry, crs), properties.ToJsonString()));
        }

        var text = new StringBuilder();
        FeatureCsv.Write(text, rows);
        httpContext.Response.ContentType = "text/csv; charset=utf-8";
        httpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"proximity-{target.Collection.Id}.csv\"";
        // A byte-order mark lets spreadsheet programs read the Chinese names as UTF-8.
        await httpContext.Response.Body.WriteAsync(Encoding.UTF8.Preamble.ToArray(), httpContext.RequestAborted);
        await httpContext.Response.WriteAsync(text.ToString(), Encoding.UTF8, httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(GeoJsonFeatureCollectionSchema), [OgcLinks.GeoJson, "text/csv"]));
}

/// <summary>
/// Each feature's GeoJSON up to and including its stored properties — <c>{"type":"Feature","id":…,"geometry":…,
/// "properties":{…,</c> — serialised on first use and kept for the life of its snapshot (a new data version is a new
/// snapshot, so nothing here can go stale). Writing a feature's geometry and re-parsing its properties was most of
/// the cost of a proximity answer; now a request copies bytes and writes the few numbers of the answer.
/// </summary>
internal sealed class ProximityFeatureJson
{
    private static readonly ConditionalWeakTable<CollectionSnapshot, ProximityFeatureJson> _bySnapshot = new();

    private readonly CollectionSnapshot _snapshot;
    private readonly ConcurrentDictionary<string, byte[]> _prefixes = new(StringComparer.Ordinal);

    private ProximityFeatureJson(CollectionSnapshot snapshot) => _snapshot = snapshot;

    /// <summary>
    /// The snapshot's feature JSON. The first call starts serialising every feature on a background thread, so that
    /// answers soon find every feature ready: measured at 100k targets, a feature serialised on first use cost about
    /// 15–25 µs of the request's CPU, a ready one a copy (one core-second per 50,000 features, once per data version).
    /// </summary>
    public static ProximityFeatureJson Of(CollectionSnapshot snapshot) => _bySnapshot.GetValue(snapshot, s =>
    {
        var json = new ProximityFeatureJson(s);
        // A pushed-down query's candidates serve one answer: serialise only the hits, on use.
        if (!s.IsPartial)
        {
            _ = Task.Run(json.SerializeAll);
        }

        return json;
    });

    public ReadOnlySpan<byte> Prefix(ProximityItem item) => _prefixes.TryGetValue(item.Id, out var prefix) ? prefix : _prefixes.GetOrAdd(item.Id, Serialize(item));

    private void SerializeAll()
    {
        foreach (var feature in _snapshot.Features)
        {
            if (!_prefixes.ContainsKey(feature.Id))
            {
                _prefixes.TryAdd(feature.Id, Serialize(feature, CrsRegistry.Wgs84));
            }
        }
    }

    private byte[] Serialize(ProximityItem item) => Serialize(_snapshot.Find(item.Id)!, CrsRegistry.Wgs84);

    public static byte[] Serialize(FeatureRecord feature, Crs crs)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, GeoJsonWriting.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "Feature");
            writer.WriteString("id", feature.Id);
            writer.WritePropertyName("geometry");
            JsonSerializer.Serialize(writer, GeoJsonWriting.InCrs(feature.Geometry, crs), GeoJsonWriting.GeometryOptions);
            writer.WriteStartObject("properties");
            using (var properties = JsonDocument.Parse(feature.PropertiesJson))
            {
                foreach (var property in properties.RootElement.EnumerateObject())
                {
                    // The answer's own members (rank, distance_m…) are written after these; a stored property of the
                    // same name would make a duplicate JSON key, so the answer's value wins, as it does in CSV.
                    if (ProximityMembers.All.Contains(property.Name))
                    {
                        continue;
                    }

                    property.WriteTo(writer);
                }
            }

            // A member after the stored ones, so the writer puts the comma the spliced members need.
            writer.WriteNull("x");
        }

        // Drop the placeholder member `"x":null` but keep the comma before it (or the brace when there is none).
        return buffer.WrittenSpan[..^"\"x\":null".Length].ToArray();
    }
}

/// <summary>Matrix and rings answers as JSON (rows of origins) or CSV (one line per origin × target, or per origin).</summary>
internal sealed class ProximityTableResult : IResult, IEndpointMetadataProvider
{
    private readonly Action<Utf8JsonWriter> _writeJson;
    private readonly Action<StringBuilder> _writeCsv;
    private readonly bool _csv;
    private readonly string _fileName;

    private ProximityTableResult(Action<Utf8JsonWriter> writeJson, Action<StringBuilder> writeCsv, bool csv, string fileName)
    {
        _writeJson = writeJson;
        _writeCsv = writeCsv;
        _csv = csv;
        _fileName = fileName;
    }

    public static ProximityTableResult Matrix(CollectionSnapshot origins, CollectionSnapshot targets, int k, double? maxMeters, IReadOnlyList<ProximityMatrixRow> rows, bool csv) => new(
        json =>
        {
            json.WriteString("from", origins.Collection.Id);
            json.WriteString("to", targets.Collection.Id);
            json.WriteNumber("k", k);
            if (maxMeters is { } max)
            {
                json.WriteNumber("max_m", max);
            }

            json.WriteStartArray("rows");
            foreach (var row in rows)
            {
                json.WriteStartObject();
                WriteFeatureRef(json, "origin", origins, row.Origin.Id, row.Origin.LocationUncertaintyMeters);
                json.WriteStartArray("targets");
                foreach (var hit in row.Targets)
                {
                    json.WriteStartObject();
                    WriteHit(json, targets, hit, maxMeters is not null);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        },
        text =>
        {
            Csv.Line(text, "origin_id", "origin_name_zh", "origin_name_en", "rank", "target_id", "target_name_zh", "target_name_en",
                ProximityMembers.DistanceM, ProximityMembers.DistanceMinM, ProximityMembers.DistanceMaxM, ProximityMembers.DistanceExact, ProximityMembers.Within);
            foreach (var row in rows)
            {
                foreach (var hit in row.Targets)
                {
                    Csv.Line(text, row.Origin.Id, ProximityMembers.Name(origins, row.Origin.Id, "zh"), ProximityMembers.Name(origins, row.Origin.Id, "en"),
                        Csv.Number(hit.Rank), hit.Id, ProximityMembers.Name(targets, hit.Id, "zh"), ProximityMembers.Name(targets, hit.Id, "en"),
                        Csv.Number(ProximityMembers.Round(hit.DistanceMeters)), Csv.Number(ProximityMembers.Round(hit.MinDistanceMeters)), Csv.Number(ProximityMembers.Round(hit.MaxDistanceMeters)),
                        hit.IsExact ? "true" : "false", maxMeters is null ? "" : ProximityMembers.Certainty(hit.Certainty));
                }
            }
        },
        csv,
        $"matrix-{origins.Collection.Id}-{targets.Collection.Id}.csv");

    public static ProximityTableResult Rings(CollectionSnapshot origins, CollectionSnapshot targets, IReadOnlyList<double> ringsMeters, IReadOnlyList<ProximityRingsRow> rows, bool csv) => new(
        json =>
        {
            json.WriteString("from", origins.Collection.Id);
            json.WriteString("to", targets.Collection.Id);
            json.WriteStartArray("rings_m");
            foreach (var ring in ringsMeters)
            {
                json.WriteNumberValue(ring);
            }

            json.WriteEndArray();
            json.WriteStartArray("rows");
            foreach (var row in rows)
            {
                json.WriteStartObject();
                WriteFeatureRef(json, "origin", origins, row.Origin.Id, row.Origin.LocationUncertaintyMeters);
                json.WriteStartArray("rings");
                foreach (var ring in row.Rings)
                {
                    json.WriteStartObject();
                    json.WriteNumber("radius_m", ring.RadiusMeters);
                    json.WriteNumber("count", ring.Count);
                    json.WriteNumber("certain", ring.CertainCount);
                    json.WriteNumber("possible", ring.PossibleCount);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                if (row.Nearest is { } nearest)
                {
                    json.WriteStartObject("nearest");
                    WriteHit(json, targets, nearest, withCertainty: false);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteNull("nearest");
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        },
        text =>
        {
            var header = new List<string?> { "origin_id", "origin_name_zh", "origin_name_en" };
            foreach (var ring in ringsMeters)
            {
                var r = Csv.Number(ring);
                header.AddRange([$"count_{r}_m", $"certain_{r}_m", $"possible_{r}_m"]);
            }

            header.AddRange(["nearest_id", "nearest_name_zh", "nearest_name_en", "nearest_distance_m", "nearest_distance_min_m", "nearest_distance_max_m"]);
            Csv.Line(text, [.. header]);
            foreach (var row in rows)
            {
                var cells = new List<string?> { row.Origin.Id, ProximityMembers.Name(origins, row.Origin.Id, "zh"), ProximityMembers.Name(origins, row.Origin.Id, "en") };
                foreach (var ring in row.Rings)
                {
                    cells.AddRange([Csv.Number(ring.Count), Csv.Number(ring.CertainCount), Csv.Number(ring.PossibleCount)]);
                }

                if (row.Nearest is { } nearest)
                {
                    cells.AddRange([nearest.Id, ProximityMembers.Name(targets, nearest.Id, "zh"), ProximityMembers.Name(targets, nearest.Id, "en"),
                        Csv.Number(ProximityMembers.Round(nearest.DistanceMeters)), Csv.Number(ProximityMembers.Round(nearest.MinDistanceMeters)), Csv.Number(ProximityMembers.Round(nearest.MaxDistanceMeters))]);
                }
                else
                {
                    cells.AddRange(["", "", "", "", "", ""]);
                }

                Csv.Line(text, [.. cells]);
            }
        },
        csv,
        $"rings-{origins.Collection.Id}-{targets.Collection.Id}.csv");

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        if (_csv)
        {
            var text = new StringBuilder();
            _writeCsv(text);
            httpContext.Response.ContentType = "text/csv; charset=utf-8";
            httpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"{_fileName}\"";
            // A byte-order mark lets spreadsheet programs read the Chinese names as UTF-8.
            await httpContext.Response.Body.WriteAsync(Encoding.UTF8.Preamble.ToArray(), httpContext.RequestAborted);
            await httpContext.Response.WriteAsync(text.ToString(), Encoding.UTF8, httpContext.RequestAborted);
            return;
        }

        httpContext.Response.ContentType = OgcLinks.Json;
        await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, GeoJsonWriting.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("distance", "geodesic on the WGS84 ellipsoid between the geometries (0 when they touch), in metres");
        _writeJson(writer);
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted);
    }

    private static void WriteFeatureRef(Utf8JsonWriter json, string name, CollectionSnapshot snapshot, string id, double uncertaintyMeters)
    {
        json.WriteStartObject(name);
        json.WriteString("id", id);
        json.WriteString("name_zh", ProximityMembers.Name(snapshot, id, "zh"));
        json.WriteString("name_en", ProximityMembers.Name(snapshot, id, "en"));
        json.WriteNumber("location_uncertainty_m", uncertaintyMeters);
        json.WriteEndObject();
    }

    private static void WriteHit(Utf8JsonWriter json, CollectionSnapshot targets, ProximityHit hit, bool withCertainty)
    {
        json.WriteNumber(ProximityMembers.Rank, hit.Rank);
        json.WriteString("id", hit.Id);
        json.WriteString("name_zh", ProximityMembers.Name(targets, hit.Id, "zh"));
        json.WriteString("name_en", ProximityMembers.Name(targets, hit.Id, "en"));
        json.WriteNumber(ProximityMembers.DistanceM, ProximityMembers.Round(hit.DistanceMeters));
        json.WriteNumber(ProximityMembers.DistanceMinM, ProximityMembers.Round(hit.MinDistanceMeters));
        json.WriteNumber(ProximityMembers.DistanceMaxM, ProximityMembers.Round(hit.MaxDistanceMeters));
        json.WriteBoolean(ProximityMembers.DistanceExact, hit.IsExact);
        if (withCertainty)
        {
            json.WriteString(ProximityMembers.Within, ProximityMembers.Certainty(hit.Certainty));
        }
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(JsonElement), [OgcLinks.Json, "text/csv"]));
}
