using ClusterMap.Core.Features;
using ClusterMap.Core.Tiles;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Storage;

/// <summary>
/// An optional capability of a store, next to <see cref="IFeatureBoxReader"/>: the features of one collection near a
/// box, generalised on a grid of Web Mercator cells (<see cref="ClusterGrid"/>) in the store itself. A cell holding
/// more anchors than <see cref="ClusterQuery.MaxAnchorsPerCell"/> comes back as one <see cref="GridCluster"/> (its
/// count and mean anchor), never as its features; everything else near the box comes back whole. A map at low zoom
/// then reads a few hundred cells instead of every feature under it.
/// </summary>
public interface IFeatureClusterReader
{
    /// <summary>
    /// The collection near <see cref="ClusterQuery.BoxLonLat"/> as <see cref="ClusterGrid"/> defines it: every
    /// cell meeting the box is counted whole (anchors beyond the box included), crowded cells come back as clusters,
    /// the anchored features of the other cells and every feature without an anchor whose envelope meets the box as
    /// records, in store order.
    /// </summary>
    Task<ClusteredFeatures> GetClusteredNearBoxAsync(string collectionId, ClusterQuery query, CancellationToken cancellationToken = default);
}

/// <summary>What to cluster and how.</summary>
/// <param name="BoxLonLat">The area wanted, WGS84 lon/lat.</param>
/// <param name="CellMeters">
/// Side of a grid cell in Web Mercator metres (the grid starts at the world's top-left corner, as tiles do). A feature that
/// is neither a point nor a multipoint and whose Web Mercator envelope is narrower than a cell both ways (it fits in one)
/// is anchored at its envelope's centre and counted like a point.
/// </param>
/// <param name="MaxAnchorsPerCell">A cell with more anchors than this is a cluster.</param>
/// <param name="StandOutIds">Features never clustered (a highlighted or marked feature): returned whole when their envelope meets the box.</param>
public sealed record ClusterQuery(Envelope BoxLonLat, double CellMeters, int MaxAnchorsPerCell, IReadOnlyCollection<string> StandOutIds)
{
    /// <summary>
    /// When set, only what can be a symbol is read: the clusters, the stand-out features, and of the quiet cells'
    /// features the points and the shapes narrower than this both ways (Web Mercator metres; a map draws them as
    /// symbols). The other shapes, drawn as areas, are not read: a placement of labels needs none of them, since
    /// areas carry no label on tiles and keep no label away. Null: everything the rule keeps.
    /// </summary>
    public double? SymbolsUnderMeters { get; init; }

    /// <summary>Whether a feature of this candidate is kept by a read of <see cref="SymbolsUnderMeters"/> (stand-out features aside).</summary>
    public bool KeepsAsSymbol(AnchorCandidate? candidate) =>
        SymbolsUnderMeters is not { } under || (candidate is { } c && c.IsAnchoredAt(CellMeters) && c.IsAnchoredAt(under));

    /// <summary>The cells meeting <see cref="BoxLonLat"/>: the range of X (west to east) and Y (north to south) indices.</summary>
    public (long MinX, long MinY, long MaxX, long MaxY) CellRange() => ClusterGrid.CellRange(WebMercator.FromLonLat(BoxLonLat), CellMeters);

    /// <summary>
    /// A lon/lat box holding every anchor of the cells of <see cref="CellRange"/>, a little wider for rounding: what a
    /// store reads through its spatial index before it computes each anchor's cell exactly.
    /// </summary>
    public Envelope CellsLonLat() => ClusterGrid.CellsLonLat(CellRange(), CellMeters);
}

/// <summary>A crowded cell: its indices, how many anchors it holds and their mean (Web Mercator metres).</summary>
public readonly record struct GridCluster(long CellX, long CellY, long Count, Coordinate MeanMeters);

/// <summary>The answer: crowded cells as clusters, and the features read whole, in store order.</summary>
public sealed record ClusteredFeatures(IReadOnlyList<GridCluster> Clusters, IReadOnlyList<FeatureRecord> Features);
