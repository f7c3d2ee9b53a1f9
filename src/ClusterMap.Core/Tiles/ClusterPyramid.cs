using ClusterMap.Core.Storage;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tiles;

/// <summary>
/// The cluster counts a store keeps beside its features so that a map at low zoom reads cells, not rows: for each
/// level, every cell of <see cref="ClusterGrid"/> that holds anchors, with their count and the sums of their offsets
/// from the cell's corner. Level k has cells of <see cref="CellMeters"/>(k) = world / 2^k: the grid of 64-pixel cells
/// of an XYZ tile at zoom k − 2 (and of a 512-pixel tile at zoom k − 3); a shape is counted at the levels whose cells
/// it fits in. Each cell also counts its anchors under a sixteenth of its side (<see cref="SymbolDivisor"/>, 4 pixels
/// of a 64-pixel cell: what a map draws as a symbol), so that a read of symbols only skips the quiet cells that hold
/// none. A query at another scale is answered from the rows.
/// <para>
/// The store changes the counts in the transaction that writes the features (<see cref="Changes"/>), so they always
/// describe the rows they sit beside; sums of offsets stay within float rounding of a fresh count.
/// </para>
/// </summary>
public static class ClusterPyramid
{
    /// <summary>The coarsest level kept: cells of a quarter of the world (an XYZ tile at zoom 0).</summary>
    public const int MinLevel = 2;

    /// <summary>The finest level kept (tiles at zoom 14); finer views read so few rows that counting them is cheap.</summary>
    public const int MaxLevel = 16;

    /// <summary>
    /// A cell counts apart its anchors narrower than its side divided by this both ways (<see cref="CellTotals.Small"/>):
    /// 4 pixels of a 64-pixel cell, under which a map draws a shape as its layer's symbol.
    /// </summary>
    public const int SymbolDivisor = 16;

    /// <summary>The side of a level's cells in Web Mercator metres (exact: the world's side halved k times).</summary>
    public static double CellMeters(int level) => WebMercator.WorldSizeMeters / Math.Pow(2, level);

    /// <summary>
    /// The cell side of the level nearest in scale to a wanted one (within a factor √2), or the wanted side itself
    /// when no level is that near (views finer than the finest level): a figure at any scale between the levels is
    /// clustered on a level's cells, and so answered from the kept counts.
    /// </summary>
    public static double NearestCellMeters(double cellMeters)
    {
        var level = Math.Round(Math.Log2(WebMercator.WorldSizeMeters / cellMeters));
        return level is >= MinLevel and <= MaxLevel ? CellMeters((int)level) : cellMeters;
    }

    /// <summary>The level whose cells are exactly the query's, or null when it has none.</summary>
    public static int? LevelOf(ClusterQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        for (var level = MinLevel; level <= MaxLevel; level++)
        {
            if (query.CellMeters == CellMeters(level))
            {
                return level;
            }
        }

        return null;
    }

    /// <summary>
    /// What a write changes in the pyramid: the features it adds counted in, the ones it removes (replaced or deleted)
    /// counted out, per level and cell; cells whose count does not change are left out.
    /// </summary>
    public static IReadOnlyDictionary<PyramidCell, CellTotals> Changes(IEnumerable<AnchorCandidate?> added, IEnumerable<AnchorCandidate?> removed)
    {
        ArgumentNullException.ThrowIfNull(added);
        ArgumentNullException.ThrowIfNull(removed);
        var changes = new Dictionary<PyramidCell, CellTotals>();
        Count(changes, added, +1);
        Count(changes, removed, -1);
        foreach (var (cell, totals) in changes)
        {
            if (totals.Count == 0 && totals.Small == 0 && totals.SumX == 0 && totals.SumY == 0)
            {
                changes.Remove(cell);
            }
        }

        return changes;
    }

    /// <summary>The pyramid of a whole collection: <see cref="Changes"/> from nothing.</summary>
    public static IReadOnlyDictionary<PyramidCell, CellTotals> Of(IEnumerable<Geometry> featuresLonLat) =>
        Changes(featuresLonLat.Select(AnchorCandidate.Of), []);

    /// <summary>
    /// The pyramid of a whole collection read as a stream (a store's cursor over its rows), counted as the candidates
    /// arrive: the cells are all it holds. The same counts as <see cref="Changes"/> from nothing.
    /// </summary>
    public static async Task<IReadOnlyDictionary<PyramidCell, CellTotals>> OfAsync(IAsyncEnumerable<AnchorCandidate?> candidates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var cells = new Dictionary<PyramidCell, CellTotals>();
        await foreach (var candidate in candidates.WithCancellation(cancellationToken))
        {
            Count(cells, candidate, +1);
        }

        return cells;
    }

    /// <summary>
    /// A query answered from the counted cells of its level (those of its <see cref="ClusterQuery.CellRange"/>, in the
    /// store's order), as <see cref="ClusterGrid"/> defines it: each stand-out feature anchored on the query's cells is
    /// first counted out of its cell (the pyramid counts it like any other; the view draws it on its own), then
    /// a cell holding more than <see cref="ClusterQuery.MaxAnchorsPerCell"/> anchors is a cluster at their mean
    /// (ordered by Y, then X), and a cell holding fewer but some is quiet: the store reads its members whole. A read of
    /// symbols only (<see cref="ClusterQuery.SymbolsUnderMeters"/> at most the level's <see cref="SymbolDivisor"/> size)
    /// has no quiet cell without a small anchor: it would read nothing there.
    /// </summary>
    /// <param name="cells">The level's counted cells in the query's cell range; cells of other levels are not expected.</param>
    /// <param name="standOut">The candidates of the collection's stand-out features (<see cref="ClusterQuery.StandOutIds"/>), wherever they lie.</param>
    /// <param name="query">The query, at a scale that is a level (<see cref="LevelOf"/>).</param>
    public static (IReadOnlyList<GridCluster> Clusters, IReadOnlyList<PyramidCell> Quiet) Split(
        IEnumerable<KeyValuePair<PyramidCell, CellTotals>> cells, IEnumerable<AnchorCandidate?> standOut, ClusterQuery query)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(standOut);
        var level = LevelOf(query) ?? throw new ArgumentException("The query's scale is not a level of the pyramid.", nameof(query));
        var counted = new Dictionary<PyramidCell, CellTotals>(cells);
        foreach (var candidate in standOut)
        {
            if (candidate is not { } c || !c.IsAnchoredAt(query.CellMeters))
            {
                continue;
            }

            var (x, y) = ClusterGrid.Cell(c.At, query.CellMeters);
            // Only a cell that was read can lose one: a stand-out feature beyond the cell range is in no cell of this view.
            var cell = new PyramidCell(level, x, y);
            if (counted.TryGetValue(cell, out var totals))
            {
                counted[cell] = new CellTotals(
                    totals.Count - 1,
                    totals.Small - (c.IsAnchoredAt(query.CellMeters / SymbolDivisor) ? 1 : 0),
                    totals.SumX - ClusterGrid.OffsetX(c.At, x, query.CellMeters),
                    totals.SumY - ClusterGrid.OffsetY(c.At, y, query.CellMeters));
            }
        }

        var clusters = counted.Where(c => c.Value.Count > query.MaxAnchorsPerCell)
            .Select(c => new GridCluster(c.Key.X, c.Key.Y, c.Value.Count, ClusterGrid.Mean(c.Key.X, c.Key.Y, c.Value.Count, c.Value.SumX, c.Value.SumY, query.CellMeters)))
            .OrderBy(c => c.CellY).ThenBy(c => c.CellX)
            .ToList();
        var symbolsOnly = query.SymbolsUnderMeters is { } under && under <= query.CellMeters / SymbolDivisor;
        var quiet = counted.Where(c => c.Value.Count > 0 && c.Value.Count <= query.MaxAnchorsPerCell && (!symbolsOnly || c.Value.Small > 0)).Select(c => c.Key).ToList();
        return (clusters, quiet);
    }

    /// <summary>
    /// Cells of one level as few disjoint rectangles of cells that cover exactly them: runs along each row, and runs
    /// spanning the same columns in consecutive rows stacked into one. A store probes its spatial index once per
    /// rectangle, not once per cell, and keeps the rows whose anchor lies in it: where every cell of a view is quiet
    /// (parks at z14), one probe instead of dozens.
    /// </summary>
    public static IReadOnlyList<(long MinX, long MinY, long MaxX, long MaxY)> Rectangles(IEnumerable<PyramidCell> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var runs = new List<(long MinX, long MaxX, long Y)>();
        foreach (var row in cells.GroupBy(c => c.Y).OrderBy(r => r.Key))
        {
            var xs = row.Select(c => c.X).Distinct().Order().ToList();
            var start = xs[0];
            for (var i = 1; i <= xs.Count; i++)
            {
                if (i == xs.Count || xs[i] != xs[i - 1] + 1)
                {
                    runs.Add((start, xs[i - 1], row.Key));
                    start = i < xs.Count ? xs[i] : start;
                }
            }
        }

        var rectangles = new List<(long MinX, long MinY, long MaxX, long MaxY)>();
        var open = new Dictionary<(long MinX, long MaxX), (long MinY, long MaxY)>();
        foreach (var (minX, maxX, y) in runs)
        {
            if (open.TryGetValue((minX, maxX), out var rows) && rows.MaxY == y - 1)
            {
                open[(minX, maxX)] = (rows.MinY, y);
                continue;
            }

            if (open.Remove((minX, maxX), out var done))
            {
                rectangles.Add((minX, done.MinY, maxX, done.MaxY));
            }

            open[(minX, maxX)] = (y, y);
        }

        rectangles.AddRange(open.Select(o => (o.Key.MinX, o.Value.MinY, o.Key.MaxX, o.Value.MaxY)));
        return rectangles;
    }

    private static void Count(Dictionary<PyramidCell, CellTotals> changes, IEnumerable<AnchorCandidate?> candidates, int sign)
    {
        foreach (var candidate in candidates)
        {
            Count(changes, candidate, sign);
        }
    }

    private static void Count(Dictionary<PyramidCell, CellTotals> changes, AnchorCandidate? candidate, int sign)
    {
        if (candidate is not { } c)
        {
            return;
        }

        for (var level = MinLevel; level <= MaxLevel; level++)
        {
            var cellMeters = CellMeters(level);
            if (!c.IsAnchoredAt(cellMeters))
            {
                // Levels go from coarse to fine: a shape too wide for this level's cells is too wide for every finer one.
                break;
            }

            var (x, y) = ClusterGrid.Cell(c.At, cellMeters);
            var key = new PyramidCell(level, x, y);
            var held = changes.GetValueOrDefault(key);
            changes[key] = new CellTotals(
                held.Count + sign,
                held.Small + (c.IsAnchoredAt(cellMeters / SymbolDivisor) ? sign : 0),
                held.SumX + (sign * ClusterGrid.OffsetX(c.At, x, cellMeters)),
                held.SumY + (sign * ClusterGrid.OffsetY(c.At, y, cellMeters)));
        }
    }
}

/// <summary>One cell of one level of a <see cref="ClusterPyramid"/>: X from the west edge, Y from the north edge.</summary>
public readonly record struct PyramidCell(int Level, long X, long Y);

/// <summary>
/// How many anchors a cell holds, how many of them are under a sixteenth of its side (<see cref="ClusterPyramid.SymbolDivisor"/>),
/// and the sums of their offsets from its corner (<see cref="ClusterGrid.OffsetX"/>).
/// </summary>
public readonly record struct CellTotals(long Count, long Small, double SumX, double SumY);
