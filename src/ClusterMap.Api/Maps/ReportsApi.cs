using System.Globalization;
using System.Text.Json;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Generalization;
using ClusterMap.Rendering.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Maps;

/// <summary>
/// One-page PDF briefs: a park with its nearest universities and institutes, or a university or institute with its
/// nearest parks: the map, the table of geodesic distances (with the range the location uncertainties allow) and
/// the data's provenance.
/// </summary>
internal static class ReportsApi
{
    private const int TableRows = 10;
    private const int MapLinks = 3;

    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/reports/{collectionId}/{featureId}.pdf", GetReport).WithTags("Maps").WithName("getReport")
            .WithSummary("A one-page PDF brief on a park, university or institute: map, nearest table, provenance. ?lang=zh|en|both")
            .WithQueryParameters(new([LangParameter.Definition]));
        return routes;
    }

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> GetReport(
        string collectionId, string featureId, HttpRequest request, MapDataProvider provider, MapRenderer renderer, BasemapSource basemap, IOptions<MapsOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        if (query.CheckNames() is { } problem || !query.TryRead(LangParameter.Definition, out var language, out problem))
        {
            return problem;
        }

        var catalog = await provider.GetCatalogAsync(cancellationToken);
        if (catalog.Skeleton.Layer(collectionId) is not { Kind: MapLayerKind.Parks or MapLayerKind.Universities or MapLayerKind.Institutes })
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        if (FigureCaching.IsNotModified(request.HttpContext, catalog.Version, options.Value, basemap.Identity))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        // The nearest table is measured over whole target collections (the proximity engine's snapshots for large ones).
        var data = await provider.GetForFigureAsync(catalog, new FeatureRef(collectionId, featureId), wholeForProximity: true, cancellationToken);
        if (data.Layer(collectionId) is not { } layer || layer.Kind is not (MapLayerKind.Parks or MapLayerKind.Universities or MapLayerKind.Institutes))
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        if (layer.Find(featureId) is not { } feature)
        {
            return ApiProblems.FeatureNotFound(layer.Id, featureId);
        }

        var targets = layer.Kind == MapLayerKind.Parks
            ? [.. data.OfKind(MapLayerKind.Universities), .. data.OfKind(MapLayerKind.Institutes)]
            : data.OfKind(MapLayerKind.Parks).ToList();
        var items = targets.SelectMany(t => t.Features.Select(f => (Layer: t, Feature: f))).ToList();
        var byKey = items.ToDictionary(i => $"{i.Layer.Id}/{i.Feature.Id}", StringComparer.Ordinal);
        var index = ProximityIndex.Build(items.Select(i => new ProximityItem($"{i.Layer.Id}/{i.Feature.Id}", i.Feature.LonLat, i.Feature.UncertaintyMeters)), data.Version);
        var hits = index.Nearest(feature.LonLat, TableRows, feature.UncertaintyMeters);

        var origin = feature.LonLat.Centroid.Coordinate;
        var links = hits.Take(MapLinks).Select(h => new NearestLink(origin, byKey[h.Id].Feature.LonLat.Centroid.Coordinate, h.DistanceMeters)).ToList();
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

        var rows = hits.Select(h =>
        {
            var (targetLayer, target) = byKey[h.Id];
            return (IReadOnlyList<string>)
            [
                h.Rank.ToString(CultureInfo.InvariantCulture),
                Name(target, language),
                targetLayer.Kind switch
                {
                    MapLayerKind.Parks => "Park 园区",
                    MapLayerKind.Universities => "Campus 高校",
                    _ => "Institute 院所",
                },
                Km(h.DistanceMeters),
                $"{Km(h.MinDistanceMeters)}–{Km(h.MaxDistanceMeters)}",
            ];
        }).ToList();

        var under = await basemap.FetchAsync(map, cancellationToken);
        var credits = Provenance(feature, layer, data.InDrawingOrder(null));
        if (under.Basemap is { } drawnOver)
        {
            credits.Add($"{drawnOver.Title}: {drawnOver.Attribution}");
        }

        var page = new ReportPage(
            Name(feature, language),
            $"{layer.Title} · {Property(feature, "district") ?? ""} · {feature.Id}".Replace(" ·  ·", " ·", StringComparison.Ordinal),
            under.Apply(map),
            layer.Kind == MapLayerKind.Parks ? "Nearest universities and institutes 最近的高校与科研院所" : "Nearest featured industrial parks 最近的特色产业园区",
            ["#", "Name 名称", "Type 类型", "Distance km", "Range km"],
            rows,
            credits,
            "ClusterMap · distances are geodesic (WGS84) between the stored points; the range widens them by both features' location uncertainty.")
        {
            Stamp = FigureCaching.Stamp(request, data.Version, clock),
        };
        var drawn = await provider.GetNearAsync(catalog, bounds, map.MetersPerPixel, under.ReadMarginPixels(MapGeneralization.ReadMarginPixels, map.MetersPerPixel), null, cancellationToken);
        var pdf = renderer.RenderReportPdf(under.Apply(drawn), page);
        under.WriteHeaders(request.HttpContext.Response);
        return TypedResults.File(pdf, "application/pdf");
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

    private static string Name(MapFeature feature, MapLanguage language) => language switch
    {
        MapLanguage.Zh => feature.NameZh ?? feature.NameEn ?? feature.Id,
        MapLanguage.En => feature.NameEn ?? feature.NameZh ?? feature.Id,
        _ => string.Join(" ", new[] { feature.NameZh, feature.NameEn }.OfType<string>().Distinct().DefaultIfEmpty(feature.Id)),
    };

    private static string Km(double meters) => (meters / 1000).ToString("0.0", CultureInfo.InvariantCulture);

    private static string? Property(MapFeature feature, string name)
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

        // Every layer the map can draw is credited here: the map itself carries no attribution strip.
        foreach (var credited in drawn.Prepend(layer).DistinctBy(l => l.Attribution))
        {
            lines.Add($"{credited.Title}: {credited.Attribution} [{credited.License}]");
        }

        return lines;
    }
}
