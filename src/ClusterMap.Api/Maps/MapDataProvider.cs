using ClusterMap.Api.Hosting;
using ClusterMap.Core.Storage;
using ClusterMap.Rendering.Model;
using Microsoft.Extensions.Options;

namespace ClusterMap.Api.Maps;

/// <summary>
/// Loads every collection once per store data version into a <see cref="MapData"/> snapshot that all maps and tiles
/// share; a new data version (an import, ReplaceCollectionsAsync) makes the next request load a new snapshot.
/// </summary>
internal sealed class MapDataProvider(IFeatureStore store, CollectionSnapshotCache snapshots, IOptions<MapsOptions> options, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile MapData? _current;
    private long _checkedAt = long.MinValue;
    private volatile bool _changedHere;

    /// <summary>Called after this process wrote to the store: the next request reads the data version at once.</summary>
    public void Invalidate() => _changedHere = true;

    public async Task<MapData> GetAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        var now = clock.GetTimestamp();
        var interval = options.Value.DataVersionCheckMilliseconds;
        if (current is not null && interval > 0 && !_changedHere && clock.GetElapsedTime(Interlocked.Read(ref _checkedAt), now).TotalMilliseconds < interval)
        {
            return current;
        }

        _changedHere = false;
        var version = await store.GetDataVersionAsync(cancellationToken);
        Interlocked.Exchange(ref _checkedAt, now);
        if (current is not null && current.Version == version)
        {
            return current;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } loaded && loaded.Version == version)
            {
                return loaded;
            }

            var collections = new List<(ClusterMap.Core.Features.CollectionDefinition, IReadOnlyList<ClusterMap.Core.Features.FeatureRecord>)>();
            // Features come from the same per-version snapshots the proximity engine uses: loaded once, held once.
            foreach (var info in await store.GetCollectionsAsync(cancellationToken))
            {
                if (await snapshots.GetAsync(info.Id, cancellationToken) is { } snapshot)
                {
                    collections.Add((snapshot.Collection.Definition, snapshot.Features));
                }
            }

            // The version was read before loading: if an import lands meanwhile, the snapshot holds newer data under the
            // older number, and the next check sees a different number and loads again. Never old data under a new number.
            var data = MapData.From(collections, version);
            _current = data;
            return data;
        }
        finally
        {
            _loading.Release();
        }
    }

    public void Dispose() => _loading.Dispose();
}
