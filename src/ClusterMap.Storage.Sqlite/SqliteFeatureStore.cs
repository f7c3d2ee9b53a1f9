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
public sealed class SqliteFeatureStore : IFeatureStore
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
                var envelope = feature.Geometry.EnvelopeInternal;
                var fid = await connection.ExecuteScalarAsync<long>("""
                    INSERT INTO features (collection_id, feature_id, is_point, min_x, min_y, max_x, max_y, geometry, properties)
                    VALUES (@id, @featureId, @isPoint, @minX, @minY, @maxX, @maxY, @geometry, @properties)
                    RETURNING fid
                    """,
                    new
                    {
                        id,
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
                    new
                    {
                        fid,
                        minX = Float32Bounds.Down(envelope.MinX),
                        maxX = Float32Bounds.Up(envelope.MaxX),
                        minY = Float32Bounds.Down(envelope.MinY),
                        maxY = Float32Bounds.Up(envelope.MaxY),
                    },
                    transaction);
            }
        }

        await connection.ExecuteAsync("UPDATE store_meta SET value = value + 1 WHERE key = 'data_version'", transaction: transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    // Placeholder on the contract branch only: the writes branch implements these before anything merges to main.
    public Task<FeatureWriteResult> WriteFeaturesAsync(string collectionId, IReadOnlyList<FeatureRecord> features, FeatureWriteMode mode, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task<bool> DeleteFeatureAsync(string collectionId, string featureId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task<ApiKeyRecord?> GetApiKeyAsync(string keyId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task<IReadOnlyList<ApiKeyRecord>> GetApiKeysAsync(CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public async Task<long> GetDataVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT value FROM store_meta WHERE key = 'data_version'", cancellationToken: cancellationToken));
    }

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
