using ClusterMap.Core.Storage;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tiles;

/// <summary>
/// The cluster counts a store keeps beside its features so that a map at low zoom reads cells, not rows: for each
/// level, every cell of <see cref="ClusterGrid"/> that holds anchors, with their count and the sums of their offsets
/// from the cell's corner. Level k has cells of <see cref="CellMeters"/>(k) = world / 2^k and the collapse size
/// cell / <see cref="CollapseDivisor"/>: the grid of 64-pixel cells and 4-pixel collapse of an XYZ tile at zoom k − 2
/// (and of a 512-pixel tile at zoom k − 3). A query at another scale is answered from the rows.
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

    /// <summary>A level's collapse size is its cell side divided by this (4 pixels of a 64-pixel cell).</summary>
    public const int CollapseDivisor = 16;

    /// <summary>The side of a level's cells in Web Mercator metres (exact: the world's side halved k times).</summary>
    public static double CellMeters(int level) => WebMercator.WorldSizeMeters / Math.Pow(2, level);

    /// <summary>A level's collapse size in Web Mercator metres.</summary>
    public static double CollapseMeters(int level) => CellMeters(level) / CollapseDivisor;

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

    /// <summary>The level whose cells and collapse size are exactly the query's, or null when it has none.</summary>
    public static int? LevelOf(ClusterQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        for (var level = MinLevel; level <= MaxLevel; level++)
        {
            if (query.CellMeters == CellMeters(level) && query.CollapseMeters == CollapseMeters(level))
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
            if (totals.Count == 0 && totals.SumX == 0 && totals.SumY == 0)
            {
                changes.Remove(cell);
            }
        }

        return changes;
    }

    /// <summary>The pyramid of a whole collection: <see cref="Changes"/> from nothing.</summary>
    public static IReadOnlyDictionary<PyramidCell, CellTotals> Of(IEnumerable<Geometry> featuresLonLat) =>
        Changes(featuresLonLat.Select(AnchorCandidate.Of), []);

    private static void Count(Dictionary<PyramidCell, CellTotals> changes, IEnumerable<AnchorCandidate?> candidates, int sign)
    {
        foreach (var candidate in candidates)
        {
            if (candidate is not { } c)
            {
                continue;
            }

            for (var level = MinLevel; level <= MaxLevel; level++)
            {
                var cellMeters = CellMeters(level);
                if (!c.IsAnchoredAt(CollapseMeters(level)))
                {
                    // Levels go from coarse to fine: a shape too wide for this level's collapse size is too wide for every finer one.
                    break;
                }

                var (x, y) = ClusterGrid.Cell(c.At, cellMeters);
                var key = new PyramidCell(level, x, y);
                var held = changes.GetValueOrDefault(key);
                changes[key] = new CellTotals(
                    held.Count + sign,
                    held.SumX + (sign * ClusterGrid.OffsetX(c.At, x, cellMeters)),
                    held.SumY + (sign * ClusterGrid.OffsetY(c.At, y, cellMeters)));
            }
        }
    }
}

/// <summary>One cell of one level of a <see cref="ClusterPyramid"/>: X from the west edge, Y from the north edge.</summary>
public readonly record struct PyramidCell(int Level, long X, long Y);

/// <summary>How many anchors a cell holds and the sums of their offsets from its corner (<see cref="ClusterGrid.OffsetX"/>).</summary>
public readonly record struct CellTotals(long Count, double SumX, double SumY);
