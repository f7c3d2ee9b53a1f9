using ClusterMap.Api.Hosting;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Storage;
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
/// Static maps for reports: a finished figure (title, legend, scale bar, north arrow, attribution) as PNG, SVG or
/// PDF, all three drawn by the same routine.
/// </summary>
internal static class StaticMapsApi
{
    private static readonly string[] _formats = ["png", "svg", "pdf"];

    public static IEndpointRouteBuilder MapStaticMapsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/maps/static.{format}", GetStaticMap).WithTags("Maps").WithName("getStaticMap")
            .WithSummary("A finished map figure as png, svg or pdf")
            .WithDescription("bbox=minLon,minLat,maxLon,maxLat or center=lon,lat&zoom=z; width, height (CSS px), dpi; layers=collection ids; "
                + "highlight=collection/featureId; radius_m=ring radii; nearest=k with nearest_to=collection ids: lines from the highlighted feature to its k nearest of each, with geodesic distances; "
                + "{collection}.{property}=value: draw only that collection's features whose queryable property equals the value (as /collections/{collection}/items?{property}=value; e.g. parks.district=浦东新区); "
                + "{collection}.filter=CQL2 (with {collection}.filter-lang, {collection}.filter-crs): draw only that collection's features the filter selects (as /collections/{collection}/items?filter=…; e.g. parks.filter=sector IN ('集成电路','生物医药')); "
                + "lang=zh|en|both; title.")
            .WithQueryParameters<StaticMapParameters>(p => p.Map);
        return routes;
    }

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> GetStaticMap(
        string format, HttpRequest request, MapDataProvider provider, MapRenderer renderer, StaticMapParameters parameters, BasemapSource basemap, CollectionQueryablesCache queryablesCache,
        IOptions<MapsOptions> options, ProximityTargets proximity, IOptions<ProximityOptions> proximityOptions, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!_formats.Contains(format))
        {
            return ApiProblems.FormatNotFound(format, _formats);
        }

        var query = QueryParameters.Of(request);
        if (query.CheckNames(LayerFilterParameter.IsName) is { } problem)
        {
            return problem;
        }

        var catalog = await provider.GetCatalogAsync(cancellationToken);
        if (FigureCaching.IsNotModified(request.HttpContext, catalog.Version, options.Value, basemap.Identity))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var named = query.Text(StaticMapParameters.Highlight) is { } highlightText && highlightText.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash
            ? new FeatureRef(highlightText[..slash], highlightText[(slash + 1)..])
            : null;
        // Nearest lines are measured by the proximity engine, not over layers read here: only the highlight is needed.
        var checkedAgainst = await provider.GetForFigureAsync(catalog, named, cancellationToken);
        var nearest = new NearestLinksReader(proximity, proximityOptions.VersionWindow(), cancellationToken);
        var parsed = await ParseAsync(query, checkedAgainst, parameters, nearest);
        if (parsed.Problem is not null)
        {
            return parsed.Problem;
        }

        // Parameters checked, the figure's view is known: read only what it shows.
        var map = parsed.Request!;
        var under = await basemap.FetchAsync(map, cancellationToken);
        // A layer filtered after the read is read feature by feature and clustered by the renderer: a store's clusters
        // would count what the filter leaves out.
        var filteredLayers = request.Query.Keys.Select(k => LayerFilterParameter.TryParseName(k, out var id, out _) ? id : null).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var read = NearRead.For(map) with { EveryFeatureOf = filteredLayers.Contains };
        var data = await provider.GetNearAsync(catalog, map.BoundsMeters, map.MetersPerPixel, under.ReadMarginPixels(MapGeneralization.ReadMarginPixels, map.MetersPerPixel), map.Layers, read, cancellationToken);
        var queryables = catalog.Collections.ToDictionary(c => c.Id, c => c.Queryables, StringComparer.Ordinal);
        var filters = ParseFilters(request.Query, data, queryables);
        if (filters.Problem is not null)
        {
            return filters.Problem;
        }

        var filtered = filters.Data!;
        foreach (var collectionId in request.Query.Keys.Where(LayerFilterParameter.IsCql2Name).Select(n => n[..n.IndexOf('.', StringComparison.Ordinal)]).Distinct().Order(StringComparer.Ordinal))
        {
            var layerFilter = FilterParameters.ForLayer(collectionId);
            if (filtered.Layer(collectionId) is null || catalog.Collection(collectionId) is not { } collection)
            {
                var given = layerFilter.All.First(p => request.Query.ContainsKey(p.Name));
                return ApiProblems.InvalidParameter(given.Name, LayerFilterParameter.AcceptedForm);
            }

            var (filter, filterProblem) = await FilterReader.ReadAsync(p => request.Query.TryGetValue(p.Name, out var v) ? v.ToString() : null, layerFilter, collection, queryablesCache, cancellationToken);
            if (filterProblem is not null)
            {
                return filterProblem;
            }

            filtered = filter is null ? filtered : Ogc.MapsApi.Selected(filtered, collectionId, filter);
        }

        var mapFormat = format switch { "png" => MapFormat.Png, "svg" => MapFormat.Svg, _ => MapFormat.Pdf };
        var stamped = map with { Figure = map.Figure! with { Stamp = FigureCaching.Stamp(request, catalog.Version, clock) } };
        var bytes = renderer.Render(under.Apply(filtered), under.Apply(stamped), mapFormat);
        under.WriteHeaders(request.HttpContext.Response);
        return TypedResults.File(bytes, MapRenderer.ContentType(mapFormat));
    }

    internal sealed record FilteredData(MapData? Data, ProblemHttpResult? Problem);

    /// <summary>
    /// The <c>{collection}.{property}=value</c> filters, applied: a snapshot holding only the features that pass, so the
    /// figure shows what a client that filters its layers shows. Every name must be a collection and one of its queryables.
    /// </summary>
    internal static FilteredData ParseFilters(IQueryCollection query, MapData data, IReadOnlyDictionary<string, IReadOnlyList<string>> queryables)
    {
        var byLayer = new Dictionary<string, List<(string Property, string Value)>>(StringComparer.Ordinal);
        foreach (var name in query.Keys.Where(n => LayerFilterParameter.IsName(n) && !LayerFilterParameter.IsCql2Name(n)).Order(StringComparer.Ordinal))
        {
            if (!LayerFilterParameter.TryParseName(name, out var collectionId, out var property)
                || data.Layer(collectionId) is null
                || !queryables.TryGetValue(collectionId, out var known)
                || !known.Contains(property, StringComparer.Ordinal))
            {
                return new FilteredData(null, ApiProblems.InvalidParameter(name, LayerFilterParameter.AcceptedForm));
            }

            if (!byLayer.TryGetValue(collectionId, out var list))
            {
                byLayer[collectionId] = list = [];
            }

            list.Add((property, FeatureProperties.ComparableQueryValue(query[name].ToString())));
        }

        if (byLayer.Count == 0)
        {
            return new FilteredData(data, null);
        }

        var layers = data.Layers.Select(layer => byLayer.TryGetValue(layer.Id, out var equalities)
            ? layer with { Features = [.. layer.Features.Where(f => Passes(f, equalities))] }
            : layer).ToList();
        return new FilteredData(new MapData(layers, data.Version), null);
    }

    private static bool Passes(MapFeature feature, List<(string Property, string Value)> equalities)
    {
        var values = FeatureProperties.ComparableValues(feature.PropertiesJson);
        return equalities.All(e => values.TryGetValue(e.Property, out var actual) && string.Equals(actual, e.Value, StringComparison.Ordinal));
    }

    internal sealed record ParsedMap(MapRequest? Request, ProblemHttpResult? Problem);

    /// <summary>Every parameter of a map request, read through its definition and checked against the data and the others.</summary>
    internal static async Task<ParsedMap> ParseAsync(QueryParameters query, MapData data, StaticMapParameters parameters, NearestLinksReader nearest)
    {
        static ParsedMap Fail(ProblemHttpResult problem) => new(null, problem);

        if (!query.TryRead(parameters.Width, out var width, out var problem)
            || !query.TryRead(parameters.Height, out var height, out problem)
            || !query.TryRead(parameters.Dpi, out var dpi, out problem))
        {
            return Fail(problem);
        }

        var scale = dpi / MapRenderer.LogicalDpi;
        if (Math.Ceiling(Math.Max(width, height) * scale) > parameters.MaxPixels)
        {
            return Fail(ApiProblems.InvalidParameter(parameters.Dpi.Name, parameters.Dpi.AcceptedForm));
        }

        IReadOnlySet<string>? layers = null;
        if (query.Text(StaticMapParameters.Layers) is { } layersText)
        {
            var known = data.Layers.Select(l => l.Id).ToList();
            if (!LayersParameter.TryParse(layersText, known, out var chosen))
            {
                return Fail(ApiProblems.InvalidParameter(LayersParameter.Name, LayersParameter.AcceptedForm(known)));
            }

            layers = chosen;
        }

        if (!query.TryRead(LangParameter.Definition, out var language, out problem))
        {
            return Fail(problem);
        }

        FeatureRef? highlight = null;
        MapFeature? highlighted = null;
        if (query.Text(StaticMapParameters.Highlight) is { } highlightText)
        {
            if (!HighlightParameter.TryParse(highlightText, data, out var found, out var feature))
            {
                return Fail(ApiProblems.InvalidParameter(HighlightParameter.Name, HighlightParameter.AcceptedForm));
            }

            highlight = found;
            highlighted = feature;
        }

        // Rings and nearest lines start from the highlighted feature: without one, they are invalid.
        IReadOnlyList<double> rings = [];
        if (query.Has(StaticMapParameters.Radius) && (highlight is null || !query.TryRead(StaticMapParameters.Radius, out rings, out _)))
        {
            return Fail(ApiProblems.InvalidParameter(StaticMapParameters.Radius.Name, StaticMapParameters.Radius.AcceptedForm));
        }

        IReadOnlyList<NearestLink> links = [];
        var nearestToText = query.Text(StaticMapParameters.NearestTo);
        if (query.Has(StaticMapParameters.Nearest) || nearestToText is not null)
        {
            if (!query.Has(StaticMapParameters.Nearest) || highlighted is null || !query.TryRead(StaticMapParameters.Nearest, out var k, out _))
            {
                return Fail(ApiProblems.InvalidParameter(StaticMapParameters.Nearest.Name, StaticMapParameters.Nearest.AcceptedForm));
            }

            var known = data.Layers.Where(l => l.Kind is not (MapLayerKind.Land or MapLayerKind.Water)).Select(l => l.Id).ToList();
            IReadOnlyList<MapLayer> targets;
            if (nearestToText is not null)
            {
                if (!LayersParameter.TryParse(nearestToText, known, out var ids))
                {
                    return Fail(ApiProblems.InvalidParameter(NearestParameter.ToName, NearestParameter.ToAcceptedForm(known)));
                }

                // In drawing order (universities before institutes), as without nearest_to, whatever order the list had.
                targets = [.. ids.Select(id => data.Layer(id)!).OrderBy(l => l.Kind).ThenBy(l => l.Id, StringComparer.Ordinal)];
            }
            else
            {
                targets = data.Layer(highlight!.CollectionId)!.Kind == MapLayerKind.Parks
                    ? [.. data.OfKind(MapLayerKind.Universities), .. data.OfKind(MapLayerKind.Institutes)]
                    : [.. data.OfKind(MapLayerKind.Parks)];
            }

            links = await nearest.ReadAsync(highlight!, highlighted, targets, (int)k);
        }

        var (hasCenter, hasZoom) = (query.Has(StaticMapParameters.Center), query.Has(StaticMapParameters.Zoom));
        Envelope bounds;
        if (query.Has(StaticMapParameters.Bbox))
        {
            if (hasCenter || hasZoom)
            {
                return Fail(ApiProblems.InvalidParameter(hasCenter ? StaticMapParameters.Center.Name : StaticMapParameters.Zoom.Name, StaticMapParameters.NotWithBbox));
            }

            if (!query.TryRead(StaticMapParameters.Bbox, out var box, out problem))
            {
                return Fail(problem);
            }

            bounds = MapRequest.BoundsFitting(box, (int)width, (int)height);
        }
        else if (hasCenter || hasZoom)
        {
            // Each is invalid without the other.
            if (!hasCenter || !query.TryRead(StaticMapParameters.Center, out var center, out _))
            {
                return Fail(ApiProblems.InvalidParameter(StaticMapParameters.Center.Name, StaticMapParameters.Center.AcceptedForm));
            }

            if (!hasZoom || !query.TryRead(StaticMapParameters.Zoom, out var zoom, out _))
            {
                return Fail(ApiProblems.InvalidParameter(StaticMapParameters.Zoom.Name, StaticMapParameters.Zoom.AcceptedForm));
            }

            bounds = MapRequest.BoundsAround(center, zoom, (int)width, (int)height);
        }
        else if (highlighted is not null)
        {
            // Centred on the highlighted feature: its largest ring (or 5 km) and its nearest lines, with a margin, fill
            // the shorter side, so every line ends on the map.
            var reach = Math.Max(rings.Count > 0 ? rings.Max() : 5000, links.Select(l => l.DistanceMeters).DefaultIfEmpty(0).Max()) * 1.25;
            var center = highlighted.LonLat.Centroid.Coordinate;
            var metersPerPixel = 2 * reach * WebMercator.ScaleFactor(center.Y) / Math.Min(width, height);
            bounds = MapRequest.BoundsAround(center, Math.Min(WebMercator.ZoomFor(metersPerPixel), 16), (int)width, (int)height);
        }
        else
        {
            bounds = MapRequest.BoundsFitting(DataExtent(data, layers), (int)width, (int)height);
        }

        var title = query.Text(StaticMapParameters.Title) ?? DefaultTitle(highlighted, language);
        var subtitle = language switch
        {
            MapLanguage.Zh => "园区位置为估计值，晕圈表示位置不确定范围",
            MapLanguage.En => "Park positions are estimates; halos show the location uncertainty",
            _ => "园区位置为估计值 · Park positions are estimates; halos show the location uncertainty",
        };
        return new ParsedMap(
            new MapRequest(bounds, (int)width, (int)height)
            {
                Scale = (float)scale,
                Layers = layers,
                Language = language,
                Highlight = highlight,
                RingsMeters = rings,
                NearestLinks = links,
                Figure = new MapFigure(title, subtitle),
            },
            null);
    }

    /// <summary>
    /// Lines to the k nearest features of each target collection, measured by the proximity engine and the snapshots
    /// (or the store, for collections too large to hold) that answer <c>/proximity/nearest?from=…&amp;target=…&amp;k=…</c>:
    /// the same numbers the client lists, and no read of a whole collection per figure.
    /// </summary>
    internal sealed class NearestLinksReader(ProximityTargets targets, TimeSpan versionWindow, CancellationToken cancellationToken)
    {
        public async Task<IReadOnlyList<NearestLink>> ReadAsync(FeatureRef origin, MapFeature feature, IReadOnlyList<MapLayer> targetLayers, int k)
        {
            var from = feature.LonLat.Centroid.Coordinate;
            var links = new List<NearestLink>();
            foreach (var layer in targetLayers)
            {
                if (await targets.GetAsync(layer.Id, versionWindow, cancellationToken) is not { } target)
                {
                    continue;
                }

                Func<ProximityItem, bool>? notItself = layer.Id == origin.CollectionId ? item => item.Id != origin.FeatureId : null;
                var candidates = await target.ForNearestAsync(feature.LonLat, k, feature.UncertaintyMeters, double.PositiveInfinity, notItself, cancellationToken);
                links.AddRange(candidates.ProximityIndex.Nearest(feature.LonLat, k, feature.UncertaintyMeters, double.PositiveInfinity, notItself)
                    .Select(hit => new NearestLink(from, candidates.Find(hit.Id)!.Geometry.Centroid.Coordinate, hit.DistanceMeters)));
            }

            return links;
        }
    }

    private static string DefaultTitle(MapFeature? highlighted, MapLanguage language)
    {
        if (highlighted is not null)
        {
            return string.Join(" ", MapWordsFor(highlighted, language));
        }

        return language switch
        {
            MapLanguage.Zh => "上海特色产业园区与高校、科研院所",
            MapLanguage.En => "Shanghai's featured industrial parks, universities and institutes",
            _ => "上海特色产业园区 Shanghai featured industrial parks",
        };
    }

    private static IEnumerable<string> MapWordsFor(MapFeature feature, MapLanguage language) => language switch
    {
        MapLanguage.Zh => [feature.NameZh ?? feature.NameEn ?? feature.Id],
        MapLanguage.En => [feature.NameEn ?? feature.NameZh ?? feature.Id],
        _ => new[] { feature.NameZh, feature.NameEn }.OfType<string>().Distinct().DefaultIfEmpty(feature.Id),
    };

    /// <summary>The extent of the drawn point layers (the basemap reaches far beyond what a planner wants to see).</summary>
    internal static Envelope DataExtent(MapData data, IReadOnlySet<string>? layers)
    {
        var extent = new Envelope();
        foreach (var layer in data.InDrawingOrder(layers).Where(l => l.Kind is MapLayerKind.Parks or MapLayerKind.Universities or MapLayerKind.Institutes))
        {
            foreach (var feature in layer.Features)
            {
                extent.ExpandToInclude(feature.LonLat.EnvelopeInternal);
            }
        }

        if (extent.IsNull)
        {
            foreach (var feature in data.InDrawingOrder(layers).SelectMany(l => l.Features))
            {
                extent.ExpandToInclude(feature.LonLat.EnvelopeInternal);
            }
        }

        if (extent.IsNull)
        {
            return new Envelope(120.8, 122.2, 30.6, 31.9);
        }

        // A margin of a twentieth on each side keeps symbols and labels off the frame.
        extent.ExpandBy(Math.Max(extent.Width, 0.01) / 20, Math.Max(extent.Height, 0.01) / 20);
        return extent;
    }

}
