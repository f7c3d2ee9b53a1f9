using ClusterMap.Core.Features;

namespace ClusterMap.Core.Storage;

/// <summary>
/// The store contract every backend implements (SQLite by default, PostGIS to scale out). Geometries are WGS84
/// lon/lat. Writes are all-or-nothing: a failed or interrupted write leaves the previous content intact, and every
/// committed write changes <see cref="GetDataVersionAsync"/> so that caches in any process see it.
/// </summary>
public interface IFeatureStore
{
    /// <summary>Creates or upgrades the schema. Safe to call on every start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<CollectionInfo>> GetCollectionsAsync(CancellationToken cancellationToken = default);

    Task<CollectionInfo?> GetCollectionAsync(string collectionId, CancellationToken cancellationToken = default);

    Task<FeaturePage> GetItemsAsync(ItemsQuery query, CancellationToken cancellationToken = default);

    Task<FeatureRecord?> GetItemAsync(string collectionId, string featureId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The ids of the collection's features that meet <paramref name="filter"/>, in store order: the CQL2 filter
    /// translated as for <see cref="GetItemsAsync"/> (the same indexes), without reading geometries or properties.
    /// </summary>
    Task<IReadOnlyList<string>> GetItemIdsAsync(string collectionId, ItemsFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Every feature of a collection in store order, for building in-memory indexes.</summary>
    Task<IReadOnlyList<FeatureRecord>> GetAllItemsAsync(string collectionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the named collections (creating those that do not exist) in one transaction: either every
    /// collection and feature lands, or nothing changes.
    /// </summary>
    Task ReplaceCollectionsAsync(IReadOnlyList<CollectionImport> imports, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes features into an existing collection in one transaction and updates what the store derives from them
    /// (extent, count, geometry type, queryables, updated time).
    /// </summary>
    /// <exception cref="CollectionNotFoundException">The collection does not exist; nothing is written.</exception>
    /// <exception cref="FeatureConflictException">
    /// <see cref="FeatureWriteMode.Insert"/> with ids already stored, or ids repeated within <paramref name="features"/>;
    /// nothing is written.
    /// </exception>
    Task<FeatureWriteResult> WriteFeaturesAsync(string collectionId, IReadOnlyList<FeatureRecord> features, FeatureWriteMode mode, CancellationToken cancellationToken = default);

    /// <summary>Deletes one feature. False when the collection holds no feature with that id (nothing changes).</summary>
    Task<bool> DeleteFeatureAsync(string collectionId, string featureId, CancellationToken cancellationToken = default);

    /// <summary>A number that changes whenever any stored data changes; caches key on it.</summary>
    Task<long> GetDataVersionAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a new API key (only its hash). Fails when the key id exists.</summary>
    Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default);

    /// <summary>The stored key with this id, or null; revoked keys are not returned.</summary>
    Task<ApiKeyRecord?> GetApiKeyAsync(string keyId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiKeyRecord>> GetApiKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes a key. False when no key has that id.</summary>
    Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default);
}

/// <summary>A whole collection to write: its definition and all its (already validated) features.</summary>
public sealed record CollectionImport(CollectionDefinition Definition, IReadOnlyList<FeatureRecord> Features);
