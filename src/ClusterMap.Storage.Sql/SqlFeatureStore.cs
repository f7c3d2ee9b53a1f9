using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using Dapper;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Sql;

/// <summary>
/// The store core that SQLite and PostGIS share, as pygeoapi's GenericSQLProvider is for its SQL providers: the schema
/// both keep (collections with their summary, features in store order, API keys, a data version), the SQL that reads
/// and writes it alike, and the steps of every operation. A store derives from it and supplies only its dialect:
/// connections and transactions, the bbox and property filters, how features are written and how a collection's
/// summary is kept after a write. Both stores thus answer alike by construction.
/// </summary>
/// <typeparam name="TConnection">The provider's connection.</typeparam>
/// <typeparam name="TTransaction">The provider's transaction.</typeparam>
public abstract partial class SqlFeatureStore<TConnection, TTransaction> : IFeatureStore
    where TConnection : DbConnection
    where TTransaction : DbTransaction
{
    /// <summary>An open connection, ready for this store's SQL.</summary>
    protected abstract Task<TConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A transaction for a write, holding whatever lock keeps writers of one collection from interleaving.</summary>
    protected abstract Task<TTransaction> BeginWriteAsync(TConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// The transaction under which a page of items and its count are read, so that numberMatched describes the features
    /// returned; null reads them by separate statements.
    /// </summary>
    protected virtual Task<TTransaction?> BeginReadSnapshotAsync(TConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<TTransaction?>(null);

    /// <summary>The column of <c>collections</c> that orders collections as they were first created.</summary>
    protected abstract string CollectionOrderColumn { get; }

    /// <summary>
    /// Appended to the query that reads a collection inside a write transaction: the lock that holds its row until
    /// commit, or empty where <see cref="BeginWriteAsync"/> already locks the whole store.
    /// </summary>
    protected abstract string LockCollectionClause { get; }

    /// <summary>
    /// The columns of a <see cref="FeatureRow"/> read from <c>features f</c>: the feature id as Id, the geometry as
    /// little-endian 2D WKB as Wkb, the properties' JSON text as Properties.
    /// </summary>
    protected abstract string FeatureColumns { get; }

    /// <summary>Reads the data version.</summary>
    protected abstract string ReadDataVersionSql { get; }

    /// <summary>Increments the data version and returns the new value.</summary>
    protected abstract string BumpDataVersionSql { get; }

    /// <summary>
    /// Appends the condition that feature <c>f</c> intersects the <paramref name="index"/>th box of a bbox query. The
    /// box's bounds are bound as <c>@minX{index}</c>, <c>@minY{index}</c>, <c>@maxX{index}</c> and <c>@maxY{index}</c>;
    /// the dialect binds anything else it needs.
    /// </summary>
    protected abstract void AppendBboxCondition(StringBuilder where, int index, Envelope box, DynamicParameters parameters);

    /// <summary>
    /// Appends the condition that feature <c>f</c> has the filtered property equal to the value. Text compares as text,
    /// numbers numerically (so ?area_km2=4 matches 4.0), booleans as true/false; nulls, objects and arrays never match.
    /// The value is bound as <c>@value{index}</c> and, when it reads as a finite number, as <c>@number{index}</c>
    /// (otherwise null); the dialect binds the property's name in the form its JSON functions take.
    /// </summary>
    protected abstract void AppendPropertyCondition(StringBuilder where, int index, PropertyFilter filter, DynamicParameters parameters);

    /// <summary>
    /// The store's CQL2 translator, for filters and sort keys on <c>features f</c>; its parameters start with
    /// <paramref name="parameterPrefix"/>, which never clashes with the core's own parameter names.
    /// </summary>
    protected abstract Cql2SqlTranslator CreateTranslator(Cql2Queryables queryables, string parameterPrefix);

    /// <summary>What the connection needs before SQL from <paramref name="translator"/> runs (SQLite registers its functions).</summary>
    protected virtual void Prepare(TConnection connection, Cql2SqlTranslator translator)
    {
    }

    /// <summary>
    /// Replaces every feature of a collection with <paramref name="features"/>, in their order (which becomes store
    /// order). The collection's row is already written.
    /// </summary>
    protected abstract Task ReplaceFeaturesAsync(TConnection connection, TTransaction transaction, string collectionId, IReadOnlyList<FeatureRecord> features, CancellationToken cancellationToken);

    /// <summary>
    /// Writes features (with ids distinct and at least one) into a collection whose row is locked, and brings its summary
    /// up to date; throws <see cref="FeatureConflictException"/> through <see cref="RefuseStoredIds"/> in insert mode.
    /// </summary>
    /// <returns>How many of the features replaced a stored one.</returns>
    protected abstract Task<int> WriteIntoCollectionAsync(TConnection connection, TTransaction transaction, CollectionRow collection, IReadOnlyList<FeatureRecord> features, FeatureWriteMode mode, CancellationToken cancellationToken);

    /// <summary>Deletes one feature of a collection whose row is locked, and brings its summary up to date.</summary>
    /// <returns>False when the collection holds no feature with that id.</returns>
    protected abstract Task<bool> DeleteFromCollectionAsync(TConnection connection, TTransaction transaction, CollectionRow collection, string featureId, CancellationToken cancellationToken);

    public abstract Task InitializeAsync(CancellationToken cancellationToken = default);

    public async Task<IReadOnlyList<CollectionInfo>> GetCollectionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<CollectionRow>(new CommandDefinition(
            $"{CollectionRow.Select} ORDER BY {CollectionOrderColumn}", cancellationToken: cancellationToken));
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
        ArgumentNullException.ThrowIfNull(query);
        var parameters = new DynamicParameters();
        var translators = new List<Cql2SqlTranslator>();
        var where = BuildItemsFilter(query, parameters, translators);
        var orderBy = BuildOrderBy(query.Order, parameters, translators);
        // One feature more than the page shows whether any follows it: a page with none after it counts itself.
        parameters.Add("limit", (long)query.Limit + 1);
        parameters.Add("offset", query.Offset);

        await using var connection = await OpenAsync(cancellationToken);
        translators.ForEach(translator => Prepare(connection, translator));
        await using var snapshot = await BeginReadSnapshotAsync(connection, cancellationToken);
        var rows = (await connection.QueryAsync<FeatureRow>(new CommandDefinition(
            $"SELECT {FeatureColumns} FROM features f WHERE {where} ORDER BY {orderBy} LIMIT @limit OFFSET @offset",
            parameters, snapshot, cancellationToken: cancellationToken))).AsList();
        var features = rows.Take(query.Limit).Select(row => row.ToRecord()).ToList();
        var matched = await CountMatchesAsync(connection, snapshot, query, where, parameters, features.Count, rows.Count > query.Limit, cancellationToken);
        if (snapshot is not null)
        {
            await snapshot.CommitAsync(cancellationToken);
        }

        return new FeaturePage(features, matched);
    }

    /// <summary>
    /// How many features match, at a cost bounded by the page and <see cref="ItemsQuery.MaxExactCount"/> rather than by
    /// the number of matches: a page of the whole collection reads the collection's kept count; a page with no feature
    /// after it (and not past the end) is its own count; otherwise matches are counted up to the cap, and past it the
    /// answer is "more than" the cap (or than the features up to this page's end, if that is more).
    /// </summary>
    private async Task<MatchCount> CountMatchesAsync(
        TConnection connection, TTransaction? snapshot, ItemsQuery query, string where, DynamicParameters parameters, int returned, bool more, CancellationToken cancellationToken)
    {
        if (query.BboxParts.Count == 0 && query.Filters.Count == 0 && query.Filter is null)
        {
            return MatchCount.Exactly(await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT feature_count FROM collections WHERE id = @wholeCollectionId", new { wholeCollectionId = query.CollectionId }, snapshot,
                cancellationToken: cancellationToken)) ?? 0);
        }

        if (!more && (returned > 0 || query.Offset == 0))
        {
            return MatchCount.Exactly((long)query.Offset + returned);
        }

        if (query.MaxExactCount is not { } cap)
        {
            return MatchCount.Exactly(await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT COUNT(*) FROM features f WHERE {where}", parameters, snapshot, cancellationToken: cancellationToken)));
        }

        var shown = (long)query.Offset + returned;
        if (more && shown >= cap)
        {
            return MatchCount.MoreThan(shown);
        }

        parameters.Add("countLimit", (long)cap + 1);
        var counted = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM (SELECT 1 FROM features f WHERE {where} LIMIT @countLimit) capped", parameters, snapshot, cancellationToken: cancellationToken));
        // Past the last match (an empty page) the page's end says nothing about how many there are.
        return counted <= cap ? MatchCount.Exactly(counted) : MatchCount.MoreThan(more ? Math.Max(cap, shown) : cap);
    }

    public async Task<IReadOnlyList<string>> GetItemIdsAsync(string collectionId, ItemsFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var parameters = new DynamicParameters();
        var translators = new List<Cql2SqlTranslator>();
        var where = BuildItemsFilter(new ItemsQuery(collectionId, [], [], 0, 0, filter), parameters, translators);
        await using var connection = await OpenAsync(cancellationToken);
        translators.ForEach(translator => Prepare(connection, translator));
        var ids = await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT f.feature_id FROM features f WHERE {where} ORDER BY f.fid", parameters, cancellationToken: cancellationToken));
        return [.. ids];
    }

    public async Task<FeatureRecord?> GetItemAsync(string collectionId, string featureId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<FeatureRow>(new CommandDefinition(
            $"SELECT {FeatureColumns} FROM features f WHERE f.collection_id = @collectionId AND f.feature_id = @featureId",
            new { collectionId, featureId }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<FeatureRecord>> GetAllItemsAsync(string collectionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<FeatureRow>(new CommandDefinition(
            $"SELECT {FeatureColumns} FROM features f WHERE f.collection_id = @collectionId ORDER BY f.fid",
            new { collectionId }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToRecord())];
    }

    public async Task ReplaceCollectionsAsync(IReadOnlyList<CollectionImport> imports, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        await ReplaceInTransactionAsync(connection, transaction, imports, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The body of <see cref="ReplaceCollectionsAsync"/>, for a store that replaces inside a transaction of its own.</summary>
    protected async Task ReplaceInTransactionAsync(TConnection connection, TTransaction transaction, IReadOnlyList<CollectionImport> imports, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imports);
        var updatedAt = Now();
        foreach (var import in imports)
        {
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

            await ReplaceFeaturesAsync(connection, transaction, import.Definition.Id, import.Features, cancellationToken);
        }

        await BumpDataVersionAsync(connection, transaction, cancellationToken);
    }

    public async Task<FeatureWriteResult> WriteFeaturesAsync(string collectionId, IReadOnlyList<FeatureRecord> features, FeatureWriteMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        // Read under the write lock, so the conflict check and the summary stay true until commit.
        var collection = await ReadLockedCollectionAsync(connection, transaction, collectionId, cancellationToken)
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

        var replaced = await WriteIntoCollectionAsync(connection, transaction, collection, features, mode, cancellationToken);
        var version = await BumpDataVersionAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new FeatureWriteResult(features.Count - replaced, replaced, version);
    }

    public async Task<bool> DeleteFeatureAsync(string collectionId, string featureId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        var collection = await ReadLockedCollectionAsync(connection, transaction, collectionId, cancellationToken);
        if (collection is null || !await DeleteFromCollectionAsync(connection, transaction, collection, featureId, cancellationToken))
        {
            return false;
        }

        await BumpDataVersionAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<long> GetDataVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(ReadDataVersionSql, cancellationToken: cancellationToken));
    }

    public async Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
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

    /// <summary>The time stamp stored in <c>updated_at</c>: ISO 8601 round-trip text, so no tick is lost.</summary>
    protected static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>In insert mode, refuses a write of which any feature is already stored.</summary>
    protected static void RefuseStoredIds(string collectionId, FeatureWriteMode mode, IReadOnlyList<FeatureRecord> features, Func<string, bool> isStored)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(isStored);
        if (mode != FeatureWriteMode.Insert)
        {
            return;
        }

        var stored = features.Select(f => f.Id).Where(isStored).ToList();
        if (stored.Count > 0)
        {
            throw new FeatureConflictException(collectionId, stored);
        }
    }

    protected Task<long> ReadDataVersionAsync(TConnection connection, TTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(ReadDataVersionSql, transaction: transaction, cancellationToken: cancellationToken));

    private Task<long> BumpDataVersionAsync(TConnection connection, TTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(BumpDataVersionSql, transaction: transaction, cancellationToken: cancellationToken));

    private Task<CollectionRow?> ReadLockedCollectionAsync(TConnection connection, TTransaction transaction, string collectionId, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<CollectionRow>(new CommandDefinition(
            $"{CollectionRow.Select} WHERE id = @collectionId{LockCollectionClause}", new { collectionId }, transaction, cancellationToken: cancellationToken));

    private string BuildItemsFilter(ItemsQuery query, DynamicParameters parameters, List<Cql2SqlTranslator> translators)
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

                parameters.Add($"minX{i}", box.MinX);
                parameters.Add($"minY{i}", box.MinY);
                parameters.Add($"maxX{i}", box.MaxX);
                parameters.Add($"maxY{i}", box.MaxY);
                AppendBboxCondition(where, i, box, parameters);
            }

            where.Append(')');
        }

        for (var i = 0; i < query.Filters.Count; i++)
        {
            var filter = query.Filters[i];
            parameters.Add($"value{i}", filter.Value);
            parameters.Add($"number{i}", double.TryParse(filter.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : null, DbType.Double);
            where.Append(" AND ");
            AppendPropertyCondition(where, i, filter, parameters);
        }

        if (query.Filter is { } cql2)
        {
            var translator = CreateTranslator(cql2.Queryables, "cql");
            translators.Add(translator);
            var sql = translator.Translate(cql2.Condition);
            AddParameters(parameters, sql);
            where.Append(" AND ").Append(sql.Where);
        }

        return where.ToString();
    }

    // Features without a value sort last in both directions (SQLite and PostgreSQL place NULLs differently), and store
    // order breaks ties, so that pages never overlap.
    private string BuildOrderBy(ItemsOrder? order, DynamicParameters parameters, List<Cql2SqlTranslator> translators)
    {
        var keys = new List<string>();
        for (var i = 0; i < (order?.Keys.Count ?? 0); i++)
        {
            var translator = CreateTranslator(order!.Queryables, $"sort{i}_");
            translators.Add(translator);
            var key = translator.SortKey(order.Keys[i].Property);
            AddParameters(parameters, key);
            keys.Add($"({key.Where}) IS NULL, {key.Where} {(order.Keys[i].Descending ? "DESC" : "ASC")}");
        }

        keys.Add("f.fid");
        return string.Join(", ", keys);
    }

    private static void AddParameters(DynamicParameters parameters, Cql2Sql sql)
    {
        foreach (var (name, value) in sql.Parameters)
        {
            parameters.Add(name, value);
        }
    }
}
