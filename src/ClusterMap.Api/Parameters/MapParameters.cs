using System.Globalization;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Model;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Parameters;

/// <summary><c>lang</c>: which names labels show.</summary>
internal static class LangParameter
{
    public const string Name = "lang";

    public const string AcceptedForm = "'zh', 'en' or 'both' (the default)";

    public static readonly QueryParameter<MapLanguage> Definition = new(Name, AcceptedForm, "The language of the labels: Chinese, English or both.", TryParse)
    {
        Default = MapLanguage.Both,
        Schema = ParameterSchema.OneOf(["zh", "en", "both"], "both"),
    };

    public static bool TryParse(string? text, out MapLanguage language)
    {
        language = MapLanguage.Both;
        return text is null || MapLanguageNames.TryParse(text, out language);
    }
}

/// <summary><c>layers</c>: comma-separated collection ids to draw; every one must exist.</summary>
internal static class LayersParameter
{
    public const string Name = "layers";

    public static string AcceptedForm(IEnumerable<string> known) => $"comma-separated collection ids from: {string.Join(", ", known)}";

    public static bool TryParse(string text, IReadOnlyCollection<string> known, out IReadOnlySet<string> layers)
    {
        var ids = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        layers = ids.ToHashSet(StringComparer.Ordinal);
        return ids.Length > 0 && ids.All(known.Contains);
    }
}

/// <summary><c>center</c>: lon,lat of the map's centre, used with <c>zoom</c>.</summary>
internal static class CenterParameter
{
    public const string Name = "center";

    public const string AcceptedForm = "lon,lat in degrees (e.g. 121.47,31.23), longitude −180…180, latitude within ±85.05";

    public static bool TryParse(string text, out Coordinate center)
    {
        center = new Coordinate();
        var parts = text.Split(',');
        if (parts.Length != 2 || !NumberParameter.TryParseFinite(parts[0], out var lon) || !NumberParameter.TryParseFinite(parts[1], out var lat)
            || lon is < -180 or > 180 || Math.Abs(lat) > WebMercator.MaxLatitude)
        {
            return false;
        }

        center = new Coordinate(lon, lat);
        return true;
    }
}

/// <summary><c>zoom</c>: Web Mercator zoom level, fractional allowed.</summary>
internal static class ZoomParameter
{
    public const string Name = "zoom";

    public const string AcceptedForm = "a number from 0 to 22 (fractions allowed), given together with 'center'";

    public static bool TryParse(string text, out double zoom) =>
        NumberParameter.TryParseFinite(text, out zoom) && zoom is >= 0 and <= TileIndex.MaxZoom;
}

/// <summary><c>highlight</c>: collection/featureId of the feature to emphasise and draw rings around.</summary>
internal static class HighlightParameter
{
    public const string Name = "highlight";

    public const string AcceptedForm = "collectionId/featureId of an existing feature, e.g. parks/park-1";

    public static bool TryParse(string text, MapData data, out FeatureRef highlight, out MapFeature feature)
    {
        highlight = null!;
        feature = null!;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1)
        {
            return false;
        }

        var collection = text[..slash];
        var id = text[(slash + 1)..];
        if (data.Layer(collection)?.Find(id) is not { } found)
        {
            return false;
        }

        highlight = new FeatureRef(collection, id);
        feature = found;
        return true;
    }
}

/// <summary><c>radius_m</c>: one or more ring radii in metres around the highlighted feature.</summary>
internal static class RadiusParameter
{
    public const string Name = "radius_m";

    public const double MaxMeters = 200_000;

    public const string AcceptedForm = "one to five comma-separated distances in metres, each above 0 and at most 200000 (e.g. 1000,3000), with 'highlight'";

    public static bool TryParse(string text, out IReadOnlyList<double> radii)
    {
        var values = new List<double>();
        foreach (var part in text.Split(','))
        {
            if (!NumberParameter.TryParseFinite(part, out var value) || value <= 0 || value > MaxMeters)
            {
                radii = [];
                return false;
            }

            values.Add(value);
        }

        radii = values;
        return values.Count is > 0 and <= 5;
    }
}

/// <summary><c>width</c>, <c>height</c> (CSS pixels) and <c>dpi</c>: the output size.</summary>
internal static class SizeParameter
{
    public const string WidthName = "width";
    public const string HeightName = "height";
    public const string DpiName = "dpi";

    public const int MinPixels = 64;
    public const int MinDpi = 72;
    public const int MaxDpi = 600;

    public static string AcceptedForm(int maxPixels) =>
        string.Create(CultureInfo.InvariantCulture, $"a whole number of CSS pixels from {MinPixels} to {maxPixels}, such that size × dpi / 96 stays within {maxPixels} device pixels");

    public static string DpiAcceptedForm(int maxPixels) =>
        string.Create(CultureInfo.InvariantCulture, $"a whole number from {MinDpi} to {MaxDpi} (96 is one device pixel per CSS pixel), such that width and height × dpi / 96 stay within {maxPixels} device pixels");
}

/// <summary>
/// <c>{collection}.{property}={value}</c>: keep only the features of that drawn collection whose property equals the
/// value — the items endpoint's <c>?{property}={value}</c>, named per layer because one map draws several collections.
/// Several such parameters combine with AND; the property must be one of the collection's queryables.
/// </summary>
internal static class LayerFilterParameter
{
    public const string AcceptedForm =
        "{collection}.{property}={value}: a collection id and one of its queryable properties (GET /collections/{collection}/queryables), matched by equality as in /collections/{collection}/items?{property}={value} (e.g. parks.district=浦东新区); or {collection}.filter={CQL2} (with {collection}.filter-lang and {collection}.filter-crs) as in /collections/{collection}/items?filter={CQL2}, on one of the map's layers";

    /// <summary>Parameter names with a dot are layer filters; no other map parameter has one.</summary>
    public static bool IsName(string name) => name.Contains('.', StringComparison.Ordinal);

    /// <summary>
    /// <c>{collection}.filter</c>, <c>{collection}.filter-lang</c>, <c>{collection}.filter-crs</c>: a layer's CQL2 filter
    /// (so a property named filter, filter-lang or filter-crs is filtered by CQL2, not by equality).
    /// </summary>
    public static bool IsCql2Name(string name) =>
        TryParseName(name, out _, out var property) && property is "filter" or "filter-lang" or "filter-crs";

    public static bool TryParseName(string name, out string collectionId, out string property)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        collectionId = dot > 0 ? name[..dot] : "";
        property = dot > 0 ? name[(dot + 1)..] : "";
        return collectionId.Length > 0 && property.Length > 0;
    }
}

/// <summary><c>nearest</c> and <c>nearest_to</c>: lines from the highlighted feature to its k nearest features of each listed collection.</summary>
internal static class NearestParameter
{
    public const string Name = "nearest";
    public const string ToName = "nearest_to";
    public const int MaxK = 20;

    public static readonly string AcceptedForm = $"an integer k from 1 to {MaxK} (lines to the k nearest of each 'nearest_to' collection), given with 'highlight'";

    public static string ToAcceptedForm(IEnumerable<string> known) =>
        $"comma-separated collection ids from: {string.Join(", ", known)}; given with 'nearest' (default: universities and institutes for a park, parks otherwise)";
}
