using System.Globalization;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Labels;
using NetTopologySuite.Geometries;

namespace ClusterMap.Rendering.Model;

/// <summary>Which names labels show.</summary>
public enum MapLanguage
{
    Both,
    Zh,
    En,
}

/// <summary>The names of <see cref="MapLanguage"/> as URLs, cache keys and the command line give them.</summary>
public static class MapLanguageNames
{
    public static string Of(MapLanguage language) => language switch
    {
        MapLanguage.Zh => "zh",
        MapLanguage.En => "en",
        _ => "both",
    };

    public static bool TryParse(string text, out MapLanguage language)
    {
        language = text switch
        {
            "zh" => MapLanguage.Zh,
            "en" => MapLanguage.En,
            _ => MapLanguage.Both,
        };
        return text is "zh" or "en" or "both";
    }
}

/// <summary>A feature named by collection and id, e.g. the one to highlight.</summary>
public sealed record FeatureRef(string CollectionId, string FeatureId);

/// <summary>A feature drawn like a highlight and labelled with a short mark (its number in an atlas) instead of its name.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Label">What is written beside it, e.g. "7"; features drawn at (nearly) one place share one label ("3, 7").</param>
public sealed record FeatureMark(FeatureRef Feature, string Label);

/// <summary>
/// A line from a feature to its nearest institution, with the distance the caller computed (geodesic, from the
/// proximity engine): the renderer draws the number it is given and measures nothing itself.
/// </summary>
public sealed record NearestLink(Coordinate FromLonLat, Coordinate ToLonLat, double DistanceMeters);

/// <summary>
/// What a finished figure carries beyond the map: title, legend, scale bar, north arrow, attribution and the
/// reproducibility stamp. None of them covers the highlighted feature, its label, a nearest line or a distance.
/// </summary>
/// <param name="Title">Title line(s), drawn in a corner the subject leaves free (top left first).</param>
/// <param name="Subtitle">Smaller second line (may be empty).</param>
/// <param name="ShowAttribution">
/// False only where the page around the map credits every source itself (the report's provenance section).
/// </param>
/// <param name="Stamp">What makes the figure reproducible, printed with a QR code in a band of its own at the bottom.</param>
/// <param name="KeyBelow">
/// The legend, scale bar and north arrow go in a band below the map instead of over it (the report, whose map is
/// too small to give them a corner); the scene is then taller than the map by that band.
/// </param>
/// <param name="ShowLegend">
/// False only where a map marks so much of itself that no corner is free for the legend (an atlas's cover, whose
/// briefs each carry the legend); the scale bar and north arrow are still placed.
/// </param>
public sealed record MapFigure(string Title, string Subtitle = "", bool ShowAttribution = true, FigureStamp? Stamp = null, bool KeyBelow = false, bool ShowLegend = true);

/// <summary>What a reader needs to make a figure again: the data it shows, when it was drawn, and the view's address.</summary>
/// <param name="DataVersion">The store's data version the figure was drawn from.</param>
/// <param name="RenderedAt">When it was rendered (printed as UTC, ISO 8601).</param>
/// <param name="Permalink">The absolute URL that draws the same view again; also printed as a QR code.</param>
public sealed record FigureStamp(long DataVersion, DateTimeOffset RenderedAt, string Permalink)
{
    /// <summary>The stamp's words, before the permalink.</summary>
    public string Text => string.Create(CultureInfo.InvariantCulture, $"Data version {DataVersion} · rendered {RenderedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} · permalink:");
}

/// <summary>
/// One map to draw. Sizes are logical pixels (CSS px at 96 dpi); <see cref="Scale"/> multiplies them for HiDPI
/// tiles (2) or print (dpi / 96).
/// </summary>
/// <param name="BoundsMeters">The area shown, in Web Mercator metres; its aspect must match Width:Height.</param>
/// <param name="Width">Logical width in pixels.</param>
/// <param name="Height">Logical height in pixels.</param>
public sealed record MapRequest(Envelope BoundsMeters, int Width, int Height)
{
    /// <summary>Device pixels per logical pixel.</summary>
    public float Scale { get; init; } = 1;

    /// <summary>Collection ids to draw; null draws every layer.</summary>
    public IReadOnlySet<string>? Layers { get; init; }

    public MapLanguage Language { get; init; } = MapLanguage.Both;

    public FeatureRef? Highlight { get; init; }

    /// <summary>
    /// Features to stand out with a mark each (an atlas's cover: every selected feature, numbered): drawn like the
    /// highlight, never clustered, their marks placed with the subject's words before any panel.
    /// </summary>
    public IReadOnlyList<FeatureMark> Marks { get; init; } = [];

    /// <summary>Radii of geodesic rings around <see cref="Highlight"/>, in metres.</summary>
    public IReadOnlyList<double> RingsMeters { get; init; } = [];

    public IReadOnlyList<NearestLink> NearestLinks { get; init; } = [];

    /// <summary>Title, legend, scale bar, north arrow, attribution; null for a bare map such as a tile.</summary>
    public MapFigure? Figure { get; init; }

    /// <summary>
    /// Set for tiles: labels come from one layout per meta-tile (<see cref="TileLabelLayout"/>), so neighbouring tiles
    /// agree and a label that crosses a tile edge is drawn, in part, by both tiles.
    /// </summary>
    public TileIndex? Tile { get; init; }

    /// <summary>
    /// The label layout of the tile's meta-tile, placed once and shared by its tiles (<see cref="MapRenderer.PlaceTileLabels"/>);
    /// null places it from the data given to the renderer, which must then hold the whole meta-tile.
    /// </summary>
    public TileLabelLayout? TileLabels { get; init; }

    /// <summary>
    /// An external raster basemap drawn instead of ClusterMap's own land and water; null draws ClusterMap's own.
    /// </summary>
    public RasterBasemap? Basemap { get; init; }

    /// <summary>
    /// The datum the basemap under the map is drawn in, as a function from WGS84 lon/lat to that datum's lon/lat (e.g.
    /// WGS84 to GCJ-02); null when it is WGS84 (or one that agrees with it to well under a pixel, such as CGCS2000).
    /// Rings, nearest lines and district name points are moved with it; pass the features moved with
    /// <see cref="MapData.InDatum"/>. Distances are never measured in it.
    /// </summary>
    public Func<Coordinate, Coordinate>? ToBasemapDatum { get; init; }

    public double MetersPerPixel => BoundsMeters.Width / Width;

    public double Zoom => WebMercator.ZoomFor(MetersPerPixel);

    /// <summary>The zoom the drawing decides by which layers it shows (<see cref="Generalization.MapGeneralization.DrawsSymbols"/>): a tile's own, else the view's.</summary>
    public double DrawingZoom => Tile?.Z ?? Zoom;

    /// <summary>A request for one 256-pixel XYZ tile.</summary>
    public static MapRequest ForTile(TileIndex tile, float scale, IReadOnlySet<string>? layers, MapLanguage language = MapLanguage.Both) =>
        new(tile.BoundsMeters, 256, 256) { Scale = scale, Layers = layers, Language = language, Tile = tile };

    /// <summary>The view centred on a lon/lat point at a (fractional) zoom.</summary>
    public static Envelope BoundsAround(Coordinate centerLonLat, double zoom, int width, int height)
    {
        var center = WebMercator.FromLonLat(centerLonLat);
        var mpp = WebMercator.MetersPerPixel(zoom);
        return new Envelope(center.X - (width * mpp / 2), center.X + (width * mpp / 2), center.Y - (height * mpp / 2), center.Y + (height * mpp / 2));
    }

    /// <summary>The smallest view of Width×Height pixels that shows a lon/lat box whole, centred on it.</summary>
    public static Envelope BoundsFitting(Envelope lonLat, int width, int height)
    {
        var box = WebMercator.FromLonLat(lonLat);
        var mpp = Math.Max(box.Width / width, box.Height / height);
        var center = box.Centre;
        return new Envelope(center.X - (width * mpp / 2), center.X + (width * mpp / 2), center.Y - (height * mpp / 2), center.Y + (height * mpp / 2));
    }
}
