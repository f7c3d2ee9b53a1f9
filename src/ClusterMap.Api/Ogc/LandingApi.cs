using System.Text.Json.Serialization;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Parameters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ClusterMap.Api.Ogc;

/// <summary>OGC API – Features landing page and conformance declaration.</summary>
internal static class LandingApi
{
    public static readonly string[] ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    ];

    private static readonly string[] _acceptedParameters = [QueryParameters.FormatName];

    public sealed record LandingPage(
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("description")] string Description,
        [property: JsonPropertyName("links")] IReadOnlyList<Link> Links);

    public sealed record Conformance([property: JsonPropertyName("conformsTo")] IReadOnlyList<string> ConformsTo);

    public static IEndpointRouteBuilder MapLandingApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", GetLandingPage)
            .WithName("getLandingPage").WithTags("Capabilities")
            .WithSummary("Landing page").WithDescription("Links to the API definition, the conformance declaration and the collections.")
            .WithFormatParameter();
        routes.MapGet("/conformance", GetConformance)
            .WithName("getConformanceDeclaration").WithTags("Capabilities")
            .WithSummary("Conformance classes implemented by this server").WithFormatParameter();
        return routes;
    }

    public static Results<Ok<LandingPage>, ProblemHttpResult> GetLandingPage(HttpRequest request, IOptions<FeaturesOptions> options)
    {
        if (new QueryParameters(request.Query).CheckNames(_acceptedParameters) is { } problem)
        {
            return problem;
        }

        var root = OgcLinks.BaseUrl(request);
        return TypedResults.Ok(new LandingPage(options.Value.Title, options.Value.Description,
        [
            new($"{root}/", "self", OgcLinks.Json, "This document"),
            new($"{root}/api", "service-desc", OgcLinks.OpenApiJson, "The API definition (OpenAPI 3.0)"),
            new($"{root}/api-docs/", "service-doc", OgcLinks.Html, "Interactive API documentation"),
            new($"{root}/conformance", "conformance", OgcLinks.Json, "Conformance classes implemented by this server"),
            new($"{root}/collections", "data", OgcLinks.Json, "The feature collections"),
        ]));
    }

    public static Results<Ok<Conformance>, ProblemHttpResult> GetConformance(HttpRequest request) =>
        new QueryParameters(request.Query).CheckNames(_acceptedParameters) is { } problem
            ? problem
            : TypedResults.Ok(new Conformance(ConformanceClasses));
}
