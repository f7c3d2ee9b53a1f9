using ClusterMap.Core.Import;
using ClusterMap.Core.Storage;
using ClusterMap.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace ClusterMap.Api.Hosting;

/// <summary>Composition of the store: options, the SQLite backend, and the first-start build from geodata/.</summary>
internal static class StoreSetup
{
    public static IServiceCollection AddClusterMapStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FeaturesOptions>().Bind(configuration.GetSection(FeaturesOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.DefaultLimit <= o.MaxLimit, "Features:DefaultLimit must not exceed Features:MaxLimit.").ValidateOnStart();
        services.AddSingleton<IFeatureStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("ClusterMap.Store");
            var (store, created) = SqliteDatabaseBootstrap
                .OpenOrCreateAsync(options.SqlitePath, () => GeodataManifest.ReadAll(options.GeodataPath))
                .GetAwaiter().GetResult();
            if (created)
            {
                logger.LogInformation("Built {Database} from {Geodata}", store.DatabasePath, Path.GetFullPath(options.GeodataPath));
            }
            else
            {
                logger.LogInformation("Opened {Database}", store.DatabasePath);
            }

            return store;
        });
        return services;
    }

    /// <summary>
    /// Opens (or builds) the store before the first request. Returns false, having said why in one line, when
    /// the data cannot be opened: start-up then stops with that message rather than a stack trace.
    /// </summary>
    public static bool TryOpenStore(this WebApplication app)
    {
        try
        {
            app.Services.GetRequiredService<IFeatureStore>();
            return true;
        }
        catch (Exception ex) when (ex is FileNotFoundException or ImportRejectedException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            app.Logger.LogCritical("ClusterMap cannot start: {Reason}", ex.Message);
            Console.Error.WriteLine($"ClusterMap cannot start: {ex.Message}");
            return false;
        }
    }
}
