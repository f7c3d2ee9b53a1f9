using ClusterMap.Api.Hosting;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Analysis;
using ClusterMap.Rendering;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Reports;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ClusterMap.Api.Maps;

/// <summary>
/// One-page PDF briefs: a park with its nearest universities and institutes, or a university or institute with its
/// nearest parks: the map, the table of geodesic distances (with the range the location uncertainties allow) and
/// the data's provenance.
/// </summary>
internal static class ReportsApi
{
    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/reports/{collectionId}/{featureId}.pdf", GetReport).WithTags("Maps").WithName("getReport")
            .WithSummary("A one-page PDF brief on a park, university or institute: map, nearest table, provenance. ?lang=zh|en|both")
            .WithQueryParameters(new([LangParameter.Definition]));
        return routes.MapAtlasReportsApi();
    }

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> GetReport(
        string collectionId, string featureId, HttpRequest request, MapDataProvider provider, MapRenderer renderer, BasemapSource basemap, IOptions<MapsOptions> options, IOptions<StorageOptions> storage, TimeProvider clock, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        if (query.CheckNames() is { } problem || !query.TryRead(LangParameter.Definition, out var language, out problem))
        {
            return problem;
        }

        var catalog = await provider.GetCatalogAsync(cancellationToken);
        if (catalog.Skeleton.Layer(collectionId) is not { Kind: MapLayerKind.Parks or MapLayerKind.Universities or MapLayerKind.Institutes })
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        // A park's brief has its research base, whose fit table is a file beside the data: another table, another figure.
        var fit = AnalysisInputs.FitTable(storage.Value.GeodataPath);
        if (FigureCaching.IsNotModified(request.HttpContext, catalog.Version, options.Value, $"{basemap.Identity}\nfit {fit.Table.Version}"))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        // The nearest table and the research base are measured over whole collections by the proximity engine, which
        // selects candidates in the store for collections too large to hold (MapDataProvider.NearestAsync).
        var data = await provider.GetForFigureAsync(catalog, new FeatureRef(collectionId, featureId), cancellationToken);
        if (data.Layer(collectionId) is not { } layer || layer.Kind is not (MapLayerKind.Parks or MapLayerKind.Universities or MapLayerKind.Institutes))
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        if (layer.Find(featureId) is not { } feature)
        {
            return ApiProblems.FeatureNotFound(layer.Id, featureId);
        }

        var composed = await ReportComposer.FeaturePageAsync(catalog, data, layer, feature, ReportComposer.TargetsOf(data, layer), language,
            FigureCaching.Stamp(request, data.Version, clock), fit, provider, basemap, cancellationToken);
        var pdf = renderer.RenderReportPdf(composed.Drawn, composed.Page);
        composed.Under.WriteHeaders(request.HttpContext.Response);
        return TypedResults.File(pdf, "application/pdf");
    }
}
