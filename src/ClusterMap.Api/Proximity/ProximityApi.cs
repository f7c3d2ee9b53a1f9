using ClusterMap.Api.Hosting;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Proximity;

/// <summary>
/// Exact geodesic proximity on the WGS84 ellipsoid, measured between geometries (to polygon edges, not centroids):
/// within a radius, the k nearest, a nearest-k matrix and ring counts. Answers carry the distance interval that
/// the features' location uncertainties allow, and say whether a radius answer is certain or only possible.
/// </summary>
internal static class ProximityApi
{
    private static readonly GeometryFactory _factory = new(new PrecisionModel(), 4326);

    // Parameter names of the endpoints themselves; a target property of the same name cannot be filtered on.
    private static readonly HashSet<string> _reservedNames =
    [
        .. new[] { ProximityParameters.Within, ProximityParameters.Nearest, ProximityParameters.Matrix, ProximityParameters.Rings }.SelectMany(o => o.Names),
    ];

    /// <summary>The origin of a within/nearest query: a stored feature, or a bare lon/lat point.</summary>
    internal sealed record Origin(Geometry Geometry, double UncertaintyMeters, string? CollectionId, string? FeatureId);

    public static IEndpointRouteBuilder MapProximityApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/proximity").WithTags("Proximity").WithDataVersionETag();
        group.MapGet("/within", GetWithin).WithName("getWithin")
            .WithSummary("Target features within radius_m of an origin, nearest first (geodesic, WGS84, to geometry edges)")
            .WithDescription("target={collectionId}&radius_m=5000 and from={collectionId}/{featureId} or lon=&lat=. filter (CQL2, as on the target's items) and any queryable property of the target (by equality) restrict the targets. Each feature gets distance_m, rank, within (certain|possible) and the distance interval distance_min_m…distance_max_m that location uncertainties allow.")
            .WithQueryParameters(ProximityParameters.Within);
        group.MapGet("/nearest", GetNearest).WithName("getNearest")
            .WithSummary("The k nearest target features to an origin, ties broken by id")
            .WithDescription("target={collectionId}&k=5 and from={collectionId}/{featureId} or lon=&lat=; optional max_m. filter (CQL2, as on the target's items) and any queryable property of the target (by equality) restrict the targets.")
            .WithQueryParameters(ProximityParameters.Nearest);
        group.MapGet("/matrix", GetMatrix).WithName("getMatrix")
            .WithSummary("For every feature of one collection, its k nearest features of another (JSON or CSV)")
            .WithDescription("from={collectionId}&to={collectionId}&k=3; optional max_m; f=json|csv. filter (CQL2) and any queryable property of the 'to' collection (by equality) restrict the targets; from-filter (CQL2) restricts the origins.")
            .WithQueryParameters(ProximityParameters.Matrix);
        group.MapGet("/rings", GetRings).WithName("getRings")
            .WithSummary("For every feature of one collection, how many features of another lie within each ring (JSON or CSV)")
            .WithDescription("from={collectionId}&to={collectionId}&rings_m=1000,3000,5000,10000; f=json|csv. filter (CQL2) and any queryable property of the 'to' collection (by equality) restrict the targets; from-filter (CQL2) restricts the origins. Counts are cumulative (a target within 1 km also counts for 3 km). count goes by the estimated distance; certain counts targets within the ring whatever the location uncertainties, possible those that may be within (certain ≤ count ≤ certain + possible).")
            .WithQueryParameters(ProximityParameters.Rings);
        return routes;
    }

    public static async Task<Results<ProximityFeaturesResult, ProblemHttpResult>> GetWithin(
        HttpRequest request, ProximityTargets snapshots, IFeatureStore store, CollectionQueryablesCache queryables, IOptions<ProximityOptions> options, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        var lookup = new Lookup(snapshots, options.VersionWindow(), cancellationToken);
        ProblemHttpResult? problem;
        if ((problem = await TargetAndOriginAsync(query, lookup)) is not null
            || !query.TryRead(ProximityParameters.RadiusM, out var radius, out problem)
            || !query.TryRead(CrsParameter.Output, out var crs, out problem)
            || !query.TryRead(ProximityParameters.Format, out var format, out problem))
        {
            return problem;
        }

        var (target, origin) = (lookup.Found!, lookup.Origin!);
        var (selected, filterProblem) = await SelectedIdsAsync(query, FilterParameters.Targets, target.Collection, store, queryables, cancellationToken);
        if (filterProblem is not null)
        {
            return filterProblem;
        }

        var targets = await target.ForWithinAsync(origin.Geometry, radius, origin.UncertaintyMeters, cancellationToken);
        var hits = targets.ProximityIndex.Within(origin.Geometry, radius, origin.UncertaintyMeters, TargetFilter(request, target.Collection, origin, selected));
        return new ProximityFeaturesResult(targets, hits, origin, radius, request) { Crs = crs, AsCsv = format == "csv" };
    }

    public static async Task<Results<ProximityFeaturesResult, ProblemHttpResult>> GetNearest(
        HttpRequest request, ProximityTargets snapshots, IFeatureStore store, CollectionQueryablesCache queryables, IOptions<ProximityOptions> options, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        var lookup = new Lookup(snapshots, options.VersionWindow(), cancellationToken);
        ProblemHttpResult? problem;
        if ((problem = await TargetAndOriginAsync(query, lookup)) is not null
            || !query.TryRead(ProximityParameters.K, out var k, out problem)
            || !query.TryRead(ProximityParameters.MaxM, out var maxMeters, out problem)
            || !query.TryRead(CrsParameter.Output, out var crs, out problem)
            || !query.TryRead(ProximityParameters.Format, out var format, out problem))
        {
            return problem;
        }

        var (target, origin) = (lookup.Found!, lookup.Origin!);
        var (selected, filterProblem) = await SelectedIdsAsync(query, FilterParameters.Targets, target.Collection, store, queryables, cancellationToken);
        if (filterProblem is not null)
        {
            return filterProblem;
        }

        var filter = TargetFilter(request, target.Collection, origin, selected);
        var targets = await target.ForNearestAsync(origin.Geometry, k, origin.UncertaintyMeters, maxMeters ?? double.PositiveInfinity, filter, cancellationToken);
        var hits = targets.ProximityIndex.Nearest(origin.Geometry, k, origin.UncertaintyMeters, maxMeters ?? double.PositiveInfinity, filter);
        return new ProximityFeaturesResult(targets, hits, origin, maxMeters, request) { Crs = crs, AsCsv = format == "csv" };
    }

    public static async Task<Results<ProximityTableResult, ProblemHttpResult>> GetMatrix(
        HttpRequest request, ProximityTargets snapshots, IFeatureStore store, CollectionQueryablesCache queryables, IOptions<LimitsOptions> limits, IOptions<ProximityOptions> options, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        var from = new Lookup(snapshots, options.VersionWindow(), cancellationToken);
        var to = new Lookup(snapshots, options.VersionWindow(), cancellationToken);
        ProblemHttpResult? problem;
        if ((problem = await FromToAsync(query, from, to)) is not null
            || !query.TryRead(ProximityParameters.K, out var k, out problem)
            || !query.TryRead(ProximityParameters.MaxM, out var maxMeters, out problem)
            || !query.TryRead(ProximityParameters.Format, out var format, out problem))
        {
            return problem;
        }

        var (originsTarget, target) = (from.Found!, to.Found!);
        var (selected, originIds, filterProblem) = await FromToFiltersAsync(query, originsTarget.Collection, target.Collection, store, queryables, cancellationToken);
        if (filterProblem is not null)
        {
            return filterProblem;
        }

        // Checked on the stored (or selected) count, before a large origin collection is loaded only to be refused.
        var originCount = originIds?.Count ?? originsTarget.Collection.FeatureCount;
        if (originCount * k > limits.Value.MaxMatrixCells)
        {
            return ApiProblems.MatrixTooLarge((int)Math.Min(originCount, int.MaxValue), k, limits.Value.MaxMatrixCells);
        }

        var all = await originsTarget.AllAsync(cancellationToken);
        var origins = Origins(all, originIds);
        var sameCollection = all.Collection.Id == target.Collection.Id;
        var filter = TargetFilter(request, target.Collection, origin: null, selected);
        var targets = await target.ForMatrixAsync(origins, k, maxMeters ?? double.PositiveInfinity, filter, sameCollection, cancellationToken);
        var rows = targets.ProximityIndex.Matrix(origins, k, maxMeters ?? double.PositiveInfinity, filter, excludeSameId: sameCollection);
        return ProximityTableResult.Matrix(all, targets, k, maxMeters, rows, format == "csv");
    }

    public static async Task<Results<ProximityTableResult, ProblemHttpResult>> GetRings(
        HttpRequest request, ProximityTargets snapshots, IFeatureStore store, CollectionQueryablesCache queryables, IOptions<ProximityOptions> options, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        var from = new Lookup(snapshots, options.VersionWindow(), cancellationToken);
        var to = new Lookup(snapshots, options.VersionWindow(), cancellationToken);
        ProblemHttpResult? problem;
        if ((problem = await FromToAsync(query, from, to)) is not null
            || !query.TryRead(ProximityParameters.RingsM, out var rings, out problem)
            || !query.TryRead(ProximityParameters.Format, out var format, out problem))
        {
            return problem;
        }

        var target = to.Found!;
        var (selected, originIds, filterProblem) = await FromToFiltersAsync(query, from.Found!.Collection, target.Collection, store, queryables, cancellationToken);
        if (filterProblem is not null)
        {
            return filterProblem;
        }

        var all = await from.Found!.AllAsync(cancellationToken);
        var origins = Origins(all, originIds);
        var sameCollection = all.Collection.Id == target.Collection.Id;
        var filter = TargetFilter(request, target.Collection, origin: null, selected);
        var targets = await target.ForRingsAsync(origins, rings, filter, sameCollection, cancellationToken);
        var rows = targets.ProximityIndex.Rings(origins, rings, filter, excludeSameId: sameCollection);
        return ProximityTableResult.Rings(all, targets, rings, rows, format == "csv");
    }

    /// <summary>The target collection (whose queryables are filters, so the names are checked after it), then the origin.</summary>
    private static async Task<ProblemHttpResult?> TargetAndOriginAsync(QueryParameters query, Lookup lookup) =>
        await lookup.ReadAsync(query, ProximityParameters.Target)
        ?? query.CheckNames(lookup.Found!.Collection.Queryables.Contains)
        ?? await OriginAsync(query, lookup);

    /// <summary>The origin collection, then the target collection (whose queryables are filters, so the names are checked after it).</summary>
    private static async Task<ProblemHttpResult?> FromToAsync(QueryParameters query, Lookup from, Lookup to) =>
        await from.ReadAsync(query, ProximityParameters.FromCollection)
        ?? await to.ReadAsync(query, ProximityParameters.To)
        ?? query.CheckNames(to.Found!.Collection.Queryables.Contains);

    /// <summary>A collection or origin feature a request names, looked up in the proximity snapshots as the parameters are read.</summary>
    private sealed class Lookup(ProximityTargets snapshots, TimeSpan window, CancellationToken cancellationToken)
    {
        public ProximityTarget? Found { get; private set; }

        public Origin? Origin { get; set; }

        public CancellationToken CancellationToken => cancellationToken;

        /// <summary>Null when the parameter names a collection (now in <see cref="Found"/>), else the 400 naming the parameter.</summary>
        public async Task<ProblemHttpResult?> ReadAsync(QueryParameters query, QueryParameter<string> parameter)
        {
            if (!query.TryRead(parameter, out var id, out var problem))
            {
                return problem;
            }

            Found = await GetAsync(id);
            return Found is null ? ApiProblems.UnknownReference(parameter.Name, id, parameter.AcceptedForm) : null;
        }

        public async Task<ProximityTarget?> GetAsync(string id) =>
            CollectionId.IsValid(id) ? await snapshots.GetAsync(id, window, cancellationToken) : null;
    }

    /// <summary>
    /// The origin of within/nearest, into <c>lookup.Origin</c>: the feature named by <c>from</c>, or the point
    /// <c>lon</c>, <c>lat</c>; one of the two, and the pair whole.
    /// </summary>
    private static async Task<ProblemHttpResult?> OriginAsync(QueryParameters query, Lookup lookup)
    {
        var from = ProximityParameters.FromFeature;
        var (lon, lat) = (ProximityParameters.Lon, ProximityParameters.Lat);
        if (query.Text(from) is { } fromText)
        {
            if (query.Has(lon) || query.Has(lat))
            {
                return ApiProblems.ConflictingParameters(from.Name, query.Has(lon) ? lon.Name : lat.Name);
            }

            if (!query.TryRead(from, out var reference, out var problem))
            {
                return problem;
            }

            var snapshot = await lookup.GetAsync(reference.CollectionId);
            if ((snapshot is null ? null : await snapshot.FindAsync(reference.FeatureId, lookup.CancellationToken)) is not { } feature)
            {
                return ApiProblems.UnknownReference(from.Name, fromText, from.AcceptedForm);
            }

            lookup.Origin = new Origin(feature.Geometry, FeatureProperties.UncertaintyMeters(feature.PropertiesJson), reference.CollectionId, reference.FeatureId);
            return null;
        }

        if (!query.Has(lon) && !query.Has(lat))
        {
            return ApiProblems.MissingParameter(from.Name, from.AcceptedForm);
        }

        if (!query.Has(lon))
        {
            return ApiProblems.MissingParameter(lon.Name, lon.AcceptedForm);
        }

        if (!query.TryRead(lon, out var x, out var lonProblem))
        {
            return lonProblem;
        }

        if (!query.Has(lat))
        {
            return ApiProblems.MissingParameter(lat.Name, lat.AcceptedForm);
        }

        if (!query.TryRead(lat, out var y, out var latProblem))
        {
            return latProblem;
        }

        lookup.Origin = new Origin(_factory.CreatePoint(new Coordinate(x, y)), 0, null, null);
        return null;
    }

    /// <summary>
    /// The features a side's CQL2 filter selects, as the store's translation of it selects them (its indexes, no feature
    /// read whole): the engine then skips every other target by id before measuring it. Null when no filter is given.
    /// </summary>
    private static async Task<(IReadOnlySet<string>? Ids, ProblemHttpResult? Problem)> SelectedIdsAsync(
        QueryParameters query, FilterParameters parameters, CollectionInfo collection, IFeatureStore store, CollectionQueryablesCache queryables, CancellationToken cancellationToken)
    {
        var (filter, problem) = await FilterReader.ReadAsync(query, parameters, collection, queryables, cancellationToken);
        return filter is null
            ? (null, problem)
            : ((await store.GetItemIdsAsync(collection.Id, filter, cancellationToken)).ToHashSet(StringComparer.Ordinal), null);
    }

    /// <summary>The targets' <c>filter</c>, then the origins' <c>from-filter</c>.</summary>
    private static async Task<(IReadOnlySet<string>? Targets, IReadOnlySet<string>? Origins, ProblemHttpResult? Problem)> FromToFiltersAsync(
        QueryParameters query, CollectionInfo from, CollectionInfo to, IFeatureStore store, CollectionQueryablesCache queryables, CancellationToken cancellationToken)
    {
        var (targets, problem) = await SelectedIdsAsync(query, FilterParameters.Targets, to, store, queryables, cancellationToken);
        if (problem is not null)
        {
            return (null, null, problem);
        }

        var (origins, originsProblem) = await SelectedIdsAsync(query, FilterParameters.Origins, from, store, queryables, cancellationToken);
        return (targets, origins, originsProblem);
    }

    private static IReadOnlyList<ProximityItem> Origins(CollectionSnapshot all, IReadOnlySet<string>? selected) =>
        selected is null ? all.ProximityItems : [.. all.ProximityItems.Where(item => selected.Contains(item.Id))];

    /// <summary>Equality filters on the target's queryables and the CQL2 filter's selection, and never the origin feature itself.</summary>
    private static Func<ProximityItem, bool>? TargetFilter(HttpRequest request, CollectionInfo target, Origin? origin, IReadOnlySet<string>? selected)
    {
        var equalities = request.Query
            .Where(pair => target.Queryables.Contains(pair.Key) && !_reservedNames.Contains(pair.Key))
            .ToDictionary(pair => pair.Key, pair => (string?)FeatureProperties.ComparableQueryValue(pair.Value.ToString()), StringComparer.Ordinal);
        var equal = ProximityFilter.PropertyEquals(equalities);
        var propertyFilter = selected is null ? equal
            : equal is null ? item => selected.Contains(item.Id)
            : item => selected.Contains(item.Id) && equal(item);
        var excludedId = origin?.CollectionId == target.Id ? origin.FeatureId : null;
        if (excludedId is null)
        {
            return propertyFilter;
        }

        return propertyFilter is null
            ? item => item.Id != excludedId
            : item => item.Id != excludedId && propertyFilter(item);
    }
}
