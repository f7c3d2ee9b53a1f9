using System.Globalization;
using ClusterMap.Core.Analysis;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Generalization;
using ClusterMap.Rendering.Model;
using NetTopologySuite.Geometries;

namespace ClusterMap.Rendering.Reports;

/// <summary>
/// The cover of an atlas: a map of the whole selection with every selected feature drawn like a highlight and numbered,
/// the selection in words, and the key from numbers to names (the order of the briefs that follow).
/// </summary>
public static class AtlasComposer
{
    /// <summary>
    /// The cover's map: its scale bar and north arrow take corners clear of the numbered features (as on a static map)
    /// rather than a band below, and it draws no legend (each brief has one), so the key of a few dozen features fits
    /// on the same page and no panel hides a number.
    /// </summary>
    public const int CoverMapHeight = 340;

    /// <summary>A key longer than this runs in two side-by-side blocks.</summary>
    private const int OneBlockRows = 12;

    public static async Task<ReportComposer.Composed> CoverAsync(
        MapCatalog catalog, MapLayer layer, IReadOnlyList<MapFeature> selected, string selection, MapLanguage language,
        FigureStamp stamp, MapDataProvider provider, IBasemapSource basemap, CancellationToken cancellationToken)
    {
        var lonLat = new Envelope();
        foreach (var feature in selected)
        {
            lonLat.ExpandToInclude(feature.LonLat.EnvelopeInternal);
        }

        // Room around the outermost features for their symbols and numbers, and never closer than about 2 km across.
        lonLat.ExpandBy(Math.Max(0.01, Math.Max(lonLat.Width, lonLat.Height) * 0.08));
        var bounds = MapRequest.BoundsFitting(lonLat, ReportPage.MapWidth, CoverMapHeight);
        var map = new MapRequest(bounds, ReportPage.MapWidth, CoverMapHeight)
        {
            Language = language,
            Marks = [.. selected.Select((f, i) => new FeatureMark(new FeatureRef(layer.Id, f.Id), Number(i)))],
            Figure = new MapFigure("", ShowAttribution: false, ShowLegend: false),
        };

        var under = await basemap.FetchAsync(map, cancellationToken);
        var drawn = await provider.GetNearAsync(catalog, bounds, map.MetersPerPixel, under.ReadMarginPixels(MapGeneralization.ReadMarginPixels, map.MetersPerPixel), null, NearRead.For(map), cancellationToken);
        var rows = selected.Select((f, i) => (IReadOnlyList<string>)[Number(i), ReportComposer.Name(f, language), ReportComposer.Property(f, "district") ?? ""]).ToList();
        // Every brief credits every layer; the cover, drawn from the same layers, points there rather than repeat them.
        var credits = new List<string>
        {
            "Each number on the map is a feature's place in the key and in the briefs that follow; features drawn at one point share a label.",
            "Colours and symbols as in each brief's legend; sources and licences of every layer in each brief's provenance.",
        };
        if (under.Basemap is { } drawnOver)
        {
            credits.Add($"{drawnOver.Title}: {drawnOver.Attribution}");
        }

        var page = new ReportPage(
            $"{layer.Title} · atlas 图集",
            selection,
            under.Apply(map),
            "Key 图例: the briefs follow in this order",
            ["#", "Name 名称", "District 区"],
            rows,
            credits,
            ReportComposer.Footer)
        {
            Stamp = stamp,
            TableBlocks = rows.Count > OneBlockRows ? 2 : 1,
        };
        return new ReportComposer.Composed(page, under.Apply(drawn), under);
    }

    /// <summary>
    /// A whole atlas: the cover, then each selected feature's brief in order (the nearest targets indexed once); the
    /// cover is stamped with <c>coverStamp</c>, each brief with <c>briefStamp</c> of its feature (its own permalink); a
    /// park's brief has its research base, with the fit table <c>fit</c>.
    /// </summary>
    /// <returns>The pages to draw, and how the basemap of each was fetched (cover first).</returns>
    public static async Task<(IReadOnlyList<(MapData Drawn, ReportPage Page)> Pages, IReadOnlyList<BasemapOutcome> Outcomes)> AtlasAsync(
        MapCatalog catalog, MapData data, MapLayer layer, IReadOnlyList<MapFeature> selected, string selection, MapLanguage language,
        FigureStamp coverStamp, Func<MapFeature, FigureStamp> briefStamp, FitTableState fit, MapDataProvider provider, IBasemapSource basemap, CancellationToken cancellationToken)
    {
        var cover = await CoverAsync(catalog, layer, selected, selection, language, coverStamp, provider, basemap, cancellationToken);
        var pages = new List<(MapData, ReportPage)> { (cover.Drawn, cover.Page) };
        var outcomes = new List<BasemapOutcome> { cover.Under };
        var targets = ReportComposer.TargetsOf(data, layer);
        foreach (var feature in selected)
        {
            var brief = await ReportComposer.FeaturePageAsync(catalog, data, layer, feature, targets, language, briefStamp(feature), fit, provider, basemap, cancellationToken);
            pages.Add((brief.Drawn, brief.Page));
            outcomes.Add(brief.Under);
        }

        return (pages, outcomes);
    }

    /// <summary>The words under the cover's map: what was selected, and how many of the layer's <paramref name="layerFeatures"/> features.</summary>
    public static string SelectionLine(string selection, int count, MapLayer layer, long layerFeatures) =>
        $"Selection: {selection} · {(count == 1 ? "1 feature" : $"{count.ToString(CultureInfo.InvariantCulture)} features")} of {layerFeatures.ToString(CultureInfo.InvariantCulture)} in {layer.Title}";

    private static string Number(int index) => (index + 1).ToString(CultureInfo.InvariantCulture);
}
