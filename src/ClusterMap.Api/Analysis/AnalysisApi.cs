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
        /// <summary>The link collections read (role link), when the request reads links.</summary>
        public IReadOnlyList<CollectionSnapshot> Links { get; init; } = [];

        /// <summary>The district collection read (role district), when the request reads districts; none when the data has none.</summary>
        public CollectionSnapshot? Districts { get; init; }

        public IReadOnlyList<InstitutionSource> Sources() =>
            [.. Institutions.Select(i => AnalysisInputs.Source(i, Fit.Table, Filters, AnalysisParameters.Filter(Filters)))];
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
        group.MapMethods("/links", _getAndHead, GetLinks).WithName("getLinks")
            .WithSummary("Every park ↔ institution link measured: the partner's geodesic distance and its range, its rank among the park's institutions (all, and those fitting the park's sector), and the nearest fitting alternatives (JSON, or CSV with f=csv)")
            .WithDescription("links={collectionId} (default: every collection whose role is link); alternatives=3; parks, institutions and filters as for the research base; f=json|csv.")
            .WithQueryParameters(AnalysisParameters.LinksTable);
        group.MapMethods("/parks/{featureId}/partners", _getAndHead, GetParkPartners).WithName("getParkPartners")
            .WithSummary("One park's links measured, as /analysis/links")
            .WithDescription("The parameters of /analysis/links; the park is looked up in the park collections read.")
            .WithQueryParameters(AnalysisParameters.ParkPartners);
        group.MapMethods("/districts", _getAndHead, GetDistricts).WithName("getDistricts")
            .WithSummary("Per district: parks, campuses and institutes counted by their district_id, parks per sector, and a summary of the parks' research bases (JSON, or CSV with f=csv: one row per district and band)")
            .WithDescription("districts={collectionId} (default: the district collection); parks, institutions, bands_m, tier_weights and filters as for the research base; f=json|csv.")
            .WithQueryParameters(AnalysisParameters.DistrictsTable);
        group.MapMethods("/sectors", _getAndHead, GetSectors).WithName("getSectors")
            .WithSummary("Per park sector: parks, the sector × district matrix of parks, and how many institutions fit the sector (JSON, or CSV with f=csv: the matrix)")
            .WithDescription("districts, parks, institutions and filters as for /analysis/districts; f=json|csv.")
            .WithQueryParameters(AnalysisParameters.SectorsTable);
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
        var (_, inputs, settings, problem) = await ResearchBaseInputsAsync(request, new Reads(SinglePark: true), store, targets, proximity, storage, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var parks = inputs!.Parks[0];
        if (parks.Find(featureId) is not { } park)
        {
            return ApiProblems.FeatureNotFound(parks.Collection.Id, featureId);
        }

        return new AnalysisResult(ETag(request, inputs), AnalysisResult.JsonType, null, writer => AnalysisWriting.WriteResearchBase(
            writer, inputs, settings!, parks, ResearchBase.ForPark(CollectionSnapshot.ToProximityItem(park), inputs.Sources(), settings!)));
    }

    public static async Task<Results<AnalysisResult, ProblemHttpResult>> GetResearchBase(
        HttpRequest request, IFeatureStore store, ProximityTargets targets, IOptions<ProximityOptions> proximity,
        IOptions<StorageOptions> storage, CancellationToken cancellationToken)
    {
        var (query, inputs, settings, problem) = await ResearchBaseInputsAsync(request, new Reads(SinglePark: true), store, targets, proximity, storage, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var parks = inputs!.Parks[0];
        IReadOnlyList<ResearchBaseRow> Rows() => ResearchBase.ForParks(parks.ProximityItems, inputs.Sources(), settings!);
        return query.TryRead(AnalysisParameters.TableFormat, out var format, out _) && format == "csv"
            ? new AnalysisResult(ETag(request, inputs), AnalysisResult.CsvType, "research-base.csv", text => AnalysisWriting.WriteResearchBaseCsv(text, inputs, settings!, parks, Rows()))
            : new AnalysisResult(ETag(request, inputs), AnalysisResult.JsonType, null, writer => AnalysisWriting.WriteResearchBaseTable(writer, inputs, settings!, parks, Rows()));
    }

    public static Task<Results<AnalysisResult, ProblemHttpResult>> GetLinks(
        HttpRequest request, IFeatureStore store, ProximityTargets targets, IOptions<ProximityOptions> proximity,
        IOptions<StorageOptions> storage, CancellationToken cancellationToken) =>
        LinksAsync(null, request, store, targets, proximity, storage, cancellationToken);

    public static Task<Results<AnalysisResult, ProblemHttpResult>> GetParkPartners(
        string featureId, HttpRequest request, IFeatureStore store, ProximityTargets targets, IOptions<ProximityOptions> proximity,
        IOptions<StorageOptions> storage, CancellationToken cancellationToken) =>
        LinksAsync(featureId, request, store, targets, proximity, storage, cancellationToken);

    public static async Task<Results<AnalysisResult, ProblemHttpResult>> GetDistricts(
        HttpRequest request, IFeatureStore store, ProximityTargets targets, IOptions<ProximityOptions> proximity,
        IOptions<StorageOptions> storage, CancellationToken cancellationToken)
    {
        var (query, inputs, settings, problem) = await ResearchBaseInputsAsync(request, new Reads(SinglePark: false, Districts: true), store, targets, proximity, storage, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        DistrictTable Table() => DistrictAnalysis.Districts(inputs!, settings!);
        return query.TryRead(AnalysisParameters.TableFormat, out var format, out _) && format == "csv"
            ? new AnalysisResult(ETag(request, inputs!), AnalysisResult.CsvType, "districts.csv", text => DistrictAnalysis.WriteDistrictsCsv(text, inputs!, Table()))
            : new AnalysisResult(ETag(request, inputs!), AnalysisResult.JsonType, null, writer => DistrictAnalysis.WriteDistricts(writer, inputs!, settings!, Table()));
    }

    public static async Task<Results<AnalysisResult, ProblemHttpResult>> GetSectors(
        HttpRequest request, IFeatureStore store, ProximityTargets targets, IOptions<ProximityOptions> proximity,
        IOptions<StorageOptions> storage, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        var (inputs, problem) = await InputsAsync(request, query, new Reads(SinglePark: false, Districts: true), store, targets, proximity, storage, cancellationToken);
        if (inputs is null)
        {
            return problem!;
        }

        SectorTable Table() => DistrictAnalysis.Sectors(inputs);
        return query.TryRead(AnalysisParameters.TableFormat, out var format, out _) && format == "csv"
            ? new AnalysisResult(ETag(request, inputs), AnalysisResult.CsvType, "sectors.csv", text => DistrictAnalysis.WriteSectorsCsv(text, inputs, Table()))
            : new AnalysisResult(ETag(request, inputs), AnalysisResult.JsonType, null, writer => DistrictAnalysis.WriteSectors(writer, inputs, Table()));
    }

    private static async Task<Results<AnalysisResult, ProblemHttpResult>> LinksAsync(
        string? parkId, HttpRequest request, IFeatureStore store, ProximityTargets targets, IOptions<ProximityOptions> proximity,
        IOptions<StorageOptions> storage, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        var (inputs, problem) = await InputsAsync(request, query, new Reads(SinglePark: false, Links: true), store, targets, proximity, storage, cancellationToken);
        if (inputs is null)
        {
            return problem!;
        }

        if (!query.TryRead(AnalysisParameters.AlternativesParameter, out var alternatives, out var alternativesProblem))
        {
            return alternativesProblem;
        }

        if (parkId is not null && !inputs.Parks.Any(p => p.Find(parkId) is not null))
        {
            return ApiProblems.FeatureNotFound(string.Join(",", inputs.Parks.Select(p => p.Collection.Id)), parkId);
        }

        IReadOnlyList<MeasuredLink> Links() => LinkAnalysis.Measure(inputs, parkId, (int)alternatives);
        return query.TryRead(AnalysisParameters.TableFormat, out var format, out _) && format == "csv"
            ? new AnalysisResult(ETag(request, inputs), AnalysisResult.CsvType, parkId is null ? "links.csv" : "partners.csv", text => LinkAnalysis.WriteCsv(text, inputs, Links()))
            : new AnalysisResult(ETag(request, inputs), AnalysisResult.JsonType, null, writer => LinkAnalysis.Write(writer, inputs, (int)alternatives, Links()));
    }

    public static async Task<Results<AnalysisResult, ProblemHttpResult>> GetWhiteSpots(
        HttpRequest request, IFeatureStore store, ProximityTargets targets, IOptions<ProximityOptions> proximity,
        IOptions<StorageOptions> storage, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        var (inputs, problem) = await InputsAsync(request, query, new Reads(SinglePark: false), store, targets, proximity, storage, cancellationToken);
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

    /// <summary>Which collections a request reads besides its institutions: one park collection or all, and links or districts.</summary>
    internal readonly record struct Reads(bool SinglePark, bool Links = false, bool Districts = false);

    /// <summary>The inputs of a research-base answer: the collections, and the bands and tier weights.</summary>
    private static async Task<(QueryParameters Query, Inputs? Inputs, ResearchBaseSettings? Settings, ProblemHttpResult? Problem)> ResearchBaseInputsAsync(
        HttpRequest request, Reads reads, IFeatureStore store, ProximityTargets targets, IOptions<ProximityOptions> proximity, IOptions<StorageOptions> storage, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        var (inputs, problem) = await InputsAsync(request, query, reads, store, targets, proximity, storage, cancellationToken);
        if (inputs is null)
        {
            return (query, null, null, problem);
        }

        return AnalysisParameters.ParseResearchBase(query, inputs.Fit.Table, out var settings) is { } settingsProblem
            ? (query, null, null, settingsProblem)
            : (query, inputs, settings, null);
    }

    /// <summary>
    /// Reads the collection parameters, checks every query name (the institutions' queryables are filters), loads
    /// the collections whole and the fit table.
    /// </summary>
    private static async Task<(Inputs? Inputs, ProblemHttpResult? Problem)> InputsAsync(
        HttpRequest request, QueryParameters query, Reads reads,
        IFeatureStore store, ProximityTargets targets, IOptions<ProximityOptions> proximity, IOptions<StorageOptions> storage, CancellationToken cancellationToken)
    {
        var all = await store.GetCollectionsAsync(cancellationToken);
        if (AnalysisParameters.Collections(query, AnalysisParameters.ParksParameter, all, r => r == CollectionRole.Park, reads.SinglePark, out var parkCollections) is { } parksProblem)
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

        IReadOnlyList<CollectionInfo> linkCollections = [];
        if (reads.Links && AnalysisParameters.Collections(query, AnalysisParameters.LinksParameter, all, r => r == CollectionRole.Link, false, out linkCollections, noneByDefault: true) is { } linksProblem)
        {
            return (null, linksProblem);
        }

        IReadOnlyList<CollectionInfo> districtCollections = [];
        if (reads.Districts && AnalysisParameters.Collections(query, AnalysisParameters.DistrictsParameter, all, r => r == CollectionRole.District, true, out districtCollections, noneByDefault: true) is { } districtsProblem)
        {
            return (null, districtsProblem);
        }

        var window = proximity.VersionWindow();
        async Task<CollectionSnapshot?> Load(CollectionInfo c) =>
            await targets.GetAsync(c.Id, window, cancellationToken) is { } target ? await target.AllAsync(cancellationToken) : null;
        var parks = new List<CollectionSnapshot>();
        var institutions = new List<CollectionSnapshot>();
        var links = new List<CollectionSnapshot>();
        var districts = new List<CollectionSnapshot>();
        foreach (var (collections, into, name) in new[]
        {
            (parkCollections, parks, AnalysisParameters.Parks), (institutionCollections, institutions, AnalysisParameters.Institutions),
            (linkCollections, links, AnalysisParameters.Links), (districtCollections, districts, AnalysisParameters.Districts),
        })
        {
            foreach (var collection in collections)
            {
                if (await Load(collection) is not { } snapshot)
                {
                    // Deleted between the listing and the load.
                    return (null, ApiProblems.UnknownReference(name, collection.Id, AnalysisParameters.FormOf(name, single: false)));
                }

                into.Add(snapshot);
            }
        }

        var filters = AnalysisParameters.InstitutionFilters(request.Query, institutionCollections, query.Operation);
        var version = parks.Concat(institutions).Concat(links).Concat(districts).Max(s => s.DataVersion);
        return (new Inputs(version, parks, institutions, filters, AnalysisInputs.FitTable(storage.Value.GeodataPath)) { Links = links, Districts = districts.FirstOrDefault() }, null);
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
