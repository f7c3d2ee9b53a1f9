using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Projections;

namespace ClusterMap.Api.Parameters;

/// <summary>
/// OGC API – Features Part 3 <c>filter</c>, <c>filter-lang</c> and <c>filter-crs</c> (defined in
/// <see cref="FilterParameters"/>, read by <see cref="FilterReader"/>), Part 1 <c>datetime</c>, and the items'
/// <c>sortby</c>, <c>properties</c> and <c>skipGeometry</c>.
/// </summary>
internal static class FilterParameter
{
    /// <summary>
    /// The longest filter accepted, in characters. Kestrel's request line limit (8 KB, percent-encoded) is the other
    /// bound: a filter under this cap whose encoding exceeds it is refused by the server with 414 before any handler.
    /// </summary>
    public const int MaxLength = 4096;

    public const string TextLanguage = "cql2-text";

    public const string JsonLanguage = "cql2-json";

    /// <summary>
    /// The pre-standard name of CQL2 text that GDAL's OAPIF driver up to 3.8 sends (and looks for in this parameter's
    /// enum before it pushes an attribute filter to the server); read as cql2-text.
    /// </summary>
    public const string LegacyTextLanguage = "cql-text";

    /// <summary>The items' own <c>filter</c>, <c>filter-lang</c>, <c>filter-crs</c> (and every other "filter" that selects a collection's features).</summary>
    public static QueryParameter<string> Filter => FilterParameters.Features.Filter;

    public static QueryParameter<Cql2Language> Language => FilterParameters.Features.Language;

    public static QueryParameter<Crs> Crs => FilterParameters.Features.Crs;

    public static readonly QueryParameter<DatetimeParameter> Datetime = new("datetime", DatetimeParameter.AcceptedForm,
        "Only features whose temporal property (x-ogc-role primary-instant in the queryables) lies in this instant or interval, ends included; in a collection without one, no feature does.",
        (string text, out DatetimeParameter value) => DatetimeParameter.TryParse(text, out value!, out _));

    public static readonly QueryParameter<IReadOnlyList<ItemsSortKey>> SortBy = new("sortby",
        "comma-separated queryables other than geometry, each optionally prefixed with + (ascending, the default) or - (descending), e.g. -area_km2,name_zh",
        "The order of the features (text by code point, numbers by value, dates as instants; features without a value last, then store order).",
        TryParseSortBy)
    {
        Default = [],
        CommaSeparated = true,
        Schema = ParameterSchema.StringList(),
    };

    public static readonly QueryParameter<IReadOnlyList<string>> Properties = new("properties",
        "comma-separated names of the collection's properties, e.g. name_zh,sector",
        "Only these properties in each feature (the others are not sent).",
        (string text, out IReadOnlyList<string> names) => (names = [.. text.Split(',').Select(n => n.Trim())]).All(n => n.Length > 0))
    {
        Default = [],
        CommaSeparated = true,
        Schema = ParameterSchema.StringList(),
    };

    public static readonly QueryParameter<bool> SkipGeometry = new("skipGeometry", "'true' or 'false' (the default)",
        "With true, each GeoJSON feature's geometry is null (CSV keeps its wkt column).",
        (string text, out bool skip) => bool.TryParse(text, out skip) && text is "true" or "false")
    {
        Schema = ParameterSchema.OneOf(["true", "false"], "false"),
    };

    /// <summary>
    /// The filter's geometry literals brought from <paramref name="crs"/> (in its axis order) to stored WGS84
    /// longitude/latitude; false when a coordinate has no place in WGS84.
    /// </summary>
    public static bool TryToWgs84(Cql2Node filter, Crs crs, out Cql2Node wgs84)
    {
        if (crs.IsWgs84 && !crs.LatitudeFirst)
        {
            wgs84 = filter;
            return true;
        }

        var finite = true;
        wgs84 = Cql2Rewrite.MapGeometries(filter, geometry =>
        {
            var converted = GeometryConverter.ToWgs84(crs.LatitudeFirst ? SwapAxes(geometry) : geometry, crs);
            finite &= converted.Coordinates.All(c => double.IsFinite(c.X) && double.IsFinite(c.Y));
            return converted;
        });
        return finite;
    }

    // A '+' left unencoded in a URL arrives as a space: both mean ascending.
    private static bool TryParseSortBy(string text, out IReadOnlyList<ItemsSortKey> keys)
    {
        var parsed = new List<ItemsSortKey>();
        keys = parsed;
        foreach (var item in text.Split(','))
        {
            var trimmed = item.Trim();
            var descending = trimmed.StartsWith('-');
            var name = descending || trimmed.StartsWith('+') ? trimmed[1..] : trimmed;
            if (name.Length == 0 || name != name.Trim())
            {
                return false;
            }

            parsed.Add(new ItemsSortKey(name, descending));
        }

        return true;
    }

    private static NetTopologySuite.Geometries.Geometry SwapAxes(NetTopologySuite.Geometries.Geometry geometry)
    {
        var copy = geometry.Copy();
        copy.Apply(new SwapFilter());
        copy.GeometryChanged();
        return copy;
    }

    private sealed class SwapFilter : NetTopologySuite.Geometries.ICoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(NetTopologySuite.Geometries.CoordinateSequence seq, int i)
        {
            var (x, y) = (seq.GetX(i), seq.GetY(i));
            seq.SetX(i, y);
            seq.SetY(i, x);
        }
    }
}
