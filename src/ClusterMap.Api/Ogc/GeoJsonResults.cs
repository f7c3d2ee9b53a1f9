using System.Globalization;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Projections;
using Microsoft.AspNetCore.Http.Metadata;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace ClusterMap.Api.Ogc;

/// <summary>
/// Writes RFC 7946 GeoJSON straight to the response: the geometry through NetTopologySuite.IO.GeoJSON4STJ, the
/// properties exactly as stored, and the OGC members (links, numberMatched…) around them. No crs member: RFC 7946
/// data is CRS84 by definition, and another CRS asked for with <c>crs</c> (OGC API – Features Part 2) is named in the
/// <c>Content-Crs</c> header, with coordinates in that CRS's axis order.
/// </summary>
internal static class GeoJsonWriting
{
    public static readonly JsonSerializerOptions GeometryOptions = CreateGeometryOptions();

    public static readonly JsonWriterOptions WriterOptions = new()
    {
        // Chinese names and URLs stay readable; the output is JSON served as JSON, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One GeoJSON feature; with <paramref name="skipGeometry"/> its geometry is null (the items' <c>skipGeometry=true</c>).</summary>
    public static void WriteFeature(Utf8JsonWriter writer, FeatureRecord feature, IReadOnlyList<Link>? links, Crs? crs = null, bool skipGeometry = false)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Feature");
        writer.WriteString("id", feature.Id);
        writer.WritePropertyName("geometry");
        if (skipGeometry)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonSerializer.Serialize(writer, crs is null ? feature.Geometry : InCrs(feature.Geometry, crs), GeometryOptions);
        }

        writer.WritePropertyName("properties");
        writer.WriteRawValue(feature.PropertiesJson, skipInputValidation: true);
        if (links is not null)
        {
            WriteLinks(writer, links);
        }

        writer.WriteEndObject();
    }

    /// <summary>Sets <c>Content-Crs</c> (Part 2 §6.2): always, so clients need not assume CRS84.</summary>
    public static void SetContentCrs(HttpResponse response, Crs? crs) =>
        response.Headers["Content-Crs"] = "<" + CrsApi.Uri(crs ?? CrsRegistry.Wgs84, OgcLinks.BaseUrl(response.HttpContext.Request)) + ">";

    public static Geometry InCrs(Geometry wgs84, Crs crs)
    {
        var converted = GeometryConverter.FromWgs84(wgs84, crs);
        if (crs.LatitudeFirst)
        {
            converted.Apply(new AxisSwap());
            converted.GeometryChanged();
        }

        return converted;
    }

    private sealed class AxisSwap : ICoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq, int i)
        {
            var x = seq.GetX(i);
            seq.SetX(i, seq.GetY(i));
            seq.SetY(i, x);
        }
    }

    public static void WriteLinks(Utf8JsonWriter writer, IReadOnlyList<Link> links)
    {
        writer.WriteStartArray("links");
        foreach (var link in links)
        {
            writer.WriteStartObject();
            writer.WriteString("href", link.Href);
            writer.WriteString("rel", link.Rel);
            if (link.Type is not null)
            {
                writer.WriteString("type", link.Type);
            }

            if (link.Title is not null)
            {
                writer.WriteString("title", link.Title);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static JsonSerializerOptions CreateGeometryOptions()
    {
        var options = new JsonSerializerOptions { Encoder = WriterOptions.Encoder };
        options.Converters.Add(new GeoJsonConverterFactory(new GeometryFactory(new PrecisionModel(), 4326)));
        return options;
    }
}

/// <summary>An OGC items page: a GeoJSON FeatureCollection with paging links and counts.</summary>
internal sealed class FeatureCollectionResult(FeaturePage page, IReadOnlyList<Link> links, DateTimeOffset timeStamp, Crs? crs = null, bool skipGeometry = false) : IResult, IEndpointMetadataProvider
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.ContentType = OgcLinks.GeoJson;
        GeoJsonWriting.SetContentCrs(httpContext.Response, crs);
        await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, GeoJsonWriting.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        if (page.NumberMatched is { } matched)
        {
            writer.WriteNumber("numberMatched", matched);
        }

        writer.WriteNumber("numberReturned", page.Features.Count);
        writer.WriteString("timeStamp", timeStamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        GeoJsonWriting.WriteLinks(writer, links);
        writer.WriteStartArray("features");
        foreach (var feature in page.Features)
        {
            GeoJsonWriting.WriteFeature(writer, feature, links: null, crs, skipGeometry);
            if (writer.BytesPending > 64 * 1024)
            {
                await writer.FlushAsync(httpContext.RequestAborted);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(GeoJsonFeatureCollectionSchema), [OgcLinks.GeoJson]));
}

/// <summary>One OGC feature with its self and collection links.</summary>
internal sealed class FeatureResult(FeatureRecord feature, IReadOnlyList<Link> links, Crs? crs = null) : IResult, IEndpointMetadataProvider
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.ContentType = OgcLinks.GeoJson;
        GeoJsonWriting.SetContentCrs(httpContext.Response, crs);
        await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, GeoJsonWriting.WriterOptions);
        GeoJsonWriting.WriteFeature(writer, feature, links, crs);
        await writer.FlushAsync(httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(GeoJsonFeatureSchema), [OgcLinks.GeoJson]));
}

/// <summary>Shape of a GeoJSON Feature, for the OpenAPI document only.</summary>
public sealed record GeoJsonFeatureSchema(string Type, string Id, JsonElement Geometry, JsonElement Properties, IReadOnlyList<Link>? Links);

/// <summary>Shape of an OGC items response, for the OpenAPI document only.</summary>
public sealed record GeoJsonFeatureCollectionSchema(
    string Type, long? NumberMatched, int NumberReturned, string TimeStamp, IReadOnlyList<Link> Links, IReadOnlyList<GeoJsonFeatureSchema> Features);
