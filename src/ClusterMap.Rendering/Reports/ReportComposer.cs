using System.Globalization;
using System.Text.Json;
using ClusterMap.Core.Analysis;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Generalization;
using ClusterMap.Rendering.Model;
using NetTopologySuite.Geometries;

namespace ClusterMap.Rendering.Reports;

/// <summary>
/// Composes a feature's brief (the single report and each page of an atlas alike): the map centred on it with lines to
/// its nearest targets, the table of geodesic distances with the range the location uncertainties allow, a park's
/// research base (<see cref="ResearchBaseSection"/>), and the data's provenance. The renderer lays it out; this decides the content.
/// </summary>
public static class ReportComposer
{
    private const int TableRows = 10;
    private const int MapLinks = 3;

    /// <summary>The footer of every brief page; the layout tests find a page's footer band by it.</summary>
    public const string Footer = "ClusterMap · distances are geodesic (WGS84) between the stored points; the range widens them by both features' location uncertainty.";

    /// <summary>What a brief on a feature of a layer measures its distances to: whole collections, read as <see cref="MapDataProvider.NearestAsync"/> reads them.</summary>
    public sealed record Targets(IReadOnlyList<MapLayer> Layers);

    /// <summary>One composed brief: the page, the data its map is drawn from and how its basemap was fetched.</summary>
    public sealed record Composed(ReportPage Page, MapData Drawn, BasemapOutcome Under);

    /// <summary>Parks are measured to every university and institute collection; campuses and institutes to the parks.</summary>
    public static Targets TargetsOf(MapData data, MapLayer layer) => new(layer.Kind == MapLayerKind.Parks
        ? [.. data.OfKind(MapLayerKind.Universities), .. data.OfKind(MapLayerKind.Institutes)]
        : [.. data.OfKind(MapLayerKind.Parks)]);

    /// <param name="catalog">The maps' catalog at the data version of <paramref name="data"/>.</param>
    /// <param name="data">The figure's data (<see cref="MapDataProvider.GetForFigureAsync"/>): every layer it holds is credited.</param>
    /// <param name="layer">The subject's layer.</param>
    /// <param name="feature">The subject.</param>
    /// <param name="targets">What the subject's distances are measured to (<see cref="TargetsOf"/>).</param>
    /// <param name="language">The labels' and names' language.</param>
    /// <param name="stamp">The page's reproducibility stamp (its own permalink).</param>
    /// <param name="fit">The sector fit table of a park's research base (<see cref="ResearchBaseSection"/>).</param>
    /// <param name="provider">Reads the features near the map's view, the nearest targets and the research base.</param>
    /// <param name="basemap">The external basemap, if any.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<Composed> FeaturePageAsync(
        MapCatalog catalog, MapData data, MapLayer layer, MapFeature feature, Targets targets, MapLanguage language, FigureStamp stamp,
        FitTableState fit, MapDataProvider provider, IBasemapSource basemap, CancellationToken cancellationToken)
    {
        var nearest = await provider.NearestAsync(targets.Layers, feature, TableRows, cancellationToken);
        var origin = feature.LonLat.Centroid.Coordinate;
        var links = nearest.Take(MapLinks).Select(n => new NearestLink(origin, n.Feature.LonLat.Centroid.Coordinate, n.Hit.DistanceMeters)).ToList();
        var bounds = CentredView(feature, links);
        var map = new MapRequest(bounds, ReportPage.MapWidth, ReportPage.MapHeight)
        {
            Language = language,
            Highlight = new FeatureRef(layer.Id, feature.Id),
            NearestLinks = links,
            // The page has the title, and its provenance section credits every source; the key goes below the map,
            // which is too small to give the legend a corner clear of the subject.
            Figure = new MapFigure("", ShowAttribution: false, KeyBelow: true),
        };

        var rows = nearest.Select(n => (IReadOnlyList<string>)
        [
            n.Hit.Rank.ToString(CultureInfo.InvariantCulture),
            Name(n.Feature, language),
            n.Layer.Kind switch
            {
                MapLayerKind.Parks => "Park 园区",
                MapLayerKind.Universities => "Campus 高校",
                _ => "Institute 院所",
            },
            Km(n.Hit.DistanceMeters),
            $"{Km(n.Hit.MinDistanceMeters)}–{Km(n.Hit.MaxDistanceMeters)}",
        ]).ToList();

        var under = await basemap.FetchAsync(map, cancellationToken);
        var drawn = await provider.GetNearAsync(catalog, bounds, map.MetersPerPixel, under.ReadMarginPixels(MapGeneralization.ReadMarginPixels, map.MetersPerPixel), null, NearRead.For(map), cancellationToken);
        var credits = Provenance(feature, layer, data.InDrawingOrder(null));
        if (under.Basemap is { } drawnOver)
        {
            credits.Add($"{drawnOver.Title}: {drawnOver.Attribution}");
        }

        var researchBase = await ResearchBaseSection.ComposeAsync(catalog, layer, feature, fit, provider, cancellationToken);
        var page = new ReportPage(
            Name(feature, language),
            $"{layer.Title} · {Property(feature, "district") ?? ""} · {feature.Id}".Replace(" ·  ·", " ·", StringComparison.Ordinal),
            under.Apply(map),
            layer.Kind == MapLayerKind.Parks ? "Nearest universities and institutes 最近的高校与科研院所" : "Nearest featured industrial parks 最近的特色产业园区",
            ["#", "Name 名称", "Type 类型", "Distance km", "Range km"],
            rows,
            credits,
            Footer)
        {
            Stamp = stamp,
            ResearchBase = researchBase,
        };
        return new Composed(page, under.Apply(drawn), under);
    }

    /// <summary>
    /// The map's view, centred on the feature: wide and tall enough for its nearest lines in every direction, with a
    /// margin for their ends' symbols and labels, and never closer than about 2 km across.
    /// </summary>
    private static Envelope CentredView(MapFeature feature, IReadOnlyList<NearestLink> links)
    {
        var centre = WebMercator.FromLonLat(feature.LonLat.Centroid.Coordinate);
        var reachX = 1000 * WebMercator.ScaleFactor(feature.LonLat.Centroid.Y);
        var reachY = reachX;
        foreach (var link in links)
        {
            var end = WebMercator.FromLonLat(link.ToLonLat);
            reachX = Math.Max(reachX, Math.Abs(end.X - centre.X));
            reachY = Math.Max(reachY, Math.Abs(end.Y - centre.Y));
        }

        var metersPerPixel = Math.Max(2 * reachX / ReportPage.MapWidth, 2 * reachY / ReportPage.MapHeight) * 1.3;
        var halfWidth = ReportPage.MapWidth * metersPerPixel / 2;
        var halfHeight = ReportPage.MapHeight * metersPerPixel / 2;
        return new Envelope(centre.X - halfWidth, centre.X + halfWidth, centre.Y - halfHeight, centre.Y + halfHeight);
    }

    public static string Name(MapFeature feature, MapLanguage language) => language switch
    {
        MapLanguage.Zh => feature.NameZh ?? feature.NameEn ?? feature.Id,
        MapLanguage.En => feature.NameEn ?? feature.NameZh ?? feature.Id,
        _ => string.Join(" ", new[] { feature.NameZh, feature.NameEn }.OfType<string>().Distinct().DefaultIfEmpty(feature.Id)),
    };

    private static string Km(double meters) => (meters / 1000).ToString("0.0", CultureInfo.InvariantCulture);

    public static string? Property(MapFeature feature, string name)
    {
        using var document = JsonDocument.Parse(feature.PropertiesJson);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
    }

    private static List<string> Provenance(MapFeature feature, MapLayer layer, IEnumerable<MapLayer> drawn)
    {
        var lines = new List<string>
        {
            $"Location: {Property(feature, "location_method") ?? "not stated"}",
            $"Location uncertainty: {feature.UncertaintyMeters.ToString("0", CultureInfo.InvariantCulture)} m (location_uncertainty_m).",
        };
        if (Property(feature, "source_url") is { } source)
        {
            lines.Add($"Source: {source}");
        }

        lines.AddRange(Credits(drawn.Prepend(layer)));
        return lines;
    }

    /// <summary>
    /// Every layer the map can draw, credited once per attribution: a report's map carries no attribution strip, its
    /// page credits the sources.
    /// </summary>
    public static IEnumerable<string> Credits(IEnumerable<MapLayer> layers) =>
        layers.DistinctBy(l => l.Attribution).Select(l => $"{l.Title}: {l.Attribution} [{l.License}]");
}
