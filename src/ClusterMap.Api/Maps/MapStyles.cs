using ClusterMap.Rendering.Model;

namespace ClusterMap.Api.Maps;

/// <summary>Named raster styles: which layers a tile draws.</summary>
internal static class MapStyles
{
    public const string Default = "default";

    /// <summary>Everything but context layers (metro stations): parks, campuses and institutes on the basemap.</summary>
    public const string Clusters = "clusters";

    public static readonly string[] Names = [Default, Clusters];

    public static bool Exists(string style) => Names.Contains(style);

    /// <summary>The layer ids a style draws; null means every layer.</summary>
    public static IReadOnlySet<string>? Layers(string style, MapData data) => style switch
    {
        Clusters => data.Layers.Where(l => l.Kind != MapLayerKind.Context).Select(l => l.Id).ToHashSet(StringComparer.Ordinal),
        _ => null,
    };

    public static string Title(string style) => style switch
    {
        Clusters => "ClusterMap clusters: parks, universities and institutes",
        _ => "ClusterMap default: every layer",
    };
}
