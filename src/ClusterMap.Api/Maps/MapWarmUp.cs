using ClusterMap.Api.Hosting;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Tiles;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Maps;

/// <summary>
/// Draws the default style's tile at the centre of the data, zoom 12, as soon as the service has started, through the
/// tile route's own function: the first visitor would otherwise pay the renderer's first use (JIT, Skia's native code,
/// the collections' map indexes). The service listens meanwhile; readiness (<c>/readyz</c>) waits for it, so a load
/// balancer sends no traffic to a cold replica. A failure is logged and the service is ready all the same: the first
/// request then pays the cost and reports any error itself.
/// </summary>
internal sealed class MapWarmUp(
    IOptions<MapsOptions> options, MapDataProvider provider, TileCache cache, TileLabelCache labelLayouts, MapRenderer renderer, BasemapSource basemap, ILogger<MapWarmUp> logger)
    : BackgroundService
{
    public const int Zoom = 12;

    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsDone => _done.Task.IsCompleted;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (options.Value.WarmUpAtStart)
            {
                await Task.Yield();
                await DrawCentreTileAsync(stoppingToken);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Map warm-up failed; the first map request will draw from a cold start");
            }
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    private async Task DrawCentreTileAsync(CancellationToken cancellationToken)
    {
        var catalog = await provider.GetCatalogAsync(cancellationToken);
        var extents = catalog.Collections.Select(c => c.Extent).OfType<Envelope>().ToList();
        if (extents.Count == 0)
        {
            return;
        }

        var all = new Envelope(extents[0]);
        extents.ForEach(all.ExpandToInclude);
        var tile = TileIndex.Containing(all.Centre, Zoom);
        await TileDrawing.GetOrRenderRasterTileAsync(MapStyles.Default, tile, scale: 1, MapLanguage.Both, provider, cache, labelLayouts, renderer, basemap, cancellationToken);
    }
}

/// <summary>Not ready until the map warm-up has drawn its tile (or given up).</summary>
internal sealed class MapWarmUpReadinessCheck(MapWarmUp warmUp) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(warmUp.IsDone ? HealthCheckResult.Healthy("map renderer warm") : HealthCheckResult.Unhealthy("drawing the first map tile"));
}
