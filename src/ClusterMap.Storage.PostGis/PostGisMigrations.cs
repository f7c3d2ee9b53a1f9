using Dapper;
using Npgsql;

namespace ClusterMap.Storage.PostGis;

/// <summary>
/// Versioned schema, applied the same way as the SQLite store's: each migration runs once in its own transaction and
/// is recorded in schema_migrations; a released migration is never edited, only followed by a new one. Replicas that
/// start together serialise on an advisory lock, so exactly one of them migrates.
/// </summary>
internal static class PostGisMigrations
{
    // Arbitrary but fixed: the advisory lock every ClusterMap process takes while it creates or upgrades the schema.
    private const long MigrationLockKey = 0x436C75737465724D; // "ClusterM"

    private static readonly (int Version, string Name, string Sql)[] _migrations =
    [
        (1, "collections, features with GiST on geometry and geography, data version, API keys", """
            CREATE TABLE collections (
                ord           bigint GENERATED ALWAYS AS IDENTITY,
                id            text PRIMARY KEY,
                title         text NOT NULL,
                description   text NOT NULL,
                attribution   text NOT NULL,
                license       text NOT NULL,
                -- JSON texts are kept as text so that they are served back byte for byte as imported.
                metadata      text NOT NULL,
                geometry_type text NOT NULL,
                min_x double precision, min_y double precision, max_x double precision, max_y double precision,
                feature_count bigint NOT NULL,
                queryables    text NOT NULL,
                -- ISO 8601 round-trip text, as in SQLite: timestamptz would drop the last digit of .NET's 100 ns ticks.
                updated_at    text NOT NULL
            );

            CREATE TABLE features (
                -- Store order (paging order): identity values follow insertion and the COPY stream's order.
                fid           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                collection_id text NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
                feature_id    text NOT NULL,
                geom          geometry(Geometry, 4326) NOT NULL,
                -- json, not jsonb: json keeps the text exactly (key order, spacing, number spelling) while still being
                -- validated and queryable with -> and json_typeof; jsonb would reorder keys and break byte identity.
                properties    json NOT NULL,
                UNIQUE (collection_id, feature_id)
            );
            CREATE INDEX features_collection_fid ON features (collection_id, fid);
            CREATE INDEX features_geom ON features USING gist (geom);
            CREATE INDEX features_geography ON features USING gist ((geom::geography));

            -- One row; bumped inside every write transaction, read by every replica's caches.
            CREATE TABLE data_version (
                one   boolean PRIMARY KEY DEFAULT true CHECK (one),
                value bigint NOT NULL
            );
            INSERT INTO data_version (value) VALUES (0);

            CREATE TABLE api_keys (
                key_id        text PRIMARY KEY,
                name          text NOT NULL,
                secret_sha256 bytea NOT NULL,
                created_at    text NOT NULL
            );
            """),
        (2, "drawn map tiles shared by replicas, keyed by style, tile, format and data version", """
            -- Rows of older data versions can never be asked for again; a replica deletes them at the first tile
            -- it draws at a newer version.
            CREATE TABLE map_tiles (
                style        text NOT NULL,
                z            integer NOT NULL,
                x            integer NOT NULL,
                y            integer NOT NULL,
                scale        integer NOT NULL,
                format       text NOT NULL,
                data_version bigint NOT NULL,
                bytes        bytea NOT NULL,
                PRIMARY KEY (data_version, style, format, z, x, y, scale)
            );
            """),
        (3, "GIN index (jsonb_path_ops) on the properties for CQL2 equality and IN", """
            -- The properties column stays json (byte identity); the index holds its jsonb form. A plain ::jsonb cast
            -- fails on text that json accepts and jsonb does not (a number beyond numeric's range, \u0000), and would
            -- then refuse to store such a feature: this function keeps the members that convert instead (none when the
            -- document holds \u0000, which every json operator refuses as well, so the exact tests fail on it already).
            -- IMMUTABLE because the index is built on it; a released body is never changed (a new one gets a new name).
            CREATE OR REPLACE FUNCTION clustermap_properties_jsonb(properties json) RETURNS jsonb
            LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
            DECLARE
                member record;
                converted jsonb := '{}';
            BEGIN
                RETURN properties::jsonb;
            EXCEPTION WHEN others THEN
                BEGIN
                    FOR member IN SELECT key, value FROM json_each(properties) LOOP
                        BEGIN
                            converted := converted || jsonb_build_object(member.key, member.value::jsonb);
                        EXCEPTION WHEN others THEN
                            NULL;
                        END;
                    END LOOP;
                    RETURN converted;
                EXCEPTION WHEN others THEN
                    RETURN NULL;
                END;
            END
            $$;

            -- Containment (@>) on any property, whatever the collection's queryables: the translator adds it beside
            -- the exact test of = and IN. Built inside the migration's transaction (CREATE INDEX CONCURRENTLY cannot
            -- be), so writes wait while an existing table is indexed once.
            CREATE INDEX IF NOT EXISTS features_properties ON features USING gin (clustermap_properties_jsonb(properties) jsonb_path_ops);
            """),
        (4, "cluster pyramid: anchors counted per level and cell; n-D GiST index of shapes by envelope and span", """
            -- Kept by the store in each write's transaction (ClusterPyramid in Core): n anchors in the cell, sx and sy
            -- the sums of their offsets from its north-west corner, in Web Mercator metres.
            CREATE TABLE cluster_cells (
                collection_id text NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
                level         integer NOT NULL,
                cx            bigint NOT NULL,
                cy            bigint NOT NULL,
                n             bigint NOT NULL,
                sx            double precision NOT NULL,
                sy            double precision NOT NULL,
                PRIMARY KEY (collection_id, level, cx, cy)
            );

            -- A collection is answered from its cells only once they have been counted (at its import, or when a
            -- replica first starts on a database made before this migration).
            CREATE TABLE cluster_pyramids (
                collection_id text PRIMARY KEY REFERENCES collections(id) ON DELETE CASCADE
            );

            -- The larger side of a feature's Web Mercator envelope (0 for a point; beyond any collapse size for a
            -- multipoint, which is never anchored; null when empty): what decides whether a shape collapses to an
            -- anchor. Reads ask for a little less than the collapse size and test the rows found exactly, so the last
            -- bits do not matter.
            CREATE FUNCTION clustermap_anchor_span(geom geometry) RETURNS double precision
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
                SELECT CASE ST_GeometryType(geom)
                    WHEN 'ST_Point' THEN 0
                    WHEN 'ST_MultiPoint' THEN 1e15
                    ELSE greatest(
                        6378137 * radians(ST_XMax(geom) - ST_XMin(geom)),
                        6378137 * (ln(tan(pi() / 4 + radians(least(85.0511287798066, ST_YMax(geom))) / 2))
                                 - ln(tan(pi() / 4 + radians(greatest(-85.0511287798066, ST_YMin(geom))) / 2))))
                END
            $$;

            -- A shape's lon/lat envelope with its span as the third dimension (ShapeSpanIndex): one n-D GiST index finds
            -- the shapes that meet a view and are too wide to anchor, the few a low-zoom map draws whole.
            CREATE FUNCTION clustermap_span_box(geom geometry) RETURNS geometry
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
                SELECT ST_MakeLine(
                    ST_MakePoint(ST_XMin(geom), ST_YMin(geom), clustermap_anchor_span(geom)),
                    ST_MakePoint(ST_XMax(geom), ST_YMax(geom), clustermap_anchor_span(geom)))
            $$;

            CREATE INDEX features_span_box ON features USING gist (clustermap_span_box(geom) gist_geometry_ops_nd)
                WHERE ST_GeometryType(geom) <> 'ST_Point' AND NOT ST_IsEmpty(geom);
            """),
        (5, "property statistics kept with the collection, stamped with the change they were counted at", """
            -- Counted by the first replica that needs them after a change, read by every other (PropertyStatisticsJson).
            ALTER TABLE collections ADD COLUMN IF NOT EXISTS property_statistics text;
            """),
        (6, "clustermap_properties_jsonb never in a parallel query: its exception block is a subtransaction", """
            -- Entering a PL/pgSQL block with EXCEPTION starts a subtransaction, which no process of a parallel query
            -- may (the leader included): a filter over a large table planned in parallel failed with "cannot start
            -- subtransactions during a parallel operation". Unsafe, it keeps queries that call it serial; they are
            -- answered through the index built on it, which is unchanged.
            ALTER FUNCTION clustermap_properties_jsonb(json) PARALLEL UNSAFE;
            """),
        (7, "cluster pyramid counted again: a shape is anchored on every level whose cells it fits in; small anchors counted apart", """
            -- Shapes were anchored only while under a sixteenth of a cell. The counts of the old rule are dropped; a
            -- collection without a cluster_pyramids row is counted afresh when a replica starts (under its lock).
            -- ns: the cell's anchors under a sixteenth of its side (drawn as symbols), which a read of symbols only needs.
            DELETE FROM cluster_cells;
            DELETE FROM cluster_pyramids;
            ALTER TABLE cluster_cells ADD COLUMN ns bigint NOT NULL DEFAULT 0;
            """),
    ];

    public static int LatestVersion => _migrations[^1].Version;

    public static Task ApplyAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        ApplyAsync(connection, LatestVersion, cancellationToken);

    /// <summary>Applies the pending migrations up to <paramref name="upToVersion"/> (a test builds an older schema with it).</summary>
    public static async Task ApplyAsync(NpgsqlConnection connection, int upToVersion, CancellationToken cancellationToken)
    {
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = MigrationLockKey }, transaction, cancellationToken: cancellationToken));
            await EnsurePostGisAsync(connection, transaction, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
                transaction: transaction, cancellationToken: cancellationToken));
            var applied = (await connection.QueryAsync<int>(new CommandDefinition("SELECT version FROM schema_migrations", transaction: transaction, cancellationToken: cancellationToken))).ToHashSet();
            foreach (var (version, name, sql) in _migrations)
            {
                if (applied.Contains(version) || version > upToVersion)
                {
                    continue;
                }

                // One transaction for the lock and all pending migrations: PostgreSQL DDL is transactional, so a
                // failed migration leaves the schema as it was.
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_migrations (version, name) VALUES (@version, @name)", new { version, name }, transaction, cancellationToken: cancellationToken));
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }

    private static async Task EnsurePostGisAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var installed = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')", transaction: transaction, cancellationToken: cancellationToken));
        if (installed)
        {
            return;
        }

        // Creating an extension needs CREATE on the database (PostgreSQL 13+ trusted extensions) or superuser; a
        // managed database whose role may not do it has an administrator run it once instead.
        try
        {
            await connection.ExecuteAsync(new CommandDefinition("CREATE EXTENSION IF NOT EXISTS postgis", transaction: transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException ex)
        {
            throw new PostGisUnavailableException(
                $"The database '{connection.Database}' has no postgis extension and this role cannot create it ({ex.MessageText}); ask an administrator to run CREATE EXTENSION postgis.", ex);
        }
    }
}

/// <summary>The database cannot hold the store: PostGIS is missing and cannot be installed by this role.</summary>
public sealed class PostGisUnavailableException(string message, Exception innerException) : Exception(message, innerException);
