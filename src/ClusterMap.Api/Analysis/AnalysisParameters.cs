using System.Globalization;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Analysis;
using ClusterMap.Core.Features;
using ClusterMap.Core.Proximity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
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
    public const string Links = "links";
    public const string Alternatives = "alternatives";
    public const string Districts = "districts";
    public const long MaxAlternatives = 20;

    public const double MinCellMeters = 100;
    public const double MaxCellMeters = 100_000;
    public const double MaxSearchMeters = 100_000;
    public const long MaxCells = 250_000;

    /// <summary>A parameter whose value is checked against the data (collection ids, tiers) or another parameter, so its definition keeps the text.</summary>
    private static QueryParameter<string> Text(string name, string form, string description, Func<OpenApiSchema>? schema = null) =>
        new(name, form, description, (string text, out string value) => (value = text) is not null) { Schema = schema ?? ParameterSchema.String };

    public static readonly QueryParameter<string> ParksParameter = Text(Parks, ParksListForm, "Park collection(s); default: the collections whose role is park.");

    public static readonly QueryParameter<string> InstitutionsParameter = Text(Institutions, InstitutionsForm, "Institution collections; default: every collection whose role is university or institute.");

    public static readonly QueryParameter<string> BandsParameter = Text(BandsM, BandsForm, "Increasing band radii in metres (default 2000,5000,10000,20000).", ParameterSchema.NumberList(1, 20));

    public static readonly QueryParameter<string> TierWeightsParameter = Text(TierWeights, TierWeightsForm, "Weights of the institution tiers in the weighted counts.");

    public static readonly QueryParameter<double> CellParameter = new(CellM, CellForm, "Grid cell side in metres on the equal-area plane (default 1000).",
        (string text, out double meters) => NumberParameter.TryParseFinite(text, out meters) && meters is >= MinCellMeters and <= MaxCellMeters)
    {
        Default = Core.Analysis.WhiteSpotSettings.Default.CellMeters,
        Schema = ParameterSchema.Number(MinCellMeters, MaxCellMeters),
    };

    public static readonly QueryParameter<long> MinInstitutionsParameter = new(MinInstitutions, MinInstitutionsForm, "N: at least this many institutions within institution_radius_m (default 3).",
        (string text, out long count) => NumberParameter.TryParseInteger(text, 1, 1_000_000, out count))
    {
        Default = Core.Analysis.WhiteSpotSettings.Default.MinInstitutions,
        Schema = ParameterSchema.Integer(1, 1_000_000),
    };

    public static readonly QueryParameter<double> InstitutionRadiusParameter = new(InstitutionRadiusM, SearchForm, "R: the radius in metres around a cell centre that counts institutions (default 2000).", TrySearch)
    {
        Default = Core.Analysis.WhiteSpotSettings.Default.InstitutionRadiusMeters,
        Schema = ParameterSchema.Number(0, MaxSearchMeters),
    };

    public static readonly QueryParameter<double> ParkRadiusParameter = new(ParkRadiusM, SearchForm, "R': no park may lie within this many metres of a white spot's centre (default 3000).", TrySearch)
    {
        Default = Core.Analysis.WhiteSpotSettings.Default.ParkRadiusMeters,
        Schema = ParameterSchema.Number(0, MaxSearchMeters),
    };

    public static readonly QueryParameter<string> LinksParameter = Text(Links, LinksForm, "Link collections (park ↔ institution); default: every collection whose role is link.");

    public static readonly QueryParameter<long> AlternativesParameter = new(Alternatives, AlternativesForm, "How many of the nearest institutions fitting the park's sector to list beside each link (default 3).",
        (string text, out long count) => NumberParameter.TryParseInteger(text, 0, MaxAlternatives, out count))
    {
        Default = 3,
        Schema = ParameterSchema.Integer(0, MaxAlternatives),
    };

    public static readonly QueryParameter<string> DistrictsParameter = Text(Districts, DistrictsForm, "The district collection that names the districts; default: the first collection whose role is district.");

    public static readonly QueryParameter<string> BboxGridParameter = Text(BboxParameter.Name, BboxParameter.AcceptedForm, "The grid's extent (default: the institutions' extent).", ParameterSchema.NumberList(4, 4));

    private const string FilterRule = "any queryable property of the institutions (an equality filter)";

    /// <summary><c>f</c> of the all-parks table.</summary>
    public static readonly QueryParameter<string> TableFormat = FormatParameter.Of("json", "csv");

    /// <summary>One park's research base.</summary>
    public static readonly OperationParameters ParkResearchBase = new([ParksParameter, InstitutionsParameter, BandsParameter, TierWeightsParameter, FormatParameter.Json]) { OthersAccepted = FilterRule };

    /// <summary>Every park's research base, as JSON or CSV.</summary>
    public static readonly OperationParameters ResearchBaseTable = new([ParksParameter, InstitutionsParameter, BandsParameter, TierWeightsParameter, TableFormat]) { OthersAccepted = FilterRule };

    /// <summary>Every link measured, as JSON or CSV.</summary>
    public static readonly OperationParameters LinksTable = new([ParksParameter, InstitutionsParameter, LinksParameter, AlternativesParameter, TableFormat]) { OthersAccepted = FilterRule };

    /// <summary>One park's links measured, as JSON or CSV.</summary>
    public static readonly OperationParameters ParkPartners = new([ParksParameter, InstitutionsParameter, LinksParameter, AlternativesParameter, TableFormat]) { OthersAccepted = FilterRule };

    /// <summary>Counts and research-base summaries per district, as JSON or CSV.</summary>
    public static readonly OperationParameters DistrictsTable = new([ParksParameter, InstitutionsParameter, DistrictsParameter, BandsParameter, TierWeightsParameter, TableFormat]) { OthersAccepted = FilterRule };

    /// <summary>Counts per sector and the sector × district matrix, as JSON or CSV.</summary>
    public static readonly OperationParameters SectorsTable = new([ParksParameter, InstitutionsParameter, DistrictsParameter, TableFormat]) { OthersAccepted = FilterRule };

    /// <summary>The white spots.</summary>
    public static readonly OperationParameters WhiteSpotsGrid = new([ParksParameter, InstitutionsParameter, CellParameter, MinInstitutionsParameter, InstitutionRadiusParameter, ParkRadiusParameter, BboxGridParameter, FormatParameter.Json]) { OthersAccepted = FilterRule };

    public const string ParksForm = "the id of a collection listed at /collections, e.g. parks (default: the first collection whose role is park)";
    public const string ParksListForm = "comma-separated ids of collections listed at /collections, e.g. parks (default: every collection whose role is park)";
    public const string InstitutionsForm = "comma-separated ids of collections listed at /collections, e.g. universities,institutes (default: every collection whose role is university or institute)";
    public const string LinksForm = "comma-separated ids of collections listed at /collections, e.g. links (default: every collection whose role is link)";
    public const string DistrictsForm = "the id of a collection listed at /collections, e.g. districts (default: the first collection whose role is district)";
    public const string AlternativesForm = "a whole number from 0 to 20, e.g. 3";
    public const string BandsForm = "a comma-separated list of up to 20 increasing distances in metres, each greater than 0 and at most 20,000,000, e.g. 2000,5000,10000,20000";
    public const string CellForm = "a cell side in metres from 100 to 100,000, e.g. 1000";
    public const string MinInstitutionsForm = "a whole number from 1 to 1,000,000, e.g. 3";
    public const string SearchForm = "a distance in metres greater than 0 and at most 100,000, e.g. 2000";

    public static string TierWeightsForm => $"comma-separated tier:weight pairs, tiers {string.Join(", ", InstitutionTiers.All.Select(InstitutionTiers.Name))}, weights from 0 to 1000, e.g. 985:3,211:2 (unlisted tiers keep their default)";

    public static string CellCountForm(long cells) =>
        string.Create(CultureInfo.InvariantCulture, $"a cell size that gives at most {MaxCells:N0} cells over the bbox (this one gives {cells:N0}): a larger cell_m or a smaller bbox");

    /// <summary>Which collections a request reads, or the problem with the parameter that named them.</summary>
    public static ProblemHttpResult? Collections(
        QueryParameters query, QueryParameter<string> parameter, IReadOnlyList<CollectionInfo> all, Func<string, bool> defaultRole, bool single, out IReadOnlyList<CollectionInfo> chosen, bool noneByDefault = false)
    {
        chosen = [];
        var name = parameter.Name;
        var form = FormOf(name, single);
        if (query.Text(parameter) is not { } text)
        {
            chosen = [.. all.Where(c => defaultRole(CollectionRole.Of(c.Definition))).Take(single ? 1 : int.MaxValue)];
            return chosen.Count == 0 && !noneByDefault ? ApiProblems.MissingParameter(name, form) : null;
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

    /// <summary>The accepted form of a collection parameter, as its 400s name it.</summary>
    public static string FormOf(string name, bool single) => name switch
    {
        Institutions => InstitutionsForm,
        Links => LinksForm,
        Districts => DistrictsForm,
        _ => single ? ParksForm : ParksListForm,
    };

    /// <summary><c>bands_m</c> and <c>tier_weights</c>, with the fit table, as the research base's settings.</summary>
    public static ProblemHttpResult? ParseResearchBase(QueryParameters query, SectorFitTable fit, out ResearchBaseSettings settings)
    {
        settings = new ResearchBaseSettings(Core.Analysis.ResearchBaseSettings.DefaultBandsMeters, Core.Analysis.ResearchBaseSettings.DefaultTierWeights, fit);
        var bands = settings.BandsMeters;
        if (query.Text(BandsParameter) is { } text && !ProximityParameters.TryParseRings(text, out bands))
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
        if (query.Text(TierWeightsParameter) is not { } text)
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
        settings = Core.Analysis.WhiteSpotSettings.Default;
        if (!query.TryRead(CellParameter, out var cell, out var problem)
            || !query.TryRead(MinInstitutionsParameter, out var minimum, out problem)
            || !query.TryRead(InstitutionRadiusParameter, out var institutionRadius, out problem)
            || !query.TryRead(ParkRadiusParameter, out var parkRadius, out problem))
        {
            return problem;
        }

        settings = new WhiteSpotSettings(cell, (int)minimum, institutionRadius, parkRadius);
        return null;
    }

    /// <summary>The bbox (one part: a grid cannot cross the antimeridian), or null when not given.</summary>
    public static ProblemHttpResult? Bbox(QueryParameters query, out Envelope? bbox)
    {
        bbox = null;
        if (query.Text(BboxGridParameter) is not { } text)
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
    public static IReadOnlyDictionary<string, string?> InstitutionFilters(IQueryCollection query, IReadOnlyList<CollectionInfo> institutions, OperationParameters reserved) =>
        query.Where(pair => reserved.Find(pair.Key) is null && institutions.Any(c => c.Queryables.Contains(pair.Key)))
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .ToDictionary(pair => pair.Key, pair => (string?)FeatureProperties.ComparableQueryValue(pair.Value.ToString()), StringComparer.Ordinal);

    public static Func<ProximityItem, bool>? Filter(IReadOnlyDictionary<string, string?> filters) => ProximityFilter.PropertyEquals(filters);

    private static bool TrySearch(string text, out double meters) =>
        NumberParameter.TryParseFinite(text, out meters) && meters > 0 && meters <= MaxSearchMeters;
}
