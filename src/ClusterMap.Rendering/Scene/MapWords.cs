using System.Globalization;
using ClusterMap.Rendering.Model;

namespace ClusterMap.Rendering.Scene;

/// <summary>The words a map writes: feature names in the asked language, distances, and the figure's fixed texts.</summary>
internal static class MapWords
{
    public static IReadOnlyList<string> Names(MapFeature feature, MapLanguage language)
    {
        var zh = feature.NameZh;
        var en = feature.NameEn;
        return language switch
        {
            MapLanguage.Zh => One(zh ?? en),
            MapLanguage.En => One(en ?? zh),
            _ => zh is not null && en is not null && zh != en ? [zh, en] : One(zh ?? en),
        };
    }

    private static IReadOnlyList<string> One(string? text) => text is null ? [] : [text];

    /// <summary>Two languages side by side, or one.</summary>
    public static string Pick(MapLanguage language, string zh, string en) => language switch
    {
        MapLanguage.Zh => zh,
        MapLanguage.En => en,
        _ => $"{zh} {en}",
    };

    public static string Distance(double meters) => meters switch
    {
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{meters:0} m"),
        < 10_000 => string.Create(CultureInfo.InvariantCulture, $"{meters / 1000:0.0} km"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{meters / 1000:0} km"),
    };

    /// <summary>Scale bar lengths: whole kilometres (or metres) without a decimal point.</summary>
    public static string ScaleLength(double meters) => meters >= 1000
        ? string.Create(CultureInfo.InvariantCulture, $"{meters / 1000:0.##} km")
        : string.Create(CultureInfo.InvariantCulture, $"{meters:0} m");
}
