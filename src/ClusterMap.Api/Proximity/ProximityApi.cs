using ClusterMap.Api.Hosting;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Features;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Storage;
using ClusterMap.Projections;
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
    private const string Target = "target";
    private const string From = "from";
    private const string To = "to";
    private const string Lon = "lon";
    private const string Lat = "lat";
    private const string RadiusM = "radius_m";
    private const string K = "k";
    private const string MaxM = "max_m";
    private const string RingsM = "rings_m";

    private static readonly GeometryFactory _factory = new(new PrecisionModel(), 4326);

    // Parameter names of the endpoints themselves; a target property of the same name cannot be filtered on.
    private static readonly string[] _tableFormats = ["json", "csv"];

    private static readonly HashSet<string> _reservedNames = [Target, From, To, Lon, Lat, RadiusM, K, MaxM, RingsM, QueryParameters.FormatName, CrsParameter.Name];

    /// <summary>The origin of a within/nearest query: a stored feature, or a bare lon/lat point.</summary>
    internal sealed record Origin(Geometry Geometry, double UncertaintyMeters, string? CollectionId, string? FeatureId);

    public static IEndpointRouteBuilder MapProximityApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/proximity").WithTags("Proximity");
        group.MapGet("/within", GetWithin).WithName("getWithin")
            .WithSummary("Target features within radius_m of an origin, nearest first (geodesic, WGS84, to geometry edges)")
            .WithDescription("target={collectionId}&radius_m=5000 and from={collectionId}/{featureId} or lon=&lat=. Any queryable property of the target filters by equality. Each feature gets distance_m, rank, within (certain|possible) and the distance interval distance_min_m…distance_max_m that location uncertainties allow.")
            .WithProximityParameters(Target, RadiusM, From, Lon, Lat);
        group.MapGet("/nearest", GetNearest).WithName("getNearest")
            .WithSummary("The k nearest target features to an origin, ties broken by id")
            .WithDescription("target={collectionId}&k=5 and from={collectionId}/{featureId} or lon=&lat=; optional max_m. Any queryable property of the target filters by equality.")
            .WithProximityParameters(Target, K, MaxM, From, Lon, Lat);
        group.MapGet("/matrix", GetMatrix).WithName("getMatrix")
            .WithSummary("For every feature of one collection, its k nearest features of another (JSON or CSV)")
            .WithDescription("from={collectionId}&to={collectionId}&k=3; optional max_m; f=json|csv. Any queryable property of the 'to' collection filters the targets.")
            .WithProximityParameters(From, To, K, MaxM, "f");
        group.MapGet("/rings", GetRings).WithName("getRings")
            .WithSummary("For every feature of one collection, how many features of another lie within each ring (JSON or CSV)")
            .WithDescription("from={collectionId}&to={collectionId}&rings_m=1000,3000,5000,10000; f=json|csv. Counts are cumulative (a target within 1 km also counts for 3 km). count goes by the estimated distance; certain counts targets within the ring whatever the location uncertainties, possible those that may be within (certain ≤ count ≤ certain + possible).")
            .WithProximityParameters(From, To, RingsM, "f");
        return routes;
    }

    public static async Task<Results<ProximityFeaturesResult, ProblemHttpResult>> GetWithin(HttpRequest request, ProximityTargets snapshots, IOptions<ProximityOptions> options, CancellationToken cancellationToken)
    {
        var query = new QueryParameters(request.Query);
        var window = options.VersionWindow();
        var (target, targetProblem) = await CollectionParameterAsync(query, Target, snapshots, window, cancellationToken);
        if (target is null)
        {
            return targetProblem!;
        }

        if (query.CheckNames([Target, RadiusM, From, Lon, Lat, QueryParameters.FormatName, CrsParameter.Name], target.Collection.Queryables.Contains, _tableFormats) is { } namesProblem)
        {
            return namesProblem;
        }

        var (origin, originProblem) = await OriginAsync(query, snapshots, window, cancellationToken);
        if (origin is null)
        {
            return originProblem!;
        }

        if (query.Single(RadiusM) is not { } radiusText)
        {
            return ApiProblems.MissingParameter(RadiusM, ProximityParameters.DistanceForm);
        }

        if (!ProximityParameters.TryParseDistance(radiusText, out var radius))
        {
            return ApiProblems.InvalidParameter(RadiusM, ProximityParameters.DistanceForm);
        }

        if (OutputCrs(query, out var crs) is { } crsProblem)
        {
            return crsProblem;
        }

        var targets = await target.ForWithinAsync(origin.Geometry, radius, origin.UncertaintyMeters, cancellationToken);
        var hits = targets.ProximityIndex.Within(origin.Geometry, radius, origin.UncertaintyMeters, TargetFilter(request, target.Collection, origin));
        return new ProximityFeaturesResult(targets, hits, origin, radius, request) { Crs = crs, AsCsv = query.Single(QueryParameters.FormatName) == "csv" };
    }

    public static async Task<Results<ProximityFeaturesResult, ProblemHttpResult>> GetNearest(HttpRequest request, ProximityTargets snapshots, IOptions<ProximityOptions> options, CancellationToken cancellationToken)
    {
        var query = new QueryParameters(request.Query);
        var window = options.VersionWindow();
        var (target, targetProblem) = await CollectionParameterAsync(query, Target, snapshots, window, cancellationToken);
        if (target is null)
        {
            return targetProblem!;
        }

        if (query.CheckNames([Target, K, MaxM, From, Lon, Lat, QueryParameters.FormatName, CrsParameter.Name], target.Collection.Queryables.Contains, _tableFormats) is { } namesProblem)
        {
            return namesProblem;
        }

        var (origin, originProblem) = await OriginAsync(query, snapshots, window, cancellationToken);
        if (origin is null)
        {
            return originProblem!;
        }

        if (KParameter(query, out var k) is { } kProblem)
        {
            return kProblem;
        }

        if (MaxParameter(query, out var maxMeters) is { } maxProblem)
        {
            return maxProblem;
        }

        if (OutputCrs(query, out var crs) is { } crsProblem)
        {
            return crsProblem;
        }

        var filter = TargetFilter(request, target.Collection, origin);
        var targets = await target.ForNearestAsync(origin.Geometry, k, origin.UncertaintyMeters, maxMeters ?? double.PositiveInfinity, filter, cancellationToken);
        var hits = targets.ProximityIndex.Nearest(origin.Geometry, k, origin.UncertaintyMeters, maxMeters ?? double.PositiveInfinity, filter);
        return new ProximityFeaturesResult(targets, hits, origin, maxMeters, request) { Crs = crs, AsCsv = query.Single(QueryParameters.FormatName) == "csv" };
    }

    public static async Task<Results<ProximityTableResult, ProblemHttpResult>> GetMatrix(
        HttpRequest request, ProximityTargets snapshots, IOptions<LimitsOptions> limits, IOptions<ProximityOptions> options, CancellationToken cancellationToken)
    {
        var query = new QueryParameters(request.Query);
        var window = options.VersionWindow();
        var (originsTarget, target, problem) = await FromToAsync(query, snapshots, window, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (query.CheckNames([From, To, K, MaxM, QueryParameters.FormatName], target!.Collection.Queryables.Contains, _tableFormats) is { } namesProblem)
        {
            return namesProblem;
        }

        if (KParameter(query, out var k) is { } kProblem)
        {
            return kProblem;
        }

        if (MaxParameter(query, out var maxMeters) is { } maxProblem)
        {
            return maxProblem;
        }

        // Checked on the stored count, before a large origin collection is loaded only to be refused.
        var originCount = originsTarget!.Collection.FeatureCount;
        if (originCount * k > limits.Value.MaxMatrixCells)
        {
            return ApiProblems.MatrixTooLarge((int)Math.Min(originCount, int.MaxValue), k, limits.Value.MaxMatrixCells);
        }

        var origins = await originsTarget.AllAsync(cancellationToken);

        var csv = query.Single(QueryParameters.FormatName) == "csv";
        var sameCollection = origins.Collection.Id == target.Collection.Id;
        var filter = TargetFilter(request, target.Collection, origin: null);
        var targets = await target.ForMatrixAsync(origins.ProximityItems, k, maxMeters ?? double.PositiveInfinity, filter, sameCollection, cancellationToken);
        var rows = targets.ProximityIndex.Matrix(origins.ProximityItems, k, maxMeters ?? double.PositiveInfinity, filter, excludeSameId: sameCollection);
        return ProximityTableResult.Matrix(origins, targets, k, maxMeters, rows, csv);
    }

    public static async Task<Results<ProximityTableResult, ProblemHttpResult>> GetRings(HttpRequest request, ProximityTargets snapshots, IOptions<ProximityOptions> options, CancellationToken cancellationToken)
    {
        var query = new QueryParameters(request.Query);
        var window = options.VersionWindow();
        var (originsTarget, target, problem) = await FromToAsync(query, snapshots, window, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (query.CheckNames([From, To, RingsM, QueryParameters.FormatName], target!.Collection.Queryables.Contains, _tableFormats) is { } namesProblem)
        {
            return namesProblem;
        }

        var rings = ProximityParameters.DefaultRingsMeters;
        if (query.Single(RingsM) is { } ringsText && !ProximityParameters.TryParseRings(ringsText, out rings))
        {
            return ApiProblems.InvalidParameter(RingsM, ProximityParameters.RingsForm);
        }

        var csv = query.Single(QueryParameters.FormatName) == "csv";
        var origins = await originsTarget!.AllAsync(cancellationToken);
        var sameCollection = origins.Collection.Id == target.Collection.Id;
        var filter = TargetFilter(request, target.Collection, origin: null);
        var targets = await target.ForRingsAsync(origins.ProximityItems, rings, filter, sameCollection, cancellationToken);
        var rows = targets.ProximityIndex.Rings(origins.ProximityItems, rings, filter, excludeSameId: sameCollection);
        return ProximityTableResult.Rings(origins, targets, rings, rows, csv);
    }

    private static async Task<(ProximityTarget? Snapshot, ProblemHttpResult? Problem)> CollectionParameterAsync(
        QueryParameters query, string name, ProximityTargets snapshots, TimeSpan window, CancellationToken cancellationToken)
    {
        if (query.Single(name) is not { } id || id.Length == 0)
        {
            return (null, ApiProblems.MissingParameter(name, ProximityParameters.CollectionForm));
        }

        var snapshot = CollectionId.IsValid(id) ? await snapshots.GetAsync(id, window, cancellationToken) : null;
        return snapshot is null
            ? (null, ApiProblems.UnknownReference(name, id, ProximityParameters.CollectionForm))
            : (snapshot, null);
    }

    private static async Task<(ProximityTarget? Origins, ProximityTarget? Targets, ProblemHttpResult? Problem)> FromToAsync(
        QueryParameters query, ProximityTargets snapshots, TimeSpan window, CancellationToken cancellationToken)
    {
        var (origins, fromProblem) = await CollectionParameterAsync(query, From, snapshots, window, cancellationToken);
        if (origins is null)
        {
            return (null, null, fromProblem);
        }

        var (targets, toProblem) = await CollectionParameterAsync(query, To, snapshots, window, cancellationToken);
        return targets is null ? (null, null, toProblem) : (origins, targets, null);
    }

    private static async Task<(Origin? Origin, ProblemHttpResult? Problem)> OriginAsync(QueryParameters query, ProximityTargets snapshots, TimeSpan window, CancellationToken cancellationToken)
    {
        var from = query.Single(From);
        var lonText = query.Single(Lon);
        var latText = query.Single(Lat);
        if (from is not null)
        {
            if (lonText is not null || latText is not null)
            {
                return (null, ApiProblems.ConflictingParameters(From, lonText is not null ? Lon : Lat));
            }

            if (!ProximityParameters.TryParseFeatureReference(from, out var collectionId, out var featureId))
            {
                return (null, ApiProblems.InvalidParameter(From, ProximityParameters.FromForm));
            }

            var snapshot = CollectionId.IsValid(collectionId) ? await snapshots.GetAsync(collectionId, window, cancellationToken) : null;
            if ((snapshot is null ? null : await snapshot.FindAsync(featureId, cancellationToken)) is not { } feature)
            {
                return (null, ApiProblems.UnknownReference(From, from, ProximityParameters.FromForm));
            }

            return (new Origin(feature.Geometry, FeatureProperties.UncertaintyMeters(feature.PropertiesJson), collectionId, featureId), null);
        }

        if (lonText is null && latText is null)
        {
            return (null, ApiProblems.MissingParameter(From, ProximityParameters.FromForm));
        }

        if (lonText is null || !ProximityParameters.TryParseLongitude(lonText, out var lon))
        {
            return (null, lonText is null ? ApiProblems.MissingParameter(Lon, ProximityParameters.LonForm) : ApiProblems.InvalidParameter(Lon, ProximityParameters.LonForm));
        }

        if (latText is null || !ProximityParameters.TryParseLatitude(latText, out var lat))
        {
            return (null, latText is null ? ApiProblems.MissingParameter(Lat, ProximityParameters.LatForm) : ApiProblems.InvalidParameter(Lat, ProximityParameters.LatForm));
        }

        return (new Origin(_factory.CreatePoint(new Coordinate(lon, lat)), 0, null, null), null);
    }

    private static ProblemHttpResult? KParameter(QueryParameters query, out int k)
    {
        k = 0;
        if (query.Single(K) is not { } text)
        {
            return ApiProblems.MissingParameter(K, ProximityParameters.KForm);
        }

        return ProximityParameters.TryParseK(text, out k) ? null : ApiProblems.InvalidParameter(K, ProximityParameters.KForm);
    }

    private static ProblemHttpResult? MaxParameter(QueryParameters query, out double? maxMeters)
    {
        maxMeters = null;
        if (query.Single(MaxM) is not { } text)
        {
            return null;
        }

        if (!ProximityParameters.TryParseDistance(text, out var value))
        {
            return ApiProblems.InvalidParameter(MaxM, ProximityParameters.DistanceForm);
        }

        maxMeters = value;
        return null;
    }

    /// <summary>Equality filters on the target's queryables, and never the origin feature itself.</summary>
    private static Func<ProximityItem, bool>? TargetFilter(HttpRequest request, CollectionInfo target, Origin? origin)
    {
        var equalities = request.Query
            .Where(pair => target.Queryables.Contains(pair.Key) && !_reservedNames.Contains(pair.Key))
            .ToDictionary(pair => pair.Key, pair => (string?)FeatureProperties.ComparableQueryValue(pair.Value.ToString()), StringComparer.Ordinal);
        var propertyFilter = ProximityFilter.PropertyEquals(equalities);
        var excludedId = origin?.CollectionId == target.Id ? origin.FeatureId : null;
        if (excludedId is null)
        {
            return propertyFilter;
        }

        return propertyFilter is null
            ? item => item.Id != excludedId
            : item => item.Id != excludedId && propertyFilter(item);
    }

    /// <summary>OGC API – Features Part 2 <c>crs</c> for the target geometries of within/nearest answers.</summary>
    private static ProblemHttpResult? OutputCrs(QueryParameters query, out Crs crs)
    {
        crs = CrsRegistry.Wgs84;
        return query.Single(CrsParameter.Name) is { } text && !CrsParameter.TryParse(text, out crs)
            ? ApiProblems.InvalidParameter(CrsParameter.Name, CrsParameter.AcceptedForm)
            : null;
    }
}
