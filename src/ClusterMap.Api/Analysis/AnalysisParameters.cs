using System.Globalization;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Analysis;
using ClusterMap.Core.Features;
using ClusterMap.Core.Proximity;
using Microsoft.AspNetCore.Http.HttpResults;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Analysis;

/// <summary>
/// Every query parameter of the analysis endpoints, parsed in this one place: names, accepted forms, defaults and
/// limits. Each parser returns the value or the ProblemDetails 400 that names the parameter and its accepted form.
/// </summary>
internal static class AnalysisParameters
{
    public const string Parks = "parks";
    public const string Institutions = "institutions";
    public const string BandsM = "bands_m";
    public const string TierWeights = "tier_weights";
    public const string CellM = "cell_m";
    public const string MinInstitutions = "min_institutions";
    public const string InstitutionRadiusM = "institution_radius_m";
    public const string ParkRadiusM = "park_radius_m";

    public const double MinCellMeters = 100;
    public const double MaxCellMeters = 100_000;
    public const double MaxSearchMeters = 100_000;
    public const long MaxCells = 250_000;

    public const string ParksForm = "the id of a collection listed at /collections, e.g. parks (default: the first collection whose role is park)";
    public const string ParksListForm = "comma-separated ids of collections listed at /collections, e.g. parks (default: every collection whose role is park)";
    public const string InstitutionsForm = "comma-separated ids of collections listed at /collections, e.g. universities,institutes (default: every collection whose role is university or institute)";
    public const string BandsForm = "a comma-separated list of up to 20 increasing distances in metres, each greater than 0 and at most 20,000,000, e.g. 2000,5000,10000,20000";
    public const string CellForm = "a cell side in metres from 100 to 100,000, e.g. 1000";
    public const string MinInstitutionsForm = "a whole number from 1 to 1,000,000, e.g. 3";
    public const string SearchForm = "a distance in metres greater than 0 and at most 100,000, e.g. 2000";

    public static readonly IReadOnlyList<string> TableFormats = ["json", "csv"];

    public static string TierWeightsForm => $"comma-separated tier:weight pairs, tiers {string.Join(", ", InstitutionTiers.All.Select(InstitutionTiers.Name))}, weights from 0 to 1000, e.g. 985:3,211:2 (unlisted tiers keep their default)";

    public static string CellCountForm(long cells) =>
        string.Create(CultureInfo.InvariantCulture, $"a cell size that gives at most {MaxCells:N0} cells over the bbox (this one gives {cells:N0}): a larger cell_m or a smaller bbox");

    /// <summary>Which collections a request reads, or the problem with the parameter that named them.</summary>
    public static ProblemHttpResult? Collections(
        QueryParameters query, string name, IReadOnlyList<CollectionInfo> all, Func<string, bool> defaultRole, bool single, out IReadOnlyList<CollectionInfo> chosen)
    {
        chosen = [];
        var form = name == Institutions ? InstitutionsForm : single ? ParksForm : ParksListForm;
        if (query.Single(name) is not { } text)
        {
            chosen = [.. all.Where(c => defaultRole(CollectionRole.Of(c.Definition))).Take(single ? 1 : int.MaxValue)];
            return chosen.Count == 0 ? ApiProblems.MissingParameter(name, form) : null;
        }

        var ids = text.Split(',', StringSplitOptions.TrimEntries);
        if (ids.Length == 0 || (single && ids.Length > 1) || ids.Distinct(StringComparer.Ordinal).Count() != ids.Length)
        {
            return ApiProblems.InvalidParameter(name, form);
        }

        var list = new List<CollectionInfo>();
        foreach (var id in ids)
        {
            if (all.FirstOrDefault(c => c.Id == id) is not { } collection)
            {
                return ApiProblems.UnknownReference(name, id, form);
            }

            list.Add(collection);
        }

        chosen = list;
        return null;
    }

    /// <summary><c>bands_m</c> and <c>tier_weights</c>, with the fit table, as the research base's settings.</summary>
    public static ProblemHttpResult? ParseResearchBase(QueryParameters query, SectorFitTable fit, out ResearchBaseSettings settings)
    {
        settings = new ResearchBaseSettings(Core.Analysis.ResearchBaseSettings.DefaultBandsMeters, Core.Analysis.ResearchBaseSettings.DefaultTierWeights, fit);
        var bands = settings.BandsMeters;
        if (query.Single(BandsM) is { } text && !ProximityParameters.TryParseRings(text, out bands))
        {
            return ApiProblems.InvalidParameter(BandsM, BandsForm);
        }

        if (Weights(query, out var weights) is { } problem)
        {
            return problem;
        }

        settings = new ResearchBaseSettings(bands, weights, fit);
        return null;
    }

    private static ProblemHttpResult? Weights(QueryParameters query, out IReadOnlyDictionary<InstitutionTier, double> weights)
    {
        weights = Core.Analysis.ResearchBaseSettings.DefaultTierWeights;
        if (query.Single(TierWeights) is not { } text)
        {
            return null;
        }

        var result = new Dictionary<InstitutionTier, double>(Core.Analysis.ResearchBaseSettings.DefaultTierWeights);
        var seen = new HashSet<InstitutionTier>();
        foreach (var pair in text.Split(','))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !InstitutionTiers.TryParse(pair[..colon].Trim(), out var tier) || !seen.Add(tier)
                || !NumberParameter.TryParseFinite(pair[(colon + 1)..], out var weight) || weight is < 0 or > 1000)
            {
                return ApiProblems.InvalidParameter(TierWeights, TierWeightsForm);
            }

            result[tier] = weight;
        }

        weights = result;
        return null;
    }

    public static ProblemHttpResult? ParseWhiteSpots(QueryParameters query, out WhiteSpotSettings settings)
    {
        var defaults = Core.Analysis.WhiteSpotSettings.Default;
        settings = defaults;
        var cell = defaults.CellMeters;
        var minimum = (long)defaults.MinInstitutions;
        var institutionRadius = defaults.InstitutionRadiusMeters;
        var parkRadius = defaults.ParkRadiusMeters;
        if (query.Single(CellM) is { } cellText && !(NumberParameter.TryParseFinite(cellText, out cell) && cell is >= MinCellMeters and <= MaxCellMeters))
        {
            return ApiProblems.InvalidParameter(CellM, CellForm);
        }

        if (query.Single(MinInstitutions) is { } minText && !NumberParameter.TryParseInteger(minText, 1, 1_000_000, out minimum))
        {
            return ApiProblems.InvalidParameter(MinInstitutions, MinInstitutionsForm);
        }

        if (query.Single(InstitutionRadiusM) is { } rText && !TrySearch(rText, out institutionRadius))
        {
            return ApiProblems.InvalidParameter(InstitutionRadiusM, SearchForm);
        }

        if (query.Single(ParkRadiusM) is { } pText && !TrySearch(pText, out parkRadius))
        {
            return ApiProblems.InvalidParameter(ParkRadiusM, SearchForm);
        }

        settings = new WhiteSpotSettings(cell, (int)minimum, institutionRadius, parkRadius);
        return null;
    }

    /// <summary>The bbox (one part: a grid cannot cross the antimeridian), or null when not given.</summary>
    public static ProblemHttpResult? Bbox(QueryParameters query, out Envelope? bbox)
    {
        bbox = null;
        if (query.Single(BboxParameter.Name) is not { } text)
        {
            return null;
        }

        if (!BboxParameter.TryParse(text, out var parts) || parts.Count != 1 || parts[0].Width <= 0 || parts[0].Height <= 0)
        {
            return ApiProblems.InvalidParameter(BboxParameter.Name, BboxParameter.AcceptedForm + ", with west < east (a grid cannot cross the antimeridian) and south < north");
        }

        bbox = parts[0];
        return null;
    }

    /// <summary>Equality filters on the institutions: any query name that is a queryable of one of them.</summary>
    public static IReadOnlyDictionary<string, string?> InstitutionFilters(IQueryCollection query, IReadOnlyList<CollectionInfo> institutions, IReadOnlyCollection<string> reserved) =>
        query.Where(pair => !reserved.Contains(pair.Key) && institutions.Any(c => c.Queryables.Contains(pair.Key)))
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .ToDictionary(pair => pair.Key, pair => (string?)FeatureProperties.ComparableQueryValue(pair.Value.ToString()), StringComparer.Ordinal);

    public static Func<ProximityItem, bool>? Filter(IReadOnlyDictionary<string, string?> filters) => ProximityFilter.PropertyEquals(filters);

    private static bool TrySearch(string text, out double meters) =>
        NumberParameter.TryParseFinite(text, out meters) && meters > 0 && meters <= MaxSearchMeters;
}
