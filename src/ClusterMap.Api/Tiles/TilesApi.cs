using System.Text.Json.Serialization;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Maps;
using ClusterMap.Api.Ogc;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Tiles;
using ClusterMap.Rendering.VectorTiles;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ClusterMap.Api.Tiles;

/// <summary>
/// XYZ tiles in Web Mercator: raster PNG per style (256 px, @2x for HiDPI) and Mapbox Vector Tiles per collection,
/// each with a TileJSON 3.0 description. Tiles carry a strong ETag and Cache-Control, answer If-None-Match with 304,
/// and are kept in a byte-bounded cache keyed by the data version.
/// </summary>
internal static class TilesApi
{
    public sealed record VectorLayer(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("description")] string Description,
        [property: JsonPropertyName("fields")] IReadOnlyDictionary<string, string> Fields,
        [property: JsonPropertyName("minzoom")] int MinZoom,
        [property: JsonPropertyName("maxzoom")] int MaxZoom);

    public sealed record TileJson(
        [property: JsonPropertyName("tilejson")] string Version,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("description")] string Description,
        [property: JsonPropertyName("tiles")] IReadOnlyList<string> Tiles,
        [property: JsonPropertyName("scheme")] string Scheme,
        [property: JsonPropertyName("minzoom")] int MinZoom,
        [property: JsonPropertyName("maxzoom")] int MaxZoom,
        [property: JsonPropertyName("bounds")] double[] Bounds,
        [property: JsonPropertyName("center")] double[] Center,
        [property: JsonPropertyName("attribution")] string Attribution,
        [property: JsonPropertyName("version")] string DataVersion,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][property: JsonPropertyName("tileSize")] int? TileSize = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][property: JsonPropertyName("format")] string? Format = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][property: JsonPropertyName("vector_layers")] IReadOnlyList<VectorLayer>? VectorLayers = null);

    public static IEndpointRouteBuilder MapTilesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/tiles").WithTags("Tiles");
        group.MapGet("/{style}.json", GetTileJson).WithName("getTileJson")
            .WithSummary("TileJSON 3.0 of a raster style (e.g. 'default') or of a collection's vector tiles (e.g. 'parks')")
            .WithQueryParameters(OperationParameters.None);
        group.MapGet("/{style}/{z}/{x}/{y}.png", GetRasterTile).WithName("getRasterTile")
            .WithSummary("A 256-pixel PNG tile of a style; y may end in @2x for a 512-pixel HiDPI tile. ?lang=zh|en|both")
            .WithQueryParameters(new([LangParameter.Definition]));
        group.MapGet("/{collectionId}/{z}/{x}/{y}.mvt", GetVectorTile).WithName("getVectorTile")
            .WithSummary("A Mapbox Vector Tile of one collection")
            .WithQueryParameters(OperationParameters.None);
        return routes;
    }

    public static async Task<Results<Ok<TileJson>, ProblemHttpResult>> GetTileJson(
        string style, HttpRequest request, MapDataProvider provider, IFeatureStore store, BasemapSource basemap, CancellationToken cancellationToken)
    {
        if (QueryParameters.Of(request).CheckNames() is { } problem)
        {
            return problem;
        }

        var catalog = await provider.GetCatalogAsync(cancellationToken);
        var data = catalog.Skeleton;
        var root = OgcLinks.BaseUrl(request);
        if (MapStyles.Exists(style))
        {
            var layers = MapStyles.Layers(style, data);
            var drawn = data.InDrawingOrder(layers).ToList();
            var described = Describe(catalog, drawn, MapStyles.Title(style), "Raster tiles rendered by ClusterMap",
                $"{root}/tiles/{OgcLinks.Escape(style)}/{{z}}/{{x}}/{{y}}.png");
            return TypedResults.Ok(described with
            {
                TileSize = 256,
                Format = "png",
                // Drawn over the external basemap when it answers: its credit comes first.
                Attribution = basemap.Attribution is { } credit ? $"{credit} · {described.Attribution}" : described.Attribution,
            });
        }

        if (data.Layer(style) is { } layer)
        {
            var fields = await VectorLayerFields.OfAsync(store, catalog.Collection(layer.Id)!, cancellationToken);
            return TypedResults.Ok(Describe(catalog, [layer], layer.Title, $"Mapbox Vector Tiles of the collection '{layer.Id}'",
                $"{root}/tiles/{OgcLinks.Escape(layer.Id)}/{{z}}/{{x}}/{{y}}.mvt") with
            {
                Format = "pbf",
                VectorLayers = [new VectorLayer(layer.Id, layer.Title, fields, TileIndex.MinZoom, TileIndex.MaxZoom)],
            });
        }

        return ApiProblems.TileSetNotFound(style, MapStyles.Names, data.Layers.Select(l => l.Id));
    }

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> GetRasterTile(
        string style, string z, string x, string y, HttpContext context, MapDataProvider provider, TileCache cache, TileLabelCache labelLayouts, MapRenderer renderer,
        BasemapSource basemap, IOptions<MapsOptions> options, CancellationToken cancellationToken)
    {
        if (!MapStyles.Exists(style))
        {
            return ApiProblems.StyleNotFound(style, MapStyles.Names);
        }

        if (!TileAddressParameter.TryParse(z, x, y, out var tile, out var scale))
        {
            return ApiProblems.TileNotFound(z, x, y);
        }

        var query = QueryParameters.Of(context.Request);
        if (query.CheckNames() is { } problem || !query.TryRead(LangParameter.Definition, out var language, out problem))
        {
            return problem;
        }

        var (cached, under) = await TileDrawing.GetOrRenderRasterTileAsync(
            style, tile, scale, language, provider, cache, labelLayouts, renderer, basemap, cancellationToken, new DensitySettings(options.Value.DensityBandwidthMeters));
        var response = Respond(context, cached, "image/png", options.Value);
        if (style != MapStyles.Density)
        {
            // The density overlay is drawn over no basemap at all.
            under.WriteHeaders(context.Response);
        }

        return response;
    }

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> GetVectorTile(
        string collectionId, string z, string x, string y, HttpContext context, MapDataProvider provider, TileCache cache,
        IOptions<MapsOptions> options, CancellationToken cancellationToken)
    {
        var catalog = await provider.GetCatalogAsync(cancellationToken);
        if (catalog.Skeleton.Layer(collectionId) is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        if (y.EndsWith("@2x", StringComparison.Ordinal) || !TileAddressParameter.TryParse(z, x, y, out var tile, out _))
        {
            return ApiProblems.TileNotFound(z, x, y);
        }

        if (QueryParameters.Of(context.Request).CheckNames() is { } problem)
        {
            return problem;
        }

        var cached = await TileDrawing.GetOrRenderVectorTileAsync(collectionId, tile, provider, cache, cancellationToken);
        if (cached is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        return Respond(context, cached, MvtTileWriter.ContentType, options.Value);
    }

    /// <summary>The tile, or 304 when the client already holds these bytes (If-None-Match, weak comparison per RFC 9110).</summary>
    private static Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult> Respond(HttpContext context, CachedTile tile, string contentType, MapsOptions options)
    {
        var headers = context.Response.Headers;
        headers.ETag = tile.ETag;
        headers.CacheControl = options.TileCacheControl;
        headers.Vary = HeaderNames.AcceptEncoding;
        if (Matches(context.Request.Headers.IfNoneMatch, tile.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.File(tile.Bytes, contentType);
    }

    internal static bool Matches(IEnumerable<string?> ifNoneMatch, string etag)
    {
        foreach (var header in ifNoneMatch)
        {
            foreach (var candidate in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var tag = candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate;
                if (tag == "*" || tag == etag)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static TileJson Describe(MapCatalog catalog, IReadOnlyList<MapLayer> layers, string name, string description, string template)
    {
        var extent = new NetTopologySuite.Geometries.Envelope();
        foreach (var layer in layers.Where(l => l.Kind is not (MapLayerKind.Land or MapLayerKind.Water)))
        {
            if (catalog.Collection(layer.Id)?.Extent is { } collectionExtent)
            {
                extent.ExpandToInclude(collectionExtent);
            }
        }

        if (extent.IsNull)
        {
            extent = new NetTopologySuite.Geometries.Envelope(-180, 180, -85.0511, 85.0511);
        }

        var attribution = string.Join(" · ", layers.Where(l => !string.IsNullOrWhiteSpace(l.Attribution)).Select(l => l.Attribution).Distinct());
        return new TileJson(
            "3.0.0", name, description, [template], "xyz", TileIndex.MinZoom, TileIndex.MaxZoom,
            [extent.MinX, extent.MinY, extent.MaxX, extent.MaxY],
            [extent.Centre.X, extent.Centre.Y, 10],
            attribution,
            catalog.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
