using System.ComponentModel.DataAnnotations;
using ClusterMap.Core.Storage;
using Microsoft.Extensions.Options;

namespace ClusterMap.Api.Hosting;

/// <summary>Settings of the proximity endpoints (section <c>Proximity</c>).</summary>
public sealed class ProximityOptions
{
    public const string Section = "Proximity";

    /// <summary>
    /// How long the store's data version, read once, is trusted by the proximity endpoints (milliseconds). 0 reads it
    /// on every request. Writes made through this service are seen at once whatever the value (every POST, PUT,
    /// PATCH or DELETE makes the next request read it again); only changes made by another process (an import from the
    /// command line, another replica) wait up to this long.
    /// </summary>
    [Range(0, 60_000)]
    public int DataVersionCheckMilliseconds { get; set; } = 250;

    /// <summary>
    /// Target collections of up to this many features are held in memory for proximity queries; larger ones are
    /// queried through the store (PostGIS selects candidates with its GiST index, ClusterMap computes the exact
    /// distances, so answers are the same). A store that cannot (SQLite) always holds the collection in memory.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long InMemoryMaxFeatures { get; set; } = 2_000_000;
}

/// <summary>The in-memory collection snapshots behind the proximity engine, and what keeps them fresh.</summary>
internal static class ProximitySetup
{
    public static IServiceCollection AddClusterMapProximity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProximityOptions>().Bind(configuration.GetSection(ProximityOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => new CollectionSnapshotCache(provider.GetRequiredService<IFeatureStore>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new ProximityTargets(
            provider.GetRequiredService<IFeatureStore>(), provider.GetRequiredService<CollectionSnapshotCache>(), provider.GetRequiredService<IOptions<ProximityOptions>>().Value.InMemoryMaxFeatures));
        return services;
    }

    /// <summary>
    /// After any request that may change data (every method but GET, HEAD, OPTIONS and TRACE), the snapshot cache reads
    /// the data version again on the next request. Done when the response starts, which is after the handler has
    /// committed its write and before the client can see the answer, and once more when the request ends (a handler
    /// that fails after writing still has its write seen). Generic on purpose: no write endpoint has to remember it.
    /// </summary>
    public static IApplicationBuilder UseSnapshotRefreshAfterWrites(this IApplicationBuilder app)
    {
        var snapshots = app.ApplicationServices.GetRequiredService<CollectionSnapshotCache>();
        return app.Use(async (context, next) =>
        {
            var method = context.Request.Method;
            if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method))
            {
                await next(context);
                return;
            }

            context.Response.OnStarting(() =>
            {
                snapshots.Invalidate();
                return Task.CompletedTask;
            });
            try
            {
                await next(context);
            }
            finally
            {
                snapshots.Invalidate();
            }
        });
    }

    public static TimeSpan VersionWindow(this IOptions<ProximityOptions> options) => TimeSpan.FromMilliseconds(options.Value.DataVersionCheckMilliseconds);
}
