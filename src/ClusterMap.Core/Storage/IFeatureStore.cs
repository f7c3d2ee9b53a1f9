using ClusterMap.Core.Features;

namespace ClusterMap.Core.Storage;

/// <summary>
/// The store contract every backend implements (SQLite by default, PostGIS to scale out). Geometries are WGS84
/// lon/lat. Writes are all-or-nothing: a failed or interrupted write leaves the previous content intact.
/// </summary>
public interface IFeatureStore
{
    /// <summary>Creates or upgrades the schema. Safe to call on every start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<CollectionInfo>> GetCollectionsAsync(CancellationToken cancellationToken = default);

    Task<CollectionInfo?> GetCollectionAsync(string collectionId, CancellationToken cancellationToken = default);

    Task<FeaturePage> GetItemsAsync(ItemsQuery query, CancellationToken cancellationToken = default);

    Task<FeatureRecord?> GetItemAsync(string collectionId, string featureId, CancellationToken cancellationToken = default);

    /// <summary>Every feature of a collection in store order, for building in-memory indexes.</summary>
    Task<IReadOnlyList<FeatureRecord>> GetAllItemsAsync(string collectionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the named collections (creating those that do not exist) in one transaction: either every
    /// collection and feature lands, or nothing changes.
    /// </summary>
    Task ReplaceCollectionsAsync(IReadOnlyList<CollectionImport> imports, CancellationToken cancellationToken = default);

    /// <summary>A number that changes whenever any stored data changes; caches key on it.</summary>
    Task<long> GetDataVersionAsync(CancellationToken cancellationToken = default);
}

/// <summary>A whole collection to write: its definition and all its (already validated) features.</summary>
public sealed record CollectionImport(CollectionDefinition Definition, IReadOnlyList<FeatureRecord> Features);
