using Dapper;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Storage.Sqlite;

/// <summary>
/// Versioned schema. Each migration runs once, in its own transaction, and is recorded in schema_migrations;
/// a released migration is never edited, only followed by a new one.
/// </summary>
internal static class SqliteMigrations
{
    private static readonly (int Version, string Name, string Sql)[] _migrations =
    [
        (1, "collections, features and their R*Tree", """
            CREATE TABLE collections (
                id            TEXT PRIMARY KEY,
                title         TEXT NOT NULL,
                description   TEXT NOT NULL,
                attribution   TEXT NOT NULL,
                license       TEXT NOT NULL,
                geometry_type TEXT NOT NULL,
                min_x REAL, min_y REAL, max_x REAL, max_y REAL,
                feature_count INTEGER NOT NULL,
                queryables    TEXT NOT NULL,
                updated_at    TEXT NOT NULL
            ) STRICT;

            CREATE TABLE features (
                fid           INTEGER PRIMARY KEY,
                collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
                feature_id    TEXT NOT NULL,
                is_point      INTEGER NOT NULL,
                min_x REAL NOT NULL, min_y REAL NOT NULL, max_x REAL NOT NULL, max_y REAL NOT NULL,
                geometry      BLOB NOT NULL,
                properties    TEXT NOT NULL,
                UNIQUE (collection_id, feature_id)
            ) STRICT;

            -- First filter for bbox queries. R*Tree stores float32: bounds are rounded outward on insert and the
            -- exact double envelope in features is checked second.
            CREATE VIRTUAL TABLE features_rtree USING rtree(fid, min_x, max_x, min_y, max_y);

            CREATE TABLE store_meta (
                key   TEXT PRIMARY KEY,
                value INTEGER NOT NULL
            ) STRICT;
            INSERT INTO store_meta (key, value) VALUES ('data_version', 0);
            """),
        (2, "collection metadata (e.g. the parks' catalogue status)", """
            ALTER TABLE collections ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
            """),
    ];

    public static void Apply(SqliteConnection connection)
    {
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT");
        var applied = connection.Query<long>("SELECT version FROM schema_migrations").ToHashSet();
        foreach (var (version, name, sql) in _migrations)
        {
            if (applied.Contains(version))
            {
                continue;
            }

            using var transaction = connection.BeginTransaction();
            connection.Execute(sql, transaction: transaction);
            connection.Execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @appliedAt)",
                new { version, name, appliedAt = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture) },
                transaction);
            transaction.Commit();
        }
    }

    public static int LatestVersion => _migrations[^1].Version;
}
