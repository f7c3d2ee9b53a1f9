using System.Collections.Concurrent;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Tests.Maps;

/// <summary>A decorator over the real store that records what the service reads from it.</summary>
internal class StoreSpy(IFeatureStore inner) : IFeatureStore, IFeatureBoxReader, IFeatureClusterReader
{
    public sealed record BoxRead(string CollectionId, Envelope BoxLonLat, int Returned);

    /// <summary>A clustered read: the query, how many clusters came back and how many features were read whole.</summary>
    public sealed record ClusterRead(string CollectionId, ClusterQuery Query, int Clusters, long Clustered, int Returned);

    public ConcurrentQueue<BoxRead> BoxReads { get; } = new();

    public ConcurrentQueue<ClusterRead> ClusterReads { get; } = new();

    /// <summary>Every box read, plain or clustered, with the number of features read whole.</summary>
    public IReadOnlyList<BoxRead> AllBoxReads => [.. BoxReads, .. ClusterReads.Select(r => new BoxRead(r.CollectionId, r.Query.BoxLonLat, r.Returned))];

    public ConcurrentQueue<string> WholeReads { get; } = new();

    public ConcurrentQueue<ItemsQuery> PageReads { get; } = new();

    public ConcurrentQueue<string> ItemReads { get; } = new();

    public virtual void Reset()
    {
        BoxReads.Clear();
        ClusterReads.Clear();
        WholeReads.Clear();
        PageReads.Clear();
        ItemReads.Clear();
    }

    /// <summary>Replaces the service's store with a spy over it (<paramref name="create"/>: another kind of spy).</summary>
    public static WebApplicationFactoryWithSpy Around(ClusterMapFactory factory, Func<IFeatureStore, StoreSpy>? create = null)
    {
        StoreSpy? spy = null;
        var wrapped = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            var original = services.Last(d => d.ServiceType == typeof(IFeatureStore));
            services.Remove(original);
            services.AddSingleton<IFeatureStore>(provider => spy = (create ?? (store => new StoreSpy(store)))((IFeatureStore)original.ImplementationFactory!(provider)));
        }));
        _ = wrapped.Services.GetRequiredService<IFeatureStore>();
        return new WebApplicationFactoryWithSpy(wrapped, spy!);
    }

    public async Task<IReadOnlyList<FeatureRecord>> GetItemsNearBoxAsync(string collectionId, Envelope boxLonLat, CancellationToken cancellationToken = default)
    {
        var features = await ((IFeatureBoxReader)inner).GetItemsNearBoxAsync(collectionId, boxLonLat, cancellationToken);
        BoxReads.Enqueue(new BoxRead(collectionId, boxLonLat, features.Count));
        return features;
    }

    public async Task<ClusteredFeatures> GetClusteredNearBoxAsync(string collectionId, ClusterQuery query, CancellationToken cancellationToken = default)
    {
        var read = await ((IFeatureClusterReader)inner).GetClusteredNearBoxAsync(collectionId, query, cancellationToken);
        ClusterReads.Enqueue(new ClusterRead(collectionId, query, read.Clusters.Count, read.Clusters.Sum(c => c.Count), read.Features.Count));
        return read;
    }

    public Task<double> GetMaxUncertaintyMetersAsync(string collectionId, CancellationToken cancellationToken = default) =>
        ((IFeatureBoxReader)inner).GetMaxUncertaintyMetersAsync(collectionId, cancellationToken);

    public Task<IReadOnlyList<FeatureRecord>> GetAllItemsAsync(string collectionId, CancellationToken cancellationToken = default)
    {
        WholeReads.Enqueue(collectionId);
        return inner.GetAllItemsAsync(collectionId, cancellationToken);
    }

    public Task<FeaturePage> GetItemsAsync(ItemsQuery query, CancellationToken cancellationToken = default)
    {
        PageReads.Enqueue(query);
        return inner.GetItemsAsync(query, cancellationToken);
    }

    public Task<FeatureRecord?> GetItemAsync(string collectionId, string featureId, CancellationToken cancellationToken = default)
    {
        ItemReads.Enqueue($"{collectionId}/{featureId}");
        return inner.GetItemAsync(collectionId, featureId, cancellationToken);
    }

    public Task<IReadOnlyList<string>> GetItemIdsAsync(string collectionId, ItemsFilter filter, CancellationToken cancellationToken = default) =>
        inner.GetItemIdsAsync(collectionId, filter, cancellationToken);

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public Task<IReadOnlyList<CollectionInfo>> GetCollectionsAsync(CancellationToken cancellationToken = default) => inner.GetCollectionsAsync(cancellationToken);

    public Task<CollectionInfo?> GetCollectionAsync(string collectionId, CancellationToken cancellationToken = default) => inner.GetCollectionAsync(collectionId, cancellationToken);

    public Task ReplaceCollectionsAsync(IReadOnlyList<CollectionImport> imports, CancellationToken cancellationToken = default) => inner.ReplaceCollectionsAsync(imports, cancellationToken);

    public Task<FeatureWriteResult> WriteFeaturesAsync(string collectionId, IReadOnlyList<FeatureRecord> features, FeatureWriteMode mode, CancellationToken cancellationToken = default) =>
        inner.WriteFeaturesAsync(collectionId, features, mode, cancellationToken);

    public Task<bool> DeleteFeatureAsync(string collectionId, string featureId, CancellationToken cancellationToken = default) => inner.DeleteFeatureAsync(collectionId, featureId, cancellationToken);

    public Task<long> GetDataVersionAsync(CancellationToken cancellationToken = default) => inner.GetDataVersionAsync(cancellationToken);

    public Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken = default) => inner.AddApiKeyAsync(key, cancellationToken);

    public Task<ApiKeyRecord?> GetApiKeyAsync(string keyId, CancellationToken cancellationToken = default) => inner.GetApiKeyAsync(keyId, cancellationToken);

    public Task<IReadOnlyList<ApiKeyRecord>> GetApiKeysAsync(CancellationToken cancellationToken = default) => inner.GetApiKeysAsync(cancellationToken);

    public Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default) => inner.RevokeApiKeyAsync(keyId, cancellationToken);
}

/// <summary>A spy over a store that selects proximity candidates (PostGIS): the service pushes proximity down through it.</summary>
internal sealed class PushDownStoreSpy(IFeatureStore inner) : StoreSpy(inner), IProximityPushDown
{
    private readonly IProximityPushDown _pushDown = (IProximityPushDown)inner;

    /// <summary>Every candidate query: the collection and how many features came back.</summary>
    public ConcurrentQueue<(string CollectionId, int Returned)> CandidateReads { get; } = new();

    public override void Reset()
    {
        base.Reset();
        CandidateReads.Clear();
    }

    public async Task<IReadOnlyList<FeatureRecord>> GetWithinCandidatesAsync(string collectionId, Geometry origin, double meters, CancellationToken cancellationToken = default)
    {
        var features = await _pushDown.GetWithinCandidatesAsync(collectionId, origin, meters, cancellationToken);
        CandidateReads.Enqueue((collectionId, features.Count));
        return features;
    }

    public async Task<NearestCandidates> GetNearestCandidatesAsync(string collectionId, Geometry origin, int count, CancellationToken cancellationToken = default)
    {
        var candidates = await _pushDown.GetNearestCandidatesAsync(collectionId, origin, count, cancellationToken);
        CandidateReads.Enqueue((collectionId, candidates.Features.Count));
        return candidates;
    }

    Task<double> IProximityPushDown.GetMaxUncertaintyMetersAsync(string collectionId, CancellationToken cancellationToken) =>
        _pushDown.GetMaxUncertaintyMetersAsync(collectionId, cancellationToken);
}

/// <summary>The service with its store spied on.</summary>
internal sealed record WebApplicationFactoryWithSpy(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Factory, StoreSpy Spy);
