using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Generalization;
using ClusterMap.Rendering.Labels;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.VectorTiles;

namespace ClusterMap.Rendering.Tiles;

/// <summary>
/// The one way a tile is made, for the service's tile routes, its start-up warm-up and the CLI's <c>tiles seed</c>:
/// from the cache (memory, then the tile store), else drawn from what the tile covers at the current data version.
/// </summary>
public static class TileDrawing
{
    private static readonly Lazy<CachedTile>[] _emptyTiles =
        [new(() => CachedTile.Of(DensityRaster.RenderPng([], TileIndex.Create(0, 0, 0), 1, 1))), new(() => CachedTile.Of(DensityRaster.RenderPng([], TileIndex.Create(0, 0, 0), 2, 1)))];

    /// <summary>The cache key's style of a raster style in a language, as the service and the CLI both key it.</summary>
    public static string RasterStyleKey(string style, MapLanguage language) => $"{style}:{MapLanguageNames.Of(language)}";

    /// <summary>
    /// A style's raster tile at the current data version, from the cache or drawn from what the tile covers (its
    /// labels placed once per meta-tile), over the external basemap when one is set and answers, with what it was
    /// drawn over.
    /// </summary>
    public static async Task<(CachedTile Tile, BasemapOutcome Basemap)> GetOrRenderRasterTileAsync(
        string style, TileIndex tile, int scale, MapLanguage language, MapDataProvider provider, TileCache cache, TileLabelCache labelLayouts, MapRenderer renderer,
        IBasemapSource basemap, CancellationToken cancellationToken, DensitySettings? density = null)
    {
        if (style == MapStyles.Density)
        {
            return (await GetOrRenderDensityTileAsync(tile, scale, provider, cache, density ?? DensitySettings.Default, cancellationToken), BasemapOutcome.Own);
        }

        var catalog = await provider.GetCatalogAsync(cancellationToken);
        var key = new TileKey(RasterStyleKey(style, language), tile.Z, tile.X, tile.Y, scale, "png", catalog.Version);
        if (await cache.GetAsync(key, cancellationToken) is { } cached)
        {
            // Only figures drawn over what was asked for are kept: a cached tile is over the source when one is set.
            return (cached, basemap.IsConfigured ? BasemapOutcome.External : BasemapOutcome.Own);
        }

        var layers = MapStyles.Layers(style, catalog.Skeleton);
        var request = MapRequest.ForTile(tile, scale, layers, language);
        var under = await basemap.FetchAsync(request, cancellationToken);
        var mpp = WebMercator.MetersPerPixel(tile.Z);
        var margin = under.ReadMarginPixels(MapGeneralization.ReadMarginPixels, mpp);
        // Labels are placed where the drawing is: moved into the basemap's datum, or not.
        var labelKey = key with { Style = $"{key.Style}:{under.Tag}", X = tile.X / TileLabelLayout.MetaTileSize, Y = tile.Y / TileLabelLayout.MetaTileSize, Scale = 1 };
        var labels = await labelLayouts.GetAsync(catalog, labelKey, async () =>
        {
            var (_, _, metaBounds) = TileLabelLayout.MetaTile(tile);
            // Not the request's token: other tiles of the meta-tile wait for this placement. Labels go with symbols
            // only, so the areas of sixteen tiles are not read for them.
            var metaData = await provider.GetNearAsync(catalog, metaBounds, mpp, margin, layers, NearRead.For(request) with { SymbolsOnly = true }, CancellationToken.None);
            return renderer.PlaceTileLabels(under.Apply(metaData), tile, layers, language);
        });
        var data = await provider.GetNearAsync(catalog, tile.BoundsMeters, mpp, margin, layers, NearRead.For(request), cancellationToken);
        var png = renderer.RenderPng(under.Apply(data), under.Apply(request) with { TileLabels = labels });
        var drawn = CachedTile.Of(png);
        if (!under.IsFallback)
        {
            cache.AddDrawn(key, drawn);
        }

        return (drawn, under);
    }

    /// <summary>
    /// The density overlay's tile (<see cref="DensityRaster"/>) at the current data version: from the cache, or computed
    /// from the institutions whose kernel reaches the tile. Never over a basemap and without labels, so one tile serves
    /// every language; the bandwidth is part of the key.
    /// </summary>
    public static async Task<CachedTile> GetOrRenderDensityTileAsync(
        TileIndex tile, int scale, MapDataProvider provider, TileCache cache, DensitySettings density, CancellationToken cancellationToken)
    {
        var catalog = await provider.GetCatalogAsync(cancellationToken);
        var style = FormattableString.Invariant($"{MapStyles.Density}:{density.BandwidthMeters:R}m");
        var key = new TileKey(style, tile.Z, tile.X, tile.Y, scale, "png", catalog.Version);
        if (await cache.GetAsync(key, cancellationToken) is { } cached)
        {
            return cached;
        }

        var layers = MapStyles.Layers(MapStyles.Density, catalog.Skeleton)!;
        var mpp = WebMercator.MetersPerPixel(tile.Z);
        // The reader widens by each layer's largest uncertainty itself; the bandwidth and pixel widening are ours.
        var data = await provider.GetNearAsync(catalog, tile.BoundsMeters, mpp, DensityRaster.ReachMercatorMeters(tile, density.BandwidthMeters) / mpp, layers, NearRead.EveryFeature, cancellationToken);
        var points = data.Layers.Where(l => layers.Contains(l.Id))
            .SelectMany(l => l.Features)
            .Select(f => new DensityPoint(DensityRaster.PointOf(f.LonLat), f.UncertaintyMeters))
            .ToList();
        var drawn = points.Count == 0 ? EmptyTile(scale) : CachedTile.Of(DensityRaster.RenderPng(points, tile, scale, density.BandwidthMeters));
        cache.AddDrawn(key, drawn);
        return drawn;
    }

    /// <summary>A fully transparent tile, encoded once per scale: an empty area costs its read and nothing more.</summary>
    private static CachedTile EmptyTile(int scale) => _emptyTiles[scale - 1].Value;

    /// <summary>
    /// A collection's Mapbox Vector Tile at the current data version, from the cache or written from the features
    /// near the tile (the layer named after the collection, every scalar property kept). Null when the collection
    /// does not exist.
    /// </summary>
    public static async Task<CachedTile?> GetOrRenderVectorTileAsync(
        string collectionId, TileIndex tile, MapDataProvider provider, TileCache cache, CancellationToken cancellationToken)
    {
        var catalog = await provider.GetCatalogAsync(cancellationToken);
        if (catalog.Skeleton.Layer(collectionId) is null)
        {
            return null;
        }

        var builder = provider.VectorTileBuilder;
        // Tiles built by the database differ in bytes from ours: another key.
        var key = new TileKey(builder is null ? collectionId : $"{collectionId}@database", tile.Z, tile.X, tile.Y, 1, "mvt", catalog.Version);
        if (await cache.GetAsync(key, cancellationToken) is { } cached)
        {
            return cached;
        }

        byte[] bytes;
        if (builder is not null)
        {
            var layer = catalog.Skeleton.Layer(collectionId)!;
            var clusters = MapGeneralization.IsClustered(layer.Kind) ? MvtTileWriter.ClusterQuery(tile) : null;
            bytes = await builder.BuildVectorTileAsync(collectionId, tile, (int)MvtTileWriter.Extent, MvtTileWriter.BufferUnits, clusters, cancellationToken);
        }
        else
        {
            // The writer clips to the tile widened by its buffer (64 of 4096 units, i.e. 4 pixels).
            var data = await provider.GetNearAsync(catalog, tile.BoundsMeters, WebMercator.MetersPerPixel(tile.Z), 4, new HashSet<string>(StringComparer.Ordinal) { collectionId }, NearRead.Clustered, cancellationToken);
            bytes = MvtTileWriter.Write(data.Layer(collectionId)!, tile);
        }

        var drawn = CachedTile.Of(bytes);
        cache.AddDrawn(key, drawn);
        return drawn;
    }
}
