using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using Dapper;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Sqlite;

/// <summary>
/// The embedded default store: one SQLite file in WAL mode, geometry as WKB, an R*Tree as the first bbox filter
/// and the exact envelope and geometry test second.
/// </summary>
public sealed partial class SqliteFeatureStore : IFeatureStore
{
    private readonly string _connectionString;

    public SqliteFeatureStore(string databasePath)
    {
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        GeometryWkbHandler.Register();
    }

    public string DatabasePath { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        var directory = Path.GetDirectoryName(DatabasePath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var connection = await OpenAsync(cancellationToken);
        // WAL lets readers carry on while an import writes, and makes a crash mid-write roll back cleanly.
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL");
        SqliteMigrations.Apply(connection);
    }

    public async Task<IReadOnlyList<CollectionInfo>> GetCollectionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<CollectionRow>(new CommandDefinition(CollectionRow.Select + " ORDER BY rowid", cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToInfo())];
    }

    public async Task<CollectionInfo?> GetCollectionAsync(string collectionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<CollectionRow>(
            new CommandDefinition(CollectionRow.Select + " WHERE id = @collectionId", new { collectionId }, cancellationToken: cancellationToken));
        return row?.ToInfo();
    }

    public async Task<FeaturePage> GetItemsAsync(ItemsQuery query, CancellationToken cancellationToken = default)
    {
        var parameters = new DynamicParameters();
        var where = BuildItemsFilter(query, parameters);
        parameters.Add("limit", query.Limit);
        parameters.Add("offset", query.Offset);

        await using var connection = await OpenAsync(cancellationToken);
        var matched = await connection.ExecuteScalarAsync<long>(
            new CommandDefinition($"SELECT COUNT(*) FROM features f WHERE {where}", parameters, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<FeatureRow>(new CommandDefinition(
            $"SELECT f.feature_id AS Id, f.geometry AS Geometry, f.properties AS Properties FROM features f WHERE {where} ORDER BY f.fid LIMIT @limit OFFSET @offset",
            parameters, cancellationToken: cancellationToken));
        return new FeaturePage([.. rows.Select(row => row.ToRecord())], matched);
    }

    public async Task<FeatureRecord?> GetItemAsync(string collectionId, string featureId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<FeatureRow>(new CommandDefinition(
            "SELECT feature_id AS Id, geometry AS Geometry, properties AS Properties FROM features WHERE collection_id = @collectionId AND feature_id = @featureId",
            new { collectionId, featureId }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<FeatureRecord>> GetAllItemsAsync(string collectionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<FeatureRow>(new CommandDefinition(
            "SELECT feature_id AS Id, geometry AS Geometry, properties AS Properties FROM features WHERE collection_id = @collectionId ORDER BY fid",
            new { collectionId }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToRecord())];
    }

    public async Task ReplaceCollectionsAsync(IReadOnlyList<CollectionImport> imports, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // BEGIN IMMEDIATE takes the write lock up front, so a concurrent writer waits instead of failing mid-way.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var updatedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        foreach (var import in imports)
        {
            var id = import.Definition.Id;
            await connection.ExecuteAsync("DELETE FROM features_rtree WHERE fid IN (SELECT fid FROM features WHERE collection_id = @id)", new { id }, transaction);
            await connection.ExecuteAsync("DELETE FROM features WHERE collection_id = @id", new { id }, transaction);

            var summary = CollectionSummary.Of(import.Features);
            await connection.ExecuteAsync("""
                INSERT INTO collections (id, title, description, attribution, license, metadata, geometry_type, min_x, min_y, max_x, max_y, feature_count, queryables, updated_at)
                VALUES (@Id, @Title, @Description, @Attribution, @License, @MetadataJson, @GeometryType, @MinX, @MinY, @MaxX, @MaxY, @FeatureCount, @Queryables, @UpdatedAt)
                ON CONFLICT (id) DO UPDATE SET
                    title = excluded.title, description = excluded.description, attribution = excluded.attribution,
                    license = excluded.license, metadata = excluded.metadata, geometry_type = excluded.geometry_type,
                    min_x = excluded.min_x, min_y = excluded.min_y, max_x = excluded.max_x, max_y = excluded.max_y,
                    feature_count = excluded.feature_count, queryables = excluded.queryables, updated_at = excluded.updated_at
                """,
                new
                {
                    import.Definition.Id,
                    import.Definition.Title,
                    import.Definition.Description,
                    import.Definition.Attribution,
                    import.Definition.License,
                    import.Definition.MetadataJson,
                    summary.GeometryType,
                    MinX = summary.Extent?.MinX,
                    MinY = summary.Extent?.MinY,
                    MaxX = summary.Extent?.MaxX,
                    MaxY = summary.Extent?.MaxY,
                    FeatureCount = import.Features.Count,
                    Queryables = JsonSerializer.Serialize(summary.Queryables),
                    UpdatedAt = updatedAt,
                },
                transaction);

            foreach (var feature in import.Features)
            {
                await InsertFeatureAsync(connection, transaction, id, feature);
            }

            await RecountCollectionAsync(connection, transaction, id);
        }

        await connection.ExecuteAsync("UPDATE store_meta SET value = value + 1 WHERE key = 'data_version'", transaction: transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<FeatureWriteResult> WriteFeaturesAsync(string collectionId, IReadOnlyList<FeatureRecord> features, FeatureWriteMode mode, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var collection = await connection.QuerySingleOrDefaultAsync<CollectionRow>(new CommandDefinition(
            CollectionRow.Select + " WHERE id = @collectionId", new { collectionId }, transaction, cancellationToken: cancellationToken))
            ?? throw new CollectionNotFoundException(collectionId);
        var repeated = features.GroupBy(f => f.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (repeated.Count > 0)
        {
            throw new FeatureConflictException(collectionId, repeated);
        }

        if (features.Count == 0)
        {
            return new FeatureWriteResult(0, 0, await ReadDataVersionAsync(connection, transaction, cancellationToken));
        }

        var stored = new Dictionary<string, StoredFeature>(StringComparer.Ordinal);
        foreach (var feature in features)
        {
            var row = await connection.QuerySingleOrDefaultAsync<StoredFeature>(new CommandDefinition(
                "SELECT fid AS Fid, min_x AS MinX, min_y AS MinY, max_x AS MaxX, max_y AS MaxY FROM features WHERE collection_id = @collectionId AND feature_id = @featureId",
                new { collectionId, featureId = feature.Id }, transaction, cancellationToken: cancellationToken));
            if (row is not null)
            {
                stored[feature.Id] = row;
            }
        }

        if (mode == FeatureWriteMode.Insert && stored.Count > 0)
        {
            throw new FeatureConflictException(collectionId, [.. features.Select(f => f.Id).Where(stored.ContainsKey)]);
        }

        var oldExtent = collection.Extent;
        var rescanExtent = false;
        foreach (var feature in features)
        {
            var envelope = feature.Geometry.EnvelopeInternal;
            long fid;
            if (stored.TryGetValue(feature.Id, out var old))
            {
                fid = old.Fid;
                rescanExtent |= old.TouchesBoundaryOf(oldExtent);
                await CountFeatureAsync(connection, transaction, fid, -1);
                // Replaced in place: the feature keeps its fid, so its place in store order does not move.
                await connection.ExecuteAsync("""
                    UPDATE features SET is_point = @isPoint, min_x = @minX, min_y = @minY, max_x = @maxX, max_y = @maxY, geometry = @geometry, properties = @properties
                    WHERE fid = @fid
                    """,
                    new { fid, isPoint = feature.Geometry is Point, minX = envelope.MinX, minY = envelope.MinY, maxX = envelope.MaxX, maxY = envelope.MaxY, geometry = feature.Geometry, properties = feature.PropertiesJson },
                    transaction);
                await connection.ExecuteAsync(
                    "UPDATE features_rtree SET min_x = @minX, max_x = @maxX, min_y = @minY, max_y = @maxY WHERE fid = @fid",
                    RtreeBounds(fid, envelope), transaction);
            }
            else
            {
                fid = await InsertFeatureAsync(connection, transaction, collectionId, feature);
            }

            await CountFeatureAsync(connection, transaction, fid, +1);
        }

        var added = new Envelope();
        foreach (var feature in features)
        {
            added.ExpandToInclude(feature.Geometry.EnvelopeInternal);
        }

        var inserted = features.Count - stored.Count;
        await UpdateDerivedInfoAsync(connection, transaction, collection, inserted, added, rescanExtent);
        var version = await BumpDataVersionAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new FeatureWriteResult(inserted, stored.Count, version);
    }

    public async Task<bool> DeleteFeatureAsync(string collectionId, string featureId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var collection = await connection.QuerySingleOrDefaultAsync<CollectionRow>(new CommandDefinition(
            CollectionRow.Select + " WHERE id = @collectionId", new { collectionId }, transaction, cancellationToken: cancellationToken));
        var old = collection is null ? null : await connection.QuerySingleOrDefaultAsync<StoredFeature>(new CommandDefinition(
            "SELECT fid AS Fid, min_x AS MinX, min_y AS MinY, max_x AS MaxX, max_y AS MaxY FROM features WHERE collection_id = @collectionId AND feature_id = @featureId",
            new { collectionId, featureId }, transaction, cancellationToken: cancellationToken));
        if (collection is null || old is null)
        {
            return false;
        }

        await CountFeatureAsync(connection, transaction, old.Fid, -1);
        await connection.ExecuteAsync("DELETE FROM features_rtree WHERE fid = @Fid", new { old.Fid }, transaction);
        await connection.ExecuteAsync("DELETE FROM features WHERE fid = @Fid", new { old.Fid }, transaction);
        await UpdateDerivedInfoAsync(connection, transaction, collection, -1, added: null, rescanExtent: old.TouchesBoundaryOf(collection.Extent));
        await BumpDataVersionAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO api_keys (key_id, name, secret_sha256, created_at) VALUES (@KeyId, @Name, @SecretSha256, @CreatedAt)",
            new { key.KeyId, key.Name, key.SecretSha256, CreatedAt = key.CreatedAt.ToString("O", CultureInfo.InvariantCulture) },
            cancellationToken: cancellationToken));
    }

    public async Task<ApiKeyRecord?> GetApiKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition(
            ApiKeyRow.Select + " WHERE key_id = @keyId", new { keyId }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> GetApiKeysAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(ApiKeyRow.Select + " ORDER BY created_at, key_id", cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToRecord())];
    }

    public async Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // A revoked key is deleted: nothing about it is needed to refuse it, and its id is never reissued (random).
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM api_keys WHERE key_id = @keyId", new { keyId }, cancellationToken: cancellationToken)) > 0;
    }

    public async Task<long> GetDataVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT value FROM store_meta WHERE key = 'data_version'", cancellationToken: cancellationToken));
    }

    private static async Task<long> InsertFeatureAsync(SqliteConnection connection, SqliteTransaction transaction, string collectionId, FeatureRecord feature)
    {
        var envelope = feature.Geometry.EnvelopeInternal;
        var fid = await connection.ExecuteScalarAsync<long>("""
            INSERT INTO features (collection_id, feature_id, is_point, min_x, min_y, max_x, max_y, geometry, properties)
            VALUES (@collectionId, @featureId, @isPoint, @minX, @minY, @maxX, @maxY, @geometry, @properties)
            RETURNING fid
            """,
            new
            {
                collectionId,
                featureId = feature.Id,
                isPoint = feature.Geometry is Point,
                minX = envelope.MinX,
                minY = envelope.MinY,
                maxX = envelope.MaxX,
                maxY = envelope.MaxY,
                geometry = feature.Geometry,
                properties = feature.PropertiesJson,
            },
            transaction);
        await connection.ExecuteAsync(
            "INSERT INTO features_rtree (fid, min_x, max_x, min_y, max_y) VALUES (@fid, @minX, @maxX, @minY, @maxY)",
            RtreeBounds(fid, envelope), transaction);
        return fid;
    }

    private static object RtreeBounds(long fid, Envelope envelope) => new
    {
        fid,
        minX = Float32Bounds.Down(envelope.MinX),
        maxX = Float32Bounds.Up(envelope.MaxX),
        minY = Float32Bounds.Down(envelope.MinY),
        maxY = Float32Bounds.Up(envelope.MaxY),
    };

    private const string ScalarJsonTypes = "('text', 'integer', 'real', 'true', 'false')";

    /// <summary>Adds (+1) or removes (-1) a stored feature's geometry type and scalar properties from its collection's counts.</summary>
    private static async Task CountFeatureAsync(SqliteConnection connection, SqliteTransaction transaction, long fid, int delta)
    {
        await connection.ExecuteAsync($"""
            INSERT INTO collection_geometry_types (collection_id, geometry_type, features)
            SELECT collection_id, {SqliteMigrations.GeometryTypeOfWkb}, @delta FROM features WHERE fid = @fid
            ON CONFLICT (collection_id, geometry_type) DO UPDATE SET features = features + excluded.features
            """, new { fid, delta }, transaction);
        await connection.ExecuteAsync($"""
            INSERT INTO collection_queryables (collection_id, name, features)
            SELECT DISTINCT f.collection_id, j.key, @delta FROM features f, json_each(f.properties) j
            WHERE f.fid = @fid AND j.type IN {ScalarJsonTypes}
            ON CONFLICT (collection_id, name) DO UPDATE SET features = features + excluded.features
            """, new { fid, delta }, transaction);
    }

    /// <summary>Counts every feature of a collection afresh (after it was replaced whole).</summary>
    private static async Task RecountCollectionAsync(SqliteConnection connection, SqliteTransaction transaction, string collectionId)
    {
        await connection.ExecuteAsync("DELETE FROM collection_geometry_types WHERE collection_id = @collectionId", new { collectionId }, transaction);
        await connection.ExecuteAsync("DELETE FROM collection_queryables WHERE collection_id = @collectionId", new { collectionId }, transaction);
        await connection.ExecuteAsync($"""
            INSERT INTO collection_geometry_types (collection_id, geometry_type, features)
            SELECT collection_id, {SqliteMigrations.GeometryTypeOfWkb}, COUNT(*) FROM features WHERE collection_id = @collectionId GROUP BY 1, 2
            """, new { collectionId }, transaction);
        await connection.ExecuteAsync($"""
            INSERT INTO collection_queryables (collection_id, name, features)
            SELECT f.collection_id, j.key, COUNT(DISTINCT f.fid) FROM features f, json_each(f.properties) j
            WHERE f.collection_id = @collectionId AND j.type IN {ScalarJsonTypes} GROUP BY 1, 2
            """, new { collectionId }, transaction);
    }

    /// <summary>
    /// Brings a collection's count, extent, geometry type and queryables up to date after a write, from the counts
    /// and cheap aggregates: the extent grows by what was added and is recomputed (one pass over the collection's
    /// envelopes) only when a removed or replaced feature touched its edge.
    /// </summary>
    private static async Task UpdateDerivedInfoAsync(SqliteConnection connection, SqliteTransaction transaction, CollectionRow collection, long countDelta, Envelope? added, bool rescanExtent)
    {
        var collectionId = collection.Id;
        await connection.ExecuteAsync("DELETE FROM collection_geometry_types WHERE collection_id = @collectionId AND features <= 0", new { collectionId }, transaction);
        await connection.ExecuteAsync("DELETE FROM collection_queryables WHERE collection_id = @collectionId AND features <= 0", new { collectionId }, transaction);
        var types = (await connection.QueryAsync<string>("SELECT geometry_type FROM collection_geometry_types WHERE collection_id = @collectionId", new { collectionId }, transaction)).ToList();
        var queryables = (await connection.QueryAsync<string>("SELECT name FROM collection_queryables WHERE collection_id = @collectionId", new { collectionId }, transaction))
            .Order(StringComparer.Ordinal).ToArray();

        Envelope? extent;
        if (rescanExtent)
        {
            var box = await connection.QuerySingleAsync<(double? MinX, double? MinY, double? MaxX, double? MaxY)>(
                "SELECT MIN(min_x), MIN(min_y), MAX(max_x), MAX(max_y) FROM features WHERE collection_id = @collectionId", new { collectionId }, transaction);
            extent = box.MinX is null ? null : new Envelope(box.MinX.Value, box.MaxX!.Value, box.MinY!.Value, box.MaxY!.Value);
        }
        else
        {
            extent = collection.Extent is null ? null : new Envelope(collection.Extent);
            if (added is { IsNull: false })
            {
                extent ??= new Envelope();
                extent.ExpandToInclude(added);
            }
        }

        await connection.ExecuteAsync("""
            UPDATE collections SET geometry_type = @geometryType, min_x = @minX, min_y = @minY, max_x = @maxX, max_y = @maxY,
                feature_count = feature_count + @countDelta, queryables = @queryables, updated_at = @updatedAt
            WHERE id = @collectionId
            """,
            new
            {
                collectionId,
                geometryType = types.Count == 1 ? types[0] : CollectionSummary.MixedGeometryType,
                minX = extent?.MinX,
                minY = extent?.MinY,
                maxX = extent?.MaxX,
                maxY = extent?.MaxY,
                countDelta,
                queryables = JsonSerializer.Serialize(queryables),
                updatedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            },
            transaction);
    }

    private static async Task<long> BumpDataVersionAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync("UPDATE store_meta SET value = value + 1 WHERE key = 'data_version'", transaction: transaction);
        return await ReadDataVersionAsync(connection, transaction, cancellationToken);
    }

    private static Task<long> ReadDataVersionAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT value FROM store_meta WHERE key = 'data_version'", transaction: transaction, cancellationToken: cancellationToken));

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("PRAGMA foreign_keys = ON");
        connection.CreateFunction<byte[], double, double, double, double, bool>(
            "cm_intersects_envelope", ExactEnvelopeTest.Intersects, isDeterministic: true);
        return connection;
    }

    private static string BuildItemsFilter(ItemsQuery query, DynamicParameters parameters)
    {
        var where = new StringBuilder("f.collection_id = @collectionId");
        parameters.Add("collectionId", query.CollectionId);
        if (query.BboxParts.Count > 0)
        {
            where.Append(" AND (");
            for (var i = 0; i < query.BboxParts.Count; i++)
            {
                var box = query.BboxParts[i];
                if (i > 0)
                {
                    where.Append(" OR ");
                }

                where.Append(CultureInfo.InvariantCulture, $"""
                    (f.fid IN (SELECT fid FROM features_rtree WHERE max_x >= @rminX{i} AND min_x <= @rmaxX{i} AND max_y >= @rminY{i} AND min_y <= @rmaxY{i})
                     AND f.max_x >= @minX{i} AND f.min_x <= @maxX{i} AND f.max_y >= @minY{i} AND f.min_y <= @maxY{i}
                     AND (f.is_point = 1 OR cm_intersects_envelope(f.geometry, @minX{i}, @minY{i}, @maxX{i}, @maxY{i})))
                    """);
                parameters.Add($"minX{i}", box.MinX);
                parameters.Add($"minY{i}", box.MinY);
                parameters.Add($"maxX{i}", box.MaxX);
                parameters.Add($"maxY{i}", box.MaxY);
                parameters.Add($"rminX{i}", Float32Bounds.Down(box.MinX));
                parameters.Add($"rminY{i}", Float32Bounds.Down(box.MinY));
                parameters.Add($"rmaxX{i}", Float32Bounds.Up(box.MaxX));
                parameters.Add($"rmaxY{i}", Float32Bounds.Up(box.MaxY));
            }

            where.Append(')');
        }

        for (var i = 0; i < query.Filters.Count; i++)
        {
            var filter = query.Filters[i];
            // Text compares as text, numbers numerically (so ?area_km2=4 matches 4.0), booleans as true/false.
            where.Append(CultureInfo.InvariantCulture, $"""
                 AND (CASE json_type(f.properties, @path{i})
                    WHEN 'text' THEN json_extract(f.properties, @path{i}) = @value{i}
                    WHEN 'integer' THEN json_extract(f.properties, @path{i}) = @number{i}
                    WHEN 'real' THEN json_extract(f.properties, @path{i}) = @number{i}
                    WHEN 'true' THEN @value{i} = 'true'
                    WHEN 'false' THEN @value{i} = 'false'
                    ELSE 0 END)
                """);
            parameters.Add($"path{i}", "$.\"" + filter.Property + "\"");
            parameters.Add($"value{i}", filter.Value);
            parameters.Add($"number{i}", double.TryParse(filter.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : null);
        }

        return where.ToString();
    }

    private sealed class FeatureRow
    {
        public string Id { get; set; } = "";

        public Geometry Geometry { get; set; } = Point.Empty;

        public string Properties { get; set; } = "{}";

        public FeatureRecord ToRecord() => new(Id, Geometry, Properties);
    }

    private sealed class StoredFeature
    {
        public long Fid { get; set; }

        public double MinX { get; set; }

        public double MinY { get; set; }

        public double MaxX { get; set; }

        public double MaxY { get; set; }

        /// <summary>Whether removing this feature can shrink the extent (it lies on, or outside, an edge of it).</summary>
        public bool TouchesBoundaryOf(Envelope? extent) =>
            extent is null || MinX <= extent.MinX || MinY <= extent.MinY || MaxX >= extent.MaxX || MaxY >= extent.MaxY;
    }

    private sealed class ApiKeyRow
    {
        public const string Select = "SELECT key_id AS KeyId, name AS Name, secret_sha256 AS SecretSha256, created_at AS CreatedAt FROM api_keys";

        public string KeyId { get; set; } = "";

        public string Name { get; set; } = "";

        public byte[] SecretSha256 { get; set; } = [];

        public string CreatedAt { get; set; } = "";

        public ApiKeyRecord ToRecord() => new(KeyId, Name, SecretSha256, DateTimeOffset.Parse(CreatedAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
    }

    private sealed class CollectionRow
    {
        public const string Select = "SELECT id AS Id, title AS Title, description AS Description, attribution AS Attribution, license AS License, metadata AS Metadata, geometry_type AS GeometryType, min_x AS MinX, min_y AS MinY, max_x AS MaxX, max_y AS MaxY, feature_count AS FeatureCount, queryables AS Queryables, updated_at AS UpdatedAt FROM collections";

        public string Id { get; set; } = "";

        public string Title { get; set; } = "";

        public string Description { get; set; } = "";

        public string Attribution { get; set; } = "";

        public string License { get; set; } = "";

        public string Metadata { get; set; } = "{}";

        public string GeometryType { get; set; } = "";

        public double? MinX { get; set; }

        public double? MinY { get; set; }

        public double? MaxX { get; set; }

        public double? MaxY { get; set; }

        public long FeatureCount { get; set; }

        public string Queryables { get; set; } = "[]";

        public string UpdatedAt { get; set; } = "";

        public Envelope? Extent => MinX is null ? null : new Envelope(MinX.Value, MaxX!.Value, MinY!.Value, MaxY!.Value);

        public CollectionInfo ToInfo() => new(
            new CollectionDefinition(Id, Title, Description, Attribution, License, Metadata),
            GeometryType,
            MinX is null ? null : new Envelope(MinX.Value, MaxX!.Value, MinY!.Value, MaxY!.Value),
            FeatureCount,
            JsonSerializer.Deserialize<string[]>(Queryables) ?? [],
            DateTimeOffset.Parse(UpdatedAt, CultureInfo.InvariantCulture));
    }
}
