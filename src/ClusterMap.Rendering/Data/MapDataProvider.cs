using System.Collections.Concurrent;
using ClusterMap.Core.Features;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Generalization;
using ClusterMap.Rendering.Model;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;

namespace ClusterMap.Rendering.Data;

/// <summary>How maps read the store: which collections are held in memory, how often the data version is read again.</summary>
/// <param name="InMemoryMaxFeatures">Collections of at most this many features are held in memory behind an R-tree; larger ones are read from the store's spatial index per view.</param>
/// <param name="DataVersionCheckMilliseconds">How long a data version read from the store is trusted; 0 reads it on every call.</param>
/// <param name="VectorTilesInDatabase">Have a store that can (PostGIS) build vector tiles itself.</param>
public sealed record MapReadSettings(long InMemoryMaxFeatures = 100_000, int DataVersionCheckMilliseconds = 250, bool VectorTilesInDatabase = true);

/// <summary>One of a brief's nearest features (<see cref="MapDataProvider.NearestAsync"/>): the hit, its layer and the feature.</summary>
public sealed record NearestFeature(ProximityHit Hit, MapLayer Layer, MapFeature Feature);

/// <summary>How a view's layers are read (<see cref="MapDataProvider.GetNearAsync"/>).</summary>
/// <param name="StandOut">Features drawn on their own (a highlight, marks): never counted into a cluster, read whole.</param>
/// <param name="EveryFeatureOf">Layers read feature by feature, unclustered: what is filtered after the read, or drawn in
/// another projection than Web Mercator, is clustered by the renderer itself, by the same rule.</param>
public sealed record NearRead(IReadOnlyCollection<FeatureRef> StandOut, Func<string, bool> EveryFeatureOf)
{
    /// <summary>
    /// The zoom of the drawing the read is for (<see cref="MapRequest.DrawingZoom"/>): a layer that drawing shows
    /// nothing of (<see cref="MapGeneralization.DrawsNothingOf"/>) and with no feature standing out is not read. Null
    /// (a vector tile, a density raster, a drawing in another projection) reads every chosen layer.
    /// </summary>
    public double? DrawingZoom { get; init; }

    /// <summary>
    /// Point layers read only as far as their symbols (<see cref="ClusterQuery.SymbolsUnderMeters"/>): the shapes drawn
    /// as areas at this scale are left out. What a placement of tile labels reads.
    /// </summary>
    public bool SymbolsOnly { get; init; }

    /// <summary>Point layers clustered by their source, nothing standing out.</summary>
    public static NearRead Clustered { get; } = new([], _ => false);

    /// <summary>Every feature of every layer.</summary>
    public static NearRead EveryFeature { get; } = new([], _ => true);

    /// <summary>Clustered, except the features a figure highlights or marks; only the layers the drawing shows at its zoom.</summary>
    public static NearRead For(MapRequest request) =>
        new([.. request.Marks.Select(m => m.Feature), .. request.Highlight is { } h ? [h] : Array.Empty<FeatureRef>()], _ => false) { DrawingZoom = request.DrawingZoom };
}

/// <summary>
/// What maps read, at the store's current data version: the catalog of collections (as layers without features), and
/// for one view only the features near it. A collection of at most <see cref="MapReadSettings.InMemoryMaxFeatures"/> is
/// held in memory once per data version (from the proximity engine's snapshot) behind an R-tree; a larger one is read
/// from the store's spatial index for every view (<see cref="IFeatureBoxReader"/>). Shared by the service and the CLI.
/// </summary>
public sealed class MapDataProvider(IFeatureStore store, CollectionSnapshotCache snapshots, MapReadSettings settings, TimeProvider clock) : IDisposable
{
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly IFeatureBoxReader? _boxReader = store as IFeatureBoxReader;
    private readonly IFeatureClusterReader? _clusterReader = store as IFeatureClusterReader;
    private readonly ProximityTargets _proximity = new(store, snapshots, settings.InMemoryMaxFeatures);
    private volatile MapCatalog? _current;
    private long _checkedAt = long.MinValue;
    private volatile bool _changedHere;

    /// <summary>The store, when it builds vector tiles itself and <see cref="MapReadSettings.VectorTilesInDatabase"/> is on; else null.</summary>
    public IVectorTileBuilder? VectorTileBuilder { get; } = settings.VectorTilesInDatabase ? store as IVectorTileBuilder : null;

    /// <summary>Called after this process wrote to the store: the next request reads the data version at once.</summary>
    public void Invalidate() => _changedHere = true;

    /// <summary>The catalog at the current data version (read at most <see cref="MapReadSettings.DataVersionCheckMilliseconds"/> ago).</summary>
    public async Task<MapCatalog> GetCatalogAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        var now = clock.GetTimestamp();
        var interval = settings.DataVersionCheckMilliseconds;
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

            // The version was read before the collections: if a write lands meanwhile, the next check sees a newer
            // number and reads again. Never old data under a new number.
            var collections = await store.GetCollectionsAsync(cancellationToken);
            var catalog = new MapCatalog(version, collections, this);
            _current = catalog;
            return catalog;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// The features of the chosen layers (null: all) near a view in Web Mercator metres: at least every feature whose
    /// envelope meets the view widened by <paramref name="marginPixels"/> at <paramref name="metersPerPixel"/>, and by
    /// the layer's largest location uncertainty (its halo can reach in from outside). Point layers are clustered by
    /// their source at this scale (<see cref="ClusterGrid"/>, cells of <see cref="MapGeneralization.ClusterCellPixels"/>):
    /// a crowded cell comes as a cluster in <see cref="MapLayer.Clusters"/>, not as its features, unless
    /// <paramref name="read"/> asks for every feature of the layer.
    /// </summary>
    public async Task<MapData> GetNearAsync(MapCatalog catalog, Envelope viewMeters, double metersPerPixel, double marginPixels, IReadOnlySet<string>? layerIds, NearRead read, CancellationToken cancellationToken)
    {
        var layers = new List<MapLayer>(catalog.Skeleton.Layers.Count);
        foreach (var layer in catalog.Skeleton.Layers)
        {
            if ((layerIds is not null && !layerIds.Contains(layer.Id)) || !IsDrawn(catalog, layer, read))
            {
                layers.Add(layer);
                continue;
            }

            var source = await catalog.SourceAsync(layer.Id, cancellationToken);
            var box = new Envelope(viewMeters);
            // Mercator stretches ground distances by 1/cos(latitude): widen by the most it can be in the view.
            var maxLatitude = Math.Max(Math.Abs(WebMercator.ToLonLat(new Coordinate(0, Math.Max(viewMeters.MinY, -WebMercator.HalfWorldMeters))).Y),
                Math.Abs(WebMercator.ToLonLat(new Coordinate(0, Math.Min(viewMeters.MaxY, WebMercator.HalfWorldMeters))).Y));
            var stretch = WebMercator.ScaleFactor(Math.Min(maxLatitude, WebMercator.MaxLatitude));
            box.ExpandBy((marginPixels * metersPerPixel) + (source.MaxUncertaintyMeters * 1.3 * stretch));
            if (read.EveryFeatureOf(layer.Id) || !MapGeneralization.IsClustered(layer.Kind))
            {
                layers.Add(layer with { Features = await source.QueryAsync(box, cancellationToken) });
                continue;
            }

            var query = new ClusterQuery(
                ToLonLat(box),
                MapGeneralization.CellMeters(metersPerPixel),
                MapGeneralization.MaxPointsPerCell,
                [.. read.StandOut.Where(f => f.CollectionId == layer.Id).Select(f => f.FeatureId)])
            {
                SymbolsUnderMeters = read.SymbolsOnly ? MapGeneralization.CollapseMeters(metersPerPixel) : null,
            };
            var (clusters, features) = await source.QueryClusteredAsync(query, cancellationToken);
            layers.Add(layer with { Features = features, Clusters = new LayerClusters(query.CellMeters, clusters) });
        }

        return new MapData(layers, catalog.Version);
    }

    /// <summary>Whether the drawing a read is for shows anything of the layer: when it does not, the layer is not read.</summary>
    private static bool IsDrawn(MapCatalog catalog, MapLayer layer, NearRead read) =>
        read.DrawingZoom is not { } zoom
        || catalog.Collection(layer.Id) is not { } collection
        || !MapGeneralization.DrawsNothingOf(layer.Kind, collection.GeometryType, zoom)
        || read.StandOut.Any(f => f.CollectionId == layer.Id);

    /// <summary>
    /// What a figure's parameters are checked against before its view is known: every feature of the layers held in
    /// memory; of larger layers only the named feature (the highlight, a brief's subject).
    /// </summary>
    public async Task<MapData> GetForFigureAsync(MapCatalog catalog, FeatureRef? named, CancellationToken cancellationToken)
    {
        var layers = new List<MapLayer>(catalog.Skeleton.Layers.Count);
        foreach (var layer in catalog.Skeleton.Layers)
        {
            var source = await catalog.SourceAsync(layer.Id, cancellationToken);
            if (source is InMemoryLayer memory)
            {
                layers.Add(layer with { Features = memory.All });
            }
            else if (named is not null && named.CollectionId == layer.Id && await store.GetItemAsync(layer.Id, named.FeatureId, cancellationToken) is { } record)
            {
                layers.Add(layer with { Features = [MapData.ToMapFeature(record)] });
            }
            else
            {
                layers.Add(layer);
            }
        }

        return new MapData(layers, catalog.Version);
    }

    /// <summary>One feature of a layer (from memory, or from the store by its id), or null when the layer has none of that id.</summary>
    public async Task<MapFeature?> FindAsync(MapCatalog catalog, string collectionId, string featureId, CancellationToken cancellationToken)
    {
        if (catalog.Collection(collectionId) is null)
        {
            return null;
        }

        return await catalog.SourceAsync(collectionId, cancellationToken) is InMemoryLayer memory
            ? memory.Find(featureId)
            : await store.GetItemAsync(collectionId, featureId, cancellationToken) is { } record ? MapData.ToMapFeature(record) : null;
    }

    /// <summary>
    /// Every feature of a layer in store order when it has at most <paramref name="maxFeatures"/>, else null: a layer
    /// not held in memory is read as one page of at most that many features, never whole.
    /// </summary>
    public async Task<IReadOnlyList<MapFeature>?> AllUpToAsync(MapCatalog catalog, string collectionId, int maxFeatures, CancellationToken cancellationToken)
    {
        if (catalog.Collection(collectionId) is not { } collection || collection.FeatureCount > maxFeatures)
        {
            return null;
        }

        if (await catalog.SourceAsync(collectionId, cancellationToken) is InMemoryLayer memory)
        {
            return memory.All.Count > maxFeatures ? null : memory.All;
        }

        var page = await store.GetItemsAsync(new ItemsQuery(collectionId, [], [], maxFeatures == int.MaxValue ? maxFeatures : maxFeatures + 1, 0), cancellationToken);
        return page.Features.Count > maxFeatures ? null : [.. page.Features.Select(MapData.ToMapFeature)];
    }

    /// <summary>
    /// The <paramref name="k"/> features of <paramref name="layers"/> nearest to <paramref name="origin"/>, measured over
    /// every feature of each layer by the proximity engine (ties broken by "layer/id", ordinal), each with its hit: what a
    /// brief's nearest table lists. A collection of more than <see cref="MapReadSettings.InMemoryMaxFeatures"/> on a store
    /// that can select proximity candidates (<see cref="IProximityPushDown"/>) is never loaded whole
    /// (<see cref="ProximityTargets"/>); smaller ones are measured on the snapshot the engine holds.
    /// </summary>
    public async Task<IReadOnlyList<NearestFeature>> NearestAsync(IReadOnlyList<MapLayer> layers, MapFeature origin, int k, CancellationToken cancellationToken)
    {
        // The k nearest over all layers are among each layer's k nearest, since a layer's ties are broken by id as the
        // combined ranking breaks them by "layer/id": ranking those few again gives the ranks of the whole layers.
        var found = new List<(MapLayer Layer, MapFeature Feature)>();
        long version = 0;
        foreach (var layer in layers)
        {
            if (await ProximityTargetAsync(layer.Id, cancellationToken) is not { } target)
            {
                continue;
            }

            var candidates = await target.ForNearestAsync(origin.LonLat, k, origin.UncertaintyMeters, double.PositiveInfinity, null, cancellationToken);
            found.AddRange(candidates.ProximityIndex.Nearest(origin.LonLat, k, origin.UncertaintyMeters)
                .Select(hit => (layer, MapData.ToMapFeature(candidates.Find(hit.Id)!))));
            version = Math.Max(version, target.DataVersion);
        }

        var byKey = found.ToDictionary(f => $"{f.Layer.Id}/{f.Feature.Id}", StringComparer.Ordinal);
        var index = ProximityIndex.Build(byKey.Select(f => new ProximityItem(f.Key, f.Value.Feature.LonLat, f.Value.Feature.UncertaintyMeters)), version);
        return [.. index.Nearest(origin.LonLat, k, origin.UncertaintyMeters).Select(hit => new NearestFeature(hit, byKey[hit.Id].Layer, byKey[hit.Id].Feature))];
    }

    /// <summary>
    /// A collection as the proximity engine reads it for figures (a brief's research base and nearest table), or null
    /// when it does not exist: held whole when it has at most <see cref="MapReadSettings.InMemoryMaxFeatures"/> or the
    /// store cannot push proximity down, otherwise queried for candidates only.
    /// </summary>
    public Task<ProximityTarget?> ProximityTargetAsync(string collectionId, CancellationToken cancellationToken) =>
        _proximity.GetAsync(collectionId, TimeSpan.FromMilliseconds(settings.DataVersionCheckMilliseconds), cancellationToken);

    /// <summary>Every feature of the chosen layers that are held in memory (larger layers are left empty).</summary>
    public async Task<MapData> GetInMemoryAsync(MapCatalog catalog, Func<MapLayer, bool> chosen, CancellationToken cancellationToken)
    {
        var layers = new List<MapLayer>(catalog.Skeleton.Layers.Count);
        foreach (var layer in catalog.Skeleton.Layers)
        {
            layers.Add(chosen(layer) && await catalog.SourceAsync(layer.Id, cancellationToken) is InMemoryLayer memory ? layer with { Features = memory.All } : layer);
        }

        return new MapData(layers, catalog.Version);
    }

    internal async Task<LayerSource> CreateSourceAsync(CollectionInfo info, long version, CancellationToken cancellationToken)
    {
        if (_boxReader is not null && _clusterReader is not null && info.FeatureCount > settings.InMemoryMaxFeatures)
        {
            return new StoredLayer(_boxReader, _clusterReader, info.Id, await _boxReader.GetMaxUncertaintyMetersAsync(info.Id, cancellationToken));
        }

        var snapshot = await snapshots.GetAsync(info.Id, cancellationToken);
        return InMemoryLayer.Build(snapshot?.Features ?? []);
    }

    public void Dispose() => _loading.Dispose();

    private static Envelope ToLonLat(Envelope boxMeters) =>
        new(WebMercator.ToLonLat(new Coordinate(boxMeters.MinX, boxMeters.MinY)), WebMercator.ToLonLat(new Coordinate(boxMeters.MaxX, boxMeters.MaxY)));

    /// <summary>Where one layer's features come from.</summary>
    internal abstract class LayerSource
    {
        public abstract double MaxUncertaintyMeters { get; }

        /// <summary>Every feature whose envelope meets the box (or comes close), in store order.</summary>
        public abstract Task<IReadOnlyList<MapFeature>> QueryAsync(Envelope boxMeters, CancellationToken cancellationToken);

        /// <summary>The layer near a box clustered as <see cref="IFeatureClusterReader"/> defines it, whichever source answers.</summary>
        public abstract Task<(IReadOnlyList<GridCluster> Clusters, IReadOnlyList<MapFeature> Features)> QueryClusteredAsync(ClusterQuery query, CancellationToken cancellationToken);
    }

    internal sealed class InMemoryLayer : LayerSource
    {
        private readonly STRtree<int> _tree = new();
        // The features that are not points, by Mercator envelope: where shapes too wide to anchor are looked for.
        private readonly STRtree<int> _shapes = new();
        private readonly MapFeature[] _all;
        // Each feature's position in the layer (its store order), by id.
        private readonly Lazy<Dictionary<string, int>> _byId;
        // The layer counted at every level of the stores' pyramid, on the first read at a level's scale.
        private readonly Lazy<IReadOnlyDictionary<PyramidCell, CellTotals>> _pyramid;

        private InMemoryLayer(MapFeature[] features)
        {
            _all = features;
            _byId = new(() => Enumerable.Range(0, features.Length).ToDictionary(i => features[i].Id, StringComparer.Ordinal));
            _pyramid = new(() => ClusterPyramid.Of(features.Select(f => f.LonLat)));
            for (var i = 0; i < features.Length; i++)
            {
                _tree.Insert(features[i].Meters.EnvelopeInternal, i);
                if (features[i].LonLat is not Point)
                {
                    _shapes.Insert(features[i].Meters.EnvelopeInternal, i);
                }
            }

            _tree.Build();
            _shapes.Build();
            MaxUncertaintyMeters = features.Select(f => f.UncertaintyMeters).DefaultIfEmpty(0).Max();
        }

        public override double MaxUncertaintyMeters { get; }

        public IReadOnlyList<MapFeature> All => _all;

        public MapFeature? Find(string featureId) => _byId.Value.TryGetValue(featureId, out var i) ? _all[i] : null;

        public static InMemoryLayer Build(IReadOnlyList<FeatureRecord> records) => new([.. records.Select(MapData.ToMapFeature)]);

        public override Task<IReadOnlyList<MapFeature>> QueryAsync(Envelope boxMeters, CancellationToken cancellationToken)
        {
            // Store order, as the whole layer has it: symbols overlap in the same order on every map.
            var hits = _tree.Query(boxMeters).ToArray();
            Array.Sort(hits);
            var result = new MapFeature[hits.Length];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = _all[hits[i]];
            }

            return Task.FromResult<IReadOnlyList<MapFeature>>(result);
        }

        /// <summary>
        /// The same answer as a store's (<see cref="ClusterGrid.Group(IReadOnlyList{Geometry}, IReadOnlyList{string}, ClusterQuery)"/>):
        /// at a level's scale from the layer's own pyramid, as the stores read theirs; otherwise from the R-tree's hits.
        /// </summary>
        public override Task<(IReadOnlyList<GridCluster> Clusters, IReadOnlyList<MapFeature> Features)> QueryClusteredAsync(ClusterQuery query, CancellationToken cancellationToken)
        {
            if (ClusterPyramid.LevelOf(query) is { } level)
            {
                return Task.FromResult(FromPyramid(query, level));
            }

            // The tree holds Mercator envelopes: a margin well above rounding makes its hits a superset of the lon/lat test.
            var near = WebMercator.FromLonLat(query.CellsLonLat());
            near.ExpandBy(1);
            var hits = _tree.Query(near).ToArray();
            Array.Sort(hits);
            var (clusters, whole) = ClusterGrid.Group([.. hits.Select(i => _all[i].LonLat)], [.. hits.Select(i => _all[i].Id)], query);
            return Task.FromResult<(IReadOnlyList<GridCluster>, IReadOnlyList<MapFeature>)>((clusters, [.. whole.Select(i => _all[hits[i]])]));
        }

        /// <summary>
        /// A query at a level's scale, as the stores answer it: crowded cells from the counts, the quiet cells' members
        /// from one R-tree probe per rectangle of them (<see cref="ClusterPyramid.Rectangles"/>), the shapes too wide to
        /// anchor from the tree of shapes, the stand-out features by id.
        /// </summary>
        private (IReadOnlyList<GridCluster> Clusters, IReadOnlyList<MapFeature> Features) FromPyramid(ClusterQuery query, int level)
        {
            var pyramid = _pyramid.Value;
            var (x0, y0, x1, y1) = query.CellRange();
            var cells = new List<KeyValuePair<PyramidCell, CellTotals>>();
            for (var y = y0; y <= y1; y++)
            {
                for (var x = x0; x <= x1; x++)
                {
                    var cell = new PyramidCell(level, x, y);
                    if (pyramid.TryGetValue(cell, out var totals))
                    {
                        cells.Add(new(cell, totals));
                    }
                }
            }

            var standOut = query.StandOutIds.Count == 0 ? null : new HashSet<string>(query.StandOutIds, StringComparer.Ordinal);
            List<int> standing = standOut is null ? [] : [.. standOut.Select(id => _byId.Value.TryGetValue(id, out var i) ? i : -1).Where(i => i >= 0)];
            var (clusters, quiet) = ClusterPyramid.Split(cells, standing.Select(i => AnchorCandidate.Of(_all[i].LonLat)), query);
            var whole = new List<int>();
            foreach (var rectangle in ClusterPyramid.Rectangles(quiet))
            {
                var box = WebMercator.FromLonLat(ClusterGrid.CellsLonLat(rectangle, query.CellMeters));
                box.ExpandBy(1);
                foreach (var i in _tree.Query(box))
                {
                    if (standOut?.Contains(_all[i].Id) != true && ClusterGrid.Anchor(_all[i].LonLat, query.CellMeters) is { } at
                        && ClusterGrid.Cell(at, query.CellMeters) is var (x, y)
                        && x >= rectangle.MinX && x <= rectangle.MaxX && y >= rectangle.MinY && y <= rectangle.MaxY
                        && (query.SymbolsUnderMeters is null || query.KeepsAsSymbol(AnchorCandidate.Of(_all[i].LonLat))))
                    {
                        whole.Add(i);
                    }
                }
            }

            if (query.SymbolsUnderMeters is null)
            {
                var view = WebMercator.FromLonLat(query.BoxLonLat);
                view.ExpandBy(1);
                foreach (var i in _shapes.Query(view))
                {
                    if (standOut?.Contains(_all[i].Id) != true && ClusterGrid.Anchor(_all[i].LonLat, query.CellMeters) is null
                        && _all[i].LonLat.EnvelopeInternal.Intersects(query.BoxLonLat))
                    {
                        whole.Add(i);
                    }
                }
            }

            whole.AddRange(standing.Where(i => _all[i].LonLat.EnvelopeInternal.Intersects(query.BoxLonLat)));
            whole.Sort();
            return (clusters, [.. whole.Select(i => _all[i])]);
        }
    }

    private sealed class StoredLayer(IFeatureBoxReader reader, IFeatureClusterReader clusterReader, string collectionId, double maxUncertaintyMeters) : LayerSource
    {
        public override double MaxUncertaintyMeters => maxUncertaintyMeters;

        public override async Task<IReadOnlyList<MapFeature>> QueryAsync(Envelope boxMeters, CancellationToken cancellationToken)
        {
            var records = await reader.GetItemsNearBoxAsync(collectionId, ToLonLat(boxMeters), cancellationToken);
            return [.. records.Select(MapData.ToMapFeature)];
        }

        public override async Task<(IReadOnlyList<GridCluster> Clusters, IReadOnlyList<MapFeature> Features)> QueryClusteredAsync(ClusterQuery query, CancellationToken cancellationToken)
        {
            var read = await clusterReader.GetClusteredNearBoxAsync(collectionId, query, cancellationToken);
            return (read.Clusters, [.. read.Features.Select(MapData.ToMapFeature)]);
        }
    }
}

/// <summary>
/// The collections at one data version: their layers without features (ids, titles, kinds, credits) and, built on first
/// use, where each layer's features come from.
/// </summary>
public sealed class MapCatalog
{
    private readonly ConcurrentDictionary<string, Lazy<Task<MapDataProvider.LayerSource>>> _sources = new(StringComparer.Ordinal);
    private readonly MapDataProvider _provider;
    private readonly Dictionary<string, CollectionInfo> _byId;

    internal MapCatalog(long version, IReadOnlyList<CollectionInfo> collections, MapDataProvider provider)
    {
        Version = version;
        Collections = collections;
        _provider = provider;
        _byId = collections.ToDictionary(c => c.Id, StringComparer.Ordinal);
        Skeleton = new MapData(
            [.. collections.Select(c => new MapLayer(c.Id, c.Definition.Title, MapData.KindOf(CollectionRole.Of(c.Definition)), c.Definition.Attribution, c.Definition.License, []))],
            version);
    }

    public long Version { get; }

    public IReadOnlyList<CollectionInfo> Collections { get; }

    /// <summary>Every layer, with no features: for what depends only on which collections exist.</summary>
    public MapData Skeleton { get; }

    public CollectionInfo? Collection(string id) => _byId.GetValueOrDefault(id);

    internal async Task<MapDataProvider.LayerSource> SourceAsync(string collectionId, CancellationToken cancellationToken)
    {
        var lazy = _sources.GetOrAdd(collectionId, id => new Lazy<Task<MapDataProvider.LayerSource>>(
            () => _provider.CreateSourceAsync(_byId[id], Version, CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            // A failed load (the store was unreachable) is not kept: the next request tries again.
            _sources.TryRemove(new KeyValuePair<string, Lazy<Task<MapDataProvider.LayerSource>>>(collectionId, lazy));
            throw;
        }
    }
}
