using Npgsql;

namespace ClusterMap.Storage.PostGis;

/// <summary>
/// Turns the <c>postgresql://user[:password]@host[:port]/database</c> URIs that psql and libpq accept into an
/// Npgsql connection string (Npgsql reads only key=value strings).
/// </summary>
public static class PostGisConnectionString
{
    public static bool IsUri(string value) =>
        value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Npgsql connection string for a URI, or the value itself when it is already a connection string.</summary>
    /// <exception cref="FormatException">The URI has no host or no database.</exception>
    public static string Normalize(string value)
    {
        if (!IsUri(value))
        {
            return value;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host) || uri.AbsolutePath.Trim('/').Length == 0)
        {
            throw new FormatException($"'{value}' is not a PostgreSQL URI of the form postgresql://user@host:port/database.");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/')),
        };
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        return builder.ConnectionString;
    }
}
