using System.Text.Json.Serialization;
using ClusterMap.Api.Client;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Ogc.Html;
using ClusterMap.Api.Parameters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ClusterMap.Api.Ogc;

/// <summary>OGC API – Features landing page and conformance declaration.</summary>
internal static class LandingApi
{
    public static readonly string[] ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
        // Part 3 filtering, and the CQL2 classes its filter parameter implements (each proved in docs/api.md).
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
        "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
        // OGC API – Tiles and Maps (each proved in docs/api.md).
        .. TilesOgcApi.ConformanceClasses,
        .. MapsApi.ConformanceClasses,
    ];

    private static readonly QueryParameter<string> _landingFormat = FormatParameter.Of("json", "html");

    public sealed record LandingPage(
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("description")] string Description,
        [property: JsonPropertyName("links")] IReadOnlyList<Link> Links);

    public sealed record Conformance([property: JsonPropertyName("conformsTo")] IReadOnlyList<string> ConformsTo);

    public static IEndpointRouteBuilder MapLandingApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", GetLandingPage)
            .WithName("getLandingPage").WithTags("Capabilities")
            .WithSummary("Landing page")
            .WithDescription("Links to the API definition, the conformance declaration and the collections (JSON). A browser, which prefers text/html, or f=html gets the map client instead.")
            .WithQueryParameters(new([_landingFormat])).WithDataVersionETag();
        routes.MapGet("/conformance", GetConformance)
            .WithName("getConformanceDeclaration").WithTags("Capabilities")
            .WithSummary("Conformance classes implemented by this server").WithQueryParameters(HtmlParameters.JsonOrHtml).WithDataVersionETag();
        return routes;
    }

    public static Results<Ok<LandingPage>, PhysicalFileHttpResult, ProblemHttpResult> GetLandingPage(HttpContext context, IOptions<FeaturesOptions> options)
    {
        var request = context.Request;
        var query = QueryParameters.Of(request);
        if (query.CheckNames() is { } problem)
        {
            return problem;
        }

        // One URL, two representations: caches must key on Accept.
        context.Response.Headers.Vary = HeaderNames.Accept;
        if (query.Text(_landingFormat) is "html" || (query.Text(_landingFormat) is null && PrefersHtml(request)))
        {
            return ClientFiles.Index(context);
        }

        var root = OgcLinks.BaseUrl(request);
        return TypedResults.Ok(new LandingPage(options.Value.Title, options.Value.Description,
        [
            new($"{root}/", "self", OgcLinks.Json, "This document"),
            new($"{root}/?f=html", "alternate", OgcLinks.Html, "The map client (this page as HTML)"),
            new($"{root}/api", "service-desc", OgcLinks.OpenApiJson, "The API definition (OpenAPI 3.0)"),
            new($"{root}/api-docs/", "service-doc", OgcLinks.Html, "Interactive API documentation"),
            new($"{root}/conformance", "conformance", OgcLinks.Json, "Conformance classes implemented by this server"),
            new($"{root}/collections", "data", OgcLinks.Json, "The feature collections"),
            .. TilesOgcApi.LandingLinks(root),
        ]));
    }

    /// <summary>
    /// True when the Accept header ranks text/html above JSON, as browsers do (text/html, then */*;q=0.8). API
    /// clients send application/json, */* or nothing, and get JSON; a tie goes to JSON.
    /// </summary>
    internal static bool PrefersHtml(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        double Quality(Func<string, bool> matches) =>
            accept.Where(a => a.MediaType.Value is { } type && matches(type)).Select(a => a.Quality ?? 1.0).DefaultIfEmpty(0).Max();

        var html = Quality(t => t is "text/html" or "application/xhtml+xml");
        var json = Quality(t => t is "application/json" or "application/geo+json" or "*/*" or "application/*");
        return html > 0 && html > json;
    }

    public static Results<Ok<Conformance>, HtmlPageResult, ProblemHttpResult> GetConformance(HttpRequest request)
    {
        var query = QueryParameters.Of(request);
        if (query.CheckNames() is { } problem || !HtmlViews.TryContext(request, query, out var view, out problem))
        {
            return problem;
        }

        request.HttpContext.Response.Headers.Vary = HeaderNames.Accept;
        return HtmlViews.Wanted(request, query.Text(HtmlParameters.Format)) ? CollectionViews.Conformance(view, ConformanceClasses) : TypedResults.Ok(new Conformance(ConformanceClasses));
    }
}
