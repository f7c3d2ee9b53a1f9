using System.Globalization;
using System.Text.Json.Serialization;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Maps;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Api.Tiles;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Tiles;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Ogc;

/// <summary>
/// OGC API – Tiles (OGC 20-057) over the tiles ClusterMap already draws: the WebMercatorQuad tile matrix set, the
/// dataset's map tiles (the default style's PNG tiles), each collection's vector tiles (its Mapbox Vector Tiles) and
/// each collection's map tiles (its map, <see cref="MapsApi"/>, cut to the tile), the latter also in WorldCRS84Quad.
/// Every tile URL of this API answers through the XYZ handlers or the map handler: there is no second drawing path.
/// </summary>
internal static class TilesOgcApi
{
    public const string TileMatrixSetId = "WebMercatorQuad";
    public const string TileMatrixSetUri = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
    public const string Crs3857Uri = "http://www.opengis.net/def/crs/EPSG/0/3857";
    public const string Crs84TileMatrixSetId = "WorldCRS84Quad";
    public const string Crs84TileMatrixSetUri = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WorldCRS84Quad";
    public const string TilesetsMapRel = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map";
    public const string TilesetsVectorRel = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector";
    public const string TilingSchemeRel = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";
    public const string TilingSchemesRel = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes";
    public const string MvtMediaType = "application/vnd.mapbox-vector-tile";

    public static readonly string[] ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/dataset-tilesets",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/png",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    ];

    /// <summary>Scale denominator of zoom 0 at the standard 0.28 mm pixel (OGC 17-083r4, Annex D).</summary>
    private const double ScaleDenominatorZoom0 = 559_082_264.028717;

    /// <summary>WorldCRS84Quad's level 0: two 256-cell tiles of 180°, 0.703125° a cell (OGC 17-083r4, Annex D).</summary>
    private const double Crs84ScaleDenominatorZoom0 = 279_541_132.014358;

    private const double Crs84CellSizeZoom0 = 0.703125;

    /// <summary>
    /// WorldCRS84Quad's deepest level as registered (OGC 17-083r4, Annex D): 5.4e-6° a cell, 0.5 m across at Shanghai's
    /// latitude, as fine as WebMercatorQuad's level 18 there.
    /// </summary>
    public const int MaxCrs84MapZoom = 17;

    /// <summary>Vector tiles are served from zoom 0 to this level: beyond it a tile holds one point or none.</summary>
    public const int MaxVectorZoom = 16;

    /// <summary>
    /// Map tilesets stop at this level (0.6 m a pixel): positions known to hundreds of metres gain nothing below it,
    /// and a client that assembles every level of a tileset (GDAL) then builds no raster wider than it can address.
    /// </summary>
    public const int MaxMapZoom = 18;

    public sealed record TileMatrix(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("scaleDenominator")] double ScaleDenominator,
        [property: JsonPropertyName("cellSize")] double CellSize,
        [property: JsonPropertyName("cornerOfOrigin")] string CornerOfOrigin,
        [property: JsonPropertyName("pointOfOrigin")] double[] PointOfOrigin,
        [property: JsonPropertyName("tileWidth")] int TileWidth,
        [property: JsonPropertyName("tileHeight")] int TileHeight,
        [property: JsonPropertyName("matrixWidth")] int MatrixWidth,
        [property: JsonPropertyName("matrixHeight")] int MatrixHeight,
        // The names of the TMS 1.0 encoding, which GDAL before 3.7 reads (it finds no tile matrix without them); it
        // recognises the document by these with the set's boundingBox.
        [property: JsonPropertyName("identifier")] string Identifier,
        [property: JsonPropertyName("topLeftCorner")] double[] TopLeftCorner);

    public sealed record TileMatrixSetDocument(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("uri")] string Uri,
        [property: JsonPropertyName("crs")] string Crs,
        [property: JsonPropertyName("orderedAxes")] string[] OrderedAxes,
        [property: JsonPropertyName("wellKnownScaleSet")] string WellKnownScaleSet,
        [property: JsonPropertyName("boundingBox")] BoundingBox BoundingBox,
        [property: JsonPropertyName("tileMatrices")] IReadOnlyList<TileMatrix> TileMatrices,
        [property: JsonPropertyName("supportedCRS")] string SupportedCrs,
        [property: JsonPropertyName("links")] IReadOnlyList<Link> Links);

    public sealed record TileMatrixSetRef(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("uri")] string Uri,
        [property: JsonPropertyName("links")] IReadOnlyList<Link> Links);

    public sealed record TileMatrixSets([property: JsonPropertyName("tileMatrixSets")] IReadOnlyList<TileMatrixSetRef> Sets);

    /// <summary>A link that may be a URI template (<c>templated: true</c>), as tileset metadata writes tile links.</summary>
    public sealed record TileLink(
        [property: JsonPropertyName("href")] string Href,
        [property: JsonPropertyName("rel")] string Rel,
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("title")] string Title,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][property: JsonPropertyName("templated")] bool? Templated = null);

    public sealed record TileMatrixLimits(
        [property: JsonPropertyName("tileMatrix")] string TileMatrix,
        [property: JsonPropertyName("minTileRow")] int MinTileRow,
        [property: JsonPropertyName("maxTileRow")] int MaxTileRow,
        [property: JsonPropertyName("minTileCol")] int MinTileCol,
        [property: JsonPropertyName("maxTileCol")] int MaxTileCol);

    public sealed record BoundingBox(
        [property: JsonPropertyName("lowerLeft")] double[] LowerLeft,
        [property: JsonPropertyName("upperRight")] double[] UpperRight,
        [property: JsonPropertyName("crs")] string Crs);

    public sealed record GeospatialDataResource(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("dataType")] string DataType,
        [property: JsonPropertyName("links")] IReadOnlyList<TileLink> Links);

    public sealed record Tileset(
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("dataType")] string DataType,
        [property: JsonPropertyName("crs")] string Crs,
        [property: JsonPropertyName("tileMatrixSetURI")] string TileMatrixSetUri,
        [property: JsonPropertyName("links")] IReadOnlyList<TileLink> Links,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][property: JsonPropertyName("tileMatrixSetLimits")] IReadOnlyList<TileMatrixLimits>? Limits = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][property: JsonPropertyName("boundingBox")] BoundingBox? BoundingBox = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][property: JsonPropertyName("layers")] IReadOnlyList<GeospatialDataResource>? Layers = null);

    public sealed record Tilesets(
        [property: JsonPropertyName("tilesets")] IReadOnlyList<Tileset> Sets,
        [property: JsonPropertyName("links")] IReadOnlyList<Link> Links);

    public static IEndpointRouteBuilder MapTilesOgcApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/tileMatrixSets", GetTileMatrixSets).WithTags("Tiles").WithName("getTileMatrixSetsList")
            .WithSummary("The tile matrix sets the tiles use (OGC API – Tiles): WebMercatorQuad")
            .WithQueryParameters(OperationParameters.JsonOnly).WithDataVersionETag();
        routes.MapGet("/tileMatrixSets/{tileMatrixSetId}", GetTileMatrixSet).WithTags("Tiles").WithName("getTileMatrixSet")
            .WithSummary("A tile matrix set as OGC 2D Tile Matrix Set 2.0 JSON")
            .WithQueryParameters(OperationParameters.JsonOnly).WithDataVersionETag();

        routes.MapGet("/tiles", GetDatasetTilesets).WithTags("Tiles").WithName("getDatasetMapTilesets")
            .WithSummary("The dataset's map tilesets (OGC API – Tiles): the default style's PNG tiles")
            .WithQueryParameters(OperationParameters.JsonOnly).WithDataVersionETag();
        routes.MapGet($"/tiles/{TileMatrixSetId}", GetDatasetTileset).WithTags("Tiles").WithName("getDatasetMapTileset")
            .WithSummary("Tileset metadata of the dataset's map tiles in WebMercatorQuad")
            .WithQueryParameters(OperationParameters.JsonOnly).WithDataVersionETag();
        routes.MapGet($"/tiles/{TileMatrixSetId}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}", GetDatasetTile).WithTags("Tiles").WithName("getDatasetMapTile")
            .WithSummary("A 256-pixel PNG map tile of the dataset (the default style's tile z/x/y = tileMatrix/tileCol/tileRow)")
            .WithQueryParameters(new([LangParameter.Definition]));

        routes.MapGet("/collections/{collectionId}/tiles", GetCollectionVectorTilesets).WithTags("Tiles").WithName("getCollectionVectorTilesets")
            .WithSummary("A collection's vector tilesets (Mapbox Vector Tiles)")
            .WithQueryParameters(OperationParameters.JsonOnly).WithDataVersionETag();
        routes.MapGet($"/collections/{{collectionId}}/tiles/{TileMatrixSetId}", GetCollectionVectorTileset).WithTags("Tiles").WithName("getCollectionVectorTileset")
            .WithSummary("Tileset metadata of a collection's vector tiles in WebMercatorQuad")
            .WithQueryParameters(OperationParameters.JsonOnly).WithDataVersionETag();
        routes.MapGet($"/collections/{{collectionId}}/tiles/{TileMatrixSetId}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}", GetCollectionVectorTile).WithTags("Tiles").WithName("getCollectionVectorTile")
            .WithSummary("A Mapbox Vector Tile of one collection")
            .WithQueryParameters(OperationParameters.None);

        routes.MapGet("/collections/{collectionId}/map/tiles", GetCollectionMapTilesets).WithTags("Tiles").WithName("getCollectionMapTilesets")
            .WithSummary("A collection's map tilesets (its map cut into PNG tiles)")
            .WithQueryParameters(OperationParameters.JsonOnly).WithDataVersionETag();
        routes.MapGet("/collections/{collectionId}/map/tiles/{tileMatrixSetId}", GetCollectionMapTileset).WithTags("Tiles").WithName("getCollectionMapTileset")
            .WithSummary("Tileset metadata of a collection's map tiles in WebMercatorQuad or WorldCRS84Quad")
            .WithQueryParameters(OperationParameters.JsonOnly).WithDataVersionETag();
        routes.MapGet("/collections/{collectionId}/map/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}", GetCollectionMapTile).WithTags("Tiles").WithName("getCollectionMapTile")
            .WithSummary("A 256-pixel PNG map tile of one collection: its map (GET /collections/{collectionId}/map) of the tile's box, in the tile matrix set's CRS")
            .WithQueryParameters(new([LangParameter.Definition]));
        return routes;
    }

    /// <summary>The links a collection's description carries to its map, map tiles and vector tiles.</summary>
    public static IEnumerable<Link> CollectionLinks(string collectionUrl) =>
    [
        new($"{collectionUrl}/map", MapsApi.MapRel, "image/png", "Its map (OGC API – Maps)"),
        new($"{collectionUrl}/map/tiles", TilesetsMapRel, OgcLinks.Json, "Its map tiles (OGC API – Tiles)"),
        // Without a media type: GDAL 3.6's OGCAPI driver follows only a link typed application/json here, and its vector
        // tile reader is not built in Debian's library, so a vector tileset it found would fail the collection's map
        // tiles it reads first; GDAL from 3.7 on follows an untyped link (docs/api.md).
        new($"{collectionUrl}/tiles", TilesetsVectorRel, Title: "Its vector tiles (OGC API – Tiles)"),
    ];

    /// <summary>The links the landing page carries to the dataset's map, its map tiles and the tiling schemes.</summary>
    public static IEnumerable<Link> LandingLinks(string root) =>
    [
        new($"{root}/map", MapsApi.MapRel, "image/png", "The dataset's map (OGC API – Maps)"),
        new($"{root}/tiles", TilesetsMapRel, OgcLinks.Json, "The dataset's map tiles (OGC API – Tiles)"),
        new($"{root}/tileMatrixSets", TilingSchemesRel, OgcLinks.Json, "The tile matrix sets (tiling schemes)"),
    ];

    public static Results<Ok<TileMatrixSets>, ProblemHttpResult> GetTileMatrixSets(HttpRequest request)
    {
        if (QueryParameters.Of(request).CheckNames() is { } problem)
        {
            return problem;
        }

        var root = OgcLinks.BaseUrl(request);
        return TypedResults.Ok(new TileMatrixSets(
        [
            new(TileMatrixSetId, "Google Maps Compatible for the World", TileMatrixSetUri,
                [new($"{root}/tileMatrixSets/{TileMatrixSetId}", TilingSchemeRel, OgcLinks.Json, "The tile matrix set")]),
            new(Crs84TileMatrixSetId, Crs84Title, Crs84TileMatrixSetUri,
                [new($"{root}/tileMatrixSets/{Crs84TileMatrixSetId}", TilingSchemeRel, OgcLinks.Json, "The tile matrix set")]),
        ]));
    }

    public static Results<Ok<TileMatrixSetDocument>, ProblemHttpResult> GetTileMatrixSet(string tileMatrixSetId, HttpRequest request)
    {
        if (QueryParameters.Of(request).CheckNames() is { } problem)
        {
            return problem;
        }

        if (tileMatrixSetId == Crs84TileMatrixSetId)
        {
            return TypedResults.Ok(Crs84TileMatrixSet(OgcLinks.BaseUrl(request)));
        }

        if (tileMatrixSetId != TileMatrixSetId)
        {
            return TileMatrixSetNotFound(tileMatrixSetId);
        }

        var origin = new[] { -WebMercator.HalfWorldMeters, WebMercator.HalfWorldMeters };
        var matrices = Enumerable.Range(TileIndex.MinZoom, TileIndex.MaxZoom - TileIndex.MinZoom + 1)
            .Select(z =>
            {
                var id = z.ToString(CultureInfo.InvariantCulture);
                var side = TileIndex.TilesPerSide(z);
                return new TileMatrix(id, ScaleDenominatorZoom0 / side, WebMercator.MetersPerPixel(z), "topLeft", origin, 256, 256, side, side, id, origin);
            })
            .ToList();
        var root = OgcLinks.BaseUrl(request);
        return TypedResults.Ok(new TileMatrixSetDocument(
            TileMatrixSetId, "Google Maps Compatible for the World", TileMatrixSetUri, Crs3857Uri, ["X", "Y"],
            "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
            new BoundingBox([-WebMercator.HalfWorldMeters, -WebMercator.HalfWorldMeters], [WebMercator.HalfWorldMeters, WebMercator.HalfWorldMeters], Crs3857Uri),
            matrices, Crs3857Uri,
            [new($"{root}/tileMatrixSets/{TileMatrixSetId}", "self", OgcLinks.Json, "This tile matrix set")]));
    }

    private const string Crs84Title = "CRS84 for the World";

    /// <summary>
    /// WorldCRS84Quad as OGC 17-083r4 registers it: CRS84 (longitude, latitude), origin at 180°W 90°N, 2 × 1 tiles of
    /// 180° at level 0, each level halving the cell.
    /// </summary>
    private static TileMatrixSetDocument Crs84TileMatrixSet(string root)
    {
        var origin = new[] { -180.0, 90.0 };
        var matrices = Enumerable.Range(0, MaxCrs84MapZoom + 1)
            .Select(z =>
            {
                var id = z.ToString(CultureInfo.InvariantCulture);
                return new TileMatrix(id, Crs84ScaleDenominatorZoom0 / (1 << z), Crs84CellSizeZoom0 / (1 << z), "topLeft", origin, 256, 256, 2 << z, 1 << z, id, origin);
            })
            .ToList();
        return new TileMatrixSetDocument(
            Crs84TileMatrixSetId, Crs84Title, Crs84TileMatrixSetUri, MapCrs.Crs84.Uri, ["Lon", "Lat"],
            "http://www.opengis.net/def/wkss/OGC/1.0/GoogleCRS84Quad",
            new BoundingBox([-180, -90], [180, 90], MapCrs.Crs84.Uri),
            matrices, MapCrs.Crs84.Uri,
            [new($"{root}/tileMatrixSets/{Crs84TileMatrixSetId}", "self", OgcLinks.Json, "This tile matrix set")]);
    }

    public static async Task<Results<Ok<Tilesets>, ProblemHttpResult>> GetDatasetTilesets(HttpRequest request, MapDataProvider provider, CancellationToken cancellationToken)
    {
        if (QueryParameters.Of(request).CheckNames() is { } problem)
        {
            return problem;
        }

        var catalog = await provider.GetCatalogAsync(cancellationToken);
        var root = OgcLinks.BaseUrl(request);
        return TypedResults.Ok(new Tilesets(
            [Summary(DatasetMapTileset(root, catalog))],
            [new($"{root}/tiles", "self", OgcLinks.Json, "The dataset's map tilesets")]));
    }

    public static async Task<Results<Ok<Tileset>, ProblemHttpResult>> GetDatasetTileset(HttpRequest request, MapDataProvider provider, CancellationToken cancellationToken)
    {
        if (QueryParameters.Of(request).CheckNames() is { } problem)
        {
            return problem;
        }

        return TypedResults.Ok(DatasetMapTileset(OgcLinks.BaseUrl(request), await provider.GetCatalogAsync(cancellationToken)));
    }

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> GetDatasetTile(
        string tileMatrix, string tileRow, string tileCol, HttpContext context, MapDataProvider provider, TileCache cache, TileLabelCache labelLayouts, MapRenderer renderer,
        BasemapSource basemap, IOptions<MapsOptions> options, CancellationToken cancellationToken)
    {
        var catalog = await provider.GetCatalogAsync(cancellationToken);
        return InLimits(MapsApi.DatasetExtent(catalog), MaxMapZoom, tileMatrix, tileRow, tileCol, out _)
            ? await TilesApi.GetRasterTile(MapStyles.Default, tileMatrix, tileCol, tileRow, context, provider, cache, labelLayouts, renderer, basemap, options, cancellationToken)
            : OutOfLimits(tileMatrix, tileRow, tileCol);
    }

    public static async Task<Results<Ok<Tilesets>, ProblemHttpResult>> GetCollectionVectorTilesets(
        string collectionId, HttpRequest request, MapDataProvider provider, CancellationToken cancellationToken)
    {
        var (catalog, problem) = await CollectionAsync(collectionId, request, provider, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var root = OgcLinks.BaseUrl(request);
        var url = $"{root}/collections/{OgcLinks.Escape(collectionId)}/tiles";
        return TypedResults.Ok(new Tilesets([Summary(VectorTileset(root, catalog!, collectionId))], [new(url, "self", OgcLinks.Json, "The collection's vector tilesets")]));
    }

    public static async Task<Results<Ok<Tileset>, ProblemHttpResult>> GetCollectionVectorTileset(
        string collectionId, HttpRequest request, MapDataProvider provider, CancellationToken cancellationToken)
    {
        var (catalog, problem) = await CollectionAsync(collectionId, request, provider, cancellationToken);
        return problem is not null ? problem : TypedResults.Ok(VectorTileset(OgcLinks.BaseUrl(request), catalog!, collectionId));
    }

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> GetCollectionVectorTile(
        string collectionId, string tileMatrix, string tileRow, string tileCol, HttpContext context, MapDataProvider provider, TileCache cache,
        IOptions<MapsOptions> options, CancellationToken cancellationToken)
    {
        var catalog = await provider.GetCatalogAsync(cancellationToken);
        if (catalog.Skeleton.Layer(collectionId) is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        return InLimits(MapsApi.CollectionExtent(catalog, collectionId), MaxVectorZoom, tileMatrix, tileRow, tileCol, out _)
            ? await TilesApi.GetVectorTile(collectionId, tileMatrix, tileCol, tileRow, context, provider, cache, options, cancellationToken)
            : OutOfLimits(tileMatrix, tileRow, tileCol);
    }

    public static async Task<Results<Ok<Tilesets>, ProblemHttpResult>> GetCollectionMapTilesets(
        string collectionId, HttpRequest request, MapDataProvider provider, CancellationToken cancellationToken)
    {
        var (catalog, problem) = await CollectionAsync(collectionId, request, provider, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var root = OgcLinks.BaseUrl(request);
        var url = $"{root}/collections/{OgcLinks.Escape(collectionId)}/map/tiles";
        return TypedResults.Ok(new Tilesets(
            [Summary(CollectionMapTileset(root, catalog!, collectionId)), Summary(CollectionMapTilesetCrs84(root, catalog!, collectionId))],
            [new(url, "self", OgcLinks.Json, "The collection's map tilesets")]));
    }

    public static async Task<Results<Ok<Tileset>, ProblemHttpResult>> GetCollectionMapTileset(
        string collectionId, string tileMatrixSetId, HttpRequest request, MapDataProvider provider, CancellationToken cancellationToken)
    {
        var (catalog, problem) = await CollectionAsync(collectionId, request, provider, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var root = OgcLinks.BaseUrl(request);
        return tileMatrixSetId switch
        {
            TileMatrixSetId => TypedResults.Ok(CollectionMapTileset(root, catalog!, collectionId)),
            Crs84TileMatrixSetId => TypedResults.Ok(CollectionMapTilesetCrs84(root, catalog!, collectionId)),
            _ => TileMatrixSetNotFound(tileMatrixSetId),
        };
    }

    /// <summary>
    /// The collection's map of the tile's box, 256 pixels square, in the tile matrix set's CRS (EPSG:3857 or CRS84): the
    /// map handler's own drawing.
    /// </summary>
    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult>> GetCollectionMapTile(
        string collectionId, string tileMatrixSetId, string tileMatrix, string tileRow, string tileCol, HttpContext context, MapDataProvider provider, MapRenderer renderer,
        IOptions<MapsOptions> options, CancellationToken cancellationToken)
    {
        var catalog = await provider.GetCatalogAsync(cancellationToken);
        if (catalog.Skeleton.Layer(collectionId) is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        var extent = MapsApi.CollectionExtent(catalog, collectionId);
        MapCrs crs;
        Envelope box;
        if (tileMatrixSetId == TileMatrixSetId)
        {
            if (!InLimits(extent, MaxMapZoom, tileMatrix, tileRow, tileCol, out var tile))
            {
                return OutOfLimits(tileMatrix, tileRow, tileCol);
            }

            (crs, box) = (MapCrs.WebMercator, tile.BoundsMeters);
        }
        else if (tileMatrixSetId == Crs84TileMatrixSetId)
        {
            if (!TryCrs84Tile(extent, tileMatrix, tileRow, tileCol, out box))
            {
                return OutOfLimits(tileMatrix, tileRow, tileCol);
            }

            crs = MapCrs.Crs84;
        }
        else
        {
            return TileMatrixSetNotFound(tileMatrixSetId);
        }

        var query = QueryParameters.Of(context.Request);
        if (query.CheckNames() is { } problem || !query.TryRead(LangParameter.Definition, out var language, out problem))
        {
            return problem;
        }

        if (FigureCaching.IsNotModified(context, catalog.Version, options.Value))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var view = MapView.Of(crs, box, 256, 256);
        var png = await MapsApi.DrawAsync(catalog, view, MapsApi.LayersOf(catalog, collectionId), language, MapFormat.Png, provider, renderer, cancellationToken);
        return TypedResults.File(png, "image/png");
    }

    private static ProblemHttpResult TileMatrixSetNotFound(string id) =>
        TypedResults.Problem(
            title: "Tile matrix set not found",
            detail: $"Path parameter 'tileMatrixSetId': there is no tile matrix set '{ApiProblems.Excerpt(id)}' here; expected {TileMatrixSetId} or {Crs84TileMatrixSetId} (only {TileMatrixSetId} for a collection's vector tiles and the dataset's tiles).",
            statusCode: StatusCodes.Status404NotFound,
            extensions: new Dictionary<string, object?> { ["parameter"] = "tileMatrixSetId" });

    /// <summary>
    /// Whether the path names a tile of the tileset: whole numbers (the templates carry no <c>@2x</c> or suffix) of a
    /// tile matrix up to <paramref name="maxZoom"/>, inside the limits the tileset metadata publishes.
    /// </summary>
    private static bool InLimits(Envelope extentLonLat, int maxZoom, string tileMatrix, string tileRow, string tileCol, out TileIndex tile)
    {
        tile = default;
        if (!new[] { tileMatrix, tileRow, tileCol }.All(s => s.Length > 0 && s.All(char.IsAsciiDigit))
            || !TileAddressParameter.TryParse(tileMatrix, tileCol, tileRow, out tile, out _) || tile.Z > maxZoom)
        {
            return false;
        }

        if (tile.Z < MinZoom(extentLonLat))
        {
            return false;
        }

        var limits = Limits(extentLonLat, tile.Z);
        return tile.Y >= limits.MinTileRow && tile.Y <= limits.MaxTileRow && tile.X >= limits.MinTileCol && tile.X <= limits.MaxTileCol;
    }

    /// <summary>
    /// The first tile matrix on which the extent spans at least two pixels each way: below it the data is a dot, and a
    /// client such as GDAL, which crops each zoom level to the extent, finds nothing to crop.
    /// </summary>
    private static int MinZoom(Envelope extentLonLat)
    {
        var meters = WebMercator.FromLonLat(extentLonLat);
        var z = TileIndex.MinZoom;
        while (z < TileIndex.MaxZoom && Math.Min(meters.Width, meters.Height) / WebMercator.MetersPerPixel(z) < 2)
        {
            z++;
        }

        return z;
    }

    /// <summary>The tiles of one tile matrix that the extent touches.</summary>
    private static TileMatrixLimits Limits(Envelope extentLonLat, int z)
    {
        var northWest = TileIndex.Containing(new Coordinate(extentLonLat.MinX, extentLonLat.MaxY), z);
        var southEast = TileIndex.Containing(new Coordinate(extentLonLat.MaxX, extentLonLat.MinY), z);
        return new(z.ToString(CultureInfo.InvariantCulture), northWest.Y, southEast.Y, northWest.X, southEast.X);
    }

    /// <summary>
    /// The first WorldCRS84Quad level on which the extent spans at least two cells each way. GDAL 3.6 crops every level
    /// of the tileset to the collection's box and fails the whole raster if one crop is empty.
    /// </summary>
    private static int Crs84MinZoom(Envelope extentLonLat)
    {
        var z = 0;
        while (z < MaxCrs84MapZoom && Math.Min(extentLonLat.Width, extentLonLat.Height) / (Crs84CellSizeZoom0 / (1 << z)) < 2)
        {
            z++;
        }

        return z;
    }

    /// <summary>
    /// The WorldCRS84Quad limits: whole tile matrices, from <see cref="Crs84MinZoom"/> to the deepest level. GDAL 3.6's
    /// OGCAPI driver reads a level narrowed by limits wrongly (it asks for tile column 0 at the limits' first column and
    /// sizes the rows by the whole matrix height), so this tileset narrows the levels only; GDAL asks for the tiles the
    /// collection's box touches all the same.
    /// </summary>
    private static List<TileMatrixLimits> Crs84Limits(Envelope extentLonLat) =>
        [.. Enumerable.Range(Crs84MinZoom(extentLonLat), MaxCrs84MapZoom - Crs84MinZoom(extentLonLat) + 1)
            .Select(z => new TileMatrixLimits(z.ToString(CultureInfo.InvariantCulture), 0, (1 << z) - 1, 0, (2 << z) - 1))];

    /// <summary>The CRS84 box of a WorldCRS84Quad tile within the tileset's limits (whole numbers, as the template writes them).</summary>
    private static bool TryCrs84Tile(Envelope extentLonLat, string tileMatrix, string tileRow, string tileCol, out Envelope box)
    {
        box = new Envelope();
        if (!TryIndex(tileMatrix, out var z) || !TryIndex(tileRow, out var row) || !TryIndex(tileCol, out var col)
            || z < Crs84MinZoom(extentLonLat) || z > MaxCrs84MapZoom || row >= 1 << z || col >= 2 << z)
        {
            return false;
        }

        // 180° / 2^z is exact in binary, so neighbouring tiles share their edges exactly.
        var side = 180.0 / (1 << z);
        box = new Envelope(-180 + (col * side), -180 + ((col + 1) * side), 90 - ((row + 1) * side), 90 - (row * side));
        return true;
    }

    private static bool TryIndex(string text, out int value)
    {
        value = 0;
        return text.Length is > 0 and <= 9 && text.All(char.IsAsciiDigit) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static ProblemHttpResult OutOfLimits(string tileMatrix, string tileRow, string tileCol) =>
        TypedResults.Problem(
            title: "Tile not found",
            detail: $"'{ApiProblems.Excerpt(tileMatrix)}/{ApiProblems.Excerpt(tileRow)}/{ApiProblems.Excerpt(tileCol)}' is not a tile of this tileset: expected tileMatrix/tileRow/tileCol, whole numbers within the tileMatrixSetLimits of its tileset metadata.",
            statusCode: StatusCodes.Status404NotFound,
            extensions: new Dictionary<string, object?> { ["parameter"] = "tileMatrix/tileRow/tileCol" });

    private static async Task<(MapCatalog? Catalog, ProblemHttpResult? Problem)> CollectionAsync(
        string collectionId, HttpRequest request, MapDataProvider provider, CancellationToken cancellationToken)
    {
        if (QueryParameters.Of(request).CheckNames() is { } problem)
        {
            return (null, problem);
        }

        var catalog = await provider.GetCatalogAsync(cancellationToken);
        return catalog.Skeleton.Layer(collectionId) is null ? (null, ApiProblems.CollectionNotFound(collectionId)) : (catalog, null);
    }

    private static Tileset DatasetMapTileset(string root, MapCatalog catalog)
    {
        var url = $"{root}/tiles/{TileMatrixSetId}";
        return Describe(root, url, "ClusterMap: every layer (the default style)", "map", "image/png", MapsApi.DatasetExtent(catalog), MaxMapZoom,
            $"{url}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}", null);
    }

    private static Tileset CollectionMapTileset(string root, MapCatalog catalog, string collectionId)
    {
        var collectionUrl = $"{root}/collections/{OgcLinks.Escape(collectionId)}";
        var url = $"{collectionUrl}/map/tiles/{TileMatrixSetId}";
        return Describe(root, url, $"{catalog.Skeleton.Layer(collectionId)!.Title}: map tiles", "map", "image/png", MapsApi.CollectionExtent(catalog, collectionId), MaxMapZoom,
            $"{url}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}", new GeospatialDataResource(collectionId, "map", [new(collectionUrl, "collection", OgcLinks.Json, "The collection")]));
    }

    /// <summary>
    /// The collection's map tiles in WorldCRS84Quad: the tileset clients that read a collection's CRS84 extent as
    /// coordinates of the tile matrix set (GDAL 3.6) choose, and one in which CRS84 maps cut into tiles.
    /// </summary>
    private static Tileset CollectionMapTilesetCrs84(string root, MapCatalog catalog, string collectionId)
    {
        var collectionUrl = $"{root}/collections/{OgcLinks.Escape(collectionId)}";
        var url = $"{collectionUrl}/map/tiles/{Crs84TileMatrixSetId}";
        var extent = MapsApi.CollectionExtent(catalog, collectionId);
        return new Tileset($"{catalog.Skeleton.Layer(collectionId)!.Title}: map tiles in CRS84", "map", MapCrs.Crs84.Uri, Crs84TileMatrixSetUri,
            TilesetLinks(root, url, Crs84TileMatrixSetId, "image/png"),
            Crs84Limits(extent),
            new BoundingBox([extent.MinX, extent.MinY], [extent.MaxX, extent.MaxY], MapCrs.Crs84.Uri),
            [new GeospatialDataResource(collectionId, "map", [new(collectionUrl, "collection", OgcLinks.Json, "The collection")])]);
    }

    private static Tileset VectorTileset(string root, MapCatalog catalog, string collectionId)
    {
        var collectionUrl = $"{root}/collections/{OgcLinks.Escape(collectionId)}";
        var url = $"{collectionUrl}/tiles/{TileMatrixSetId}";
        return Describe(root, url, $"{catalog.Skeleton.Layer(collectionId)!.Title}: vector tiles", "vector", MvtMediaType, MapsApi.CollectionExtent(catalog, collectionId), MaxVectorZoom,
            $"{url}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}", new GeospatialDataResource(collectionId, "vector", [new(collectionUrl, "collection", OgcLinks.Json, "The collection")]));
    }

    /// <summary>
    /// Tileset metadata (OGC 2D TMS 2.0): the templated tile link (rel <c>item</c>), the tiling scheme, and the tile
    /// matrix limits of the data's extent, so a client asks only for tiles that can hold something.
    /// </summary>
    private static Tileset Describe(string root, string url, string title, string dataType, string mediaType, Envelope extentLonLat, int maxZoom, string template, GeospatialDataResource? layer)
    {
        var limits = Enumerable.Range(MinZoom(extentLonLat), maxZoom - MinZoom(extentLonLat) + 1).Select(z => Limits(extentLonLat, z)).ToList();

        var meters = WebMercator.FromLonLat(extentLonLat);
        return new Tileset(title, dataType, Crs3857Uri, TileMatrixSetUri,
            TilesetLinks(root, url, TileMatrixSetId, mediaType, template),
            limits,
            new BoundingBox([meters.MinX, meters.MinY], [meters.MaxX, meters.MaxY], Crs3857Uri),
            layer is null ? null : [layer]);
    }

    /// <summary>A tileset's links: itself, its tile matrix set and its templated tile link (rel <c>item</c>).</summary>
    private static List<TileLink> TilesetLinks(string root, string url, string tileMatrixSetId, string mediaType, string? template = null) =>
    [
        new(url, "self", OgcLinks.Json, "This tileset"),
        new($"{root}/tileMatrixSets/{tileMatrixSetId}", TilingSchemeRel, OgcLinks.Json, "The tile matrix set"),
        new(template ?? $"{url}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}", "item", mediaType, "A tile", Templated: true),
    ];

    /// <summary>A tileset as a tileset list names it: the members OGC 20-057 requires, without limits.</summary>
    private static Tileset Summary(Tileset tileset) => tileset with
    {
        Links = [.. tileset.Links.Where(l => l.Rel != "item")],
        Limits = null,
        Layers = null,
    };
}
