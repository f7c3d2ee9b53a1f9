using System.Globalization;
using ClusterMap.Api.Hosting;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Parameters;

/// <summary>
/// The parameters of <c>/collections/{collectionId}/items</c> (OGC API – Features Part 1 and 2); the page size's
/// default and maximum come from <see cref="FeaturesOptions"/>, so they are defined once the options are known.
/// </summary>
internal sealed class ItemsParameters
{
    public const string LimitName = "limit";

    public const string QueryablesAccepted = "any property listed at /collections/{collectionId}/queryables";

    public ItemsParameters(IOptions<FeaturesOptions> options)
    {
        var (defaultLimit, maxLimit) = (options.Value.DefaultLimit, options.Value.MaxLimit);
        // OGC Part 1 §7.15.3: a limit above the maximum is not an error; the server returns at most its maximum.
        Limit = new(LimitName, string.Create(CultureInfo.InvariantCulture, $"a whole number from 1 to {maxLimit} (larger values are clamped to {maxLimit})"),
            "Features per page (paging; the next and prev links carry it).",
            (string text, out long limit) => NumberParameter.TryParseInteger(text, 1, long.MaxValue, out limit))
        {
            Default = defaultLimit,
            Schema = ParameterSchema.Integer(1, @default: defaultLimit),
        };
        Items = new([Bbox, CrsParameter.BboxCrs, CrsParameter.Output, Limit, Offset, Format,
            FilterParameter.Filter, FilterParameter.Language, FilterParameter.Crs, FilterParameter.Datetime, FilterParameter.SortBy, FilterParameter.Properties, FilterParameter.SkipGeometry, HtmlParameters.Lang])
        { OthersAccepted = QueryablesAccepted };
    }

    /// <summary>In CRS84; with another <c>bbox-crs</c>, the handler reads it in that CRS (<see cref="CrsParameter.TryParseBbox"/>).</summary>
    public static readonly QueryParameter<IReadOnlyList<Envelope>> Bbox = new(BboxParameter.Name, BboxParameter.AcceptedForm,
        "Only features that intersect this box.", BboxParameter.TryParse)
    {
        Default = [],
        CommaSeparated = true,
        Schema = ParameterSchema.NumberList(4, 6),
    };

    public static readonly QueryParameter<long> Offset = new("offset", "a whole number ≥ 0 (the number of matching features to skip)",
        "Matching features to skip (paging; the next and prev links carry it).",
        (string text, out long offset) => NumberParameter.TryParseInteger(text, 0, int.MaxValue, out offset))
    {
        Schema = ParameterSchema.Integer(0, int.MaxValue, 0),
    };

    public static readonly QueryParameter<string> Format = FormatParameter.Of("json", "csv", HtmlParameters.Html);

    /// <summary>One feature: GeoJSON or its HTML view.</summary>
    public static readonly QueryParameter<string> ItemFormat = HtmlParameters.Format;

    /// <summary>One feature: its format, CRS and the HTML view's language.</summary>
    public static readonly OperationParameters Item = new([ItemFormat, CrsParameter.Output, HtmlParameters.Lang]);

    public QueryParameter<long> Limit { get; }

    public OperationParameters Items { get; }
}
