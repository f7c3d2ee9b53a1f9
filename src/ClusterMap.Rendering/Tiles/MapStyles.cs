using ClusterMap.Rendering.Model;

namespace ClusterMap.Rendering.Tiles;

/// <summary>Named raster styles: which layers a tile draws.</summary>
public static class MapStyles
{
    public const string Default = "default";

    /// <summary>Everything but context layers (metro stations): parks, campuses and institutes on the basemap (land, water, districts).</summary>
    public const string Clusters = "clusters";

    /// <summary>Land, water and districts only: the base under the browser client, which draws the features itself.</summary>
    public const string Basemap = "basemap";

    /// <summary>
    /// Kernel density of institutions (every collection of role university or institute) per km², transparent where
    /// there are none: an overlay for the basemap, drawn by <see cref="DensityRaster"/> without labels or basemap.
    /// </summary>
    public const string Density = "density";

    public static readonly string[] Names = [Default, Clusters, Basemap, Density];

    public static bool Exists(string style) => Names.Contains(style);

    /// <summary>The layer ids a style draws; null means every layer.</summary>
    public static IReadOnlySet<string>? Layers(string style, MapData data) => style switch
    {
        Clusters => data.Layers.Where(l => l.Kind is not (MapLayerKind.Context or MapLayerKind.Links)).Select(l => l.Id).ToHashSet(StringComparer.Ordinal),
        Basemap => data.Layers.Where(l => l.Kind is MapLayerKind.Land or MapLayerKind.Water or MapLayerKind.Districts).Select(l => l.Id).ToHashSet(StringComparer.Ordinal),
        Density => data.Layers.Where(l => l.Kind is MapLayerKind.Universities or MapLayerKind.Institutes).Select(l => l.Id).ToHashSet(StringComparer.Ordinal),
        _ => null,
    };

    public static string Title(string style) => style switch
    {
        Clusters => "ClusterMap clusters: parks, universities and institutes",
        Basemap => "ClusterMap basemap: land, water and districts",
        Density => "ClusterMap institution density: universities and institutes per km² (kernel density)",
        _ => "ClusterMap default: every layer",
    };
}
