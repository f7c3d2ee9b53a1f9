using ClusterMap.Api.Problems;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Projections;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClusterMap.Api.Parameters;

/// <summary>
/// One CQL2 filter of a request: <c>{prefix}filter</c>, <c>{prefix}filter-lang</c> and <c>{prefix}filter-crs</c>. A
/// request that chooses features of two collections names each side's filter by its prefix: <c>filter</c> for the
/// features an endpoint returns or searches (items, a map's collection, proximity targets), <c>from-filter</c> for the
/// origins of a matrix or rings, <c>{collection}.filter</c> for a static map's layer.
/// </summary>
internal sealed class FilterParameters
{
    /// <summary>The features the endpoint returns or searches.</summary>
    public static readonly FilterParameters Features = new("",
        "Only features that meet this CQL2 condition (OGC API – Features Part 3; Basic CQL2, advanced comparison, CASEI, spatial and temporal functions).",
        "/collections/{collectionId}/queryables");

    /// <summary>Proximity targets: the collection named by <c>target</c> or <c>to</c>.</summary>
    public static readonly FilterParameters Targets = new("",
        "Only targets that meet this CQL2 condition on the target collection's queryables (as filter on its items).",
        "/collections/{target or to}/queryables");

    /// <summary>The origins of a matrix or rings: the collection named by <c>from</c>.</summary>
    public static readonly FilterParameters Origins = new("from-",
        "Only origins that meet this CQL2 condition on the 'from' collection's queryables (as filter on its items).",
        "/collections/{from}/queryables");

    private FilterParameters(string prefix, string description, string queryablesAt)
    {
        Prefix = prefix;
        Filter = new($"{prefix}filter",
            $"a CQL2 expression of at most {FilterParameter.MaxLength} characters in the language {prefix}filter-lang names (cql2-text by default), on the properties listed at {queryablesAt}, e.g. sector = '集成电路' AND S_INTERSECTS(geometry, BBOX(121.4, 31.1, 121.6, 31.3))",
            description,
            (string text, out string value) => (value = text).Length is > 0 and <= FilterParameter.MaxLength);
        Language = new($"{prefix}filter-lang",
            $"'{FilterParameter.TextLanguage}' (the default) or '{FilterParameter.JsonLanguage}' ('{FilterParameter.LegacyTextLanguage}', the draft's name, reads as {FilterParameter.TextLanguage})",
            $"The encoding of {prefix}filter.",
            (string text, out Cql2Language language) =>
            {
                language = text == FilterParameter.JsonLanguage ? Cql2Language.Json : Cql2Language.Text;
                return text is FilterParameter.TextLanguage or FilterParameter.JsonLanguage or FilterParameter.LegacyTextLanguage;
            })
        {
            Default = Cql2Language.Text,
            Schema = ParameterSchema.OneOf([FilterParameter.TextLanguage, FilterParameter.JsonLanguage, FilterParameter.LegacyTextLanguage], FilterParameter.TextLanguage),
        };
        Crs = new($"{prefix}filter-crs", CrsParameter.AcceptedForm,
            $"The CRS of the geometry literals in {prefix}filter, in that CRS's axis order (default CRS84, longitude first).", CrsParameter.TryParse)
        {
            Default = CrsRegistry.Wgs84,
        };
    }

    public string Prefix { get; }

    public QueryParameter<string> Filter { get; }

    public QueryParameter<Cql2Language> Language { get; }

    public QueryParameter<Crs> Crs { get; }

    /// <summary>The three, in the order an operation lists them.</summary>
    public IReadOnlyList<QueryParameter> All => [Filter, Language, Crs];

    /// <summary>A static map layer's filter, <c>{collectionId}.filter</c> (names made from the data, so not declared by the route).</summary>
    public static FilterParameters ForLayer(string collectionId) => new($"{collectionId}.",
        $"Only the features of layer {collectionId} that meet this CQL2 condition.", $"/collections/{collectionId}/queryables");
}

/// <summary>
/// The one reader of CQL2 filters: the text in its language, its geometry literals brought from its CRS to stored
/// WGS84, checked against the collection's queryables. Every failure is the 400 that names the parameter (and, for a
/// filter that does not parse or fit, the character position).
/// </summary>
internal static class FilterReader
{
    /// <summary>The filter of <paramref name="parameters"/> as the route declares them; null (and no problem) when it is not given.</summary>
    public static Task<(ItemsFilter? Filter, ProblemHttpResult? Problem)> ReadAsync(
        QueryParameters query, FilterParameters parameters, CollectionInfo collection, CollectionQueryablesCache queryablesCache, CancellationToken cancellationToken) =>
        ReadAsync(query.Text, parameters, collection, queryablesCache, cancellationToken);

    /// <summary>As above, the values looked up by <paramref name="text"/> (for names the data makes, such as a layer's).</summary>
    public static async Task<(ItemsFilter? Filter, ProblemHttpResult? Problem)> ReadAsync(
        Func<QueryParameter, string?> text, FilterParameters parameters, CollectionInfo collection, CollectionQueryablesCache queryablesCache, CancellationToken cancellationToken)
    {
        if (!TryRead(text, parameters.Filter, out var filterText, out var problem)
            || !TryRead(text, parameters.Language, out var language, out problem)
            || !TryRead(text, parameters.Crs, out var crs, out problem))
        {
            return (null, problem);
        }

        if (filterText is null)
        {
            return (null, null);
        }

        var offered = await queryablesCache.GetAsync(collection, cancellationToken);
        try
        {
            var parsed = Cql2.Parse(filterText, language);
            if (!FilterParameter.TryToWgs84(parsed, crs, out var wgs84))
            {
                return (null, ApiProblems.InvalidParameter(parameters.Crs.Name, $"a CRS in which the {parameters.Filter.Name}'s geometry literals lie ({parameters.Crs.AcceptedForm})"));
            }

            Cql2Validator.Validate(wgs84, offered.Queryables);
            return (new ItemsFilter(wgs84, offered.Queryables), null);
        }
        catch (Cql2Exception ex)
        {
            return (null, ApiProblems.InvalidFilter(parameters.Filter.Name, ex.Error));
        }
    }

    private static bool TryRead<T>(Func<QueryParameter, string?> text, QueryParameter<T> parameter, out T value, out ProblemHttpResult? problem)
    {
        problem = null;
        if (text(parameter) is not { } given)
        {
            value = parameter.Default;
            return true;
        }

        if (parameter.TryParse(given, out value))
        {
            return true;
        }

        problem = ApiProblems.InvalidParameter(parameter.Name, parameter.AcceptedForm);
        return false;
    }
}
