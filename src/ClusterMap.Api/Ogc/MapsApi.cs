using System.Globalization;
using System.Text.Json;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Generalization;
using ClusterMap.Rendering.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Ogc;

/// <summary>
/// OGC API – Maps (OGC 20-058): the dataset's map at <c>/map</c> and each collection's at
/// <c>/collections/{collectionId}/map</c>, drawn by the same renderer as tiles and static maps, as a plain map
/// (no title, legend or frame: a client places it by its box). <c>bbox</c> (in <c>bbox-crs</c>), <c>crs</c>,
/// <c>width</c>, <c>height</c>, <c>f</c> or the Accept header choose the view and the format.
/// </summary>
internal static class MapsApi
{
    public const string MapRel = "http://www.opengis.net/def/rel/ogc/1.0/map";

    public static readonly string[] ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/collection-map",
        "http://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/png",
        "http://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/svg",
    ];

    public static IEndpointRouteBuilder MapMapsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/map", GetDatasetMap).WithTags("Maps").WithName("getDatasetMap")
            .WithSummary("The map of every layer (OGC API – Maps) as png, svg or pdf")
            .WithDescription("bbox (default: the parks, campuses and institutes) in bbox-crs; crs of the map: CRS84 (equirectangular) or EPSG:3857; width and height in pixels (one alone keeps the box's aspect); f or the Accept header: image/png, image/svg+xml, application/pdf. Content-Crs and Content-Bbox say what was drawn.")
            .WithQueryParameters<IOptions<MapsOptions>>(o => MapsParameters.For(o.Value).Map).WithDataVersionETag();
        routes.MapGet("/collections/{collectionId}/map", GetCollectionMap).WithTags("Maps").WithName("getCollectionMap")
            .WithSummary("The map of one collection on ClusterMap's land and water (OGC API – Maps)")
            .WithDescription("As /map, the default bbox being the collection's extent; filter (CQL2, as on its items) draws only the features it selects.")
            .WithQueryParameters<IOptions<MapsOptions>>(o => MapsParameters.For(o.Value).CollectionMap).WithDataVersionETag();
        return routes;
    }

    public static Task<Results<FileContentHttpResult, ProblemHttpResult>> GetDatasetMap(
        HttpRequest request, MapDataProvider provider, MapRenderer renderer, CollectionQueryablesCache queryables, IOptions<MapsOptions> options, CancellationToken cancellationToken) =>
        GetMapAsync(null, request, provider, renderer, queryables, options.Value, cancellationToken);

    public static Task<Results<FileContentHttpResult, ProblemHttpResult>> GetCollectionMap(
        string collectionId, HttpRequest request, MapDataProvider provider, MapRenderer renderer, CollectionQueryablesCache queryables, IOptions<MapsOptions> options, CancellationToken cancellationToken) =>
        GetMapAsync(collectionId, request, provider, renderer, queryables, options.Value, cancellationToken);

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetMapAsync(
        string? collectionId, HttpRequest request, MapDataProvider provider, MapRenderer renderer, CollectionQueryablesCache queryablesCache, MapsOptions options, CancellationToken cancellationToken)
    {
        var parameters = MapsParameters.For(options);
        var query = QueryParameters.Of(request);
        if (query.CheckNames() is { } problem)
        {
            return problem;
        }

        var catalog = await provider.GetCatalogAsync(cancellationToken);
        if (collectionId is not null && catalog.Skeleton.Layer(collectionId) is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        if (!query.TryRead(parameters.Crs, out var crs, out problem)
            || !query.TryRead(parameters.BboxCrs, out var bboxCrs, out problem)
            || !query.TryRead(parameters.Width, out var width, out problem)
            || !query.TryRead(parameters.Height, out var height, out problem)
            || !query.TryRead(LangParameter.Definition, out var language, out problem))
        {
            return problem;
        }

        Envelope bounds;
        if (query.Text(parameters.Bbox) is { } bboxText)
        {
            if (!MapsParameters.TryParseBbox(bboxText, bboxCrs, out var box))
            {
                return ApiProblems.InvalidParameter(parameters.Bbox.Name, MapsParameters.BboxForm(bboxCrs));
            }

            bounds = bboxCrs.To(crs, box);
        }
        else
        {
            bounds = crs.FromLonLatBox(collectionId is null ? DatasetExtent(catalog) : CollectionExtent(catalog, collectionId));
        }

        // One side alone keeps the box's aspect; neither gives the default width. A side too long for the limit is
        // blamed on what set it: the side given, or the box.
        QueryParameter blamed = (width, height) switch { (0, 0) => parameters.Bbox, (0, _) => parameters.Height, _ => parameters.Width };
        var aspect = bounds.Height / bounds.Width;
        (width, height) = (width, height) switch
        {
            (0, 0) => (options.DefaultWidth, Math.Max(1, (long)Math.Round(options.DefaultWidth * aspect))),
            (0, _) => (Math.Max(1, (long)Math.Round(height / aspect)), height),
            (_, 0) => (width, Math.Max(1, (long)Math.Round(width * aspect))),
            _ => (width, height),
        };
        if (width > options.MaxPixels || height > options.MaxPixels)
        {
            return ApiProblems.InvalidParameter(blamed.Name,
                string.Create(CultureInfo.InvariantCulture, $"{blamed.AcceptedForm}, such that the box's aspect keeps the other side within {options.MaxPixels} pixels (here {Math.Max(width, height)})"));
        }

        ItemsFilter? filter = null;
        if (collectionId is not null)
        {
            (filter, problem) = await FilterReader.ReadAsync(query, FilterParameters.Features, catalog.Collection(collectionId)!, queryablesCache, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }
        }

        var format = query.Text(parameters.Format) ?? Negotiate(request);
        var mapFormat = format switch { "svg" => MapFormat.Svg, "pdf" => MapFormat.Pdf, _ => MapFormat.Png };
        var view = MapView.Of(crs, bounds, (int)width, (int)height);
        var layers = collectionId is null ? null : LayersOf(catalog, collectionId);
        var bytes = await DrawAsync(catalog, view, layers, language, mapFormat, provider, renderer, cancellationToken,
            filter is null ? null : data => Selected(data, collectionId!, filter));

        var headers = request.HttpContext.Response.Headers;
        headers["Content-Crs"] = $"<{crs.Uri}>";
        headers["Content-Bbox"] = string.Join(',', new[] { bounds.MinX, bounds.MinY, bounds.MaxX, bounds.MaxY }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        // One URL, three representations when f is not given.
        headers.Vary = HeaderNames.Accept;
        return TypedResults.File(bytes, MapRenderer.ContentType(mapFormat));
    }

    /// <summary>Draws the view: the store read for its box in Web Mercator, the features placed in the view's CRS.</summary>
    public static async Task<byte[]> DrawAsync(
        MapCatalog catalog, MapView view, IReadOnlySet<string>? layers, MapLanguage language, MapFormat format, MapDataProvider provider, MapRenderer renderer,
        CancellationToken cancellationToken, Func<MapData, MapData>? select = null)
    {
        var metersPerPixel = Math.Max(view.MetersPerPixel, view.ReadMeters.Height / view.Height);
        // A filtered layer, or a drawing in another projection, is clustered by the renderer from every feature.
        var read = view.DrawsInWebMercator && select is null ? NearRead.Clustered : NearRead.EveryFeature;
        var data = await provider.GetNearAsync(catalog, view.ReadMeters, metersPerPixel, MapGeneralization.ReadMarginPixels, layers, read, cancellationToken);
        return renderer.Render(view.Place(select is null ? data : select(data)), view.Request(layers, language), format);
    }

    /// <summary>
    /// The data with only the collection's features that the filter selects, evaluated by Core's CQL2 evaluator (the
    /// reference the stores' translations are proven against) on the features the view read: the work grows with
    /// the view, not with the collection.
    /// </summary>
    internal static MapData Selected(MapData data, string collectionId, ItemsFilter filter)
    {
        var selects = Cql2Evaluator.Compile(filter.Condition, filter.Queryables);
        return new([.. data.Layers.Select(layer => layer.Id != collectionId ? layer : layer with
        {
            Features = [.. layer.Features.Where(f =>
            {
                using var properties = JsonDocument.Parse(f.PropertiesJson);
                return selects(new Cql2Feature(f.LonLat, properties.RootElement));
            })],
        })], data.Version);
    }

    /// <summary>A collection's map: the collection over ClusterMap's own land and water.</summary>
    public static IReadOnlySet<string> LayersOf(MapCatalog catalog, string collectionId) =>
        catalog.Skeleton.Layers.Where(l => l.Kind is MapLayerKind.Land or MapLayerKind.Water || l.Id == collectionId).Select(l => l.Id).ToHashSet(StringComparer.Ordinal);

    /// <summary>The dataset's box: its parks, campuses and institutes (the basemap reaches far beyond), with a margin.</summary>
    public static Envelope DatasetExtent(MapCatalog catalog)
    {
        var extent = new Envelope();
        foreach (var layer in catalog.Skeleton.Layers.Where(l => l.Kind is MapLayerKind.Parks or MapLayerKind.Universities or MapLayerKind.Institutes))
        {
            if (catalog.Collection(layer.Id)?.Extent is { } e)
            {
                extent.ExpandToInclude(e);
            }
        }

        return WithMargin(extent);
    }

    public static Envelope CollectionExtent(MapCatalog catalog, string collectionId) =>
        WithMargin(catalog.Collection(collectionId)?.Extent is { } e ? new Envelope(e) : new Envelope());

    private static Envelope WithMargin(Envelope extent)
    {
        if (extent.IsNull)
        {
            return new Envelope(120.8, 122.2, 30.6, 31.9);
        }

        // A twentieth on each side keeps symbols and labels at the edge on the map.
        extent.ExpandBy(Math.Max(extent.Width, 0.01) / 20, Math.Max(extent.Height, 0.01) / 20);
        return new Envelope(
            Math.Max(extent.MinX, -180), Math.Min(extent.MaxX, 180),
            Math.Max(extent.MinY, -WebMercator.MaxLatitude), Math.Min(extent.MaxY, WebMercator.MaxLatitude));
    }

    /// <summary>The format the Accept header ranks highest among PNG, SVG and PDF; PNG when it names none of them.</summary>
    private static string Negotiate(HttpRequest request)
    {
        var ranked = request.GetTypedHeaders().Accept
            .Select((a, i) => (Type: a.MediaType.Value ?? "", Quality: a.Quality ?? 1.0, Order: i))
            .Where(a => a.Quality > 0)
            .OrderByDescending(a => a.Quality).ThenBy(a => a.Order);
        foreach (var (type, _, _) in ranked)
        {
            switch (type)
            {
                case "image/png" or "image/*" or "*/*":
                    return "png";
                case "image/svg+xml":
                    return "svg";
                case "application/pdf":
                    return "pdf";
            }
        }

        return "png";
    }
}

/// <summary>The query parameters of the OGC API maps; sizes are bounded by <see cref="MapsOptions.MaxPixels"/>.</summary>
internal sealed class MapsParameters
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, MapsParameters> _byMaxPixels = new();

    private MapsParameters(int maxPixels)
    {
        MaxPixels = maxPixels;
        Width = Size(SizeParameter.WidthName, "The map's width in pixels (default: from height and the box's aspect, or the service's default width).", maxPixels);
        Height = Size(SizeParameter.HeightName, "The map's height in pixels (default: from width and the box's aspect).", maxPixels);
        Map = new([Bbox, BboxCrs, Crs, Width, Height, Format, LangParameter.Definition]);
        CollectionMap = new([.. Map.Parameters, .. FilterParameters.Features.All]);
    }

    public int MaxPixels { get; }

    public QueryParameter<string> Bbox { get; } = new(BboxParameter.Name,
        "four comma-separated numbers minX,minY,maxX,maxY in bbox-crs with min < max (CRS84: longitudes −180…180, latitudes within ±85.05)",
        "The box to draw (default: the data's extent).", (string text, out string value) => (value = text) is not null)
    {
        CommaSeparated = true,
        Schema = ParameterSchema.NumberList(4, 4),
    };

    public QueryParameter<MapCrs> BboxCrs { get; } = new(CrsParameter.BboxCrsName, MapCrs.AcceptedForm, "The CRS of bbox.", MapCrs.TryParse)
    {
        Default = MapCrs.Crs84,
        Schema = ParameterSchema.OneOf([.. MapCrs.All.Select(c => c.Uri)], MapCrs.Crs84.Uri),
    };

    public QueryParameter<MapCrs> Crs { get; } = new(CrsParameter.Name, MapCrs.AcceptedForm, "The CRS the map is drawn in: CRS84 (equirectangular) or EPSG:3857 (Web Mercator).", MapCrs.TryParse)
    {
        Default = MapCrs.Crs84,
        Schema = ParameterSchema.OneOf([.. MapCrs.All.Select(c => c.Uri)], MapCrs.Crs84.Uri),
    };

    public QueryParameter<long> Width { get; }

    public QueryParameter<long> Height { get; }

    /// <summary>Without it, the Accept header chooses (image/png, image/svg+xml, application/pdf), PNG by default.</summary>
    public QueryParameter<string> Format { get; } = FormatParameter.Of("png", "svg", "pdf");

    public OperationParameters Map { get; }

    /// <summary>A collection's map also takes its items' CQL2 filter.</summary>
    public OperationParameters CollectionMap { get; }

    /// <summary>One set per limit, the same objects for the route's declaration and its handler (they are compared by reference).</summary>
    public static MapsParameters For(MapsOptions options) => _byMaxPixels.GetOrAdd(options.MaxPixels, maxPixels => new MapsParameters(maxPixels));

    public static string BboxForm(MapCrs crs) => ReferenceEquals(crs, MapCrs.Crs84)
        ? "four comma-separated numbers minLon,minLat,maxLon,maxLat in CRS84 degrees with min < max, longitudes −180…180, latitudes within ±85.05 (e.g. 121.3,31.0,121.8,31.4)"
        : "four comma-separated numbers minX,minY,maxX,maxY in EPSG:3857 metres with min < max, within ±20037508.34 (e.g. 13500000,3630000,13560000,3690000)";

    public static bool TryParseBbox(string text, MapCrs crs, out Envelope box)
    {
        box = new Envelope();
        var parts = text.Split(',');
        var values = new double[parts.Length];
        if (parts.Length != 4 || !parts.Select((p, i) => NumberParameter.TryParseFinite(p, out values[i])).All(ok => ok)
            || values[0] >= values[2] || values[1] >= values[3])
        {
            return false;
        }

        var (xLimit, yLimit) = ReferenceEquals(crs, MapCrs.Crs84) ? (180.0, WebMercator.MaxLatitude) : (WebMercator.HalfWorldMeters, WebMercator.HalfWorldMeters);
        if (values.Where((_, i) => i % 2 == 0).Any(x => Math.Abs(x) > xLimit) || values.Where((_, i) => i % 2 == 1).Any(y => Math.Abs(y) > yLimit + 1e-9))
        {
            return false;
        }

        box = new Envelope(values[0], values[2], values[1], values[3]);
        return true;
    }

    private static QueryParameter<long> Size(string name, string description, int maxPixels) =>
        new(name, string.Create(CultureInfo.InvariantCulture, $"a whole number of pixels from 1 to {maxPixels}"), description,
            (string text, out long pixels) => NumberParameter.TryParseInteger(text, 1, maxPixels, out pixels))
        {
            Schema = ParameterSchema.Integer(1, maxPixels),
        };
}
