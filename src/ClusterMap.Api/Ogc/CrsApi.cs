using System.Text.Json.Serialization;
using ClusterMap.Api.Parameters;
using ClusterMap.Projections;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClusterMap.Api.Ogc;

/// <summary>
/// <c>GET /crs/GCJ-02</c> and <c>/crs/BD-09</c>: the definitions behind the URIs this service gives the Chinese
/// offset systems, which no register (EPSG, OGC) names. The URI is the service's base URL plus the path, so it
/// resolves wherever the service runs; the EPSG and OGC CRSs keep their registered URIs.
/// </summary>
internal static class CrsApi
{
    public sealed record CrsDefinition(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("uri")] string Uri,
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("axes")] string Axes,
        [property: JsonPropertyName("definition")] string Definition,
        [property: JsonPropertyName("conversionToWgs84")] string ConversionToWgs84,
        [property: JsonPropertyName("areaOfUse")] string AreaOfUse,
        [property: JsonPropertyName("references")] IReadOnlyList<string> References);

    private static readonly string[] _references =
    [
        "The GCJ-02 offset formula as published in open-source code: https://github.com/wandergis/coordtransform, https://github.com/hujiulong/gcoord",
        "The BD-09 formula as published in the same code (GCJ-02 with Baidu's further offset)",
    ];

    public static IEndpointRouteBuilder MapCrsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/crs/{crsId}", GetCrs).WithTags("Data").WithName("getCrsDefinition")
            .WithSummary("The definition of a CRS this service names with its own URI (GCJ-02, BD-09)")
            .WithQueryParameters(OperationParameters.None);
        return routes;
    }

    /// <summary>The URI of a CRS as this service writes it: registered URIs as they are, ClusterMap's own made absolute.</summary>
    public static string Uri(Crs crs, string baseUrl) => crs.Uri.StartsWith('/') ? baseUrl + crs.Uri : crs.Uri;

    public static Results<Ok<CrsDefinition>, ProblemHttpResult> GetCrs(string crsId, HttpRequest request)
    {
        if (QueryParameters.Of(request).CheckNames() is { } problem)
        {
            return problem;
        }

        var crs = CrsRegistry.Served.FirstOrDefault(c => c.Uri.StartsWith('/') && string.Equals(c.Code, crsId, StringComparison.OrdinalIgnoreCase));
        if (crs is null)
        {
            return Problems.ApiProblems.CrsNotFound(crsId);
        }

        var baidu = crs == CrsRegistry.Bd09;
        return TypedResults.Ok(new CrsDefinition(
            crs.Code,
            Uri(crs, OgcLinks.BaseUrl(request)),
            crs.Title,
            "longitude, latitude in degrees (easting first, like CRS84)",
            baidu
                ? "BD-09 = Baidu's offset applied to GCJ-02: z = sqrt(x² + y²) + 0.00002·sin(π·3000/180·y), θ = atan2(y, x) + 0.000003·cos(π·3000/180·x), lon = z·cos θ + 0.0065, lat = z·sin θ + 0.006"
                : "GCJ-02 = WGS84 shifted by the published offset formula (Krasovsky 1940 ellipsoid parameters a = 6378245 m, e² = 0.00669342162296594323) inside mainland China; unchanged outside",
            crs.ConversionToWgs84,
            "mainland China, by an outline from OpenStreetMap data (ODbL); Hong Kong, Macau, Taiwan and other countries are not shifted",
            [_references[0], .. baidu ? new[] { _references[1] } : []]));
    }
}
