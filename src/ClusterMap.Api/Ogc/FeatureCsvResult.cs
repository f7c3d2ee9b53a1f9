using System.Reflection;
using System.Text;
using ClusterMap.Core.Features;
using ClusterMap.Core.Text;
using ClusterMap.Projections;
using Microsoft.AspNetCore.Http.Metadata;

namespace ClusterMap.Api.Ogc;

/// <summary>
/// <c>f=csv</c> on items: the page of features in Core's one feature CSV layout (<c>id</c>, <c>wkt</c>, then the
/// properties), coordinates in the requested <c>crs</c> with <c>Content-Crs</c>, and the next page in a <c>Link</c>
/// header since CSV has nowhere else to put it.
/// </summary>
internal sealed class FeatureCsvResult(IReadOnlyList<FeatureRecord> features, Crs crs, string fileName, string? nextUrl) : IResult, IEndpointMetadataProvider
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var text = new StringBuilder();
        FeatureCsv.Write(text, [.. features.Select(f => f with { Geometry = GeoJsonWriting.InCrs(f.Geometry, crs) })]);
        httpContext.Response.ContentType = "text/csv; charset=utf-8";
        httpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        GeoJsonWriting.SetContentCrs(httpContext.Response, crs);
        if (nextUrl is not null)
        {
            httpContext.Response.Headers.Link = $"<{nextUrl}>; rel=\"next\"";
        }

        // A byte-order mark lets spreadsheet programs read the Chinese names as UTF-8.
        await httpContext.Response.Body.WriteAsync(Encoding.UTF8.Preamble.ToArray(), httpContext.RequestAborted);
        await httpContext.Response.WriteAsync(text.ToString(), Encoding.UTF8, httpContext.RequestAborted);
    }

    // The items endpoint answers GeoJSON or CSV with status 200; one entry keeps both media types in the OpenAPI document.
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(GeoJsonFeatureCollectionSchema), [OgcLinks.GeoJson, "text/csv"]));
}
