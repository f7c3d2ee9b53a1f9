using ClusterMap.Api.Maps;
using ClusterMap.Api.Tiles;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering;
using ClusterMap.Rendering.Model;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Hosting;

/// <summary>Composition of the renderer: options, the one MapRenderer (it owns the fonts), the data snapshot and the tile cache.</summary>
internal static class MapsSetup
{
    public static IServiceCollection AddClusterMapRendering(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MapsOptions>().Bind(configuration.GetSection(MapsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Parameters.StaticMapParameters>();
        services.AddSingleton(_ => MapRenderer.Create());
        services.AddSingleton<MapDataProvider>();
        services.AddSingleton<TileCache>();
        services.AddSingleton<TileLabelCache>();
        return services;
    }

    /// <summary>
    /// Draws the default style's tile at the centre of the data, zoom 12, before the service listens: without it the
    /// first visitor pays the renderer's first use (JIT, Skia's native code, the collections' map indexes). A failure
    /// here is logged and start-up goes on; the first request then pays the cost and reports any error itself.
    /// </summary>
    public static void WarmUpMapsNow(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<MapsOptions>>().Value.WarmUpAtStart)
        {
            return;
        }

        var services = app.Services;
        var provider = services.GetRequiredService<MapDataProvider>();
        try
        {
            var catalog = provider.GetCatalogAsync(CancellationToken.None).GetAwaiter().GetResult();
            var extents = catalog.Collections.Select(c => c.Extent).OfType<Envelope>().ToList();
            if (extents.Count == 0)
            {
                return;
            }

            var all = new Envelope(extents[0]);
            extents.ForEach(all.ExpandToInclude);
            var tile = TileIndex.Containing(all.Centre, WarmUpZoom);
            TilesApi.GetOrRenderRasterTileAsync(
                    MapStyles.Default, tile, scale: 1, MapLanguage.Both, provider, services.GetRequiredService<TileCache>(),
                    services.GetRequiredService<TileLabelCache>(), services.GetRequiredService<MapRenderer>(), CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            app.Logger.LogWarning(e, "Map warm-up failed; the first map request will draw from a cold start");
        }
    }

    private const int WarmUpZoom = 12;

    /// <summary>Loads the CJK font before the first request, so a machine without fonts-noto-cjk fails at start-up, loudly.</summary>
    public static void LoadMapFontsNow(this WebApplication app) => app.Services.GetRequiredService<MapRenderer>();
}
