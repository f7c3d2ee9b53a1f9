using ClusterMap.Api.Hosting;
using ClusterMap.Api.Ogc;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Analysis;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using ClusterMap.Rendering;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Reports;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;

namespace ClusterMap.Api.Maps;

/// <summary>
/// Atlas reports: one PDF for a selection of a collection's features (a CQL2 filter, a list of ids, or the whole
/// collection): a cover with the selection's map, every feature numbered, and the selection in words; then each
/// feature's brief, as <c>/reports/{collectionId}/{featureId}.pdf</c> draws it, each page stamped with its own permalink.
/// </summary>
internal static class AtlasReportsApi
{
    /// <summary>How long an atlas may take, in seconds, instead of <c>Limits:RequestTimeoutSeconds</c>.</summary>
    public const int AtlasTimeoutSeconds = 300;

    public static readonly QueryParameter<string> Ids = new("ids",
        "comma-separated ids of the collection's features, at most Maps:AtlasMaxFeatures (200 by default), e.g. park-a,park-b",
        "Only these features, in this order (instead of filter).",
        (string text, out string value) => (value = text).Length > 0)
    {
        CommaSeparated = true,
    };

    private static readonly OperationParameters _parameters = new(
        [FilterParameter.Filter, FilterParameter.Language, FilterParameter.Crs, FilterParameter.Datetime, Ids, LangParameter.Definition]);

    public static IEndpointRouteBuilder MapAtlasReportsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/reports/{collectionId}.pdf", GetAtlas).WithTags("Maps").WithName("getAtlasReport")
            .WithSummary("An atlas PDF of a selection (filter=CQL2, ids=a,b or the whole collection; at most Maps:AtlasMaxFeatures features): a cover map with every feature numbered, then each feature's brief")
            .WithQueryParameters(_parameters)
            // An atlas draws a page or two per feature: it gets its own time, not a single request's.
            .WithRequestTimeout(new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(AtlasTimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
                WriteTimeoutResponse = context => ApiProblems.RequestTimedOut(AtlasTimeoutSeconds).ExecuteAsync(context),
            });
        return routes;
    }

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> GetAtlas(
        string collectionId, HttpRequest request, IFeatureStore store, CollectionQueryablesCache queryablesCache, MapDataProvider provider,
        MapRenderer renderer, BasemapSource basemap, IOptions<MapsOptions> options, IOptions<StorageOptions> storage, TimeProvider clock, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        if (query.CheckNames() is { } problem || !query.TryRead(LangParameter.Definition, out var language, out problem))
        {
            return problem;
        }

        var maxFeatures = options.Value.AtlasMaxFeatures;

        var catalog = await provider.GetCatalogAsync(cancellationToken);
        if (catalog.Skeleton.Layer(collectionId) is not { Kind: MapLayerKind.Parks or MapLayerKind.Universities or MapLayerKind.Institutes }
            || await store.GetCollectionAsync(collectionId, cancellationToken) is not { } collection)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        var idsText = query.Text(Ids);
        if (idsText is not null && (query.Has(FilterParameter.Filter) || query.Has(FilterParameter.Datetime)))
        {
            return ApiProblems.InvalidParameter(Ids.Name, $"either ids or filter (and datetime), not both: {Ids.AcceptedForm}");
        }

        var ids = new List<(string Id, int Position)>();
        if (idsText is not null && ParseIds(idsText, ids, maxFeatures) is { } idsProblem)
        {
            return idsProblem;
        }

        var (filter, filterProblem) = await CollectionsApi.ReadFilterAsync(query, collection, queryablesCache, cancellationToken);
        if (filterProblem is not null)
        {
            return filterProblem;
        }

        // A park's brief has its research base, whose fit table is a file beside the data: another table, another figure.
        var fit = AnalysisInputs.FitTable(storage.Value.GeodataPath);
        if (FigureCaching.IsNotModified(request.HttpContext, catalog.Version, options.Value, $"{basemap.Identity}\nfit {fit.Table.Version}"))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        // The briefs' nearest tables are measured over whole target collections, as the single report measures them;
        // of the subject's layer only the selection is read.
        var data = await provider.GetForFigureAsync(catalog, null, cancellationToken);
        if (data.Layer(collectionId) is not { } layer)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        var selected = new List<MapFeature>();
        string selection;
        if (idsText is not null)
        {
            foreach (var (id, position) in ids)
            {
                if (await provider.FindAsync(catalog, layer.Id, id, cancellationToken) is not { } feature)
                {
                    return ApiProblems.InvalidFilter(Ids.Name, new Cql2Error(position,
                        $"At character {position}: '{ApiProblems.Excerpt(id)}' is not a feature of {layer.Id}.", $"an id of /collections/{layer.Id}/items"));
                }

                selected.Add(feature);
            }

            selection = $"ids {string.Join(", ", ids.Select(i => i.Id))}";
        }
        else if (filter is not null)
        {
            // Counted only as far as the report's own limit: past it, the selection is refused whatever its size.
            var page = await store.GetItemsAsync(new ItemsQuery(layer.Id, [], [], maxFeatures, 0, filter, MaxExactCount: maxFeatures), cancellationToken);
            if (!page.Matched.IsExact)
            {
                return ApiProblems.InvalidParameter(query.Has(FilterParameter.Filter) ? FilterParameter.Filter.Name : FilterParameter.Datetime.Name,
                    $"a selection of at most {maxFeatures} features; this one selects more than {page.Matched.Count} of {layer.Id}");
            }

            selected.AddRange(page.Features.Select(MapData.ToMapFeature));
            selection = string.Join(" and ", new[]
            {
                query.Text(FilterParameter.Filter) is { } text ? $"filter {text}" : null,
                query.Text(FilterParameter.Datetime) is { } datetime ? $"datetime {datetime}" : null,
            }.OfType<string>());
        }
        else
        {
            if (await provider.AllUpToAsync(catalog, layer.Id, maxFeatures, cancellationToken) is not { } all)
            {
                return ApiProblems.InvalidParameter(FilterParameter.Filter.Name,
                    $"a selection of at most {maxFeatures} features (filter or ids): the whole of {layer.Id} has {collection.FeatureCount}");
            }

            selected.AddRange(all);
            selection = "the whole collection";
        }

        if (selected.Count == 0)
        {
            return ApiProblems.InvalidParameter(FilterParameter.Filter.Name, $"a selection of at least one feature; {selection} selects none of {layer.Id}");
        }

        var (pages, outcomes) = await AtlasComposer.AtlasAsync(catalog, data, layer, selected, AtlasComposer.SelectionLine(selection, selected.Count, layer, collection.FeatureCount), language,
            FigureCaching.Stamp(request, data.Version, clock),
            feature => FigureCaching.Stamp(request, data.Version, clock) with { Permalink = FigureCaching.Permalink(request, BriefPath(request, layer.Id, feature.Id)) },
            fit, provider, basemap, cancellationToken);
        var pdf = renderer.RenderReportPdf($"{layer.Title}: {selection}", pages);
        // One page over ClusterMap's own basemap makes the whole answer a fallback: not to be cached, and said so.
        (outcomes.FirstOrDefault(o => o.IsFallback) ?? outcomes[0]).WriteHeaders(request.HttpContext.Response);
        return TypedResults.File(pdf, "application/pdf");
    }

    /// <summary>The single report of a feature, in the atlas's language: the view its brief page shows.</summary>
    private static string BriefPath(HttpRequest request, string collectionId, string featureId)
    {
        var path = $"/reports/{Uri.EscapeDataString(collectionId)}/{Uri.EscapeDataString(featureId)}.pdf";
        return request.Query.TryGetValue(LangParameter.Definition.Name, out var lang) ? $"{path}?lang={Uri.EscapeDataString(lang.ToString())}" : path;
    }

    /// <summary>The ids in order, each with its character position; an empty one or too many is the 400.</summary>
    private static ProblemHttpResult? ParseIds(string text, List<(string Id, int Position)> ids, int maxFeatures)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var position = 0;
        foreach (var part in text.Split(','))
        {
            var id = part.Trim();
            var at = position + (part.Length - part.TrimStart().Length);
            if (id.Length == 0)
            {
                return ApiProblems.InvalidFilter(Ids.Name, new Cql2Error(at, $"At character {at}: expected a feature id, found nothing.", "a feature id"));
            }

            if (seen.Add(id))
            {
                ids.Add((id, at));
            }

            position += part.Length + 1;
        }

        return ids.Count > maxFeatures
            ? ApiProblems.InvalidParameter(Ids.Name, $"at most {maxFeatures} feature ids; {ids.Count} given")
            : null;
    }
}
