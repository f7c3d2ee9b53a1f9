using ClusterMap.Api.Maps;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Tiles;
using Microsoft.Extensions.Options;

namespace ClusterMap.Api.Hosting;

/// <summary>Composition of the renderer: options, the one MapRenderer (it owns the fonts), the data snapshot and the tile cache.</summary>
internal static class MapsSetup
{
    public static IServiceCollection AddClusterMapRendering(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MapsOptions>().Bind(configuration.GetSection(MapsOptions.Section)).ValidateDataAnnotations()
            .Validate(o => !o.Basemap.IsConfigured || BasemapTemplateIsValid(o.Basemap),
                "Maps:Basemap:Url must be an http(s) XYZ template containing {z}, {x} and {y} (and {s} only with Maps:Basemap:Subdomains, {key} only with Maps:Basemap:Key), e.g. https://tile.example.org/{z}/{x}/{y}.png")
            .Validate(o => !o.Basemap.IsConfigured || !string.IsNullOrWhiteSpace(o.Basemap.Attribution),
                "Maps:Basemap:Attribution is required with Maps:Basemap:Url: every figure drawn over the tiles prints the provider's credit")
            .Validate(o => BasemapSource.DatumOf(o.Basemap.Datum) is not null,
                $"Maps:Basemap:Datum must be one of {string.Join(", ", BasemapOptions.Datums)}")
            .Validate(o => PublicBaseUrlIsValid(o.PublicBaseUrl),
                "Maps:PublicBaseUrl must be an absolute http(s) URL without query or fragment, e.g. https://maps.example.org/clustermap")
            .ValidateOnStart();
        services.AddSingleton<BasemapSource>();
        services.AddSingleton<Parameters.StaticMapParameters>();
        services.AddSingleton(_ => MapRenderer.Create());
        services.AddSingleton(provider =>
        {
            var maps = provider.GetRequiredService<IOptions<MapsOptions>>().Value;
            return new MapDataProvider(
                provider.GetRequiredService<IFeatureStore>(), provider.GetRequiredService<CollectionSnapshotCache>(),
                new MapReadSettings(maps.InMemoryMaxFeatures, maps.DataVersionCheckMilliseconds, maps.VectorTilesInDatabase), provider.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(provider =>
        {
            var maps = provider.GetRequiredService<IOptions<MapsOptions>>().Value;
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("ClusterMap.TileStore");
            // Another renderer build or another external basemap draws other pixels from the same data.
            var basemap = provider.GetRequiredService<BasemapSource>();
            var variant = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{RendererBuild}\n{basemap.Identity}")).AsSpan(0, 8));
            var store = maps.TileStore ? provider.GetRequiredService<IFeatureStore>() as ITileStore : null;
            return new TileCache(maps.TileCacheBytes, store, variant, e => logger.LogWarning(e, "Tile store failed; the tile is drawn without it"));
        });
        services.AddSingleton<TileLabelCache>();
        services.AddSingleton<MapWarmUp>();
        services.AddHostedService(provider => provider.GetRequiredService<MapWarmUp>());
        services.AddHealthChecks().AddCheck<MapWarmUpReadinessCheck>("maps", tags: ["ready"]);
        return services;
    }

    private static bool PublicBaseUrlIsValid(string? url) =>
        string.IsNullOrEmpty(url)
        || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0 && uri.Fragment.Length == 0);

    /// <summary>The renderer's build: tiles drawn by another build are not served from the tile store.</summary>
    internal static string RendererBuild => typeof(MapRenderer).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    private static bool BasemapTemplateIsValid(BasemapOptions basemap)
    {
        var url = basemap.Url!;
        return Uri.TryCreate(url.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            && uri.Scheme is "http" or "https"
            && new[] { "{z}", "{x}", "{y}" }.All(p => url.Contains(p, StringComparison.Ordinal))
            && (!url.Contains("{s}", StringComparison.Ordinal) || !string.IsNullOrWhiteSpace(basemap.Subdomains))
            && (!url.Contains("{key}", StringComparison.Ordinal) || !string.IsNullOrWhiteSpace(basemap.Key));
    }

    /// <summary>Loads the CJK font before the first request, so a machine without fonts-noto-cjk fails at start-up, loudly.</summary>
    public static void LoadMapFontsNow(this WebApplication app) => app.Services.GetRequiredService<MapRenderer>();
}
