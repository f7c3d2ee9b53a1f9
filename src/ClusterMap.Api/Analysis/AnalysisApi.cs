using System.Security.Cryptography;
using System.Text;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Analysis;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Analysis;

/// <summary>
/// Cluster analysis (docs/analysis.md): each park's research base — universities and institutes within distance
/// bands, certain and possible under the location uncertainties, by tier and by fit to the park's sector — for one
/// park or all, and the white spots where research is dense and no park sits. Every answer says which collections,
/// filters, bands and fit table made it, and carries an ETag of those and the data version.
/// </summary>
internal static class AnalysisApi
{
    private static readonly string[] _getAndHead = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>The collections, filters and fit table a request reads, at one data version.</summary>
    internal sealed record Inputs(
        long DataVersion, IReadOnlyList<CollectionSnapshot> Parks, IReadOnlyList<CollectionSnapshot> Institutions,
        IReadOnlyDictionary<string, string?> Filters, FitTableState Fit)
    {
        public IReadOnlyList<InstitutionSource> Sources() =>
            [.. Institutions.Select(i => AnalysisInputs.Source(i, Fit.Table, Filters))];
    }

    public static IEndpointRouteBuilder MapAnalysisApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/analysis").WithTags("Analysis");
        group.MapMethods("/parks/{featureId}/research-base", _getAndHead, GetParkResearchBase).WithName("getParkResearchBase")
            .WithSummary("One park's research base: institutions within distance bands, certain and possible, by tier and by fit to the park's sector")
            .WithDescription("parks={collectionId} (default: the park collection); institutions=universities,institutes (default: every university and institute collection); bands_m=2000,5000,10000,20000; tier_weights=985:3,211:2; any queryable property of the institutions filters them by equality.")
            .WithQueryParameters(AnalysisParameters.ParkResearchBase);
        group.MapMethods("/research-base", _getAndHead, GetResearchBase).WithName("getResearchBase")
            .WithSummary("Every park's research base as one table (JSON, or CSV with f=csv: one row per park and band)")
            .WithDescription("The parameters of /analysis/parks/{featureId}/research-base, and f=json|csv.")
            .WithQueryParameters(AnalysisParameters.ResearchBaseTable);
        group.MapMethods("/white-spots", _getAndHead, GetWhiteSpots).WithName("getWhiteSpots")
            .WithSummary("Equal-area grid cells where at least min_institutions institutions lie within institution_radius_m and no park within park_radius_m (GeoJSON polygons)")
            .WithDescription("cell_m=1000 (Lambert azimuthal equal-area grid centred on the bbox); min_institutions=3; institution_radius_m=2000; park_radius_m=3000; bbox (default: the institutions' extent); parks, institutions and filters as for the research base. Each cell says certain or possible, with the counts.")
            .WithQueryParameters(AnalysisParameters.WhiteSpotsGrid);
        return routes;
    }

    public static async Task<Results<AnalysisResult, ProblemHttpResult>> GetParkResearchBase(
        string featureId, HttpRequest request, IFeatureStore store, ProximityTargets targets, IOptions<ProximityOptions> proximity,
        IOptions<StorageOptions> storage, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        var (inputs, problem) = await InputsAsync(request, query, singlePark: true, store, targets, proximity, storage, cancellationToken);
        if (inputs is null)
        {
            return problem!;
        }

        if (AnalysisParameters.ParseResearchBase(query, inputs.Fit.Table, out var settings) is { } settingsProblem)
        {
            return settingsProblem;
        }

        var parks = inputs.Parks[0];
        if (parks.Find(featureId) is not { } park)
        {
            return ApiProblems.FeatureNotFound(parks.Collection.Id, featureId);
        }

        return new AnalysisResult(ETag(request, inputs), AnalysisResult.JsonType, null, writer => AnalysisWriting.WriteResearchBase(
            writer, inputs, settings, parks, ResearchBase.ForPark(CollectionSnapshot.ToProximityItem(park), inputs.Sources(), settings)));
    }

    public static async Task<Results<AnalysisResult, ProblemHttpResult>> GetResearchBase(
        HttpRequest request, IFeatureStore store, ProximityTargets targets, IOptions<ProximityOptions> proximity,
        IOptions<StorageOptions> storage, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        var (inputs, problem) = await InputsAsync(request, query, singlePark: true, store, targets, proximity, storage, cancellationToken);
        if (inputs is null)
        {
            return problem!;
        }

        if (AnalysisParameters.ParseResearchBase(query, inputs.Fit.Table, out var settings) is { } settingsProblem)
        {
            return settingsProblem;
        }

        var parks = inputs.Parks[0];
        IReadOnlyList<ResearchBaseRow> Rows() => ResearchBase.ForParks(parks.ProximityItems, inputs.Sources(), settings);
        return query.TryRead(AnalysisParameters.TableFormat, out var format, out _) && format == "csv"
            ? new AnalysisResult(ETag(request, inputs), AnalysisResult.CsvType, "research-base.csv", text => AnalysisWriting.WriteResearchBaseCsv(text, inputs, settings, parks, Rows()))
            : new AnalysisResult(ETag(request, inputs), AnalysisResult.JsonType, null, writer => AnalysisWriting.WriteResearchBaseTable(writer, inputs, settings, parks, Rows()));
    }

    public static async Task<Results<AnalysisResult, ProblemHttpResult>> GetWhiteSpots(
        HttpRequest request, IFeatureStore store, ProximityTargets targets, IOptions<ProximityOptions> proximity,
        IOptions<StorageOptions> storage, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        var (inputs, problem) = await InputsAsync(request, query, singlePark: false, store, targets, proximity, storage, cancellationToken);
        if (inputs is null)
        {
            return problem!;
        }

        if (AnalysisParameters.ParseWhiteSpots(query, out var settings) is { } settingsProblem)
        {
            return settingsProblem;
        }

        if (AnalysisParameters.Bbox(query, out var bbox) is { } bboxProblem)
        {
            return bboxProblem;
        }

        var extent = bbox ?? InstitutionExtent(inputs);
        var grid = extent is null ? null : EqualAreaGrid.Covering(extent, settings.CellMeters);
        if (grid is not null && grid.CellCount > AnalysisParameters.MaxCells)
        {
            return ApiProblems.InvalidParameter(AnalysisParameters.CellM, AnalysisParameters.CellCountForm(grid.CellCount));
        }

        return new AnalysisResult(ETag(request, inputs), AnalysisResult.GeoJsonType, null, writer =>
        {
            var cells = grid is null ? [] : WhiteSpots.Find(grid, inputs.Sources(), [.. inputs.Parks.Select(p => p.ProximityIndex)], settings);
            AnalysisWriting.WriteWhiteSpots(writer, inputs, settings, grid, extent, cells);
        });
    }

    /// <summary>
    /// Reads the collection parameters, checks every query name (the institutions' queryables are filters), loads
    /// the collections whole and the fit table.
    /// </summary>
    private static async Task<(Inputs? Inputs, ProblemHttpResult? Problem)> InputsAsync(
        HttpRequest request, QueryParameters query, bool singlePark,
        IFeatureStore store, ProximityTargets targets, IOptions<ProximityOptions> proximity, IOptions<StorageOptions> storage, CancellationToken cancellationToken)
    {
        var all = await store.GetCollectionsAsync(cancellationToken);
        if (AnalysisParameters.Collections(query, AnalysisParameters.ParksParameter, all, r => r == CollectionRole.Park, singlePark, out var parkCollections) is { } parksProblem)
        {
            return (null, parksProblem);
        }

        if (AnalysisParameters.Collections(query, AnalysisParameters.InstitutionsParameter, all, r => r is CollectionRole.University or CollectionRole.Institute, false, out var institutionCollections) is { } institutionsProblem)
        {
            return (null, institutionsProblem);
        }

        if (query.CheckNames(name => institutionCollections.Any(c => c.Queryables.Contains(name))) is { } namesProblem)
        {
            return (null, namesProblem);
        }

        var window = proximity.VersionWindow();
        async Task<CollectionSnapshot?> Load(CollectionInfo c) =>
            await targets.GetAsync(c.Id, window, cancellationToken) is { } target ? await target.AllAsync(cancellationToken) : null;
        var parks = new List<CollectionSnapshot>();
        var institutions = new List<CollectionSnapshot>();
        foreach (var (collections, into, name) in new[] { (parkCollections, parks, AnalysisParameters.Parks), (institutionCollections, institutions, AnalysisParameters.Institutions) })
        {
            foreach (var collection in collections)
            {
                if (await Load(collection) is not { } snapshot)
                {
                    // Deleted between the listing and the load.
                    return (null, ApiProblems.UnknownReference(name, collection.Id, name == AnalysisParameters.Parks ? AnalysisParameters.ParksListForm : AnalysisParameters.InstitutionsForm));
                }

                into.Add(snapshot);
            }
        }

        var filters = AnalysisParameters.InstitutionFilters(request.Query, institutionCollections, query.Operation);
        var version = parks.Concat(institutions).Max(s => s.DataVersion);
        return (new Inputs(version, parks, institutions, filters, AnalysisInputs.FitTable(storage.Value.GeodataPath)), null);
    }

    private static Envelope? InstitutionExtent(Inputs inputs)
    {
        var extent = new Envelope();
        foreach (var institutions in inputs.Institutions)
        {
            if (institutions.Collection.Extent is { } e)
            {
                extent.ExpandToInclude(e);
            }
        }

        return extent.IsNull || extent.Width <= 0 || extent.Height <= 0 ? null : extent;
    }

    /// <summary>A strong ETag of everything the answer depends on: the route and its parameters, the data version, the fit table.</summary>
    private static string ETag(HttpRequest request, Inputs inputs)
    {
        var text = new StringBuilder(request.Path.Value);
        foreach (var (name, value) in request.Query.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append('\u0000').Append(name).Append('=').Append(value.ToString());
        }

        text.Append('\u0000').Append(inputs.DataVersion).Append('\u0000').Append(inputs.Fit.Table.Version).Append('\u0000').Append(inputs.Fit.Problem);
        return "\"" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..24] + "\"";
    }
}
