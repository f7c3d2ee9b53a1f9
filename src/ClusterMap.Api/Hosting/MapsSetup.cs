using ClusterMap.Api.Maps;
using ClusterMap.Api.Tiles;
using ClusterMap.Rendering;

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
        services.AddSingleton<MapWarmUp>();
        services.AddHostedService(provider => provider.GetRequiredService<MapWarmUp>());
        services.AddHealthChecks().AddCheck<MapWarmUpReadinessCheck>("maps", tags: ["ready"]);
        return services;
    }

    /// <summary>Loads the CJK font before the first request, so a machine without fonts-noto-cjk fails at start-up, loudly.</summary>
    public static void LoadMapFontsNow(this WebApplication app) => app.Services.GetRequiredService<MapRenderer>();
}
