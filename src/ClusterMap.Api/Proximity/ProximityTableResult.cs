using System.Reflection;
using System.Text;
using System.Text.Json;
using ClusterMap.Api.Ogc;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Text;
using Microsoft.AspNetCore.Http.Metadata;

namespace ClusterMap.Api.Proximity;

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
