using ClusterMap.Core.Storage;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tiles;

/// <summary>
/// The one definition of how maps cluster a layer, which the stores' SQL mirrors operation for operation (the same
/// closed-form <see cref="WebMercator"/> on the same doubles, so the same cells and means):
/// <list type="bullet">
/// <item>A feature's anchor is its point (Web Mercator metres); a feature that is neither a point nor a multipoint and
/// whose Web Mercator envelope is narrower than a cell both ways (it fits in one) is anchored at that envelope's centre;
/// any other feature has no anchor (it is drawn as what it is). A shape that fits in a cell is counted like a point, so
/// where small shapes crowd a cell they become its cluster rather than a smear of outlines over each other.</item>
/// <item>Cells are squares of a given side fixed in Web Mercator metres from the world's top-left corner, so every tile
/// and figure at one scale sees the same cells (<see cref="Cell"/>).</item>
/// <item>A cell with more anchors than the maximum is one cluster at their mean; its members are not read.</item>
/// </list>
/// The mean is summed as offsets from the cell's corner (at most a cell's side each), so that the order a database
/// adds them in changes it by far less than a millimetre.
/// </summary>
public static class ClusterGrid
{
    /// <summary>The cell of a point in Web Mercator metres: X counts from the west edge, Y from the north edge.</summary>
    public static (long X, long Y) Cell(Coordinate meters, double cellMeters) =>
        ((long)Math.Floor((meters.X + WebMercator.HalfWorldMeters) / cellMeters), (long)Math.Floor((WebMercator.HalfWorldMeters - meters.Y) / cellMeters));

    /// <summary>
    /// Where a feature (WGS84 lon/lat geometry) is anchored in Web Mercator metres, or null when it has no anchor at
    /// cells of this side. Computed from the lon/lat envelope's corners, as the stores compute it from their stored
    /// bounds: the Mercator is monotonic in each axis, so these are the projected geometry's envelope.
    /// </summary>
    public static Coordinate? Anchor(Geometry lonLat, double cellMeters) =>
        AnchorCandidate.Of(lonLat) is { } candidate && candidate.IsAnchoredAt(cellMeters) ? candidate.At : null;

    /// <summary>
    /// The reference answer of <see cref="IFeatureClusterReader"/> over candidates that include at least every feature
    /// whose envelope meets <see cref="ClusterQuery.CellsLonLat"/> (an in-memory index's hits): the clusters ordered by
    /// cell (Y, then X), and the indices of the features returned whole, in the candidates' order.
    /// </summary>
    public static (IReadOnlyList<GridCluster> Clusters, IReadOnlyList<int> Whole) Group(IReadOnlyList<Geometry> candidatesLonLat, IReadOnlyList<string> ids, ClusterQuery query)
    {
        var standOut = query.StandOutIds.Count == 0 ? null : query.StandOutIds as IReadOnlySet<string> ?? new HashSet<string>(query.StandOutIds, StringComparer.Ordinal);
        var (clusters, whole) = Group(
            candidatesLonLat.Count,
            i => standOut?.Contains(ids[i]) == true ? null : Anchor(candidatesLonLat[i], query.CellMeters),
            i => candidatesLonLat[i].EnvelopeInternal.Intersects(query.BoxLonLat),
            query.CellRange(),
            query.CellMeters,
            query.MaxAnchorsPerCell);
        return query.SymbolsUnderMeters is null
            ? (clusters, whole)
            : (clusters, [.. whole.Where(i => standOut?.Contains(ids[i]) == true || query.KeepsAsSymbol(AnchorCandidate.Of(candidatesLonLat[i])))]);
    }

    /// <summary>
    /// The rule itself, over anchors given by the caller (a renderer clustering in its drawing's own metres): anchors in
    /// the cell range are counted per cell; a cell with more than <paramref name="maxAnchorsPerCell"/> is a cluster
    /// (ordered by Y, then X), the others' features are kept whole, as is every feature without an anchor that
    /// <paramref name="keepWithoutAnchor"/> keeps. Indices come back ascending.
    /// </summary>
    public static (IReadOnlyList<GridCluster> Clusters, IReadOnlyList<int> Whole) Group(
        int count, Func<int, Coordinate?> anchorMeters, Func<int, bool> keepWithoutAnchor, (long MinX, long MinY, long MaxX, long MaxY) cellRange, double cellMeters, int maxAnchorsPerCell)
    {
        var cells = new Dictionary<(long X, long Y), CellSum>();
        var anchored = new List<(int Index, (long X, long Y) Cell)>();
        var whole = new List<int>();
        for (var i = 0; i < count; i++)
        {
            if (anchorMeters(i) is { } at)
            {
                var cell = Cell(at, cellMeters);
                if (cell.X < cellRange.MinX || cell.X > cellRange.MaxX || cell.Y < cellRange.MinY || cell.Y > cellRange.MaxY)
                {
                    continue;
                }

                cells[cell] = cells.GetValueOrDefault(cell).Add(at, cell, cellMeters);
                anchored.Add((i, cell));
            }
            else if (keepWithoutAnchor(i))
            {
                whole.Add(i);
            }
        }

        whole.AddRange(anchored.Where(a => cells[a.Cell].Count <= maxAnchorsPerCell).Select(a => a.Index));
        whole.Sort();
        var clusters = cells.Where(c => c.Value.Count > maxAnchorsPerCell)
            .Select(c => c.Value.ToCluster(c.Key, cellMeters))
            .OrderBy(c => c.CellY).ThenBy(c => c.CellX)
            .ToList();
        return (clusters, whole);
    }

    /// <summary>The cells meeting a box in Web Mercator metres.</summary>
    public static (long MinX, long MinY, long MaxX, long MaxY) CellRange(Envelope meters, double cellMeters)
    {
        var (minX, minY) = Cell(new Coordinate(meters.MinX, meters.MaxY), cellMeters);
        var (maxX, maxY) = Cell(new Coordinate(meters.MaxX, meters.MinY), cellMeters);
        return (minX, minY, maxX, maxY);
    }

    /// <summary>
    /// A lon/lat box holding every anchor of a range of cells, a little wider for rounding: what a store reads through
    /// its spatial index before it computes each anchor's cell exactly.
    /// </summary>
    public static Envelope CellsLonLat((long MinX, long MinY, long MaxX, long MaxY) cellRange, double cellMeters)
    {
        var (minX, minY, maxX, maxY) = cellRange;
        var slack = cellMeters * 1e-6;
        var west = (minX * cellMeters) - WebMercator.HalfWorldMeters - slack;
        var east = ((maxX + 1) * cellMeters) - WebMercator.HalfWorldMeters + slack;
        var north = WebMercator.HalfWorldMeters - (minY * cellMeters) + slack;
        var south = WebMercator.HalfWorldMeters - ((maxY + 1) * cellMeters) - slack;
        var sw = WebMercator.ToLonLat(new Coordinate(west, south));
        var ne = WebMercator.ToLonLat(new Coordinate(east, north));
        // Beyond the square world the Mercator clamps latitudes: cells at its edge hold everything further out.
        return new Envelope(sw.X, ne.X, south <= -WebMercator.HalfWorldMeters ? -90 : sw.Y, north >= WebMercator.HalfWorldMeters ? 90 : ne.Y);
    }

    /// <summary>The mean anchor of a cell from its count and the sums of <see cref="OffsetX"/> and <see cref="OffsetY"/>.</summary>
    public static Coordinate Mean(long cellX, long cellY, long count, double sumOffsetX, double sumOffsetY, double cellMeters) =>
        new((cellX * cellMeters) - WebMercator.HalfWorldMeters + (sumOffsetX / count), WebMercator.HalfWorldMeters - (cellY * cellMeters) - (sumOffsetY / count));

    /// <summary>How far east of its cell's west edge an anchor lies, as the stores compute it.</summary>
    public static double OffsetX(Coordinate meters, long cellX, double cellMeters) => meters.X + WebMercator.HalfWorldMeters - (cellX * cellMeters);

    /// <summary>How far south of its cell's north edge an anchor lies, as the stores compute it.</summary>
    public static double OffsetY(Coordinate meters, long cellY, double cellMeters) => WebMercator.HalfWorldMeters - meters.Y - (cellY * cellMeters);

    private readonly record struct CellSum(long Count, double SumX, double SumY)
    {
        public CellSum Add(Coordinate at, (long X, long Y) cell, double cellMeters) =>
            new(Count + 1, SumX + OffsetX(at, cell.X, cellMeters), SumY + OffsetY(at, cell.Y, cellMeters));

        public GridCluster ToCluster((long X, long Y) cell, double cellMeters) =>
            new(cell.X, cell.Y, Count, Mean(cell.X, cell.Y, Count, SumX, SumY, cellMeters));
    }
}

/// <summary>
/// Where a feature would be anchored and how wide its Web Mercator envelope is: a point is anchored on cells of every
/// size, a multipoint or an empty geometry on none, any other shape at its envelope's centre on cells wider and higher
/// than that envelope (<see cref="ClusterGrid"/>). The same for every scale, so a store can
/// count a feature at every level of a pyramid from one projection.
/// </summary>
/// <param name="At">The anchor, Web Mercator metres.</param>
/// <param name="Width">The Web Mercator envelope's width (0 for a point).</param>
/// <param name="Height">Its height.</param>
public readonly record struct AnchorCandidate(Coordinate At, double Width, double Height)
{
    /// <summary>Whether the feature is anchored on cells of this side: it fits in one (narrower both ways).</summary>
    public bool IsAnchoredAt(double cellMeters) => Width < cellMeters && Height < cellMeters;

    /// <summary>The candidate of a WGS84 lon/lat geometry, or null when it never has an anchor.</summary>
    public static AnchorCandidate? Of(Geometry lonLat) => lonLat switch
    {
        Point point => point.IsEmpty ? null : new AnchorCandidate(WebMercator.FromLonLat(point.Coordinate), 0, 0),
        MultiPoint => null,
        _ when lonLat.IsEmpty => null,
        _ => OfBounds(lonLat.EnvelopeInternal),
    };

    /// <summary>
    /// The candidate of a stored feature from its exact lon/lat bounds (null for an empty geometry) and whether it is a
    /// point or a multipoint: what a store reads back of a feature it replaces or deletes.
    /// </summary>
    public static AnchorCandidate? Of(Envelope? lonLatBounds, bool isPoint, bool isMultiPoint)
    {
        if (lonLatBounds is null || lonLatBounds.IsNull || isMultiPoint)
        {
            return null;
        }

        return isPoint
            ? new AnchorCandidate(WebMercator.FromLonLat(new Coordinate(lonLatBounds.MinX, lonLatBounds.MinY)), 0, 0)
            : OfBounds(lonLatBounds);
    }

    private static AnchorCandidate OfBounds(Envelope lonLat)
    {
        var min = WebMercator.FromLonLat(new Coordinate(lonLat.MinX, lonLat.MinY));
        var max = WebMercator.FromLonLat(new Coordinate(lonLat.MaxX, lonLat.MaxY));
        return new AnchorCandidate(new Coordinate((min.X + max.X) / 2, (min.Y + max.Y) / 2), max.X - min.X, max.Y - min.Y);
    }
}
