using ClusterMap.Core.Import;
using ClusterMap.Core.Storage;
using ClusterMap.Storage.PostGis;
using ClusterMap.Storage.Sqlite;
using Microsoft.Extensions.Options;

namespace ClusterMap.Api.Hosting;

/// <summary>Composition of the store: options, the SQLite or PostGIS backend, and the first-start fill from geodata/.</summary>
internal static class StoreSetup
{
    /// <summary>The name under ConnectionStrings of the PostGIS database.</summary>
    public const string ConnectionStringName = "ClusterMap";

    public static IServiceCollection AddClusterMapStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FeaturesOptions>().Bind(configuration.GetSection(FeaturesOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.DefaultLimit <= o.MaxLimit, "Features:DefaultLimit must not exceed Features:MaxLimit.").ValidateOnStart();
        services.AddSingleton<Parameters.ItemsParameters>();
        services.AddSingleton(provider => new Core.Filtering.CollectionQueryablesCache(provider.GetRequiredService<IFeatureStore>()));
        services.AddSingleton<IFeatureStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("ClusterMap.Store");
            // Both stores fill themselves from the shipped geodata on a first start, through the same seed.
            IReadOnlyList<CollectionImport> Seed() => GeodataManifest.ReadAll(options.GeodataPath);
            return options.Provider == StorageProvider.PostGis
                ? OpenPostGis(configuration, Seed, logger, options)
                : OpenSqlite(options, Seed, logger);
        });
        return services;
    }

    private static SqliteFeatureStore OpenSqlite(StorageOptions options, Func<IReadOnlyList<CollectionImport>> seed, ILogger logger)
    {
        var (store, created) = SqliteDatabaseBootstrap.OpenOrCreateAsync(options.SqlitePath, seed).GetAwaiter().GetResult();
        if (created)
        {
            logger.LogInformation("Built {Database} from {Geodata}", store.DatabasePath, Path.GetFullPath(options.GeodataPath));
        }
        else
        {
            logger.LogInformation("Opened {Database}", store.DatabasePath);
        }

        return store;
    }

    private static PostGisFeatureStore OpenPostGis(IConfiguration configuration, Func<IReadOnlyList<CollectionImport>> seed, ILogger logger, StorageOptions options)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Storage:Provider is PostGis but ConnectionStrings:{ConnectionStringName} is not set (an Npgsql connection string or a postgresql://user@host:port/database URI; env ConnectionStrings__{ConnectionStringName}).");
        }

        var store = new PostGisFeatureStore(PostGisConnectionString.Normalize(connectionString));
        store.InitializeAsync().GetAwaiter().GetResult();
        if (store.SeedIfEmptyAsync(seed).GetAwaiter().GetResult())
        {
            logger.LogInformation("Filled PostGIS database {Database} from {Geodata}", store.Database, Path.GetFullPath(options.GeodataPath));
        }
        else
        {
            logger.LogInformation("Opened PostGIS database {Database}", store.Database);
        }

        return store;
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
        catch (Exception ex) when (ex is FileNotFoundException or ImportRejectedException or IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException
            or Npgsql.NpgsqlException or PostGisUnavailableException or FormatException or InvalidOperationException)
        {
            app.Logger.LogCritical("ClusterMap cannot start: {Reason}", ex.Message);
            Console.Error.WriteLine($"ClusterMap cannot start: {ex.Message}");
            return false;
        }
    }
}
