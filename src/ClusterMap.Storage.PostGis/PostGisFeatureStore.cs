using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using Dapper;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;
using NpgsqlTypes;

namespace ClusterMap.Storage.PostGis;

/// <summary>
/// The scale-out store: PostgreSQL with PostGIS, shared by any number of API replicas. Geometry is
/// <c>geometry(Geometry, 4326)</c> with GiST indexes on it and on its <c>geography</c> cast; bulk writes use binary
/// COPY; every write bumps <c>data_version</c> in its own transaction, so every replica's caches see it. Answers are
/// the SQLite store's, byte for byte: properties are kept as <c>json</c> text, geometry is read back as WKB and
/// parsed like SQLite's, bbox and property filters follow the same rules.
/// </summary>
public sealed partial class PostGisFeatureStore : IFeatureStore, IProximityPushDown, IAsyncDisposable, IDisposable
{
    private const int Srid = 4326;

    // Arbitrary but fixed: the advisory lock replicas take while one of them seeds an empty store.
    private const long SeedLockKey = 0x436C75737465725F; // "Cluster_"

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _connectionString;

    /// <param name="connectionString">An Npgsql connection string (see <see cref="PostGisConnectionString"/> for URIs).</param>
    public PostGisFeatureStore(string connectionString)
    {
        _connectionString = connectionString;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // Geometry goes into PostGIS through the NetTopologySuite plugin (binary COPY); it comes back as WKB
        // (ST_AsBinary) read by the same WKBReader as SQLite's, so both stores hand out identical geometries.
        builder.UseNetTopologySuite();
        _dataSource = builder.Build();
        Database = new NpgsqlConnectionStringBuilder(connectionString).Database ?? "";
    }

    /// <summary>The database name, for logs.</summary>
    public string Database { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        // Migrate on a plain connection: the data source's type mapping must not be loaded before PostGIS exists.
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await PostGisMigrations.ApplyAsync(connection, cancellationToken);
        }

        await using var pooled = await _dataSource.OpenConnectionAsync(cancellationToken);
        await pooled.ReloadTypesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<CollectionInfo>> GetCollectionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CollectionRow>(new CommandDefinition(CollectionRow.Select + " ORDER BY ord", cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToInfo())];
    }

    public async Task<CollectionInfo?> GetCollectionAsync(string collectionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
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

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for the count and the page, so numberMatched describes the features returned.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var matched = await connection.ExecuteScalarAsync<long>(
            new CommandDefinition($"SELECT COUNT(*) FROM features f WHERE {where}", parameters, transaction, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<FeatureRow>(new CommandDefinition(
            $"SELECT {FeatureRow.Columns} FROM features f WHERE {where} ORDER BY f.fid LIMIT @limit OFFSET @offset",
            parameters, transaction, cancellationToken: cancellationToken));
        var features = rows.Select(row => row.ToRecord()).ToList();
        await transaction.CommitAsync(cancellationToken);
        return new FeaturePage(features, matched);
    }

    public async Task<FeatureRecord?> GetItemAsync(string collectionId, string featureId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<FeatureRow>(new CommandDefinition(
            $"SELECT {FeatureRow.Columns} FROM features f WHERE f.collection_id = @collectionId AND f.feature_id = @featureId",
            new { collectionId, featureId }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<FeatureRecord>> GetAllItemsAsync(string collectionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<FeatureRow>(new CommandDefinition(
            $"SELECT {FeatureRow.Columns} FROM features f WHERE f.collection_id = @collectionId ORDER BY f.fid",
            new { collectionId }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToRecord())];
    }

    public async Task ReplaceCollectionsAsync(IReadOnlyList<CollectionImport> imports, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ReplaceInTransactionAsync(connection, transaction, imports, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Fills an empty store from <paramref name="seed"/> (the shipped geodata on a first start). Replicas starting
    /// together serialise on an advisory lock: one seeds, the others find the store filled and leave it alone.
    /// </summary>
    /// <returns>True when this call seeded the store.</returns>
    public async Task<bool> SeedIfEmptyAsync(Func<IReadOnlyList<CollectionImport>> seed, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = SeedLockKey }, transaction, cancellationToken: cancellationToken));
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM collections)", transaction: transaction, cancellationToken: cancellationToken)))
        {
            return false;
        }

        await ReplaceInTransactionAsync(connection, transaction, seed(), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task ReplaceInTransactionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<CollectionImport> imports, CancellationToken cancellationToken)
    {
        var updatedAt = Now();
        foreach (var import in imports)
        {
            var id = import.Definition.Id;
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM features WHERE collection_id = @id", new { id }, transaction, cancellationToken: cancellationToken));

            var summary = CollectionSummary.Of(import.Features);
            await connection.ExecuteAsync(new CommandDefinition("""
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
                    FeatureCount = (long)import.Features.Count,
                    Queryables = JsonSerializer.Serialize(summary.Queryables),
                    UpdatedAt = updatedAt,
                },
                transaction, cancellationToken: cancellationToken));

            await CopyFeaturesAsync(connection, "features (collection_id, feature_id, geom, properties)", id, import.Features, cancellationToken);
        }

        await BumpDataVersionAsync(connection, transaction, cancellationToken);
    }

    public async Task<FeatureWriteResult> WriteFeaturesAsync(string collectionId, IReadOnlyList<FeatureRecord> features, FeatureWriteMode mode, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Locking the collection row serialises writers of one collection, so the conflict check below stays true
        // until commit.
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM collections WHERE id = @collectionId FOR UPDATE)", new { collectionId }, transaction, cancellationToken: cancellationToken));
        if (!exists)
        {
            throw new CollectionNotFoundException(collectionId);
        }

        var repeated = features.GroupBy(f => f.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (repeated.Count > 0)
        {
            throw new FeatureConflictException(collectionId, repeated);
        }

        if (features.Count == 0)
        {
            return new FeatureWriteResult(0, 0, await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT value FROM data_version", transaction: transaction, cancellationToken: cancellationToken)));
        }

        var ids = features.Select(f => f.Id).ToArray();
        // The versions about to be replaced: their ids for the conflict check, their shape for the summary.
        var replaced = (await connection.QueryAsync<ReplacedRow>(new CommandDefinition(
            $"SELECT feature_id AS Id, {RemovedRow.Columns} FROM features WHERE collection_id = @collectionId AND feature_id = ANY(@ids)",
            new { collectionId, ids }, transaction, cancellationToken: cancellationToken))).ToList();
        var stored = replaced.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        if (mode == FeatureWriteMode.Insert && stored.Count > 0)
        {
            throw new FeatureConflictException(collectionId, [.. ids.Where(stored.Contains)]);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TEMP TABLE feature_writes (ord bigint GENERATED ALWAYS AS IDENTITY, collection_id text NOT NULL, feature_id text NOT NULL, geom geometry NOT NULL, properties json NOT NULL) ON COMMIT DROP",
            transaction: transaction, cancellationToken: cancellationToken));
        await CopyFeaturesAsync(connection, "feature_writes (collection_id, feature_id, geom, properties)", collectionId, features, cancellationToken);
        // A replaced feature keeps its place in store order; new ones follow in the order written.
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO features (collection_id, feature_id, geom, properties)
            SELECT collection_id, feature_id, geom, properties FROM feature_writes ORDER BY ord
            ON CONFLICT (collection_id, feature_id) DO UPDATE SET geom = excluded.geom, properties = excluded.properties
            """, transaction: transaction, cancellationToken: cancellationToken));

        await UpdateSummaryAsync(connection, transaction, collectionId, features, replaced, cancellationToken);
        var version = await BumpDataVersionAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new FeatureWriteResult(features.Count - stored.Count, stored.Count, version);
    }

    public async Task<bool> DeleteFeatureAsync(string collectionId, string featureId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Writers of one collection serialise on its row, so the summary below starts from the one before them.
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT 1 FROM collections WHERE id = @collectionId FOR UPDATE", new { collectionId }, transaction, cancellationToken: cancellationToken));
        var deleted = (await connection.QueryAsync<RemovedRow>(new CommandDefinition(
            $"DELETE FROM features WHERE collection_id = @collectionId AND feature_id = @featureId RETURNING {RemovedRow.Columns}",
            new { collectionId, featureId }, transaction, cancellationToken: cancellationToken))).ToList();
        if (deleted.Count == 0)
        {
            return false;
        }

        await UpdateSummaryAsync(connection, transaction, collectionId, [], deleted, cancellationToken);
        await BumpDataVersionAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<long> GetDataVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT value FROM data_version", cancellationToken: cancellationToken));
    }

    public async Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO api_keys (key_id, name, secret_sha256, created_at) VALUES (@KeyId, @Name, @SecretSha256, @CreatedAt)",
            new { key.KeyId, key.Name, key.SecretSha256, CreatedAt = key.CreatedAt.ToString("O", CultureInfo.InvariantCulture) },
            cancellationToken: cancellationToken));
    }

    public async Task<ApiKeyRecord?> GetApiKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition(
            ApiKeyRow.Select + " WHERE key_id = @keyId", new { keyId }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> GetApiKeysAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(ApiKeyRow.Select + " ORDER BY created_at, key_id", cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToRecord())];
    }

    public async Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM api_keys WHERE key_id = @keyId", new { keyId }, cancellationToken: cancellationToken)) > 0;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    private static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private static async Task<long> BumpDataVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<long>(new CommandDefinition("UPDATE data_version SET value = value + 1 RETURNING value", transaction: transaction, cancellationToken: cancellationToken));

    /// <summary>Binary COPY of features into <paramref name="target"/>, in the given order (which becomes store order).</summary>
    private static async Task CopyFeaturesAsync(NpgsqlConnection connection, string target, string collectionId, IReadOnlyList<FeatureRecord> features, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {target} FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var feature in features)
        {
            // The column is SRID 4326; the record's geometry is left untouched.
            var geometry = feature.Geometry.Copy();
            geometry.SRID = Srid;
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(collectionId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(feature.Id, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(geometry, NpgsqlDbType.Geometry, cancellationToken);
            await importer.WriteAsync(feature.PropertiesJson, NpgsqlDbType.Json, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
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

                // && (GiST, float boxes rounded outward) first; then points by their exact coordinates and other
                // shapes by their real geometry against the same box geometry NTS builds for SQLite's exact test.
                where.Append(CultureInfo.InvariantCulture, $"""
                    (f.geom && ST_GeomFromWKB(@box{i}, {Srid})
                     AND CASE WHEN ST_GeometryType(f.geom) = 'ST_Point'
                         THEN ST_X(f.geom) BETWEEN @minX{i} AND @maxX{i} AND ST_Y(f.geom) BETWEEN @minY{i} AND @maxY{i}
                         ELSE ST_Intersects(f.geom, ST_GeomFromWKB(@box{i}, {Srid})) END)
                    """);
                parameters.Add($"box{i}", BoxWkb(box));
                parameters.Add($"minX{i}", box.MinX);
                parameters.Add($"minY{i}", box.MinY);
                parameters.Add($"maxX{i}", box.MaxX);
                parameters.Add($"maxY{i}", box.MaxY);
            }

            where.Append(')');
        }

        for (var i = 0; i < query.Filters.Count; i++)
        {
            var filter = query.Filters[i];
            // SQLite's rules: text compares as text, numbers numerically (so ?area_km2=4 matches 4.0), booleans as
            // true/false; nulls, objects and arrays never match.
            where.Append(CultureInfo.InvariantCulture, $"""
                 AND (CASE json_typeof(f.properties -> @key{i})
                    WHEN 'string' THEN (f.properties ->> @key{i}) = @value{i}
                    WHEN 'number' THEN (f.properties ->> @key{i})::double precision = @number{i}::double precision
                    WHEN 'boolean' THEN (f.properties ->> @key{i}) = @value{i}
                    ELSE false END)
                """);
            parameters.Add($"key{i}", filter.Property);
            parameters.Add($"value{i}", filter.Value);
            parameters.Add($"number{i}", double.TryParse(filter.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : null, System.Data.DbType.Double);
        }

        return where.ToString();
    }

    private static readonly GeometryFactory _boxFactory = new();

    private static byte[] BoxWkb(Envelope box) =>
        new WKBWriter(ByteOrder.LittleEndian, handleSRID: false, emitZ: false, emitM: false).Write(_boxFactory.ToGeometry(box));

    private sealed class FeatureRow
    {
        public const string Columns = "f.feature_id AS Id, ST_AsBinary(f.geom, 'NDR') AS Wkb, f.properties::text AS Properties";

        public string Id { get; set; } = "";

        public byte[] Wkb { get; set; } = [];

        public string Properties { get; set; } = "{}";

        // Readers are cheap and not documented as thread-safe, so each row gets its own.
        public FeatureRecord ToRecord() => new(Id, new WKBReader().Read(Wkb), Properties);
    }

    private sealed class SummaryRow
    {
        public long FeatureCount { get; set; }

        public double? MinX { get; set; }

        public double? MinY { get; set; }

        public double? MaxX { get; set; }

        public double? MaxY { get; set; }

        public string GeometryType { get; set; } = "";

        public string Queryables { get; set; } = "[]";
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

        public CollectionInfo ToInfo() => new(
            new CollectionDefinition(Id, Title, Description, Attribution, License, Metadata),
            GeometryType,
            MinX is null ? null : new Envelope(MinX.Value, MaxX!.Value, MinY!.Value, MaxY!.Value),
            FeatureCount,
            JsonSerializer.Deserialize<string[]>(Queryables) ?? [],
            DateTimeOffset.Parse(UpdatedAt, CultureInfo.InvariantCulture));
    }
}
