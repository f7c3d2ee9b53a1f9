using System.Globalization;
using System.Text;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Storage.Sql;
using Dapper;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace ClusterMap.Storage.PostGis;

/// <summary>
/// The scale-out store: PostgreSQL with PostGIS, shared by any number of API replicas. Geometry is
/// <c>geometry(Geometry, 4326)</c> with GiST indexes on it and on its <c>geography</c> cast; bulk writes use binary
/// COPY; every write bumps <c>data_version</c> in its own transaction, so every replica's caches see it. Answers are
/// the SQLite store's, byte for byte: properties are kept as <c>json</c> text, geometry is read back as WKB,
/// and bbox and property filters follow the same rules.
/// </summary>
public sealed partial class PostGisFeatureStore : SqlFeatureStore<NpgsqlConnection, NpgsqlTransaction>, IProximityPushDown, IAsyncDisposable, IDisposable
{
    private const int Srid = 4326;

    // Arbitrary but fixed: the advisory lock replicas take while one of them seeds an empty store.
    private const long SeedLockKey = 0x436C75737465725F; // "Cluster_"

    private static readonly GeometryFactory _boxFactory = new();

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _connectionString;

    /// <param name="connectionString">An Npgsql connection string (see <see cref="PostGisConnectionString"/> for URIs).</param>
    public PostGisFeatureStore(string connectionString)
    {
        _connectionString = connectionString;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // Geometry goes into PostGIS through the NetTopologySuite plugin (binary COPY); it comes back as WKB
        // (ST_AsBinary), read like SQLite's.
        builder.UseNetTopologySuite();
        _dataSource = builder.Build();
        Database = new NpgsqlConnectionStringBuilder(connectionString).Database ?? "";
    }

    /// <summary>The database name, for logs.</summary>
    public string Database { get; }

    public override async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        // Migrate on a plain connection: the data source's type mapping must not be loaded before PostGIS exists.
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await PostGisMigrations.ApplyAsync(connection, cancellationToken);
        }

        await using (var pooled = await _dataSource.OpenConnectionAsync(cancellationToken))
        {
            await pooled.ReloadTypesAsync(cancellationToken);
        }

        await BuildMissingPyramidsAsync(cancellationToken);
    }

    /// <summary>
    /// Fills an empty store from <paramref name="seed"/> (the shipped geodata on a first start). Replicas starting
    /// together serialise on an advisory lock: one seeds, the others find the store filled and leave it alone.
    /// </summary>
    /// <returns>True when this call seeded the store.</returns>
    public async Task<bool> SeedIfEmptyAsync(Func<IReadOnlyList<CollectionImport>> seed, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
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

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    protected override Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        _dataSource.OpenConnectionAsync(cancellationToken).AsTask();

    protected override async Task<NpgsqlTransaction> BeginWriteAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken);

    // Writers of one collection serialise on its row, so what they read of it stays true until commit.
    protected override string LockCollectionClause => " FOR UPDATE";

    // Read committed would let a write commit between the count and the page.
    protected override async Task<NpgsqlTransaction?> BeginReadSnapshotAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);

    protected override string CollectionOrderColumn => "ord";

    protected override string FeatureColumns => "f.feature_id AS Id, ST_AsBinary(f.geom, 'NDR') AS Wkb, f.properties::text AS Properties";

    // A number's json text is as written; one of at most 19 digits is cast only once it has that shape.
    protected override string PropertyMembersSql => """
        SELECT p.key AS name,
            CASE json_typeof(p.value)
                WHEN 'string' THEN 's'
                WHEN 'number' THEN CASE WHEN p.value::text !~ '^-?[0-9]{1,19}$' THEN 'n'
                                        WHEN p.value::text::numeric BETWEEN -9223372036854775808 AND 9223372036854775807 THEN 'i'
                                        ELSE 'n' END
                WHEN 'boolean' THEN 'b' END AS kind,
            CASE WHEN json_typeof(p.value) = 'string' THEN p.value #>> '{}' END AS t
        FROM features f, json_each(f.properties) p WHERE f.collection_id = @collectionId
        """;

    // PostgreSQL's text cannot hold NUL: reading such a string (or name) as text fails.
    protected override string UnreadablePropertiesCondition => @"strpos(f.properties::text, '\u0000') > 0";

    // OFFSET 0 keeps a subquery from being pulled up into its parent, whose expressions would then repeat its own.
    protected override string StatisticsFence => " OFFSET 0";

    // The statement is large and its row estimates (json_each's default 100 rows a call) high, so the planner would
    // compile it to machine code; that costs more than the scan it would speed up.
    protected override string StatisticsSettingsSql => "SET LOCAL jit = off";

    // Digits spelt out: a range in a bracket expression may follow the collation.
    protected override string Rfc3339Shape(string text)
    {
        const string D = "[0123456789]";
        return $"({text} ~ '^{D}{{4}}-{D}{{2}}-{D}{{2}}([Tt ]{D}{{2}}:{D}{{2}}:{D}{{2}}(\\.{D}+)?([Zz]|[+-]{D}{{2}}:{D}{{2}}))?$')";
    }

    protected override void AppendBboxCondition(StringBuilder where, int index, Envelope box, DynamicParameters parameters)
    {
        // && (GiST, float boxes rounded outward) first; then points by their exact coordinates and other shapes by
        // their real geometry against the box, as SQLite's second stage tests them.
        where.Append(CultureInfo.InvariantCulture, $"""
            (f.geom && ST_GeomFromWKB(@box{index}, {Srid})
             AND CASE WHEN ST_GeometryType(f.geom) = 'ST_Point'
                 THEN ST_X(f.geom) BETWEEN @minX{index} AND @maxX{index} AND ST_Y(f.geom) BETWEEN @minY{index} AND @maxY{index}
                 ELSE ST_Intersects(f.geom, ST_GeomFromWKB(@box{index}, {Srid})) END)
            """);
        parameters.Add($"box{index}", Wkb.Write(_boxFactory.ToGeometry(box)));
    }

    protected override Cql2SqlTranslator CreateTranslator(Cql2Queryables queryables, string parameterPrefix) =>
        new PostGisCql2Translator(queryables, parameterPrefix);

    protected override void AppendPropertyCondition(StringBuilder where, int index, PropertyFilter filter, DynamicParameters parameters)
    {
        where.Append(CultureInfo.InvariantCulture, $"""
            (CASE json_typeof(f.properties -> @key{index})
                WHEN 'string' THEN (f.properties ->> @key{index}) = @value{index}
                WHEN 'number' THEN (f.properties ->> @key{index})::double precision = @number{index}::double precision
                WHEN 'boolean' THEN (f.properties ->> @key{index}) = @value{index}
                ELSE false END)
            """);
        parameters.Add($"key{index}", filter.Property);
    }

    protected override string ReadDataVersionSql => "SELECT value FROM data_version";

    protected override string BumpDataVersionSql => "UPDATE data_version SET value = value + 1 RETURNING value";

    protected override async Task ReplaceFeaturesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string collectionId, IReadOnlyList<FeatureRecord> features, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM features WHERE collection_id = @collectionId", new { collectionId }, transaction, cancellationToken: cancellationToken));
        await CopyFeaturesAsync(connection, "features (collection_id, feature_id, geom, properties)", collectionId, features, cancellationToken);
        await WritePyramidAsync(connection, transaction, collectionId, ClusterPyramid.Of(features.Select(f => f.Geometry)), cancellationToken);
    }

    protected override async Task<int> WriteIntoCollectionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CollectionRow collection, IReadOnlyList<FeatureRecord> features, FeatureWriteMode mode, CancellationToken cancellationToken)
    {
        var collectionId = collection.Id;
        var ids = features.Select(f => f.Id).ToArray();
        // The versions about to be replaced: their ids for the conflict check, their shape for the summary.
        var replaced = (await connection.QueryAsync<ReplacedRow>(new CommandDefinition(
            $"SELECT feature_id AS Id, {RemovedRow.Columns} FROM features WHERE collection_id = @collectionId AND feature_id = ANY(@ids)",
            new { collectionId, ids }, transaction, cancellationToken: cancellationToken))).ToList();
        var stored = replaced.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        RefuseStoredIds(collectionId, mode, features, stored.Contains);

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

        await UpdateSummaryAsync(connection, transaction, collection, features, replaced, cancellationToken);
        await ChangePyramidAsync(connection, transaction, collectionId, features, replaced, cancellationToken);
        return stored.Count;
    }

    protected override async Task<bool> DeleteFromCollectionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CollectionRow collection, string featureId, CancellationToken cancellationToken)
    {
        var deleted = (await connection.QueryAsync<RemovedRow>(new CommandDefinition(
            $"DELETE FROM features WHERE collection_id = @collectionId AND feature_id = @featureId RETURNING {RemovedRow.Columns}",
            new { collectionId = collection.Id, featureId }, transaction, cancellationToken: cancellationToken))).ToList();
        if (deleted.Count == 0)
        {
            return false;
        }

        await UpdateSummaryAsync(connection, transaction, collection, [], deleted, cancellationToken);
        await ChangePyramidAsync(connection, transaction, collection.Id, [], deleted, cancellationToken);
        return true;
    }

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
}
