using System.Buffers;
using System.Reflection;
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
