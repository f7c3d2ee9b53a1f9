using ClusterMap.Core.Storage;
using ClusterMap.Storage.PostGis;
using ClusterMap.Storage.Sqlite;
using Npgsql;

namespace ClusterMap.Cli.Commands;

/// <summary>
/// What <c>--db</c> (and <c>migrate --from/--to</c>) names: a SQLite file path, or a PostGIS database as a
/// <c>postgresql://user@host:port/database</c> URI. An optional <c>sqlite:</c> or <c>postgis:</c> prefix says which
/// explicitly.
/// </summary>
internal sealed record StoreLocation(bool IsPostGis, string Value)
{
    public const string AcceptedForm = "a SQLite file path (optionally sqlite:PATH) or a PostGIS URI postgresql://user@host:port/database (optionally postgis:URI)";

    public static StoreLocation Parse(string text)
    {
        if (text.StartsWith("postgis:", StringComparison.OrdinalIgnoreCase))
        {
            return new StoreLocation(true, text["postgis:".Length..]);
        }

        if (text.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            return new StoreLocation(false, text["sqlite:".Length..]);
        }

        return new StoreLocation(PostGisConnectionString.IsUri(text), text);
    }

    /// <summary>Whether a SQLite file is there already (a PostGIS database always counts as existing).</summary>
    public bool Exists => IsPostGis || File.Exists(Value);

    /// <summary>For messages: the full file path, or host, port and database (never a password).</summary>
    public string Display
    {
        get
        {
            if (!IsPostGis)
            {
                return Path.GetFullPath(Value);
            }

            try
            {
                var builder = new NpgsqlConnectionStringBuilder(PostGisConnectionString.Normalize(Value));
                return $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                return "(unreadable PostgreSQL address)";
            }
        }
    }

    /// <summary>Opens the store and creates or upgrades its schema.</summary>
    /// <exception cref="FormatException">The PostGIS address is not a URI or connection string.</exception>
    public async Task<IFeatureStore> OpenAsync(CancellationToken cancellationToken)
    {
        IFeatureStore store = IsPostGis
            ? new PostGisFeatureStore(ToConnectionString())
            : new SqliteFeatureStore(Value);
        await store.InitializeAsync(cancellationToken);
        return store;
    }

    private string ToConnectionString()
    {
        var normalized = PostGisConnectionString.Normalize(Value);
        try
        {
            _ = new NpgsqlConnectionStringBuilder(normalized);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"'{Value}' is neither a postgresql:// URI nor an Npgsql connection string ({ex.Message}).", ex);
        }

        return normalized;
    }
}
