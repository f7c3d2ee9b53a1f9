using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Storage.Sql;
using Dapper;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Sqlite;

/// <summary>
/// The embedded default store: one SQLite file in WAL mode, geometry as WKB, an R*Tree as the first bbox filter
/// and the exact envelope and geometry test second. Per-collection counts of geometry types and queryable properties
/// let a write update a collection's summary without rescanning it.
/// </summary>
public sealed partial class SqliteFeatureStore : SqlFeatureStore<SqliteConnection, SqliteTransaction>
{
    private const string ScalarJsonTypes = "('text', 'integer', 'real', 'true', 'false')";

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

    public override async Task InitializeAsync(CancellationToken cancellationToken = default)
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
        await BuildMissingPyramidsAsync(connection, cancellationToken);
    }

    protected override async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("PRAGMA foreign_keys = ON");
        IntersectsEnvelopeFunction.Register(connection);
        return connection;
    }

    // BEGIN IMMEDIATE takes the write lock up front, so a concurrent writer waits instead of failing mid-way.
    protected override Task<SqliteTransaction> BeginWriteAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult(connection.BeginTransaction(deferred: false));

    // The write transaction holds the database's write lock, which also keeps a collection's row as it was read.
    protected override string LockCollectionClause => "";

    // Collections have a text key; the rowid still follows the order they were created in.
    protected override string CollectionOrderColumn => "rowid";

    protected override string FeatureColumns => "f.feature_id AS Id, f.geometry AS Wkb, f.properties AS Properties";

    // JSON1 types an integer that overflows 64 bits as 'integer' but yields it as a real value.
    protected override string PropertyMembersSql => """
        SELECT p.key AS name,
            CASE WHEN p.type = 'text' THEN 's'
                 WHEN p.type = 'integer' AND typeof(p.value) = 'integer' THEN 'i'
                 WHEN p.type IN ('integer', 'real') THEN 'n'
                 WHEN p.type IN ('true', 'false') THEN 'b' END AS kind,
            CASE WHEN p.type = 'text' THEN p.value END AS t
        FROM features f, json_each(f.properties) p WHERE f.collection_id = @collectionId
        """;

    // JSON1 decodes \u0000 into text that its string functions end at.
    protected override string UnreadablePropertiesCondition => @"instr(f.properties, '\u0000') > 0";

    protected override string Rfc3339Shape(string text)
    {
        const string Date = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]";
        const string Offset = "[+-][0-9][0-9]:[0-9][0-9]";
        var tail = $"substr({text}, 20)";
        return $"""
            ({text} GLOB '{Date}'
             OR ({text} GLOB '{Date}[Tt ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*'
                 AND ({tail} GLOB '[Zz]' OR {tail} GLOB '{Offset}'
                      OR ({tail} GLOB '.[0-9]*[Zz]' AND NOT substr({text}, 21, length({text}) - 21) GLOB '*[^0-9]*')
                      OR ({tail} GLOB '.[0-9]*{Offset}' AND NOT substr({text}, 21, length({text}) - 26) GLOB '*[^0-9]*'))))
            """;
    }

    protected override void AppendBboxCondition(StringBuilder where, int index, Envelope box, DynamicParameters parameters)
    {
        // The R*Tree's float32 boxes (bounds rounded outward) first, then the exact envelope, then the real shape.
        where.Append(CultureInfo.InvariantCulture, $"""
            (f.fid IN (SELECT fid FROM features_rtree WHERE max_x >= @rminX{index} AND min_x <= @rmaxX{index} AND max_y >= @rminY{index} AND min_y <= @rmaxY{index})
             AND f.max_x >= @minX{index} AND f.min_x <= @maxX{index} AND f.max_y >= @minY{index} AND f.min_y <= @maxY{index}
             AND (f.is_point = 1 OR {IntersectsEnvelopeFunction.Name}(f.geometry, @minX{index}, @minY{index}, @maxX{index}, @maxY{index})))
            """);
        parameters.Add($"rminX{index}", Float32Bounds.Down(box.MinX));
        parameters.Add($"rminY{index}", Float32Bounds.Down(box.MinY));
        parameters.Add($"rmaxX{index}", Float32Bounds.Up(box.MaxX));
        parameters.Add($"rmaxY{index}", Float32Bounds.Up(box.MaxY));
    }

    protected override Cql2SqlTranslator CreateTranslator(Cql2Queryables queryables, string parameterPrefix) =>
        new SqliteCql2Translator(queryables, parameterPrefix);

    protected override void Prepare(SqliteConnection connection, Cql2SqlTranslator translator) =>
        ((SqliteCql2Translator)translator).Register(connection);

    protected override void AppendPropertyCondition(StringBuilder where, int index, PropertyFilter filter, DynamicParameters parameters)
    {
        where.Append(CultureInfo.InvariantCulture, $"""
            (CASE json_type(f.properties, @path{index})
                WHEN 'text' THEN json_extract(f.properties, @path{index}) = @value{index}
                WHEN 'integer' THEN json_extract(f.properties, @path{index}) = @number{index}
                WHEN 'real' THEN json_extract(f.properties, @path{index}) = @number{index}
                WHEN 'true' THEN @value{index} = 'true'
                WHEN 'false' THEN @value{index} = 'false'
                ELSE 0 END)
            """);
        parameters.Add($"path{index}", "$.\"" + filter.Property + "\"");
    }

    protected override string ReadDataVersionSql => "SELECT value FROM store_meta WHERE key = 'data_version'";

    protected override string BumpDataVersionSql => "UPDATE store_meta SET value = value + 1 WHERE key = 'data_version' RETURNING value";

    protected override async Task ReplaceFeaturesAsync(SqliteConnection connection, SqliteTransaction transaction, string collectionId, IReadOnlyList<FeatureRecord> features, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM features_rtree WHERE fid IN (SELECT fid FROM features WHERE collection_id = @collectionId)", new { collectionId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM features_span_rtree WHERE fid IN (SELECT fid FROM features WHERE collection_id = @collectionId)", new { collectionId }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM features WHERE collection_id = @collectionId", new { collectionId }, transaction, cancellationToken: cancellationToken));
        foreach (var feature in features)
        {
            await InsertFeatureAsync(connection, transaction, collectionId, feature);
        }

        await RecountCollectionAsync(connection, transaction, collectionId);
        await WritePyramidAsync(connection, transaction, collectionId, features.Select(f => AnchorCandidate.Of(f.Geometry)));
    }

    protected override async Task<int> WriteIntoCollectionAsync(
        SqliteConnection connection, SqliteTransaction transaction, CollectionRow collection, IReadOnlyList<FeatureRecord> features, FeatureWriteMode mode, CancellationToken cancellationToken)
    {
        var collectionId = collection.Id;
        var stored = new Dictionary<string, StoredFeature>(StringComparer.Ordinal);
        foreach (var feature in features)
        {
            var row = await FindStoredAsync(connection, transaction, collectionId, feature.Id, cancellationToken);
            if (row is not null)
            {
                stored[feature.Id] = row;
            }
        }

        RefuseStoredIds(collectionId, mode, features, stored.ContainsKey);
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
                await connection.ExecuteAsync("DELETE FROM features_span_rtree WHERE fid = @fid", new { fid }, transaction);
                await IndexShapeAsync(connection, transaction, fid, feature.Geometry);
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

        await UpdateDerivedInfoAsync(connection, transaction, collection, features.Count - stored.Count, added, rescanExtent);
        await ChangePyramidAsync(connection, transaction, collectionId, features.Select(f => AnchorCandidate.Of(f.Geometry)), stored.Values.Select(old => old.ToAnchorCandidate()));
        return stored.Count;
    }

    protected override async Task<bool> DeleteFromCollectionAsync(
        SqliteConnection connection, SqliteTransaction transaction, CollectionRow collection, string featureId, CancellationToken cancellationToken)
    {
        var old = await FindStoredAsync(connection, transaction, collection.Id, featureId, cancellationToken);
        if (old is null)
        {
            return false;
        }

        await CountFeatureAsync(connection, transaction, old.Fid, -1);
        await connection.ExecuteAsync("DELETE FROM features_rtree WHERE fid = @Fid", new { old.Fid }, transaction);
        await connection.ExecuteAsync("DELETE FROM features_span_rtree WHERE fid = @Fid", new { old.Fid }, transaction);
        await connection.ExecuteAsync("DELETE FROM features WHERE fid = @Fid", new { old.Fid }, transaction);
        await UpdateDerivedInfoAsync(connection, transaction, collection, -1, added: null, rescanExtent: old.TouchesBoundaryOf(collection.Extent));
        await ChangePyramidAsync(connection, transaction, collection.Id, [], [old.ToAnchorCandidate()]);
        return true;
    }

    private static Task<StoredFeature?> FindStoredAsync(SqliteConnection connection, SqliteTransaction transaction, string collectionId, string featureId, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<StoredFeature>(new CommandDefinition(
            $"SELECT {StoredFeature.Columns} FROM features WHERE collection_id = @collectionId AND feature_id = @featureId",
            new { collectionId, featureId }, transaction, cancellationToken: cancellationToken));

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
        await IndexShapeAsync(connection, transaction, fid, feature.Geometry);
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
                updatedAt = Now(),
            },
            transaction);
    }

    private sealed class StoredFeature
    {
        /// <summary>The columns read, with the multipoint test on the WKB header (type code 4, little-endian).</summary>
        public const string Columns = "fid AS Fid, min_x AS MinX, min_y AS MinY, max_x AS MaxX, max_y AS MaxY, is_point AS IsPoint, substr(geometry, 2, 4) = x'04000000' AS IsMultiPoint";

        public long Fid { get; set; }

        public bool IsPoint { get; set; }

        public bool IsMultiPoint { get; set; }

        public double MinX { get; set; }

        public double MinY { get; set; }

        public double MaxX { get; set; }

        public double MaxY { get; set; }

        /// <summary>Whether removing this feature can shrink the extent (it lies on, or outside, an edge of it).</summary>
        public bool TouchesBoundaryOf(Envelope? extent) =>
            extent is null || MinX <= extent.MinX || MinY <= extent.MinY || MaxX >= extent.MaxX || MaxY >= extent.MaxY;

        /// <summary>Where the feature is anchored (an empty geometry is stored with max below min: none).</summary>
        public AnchorCandidate? ToAnchorCandidate() =>
            AnchorCandidate.Of(MaxX < MinX || MaxY < MinY ? null : new Envelope(MinX, MaxX, MinY, MaxY), IsPoint, IsMultiPoint);
    }
}
