using Dapper;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Storage.Sqlite;

/// <summary>
/// Versioned schema. Each migration runs once, in its own transaction, and is recorded in schema_migrations;
/// a released migration is never edited, only followed by a new one.
/// </summary>
internal static class SqliteMigrations
{
    /// <summary>
    /// The OGC type name of a stored geometry, read from its WKB header in SQL (little-endian, 2D: the type code
    /// is the second byte), so that counts can be built without loading geometries.
    /// </summary>
    internal const string GeometryTypeOfWkb = """
        CASE hex(substr(geometry, 2, 1)) WHEN '01' THEN 'Point' WHEN '02' THEN 'LineString' WHEN '03' THEN 'Polygon'
        WHEN '04' THEN 'MultiPoint' WHEN '05' THEN 'MultiLineString' WHEN '06' THEN 'MultiPolygon' ELSE 'GeometryCollection' END
        """;

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
        (3, "API keys; per-collection counts of geometry types and queryable properties for incremental writes", $$"""
            -- Only the SHA-256 of a key's secret is stored; key_id is the public part used to find it.
            CREATE TABLE api_keys (
                key_id        TEXT PRIMARY KEY,
                name          TEXT NOT NULL,
                secret_sha256 BLOB NOT NULL,
                created_at    TEXT NOT NULL
            ) STRICT;

            -- How many features of a collection have each geometry type and each scalar property: a single write
            -- updates these counts instead of rescanning the whole collection to derive its type and queryables.
            CREATE TABLE collection_geometry_types (
                collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
                geometry_type TEXT NOT NULL,
                features      INTEGER NOT NULL,
                PRIMARY KEY (collection_id, geometry_type)
            ) STRICT, WITHOUT ROWID;

            CREATE TABLE collection_queryables (
                collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
                name          TEXT NOT NULL,
                features      INTEGER NOT NULL,
                PRIMARY KEY (collection_id, name)
            ) STRICT, WITHOUT ROWID;

            INSERT INTO collection_geometry_types (collection_id, geometry_type, features)
            SELECT collection_id, {{GeometryTypeOfWkb}}, COUNT(*) FROM features GROUP BY 1, 2;

            INSERT INTO collection_queryables (collection_id, name, features)
            SELECT f.collection_id, j.key, COUNT(DISTINCT f.fid) FROM features f, json_each(f.properties) j
            WHERE j.type IN ('text', 'integer', 'real', 'true', 'false') GROUP BY 1, 2;
            """),
        (4, "drawn map tiles kept across restarts, keyed by style, tile, format and data version", """
            -- Rows of older data versions can never be asked for again; the service deletes them at the first tile
            -- it draws at a newer version.
            CREATE TABLE map_tiles (
                style        TEXT NOT NULL,
                z            INTEGER NOT NULL,
                x            INTEGER NOT NULL,
                y            INTEGER NOT NULL,
                scale        INTEGER NOT NULL,
                format       TEXT NOT NULL,
                data_version INTEGER NOT NULL,
                bytes        BLOB NOT NULL,
                PRIMARY KEY (data_version, style, format, z, x, y, scale)
            ) STRICT;
            """),
        (5, "cluster pyramid: anchors counted per level and cell; R*Tree of shapes by envelope and span", """
            -- Kept by the store in each write's transaction (ClusterPyramid in Core): n anchors in the cell, sx and sy
            -- the sums of their offsets from its north-west corner, in Web Mercator metres.
            CREATE TABLE cluster_cells (
                collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
                level         INTEGER NOT NULL,
                cx            INTEGER NOT NULL,
                cy            INTEGER NOT NULL,
                n             INTEGER NOT NULL,
                sx            REAL NOT NULL,
                sy            REAL NOT NULL,
                PRIMARY KEY (collection_id, level, cx, cy)
            ) STRICT, WITHOUT ROWID;

            -- A collection is answered from its cells (and from features_span_rtree) only once they have been counted:
            -- at its import, or when the store first opens a database made before this migration.
            CREATE TABLE cluster_pyramids (
                collection_id TEXT PRIMARY KEY REFERENCES collections(id) ON DELETE CASCADE
            ) STRICT;

            -- Every shape that is not a point, by envelope and span (ShapeSpanIndex): a low-zoom read finds the few too
            -- wide to anchor without visiting the rest. Float32 bounds rounded outward, as in features_rtree.
            CREATE VIRTUAL TABLE features_span_rtree USING rtree(fid, min_x, max_x, min_y, max_y, min_span, max_span);
            """),
        (6, "property statistics kept with the collection, stamped with the change they were counted at", """
            -- Counted at the first filter after a change and read at every later start (PropertyStatisticsJson).
            ALTER TABLE collections ADD COLUMN property_statistics TEXT;
            """),
        (7, "cluster pyramid counted again: a shape is anchored on every level whose cells it fits in; small anchors counted apart", """
            -- Shapes were anchored only while under a sixteenth of a cell. The counts of the old rule are dropped; a
            -- collection without a cluster_pyramids row is counted afresh when the store opens the database.
            -- ns: the cell's anchors under a sixteenth of its side (drawn as symbols), which a read of symbols only needs.
            DELETE FROM cluster_cells;
            DELETE FROM cluster_pyramids;
            ALTER TABLE cluster_cells ADD COLUMN ns INTEGER NOT NULL DEFAULT 0;
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
