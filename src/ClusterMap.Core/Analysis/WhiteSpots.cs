using ClusterMap.Core.Proximity;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Analysis;

/// <summary>
/// A square grid of equal-area cells: squares of <see cref="CellMeters"/> on the Lambert azimuthal equal-area plane
/// centred on the middle of the extent (rounded to 0.01°, so that the same extent always gives the same cells).
/// Cells are numbered by column (east) and row (north) from the extent's south-west corner.
/// </summary>
public sealed class EqualAreaGrid
{
    private EqualAreaGrid(LambertEqualArea projection, double cellMeters, double minX, double minY, int columns, int rows)
    {
        Projection = projection;
        CellMeters = cellMeters;
        MinX = minX;
        MinY = minY;
        Columns = columns;
        Rows = rows;
    }

    public LambertEqualArea Projection { get; }

    public double CellMeters { get; }

    public double MinX { get; }

    public double MinY { get; }

    public int Columns { get; }

    public int Rows { get; }

    public long CellCount => (long)Columns * Rows;

    /// <summary>The grid of cells covering <paramref name="extent4326"/> (lon/lat degrees).</summary>
    public static EqualAreaGrid Covering(Envelope extent4326, double cellMeters)
    {
        ArgumentNullException.ThrowIfNull(extent4326);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cellMeters);
        var projection = new LambertEqualArea(
            Math.Round((extent4326.MinX + extent4326.MaxX) / 2, 2), Math.Round((extent4326.MinY + extent4326.MaxY) / 2, 2));

        // The extent's projected bounds, from its boundary sampled densely (its edges are curves on the plane).
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity, maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
        const int Steps = 64;
        for (var s = 0; s <= Steps; s++)
        {
            var t = (double)s / Steps;
            var lon = extent4326.MinX + (t * extent4326.Width);
            var lat = extent4326.MinY + (t * extent4326.Height);
            foreach (var (x, y) in new[]
            {
                projection.Forward(lon, extent4326.MinY), projection.Forward(lon, extent4326.MaxY),
                projection.Forward(extent4326.MinX, lat), projection.Forward(extent4326.MaxX, lat),
            })
            {
                (minX, minY, maxX, maxY) = (Math.Min(minX, x), Math.Min(minY, y), Math.Max(maxX, x), Math.Max(maxY, y));
            }
        }

        minX = Math.Floor(minX / cellMeters) * cellMeters;
        minY = Math.Floor(minY / cellMeters) * cellMeters;
        var columns = Math.Max(1, (long)Math.Ceiling((maxX - minX) / cellMeters));
        var rows = Math.Max(1, (long)Math.Ceiling((maxY - minY) / cellMeters));
        return new EqualAreaGrid(projection, cellMeters, minX, minY, (int)Math.Min(columns, int.MaxValue), (int)Math.Min(rows, int.MaxValue));
    }

    /// <summary>The number of cells <see cref="Covering"/> would make, without making them (to refuse a huge grid first).</summary>
    public static long CountCells(Envelope extent4326, double cellMeters) => Covering(extent4326, cellMeters).CellCount;

    /// <summary>The cell's centre in lon/lat degrees.</summary>
    public Coordinate Centre(int column, int row) =>
        Projection.Inverse(MinX + ((column + 0.5) * CellMeters), MinY + ((row + 0.5) * CellMeters));

    /// <summary>The cell as a lon/lat polygon (its four corners, counter-clockwise as RFC 7946 asks).</summary>
    public Polygon Cell(int column, int row, GeometryFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        double x0 = MinX + (column * CellMeters), y0 = MinY + (row * CellMeters);
        double x1 = x0 + CellMeters, y1 = y0 + CellMeters;
        var sw = Projection.Inverse(x0, y0);
        return factory.CreatePolygon([sw, Projection.Inverse(x1, y0), Projection.Inverse(x1, y1), Projection.Inverse(x0, y1), sw.Copy()]);
    }
}

/// <summary>Whether a cell is a white spot whatever the true locations are, or only possibly.</summary>
public enum WhiteSpotStatus
{
    /// <summary>At least N institutions are certainly within R, and no park can be within R'.</summary>
    Certain,

    /// <summary>Not certain, but at least N institutions may be within R and no park is certainly within R'.</summary>
    Possible,
}

/// <summary>One white-spot cell.</summary>
/// <param name="Column">Column from the grid's west edge.</param>
/// <param name="Row">Row from the grid's south edge.</param>
/// <param name="Centre">The cell's centre, from which distances are measured.</param>
/// <param name="Institutions">Institutions within R of the centre, certain and possible.</param>
/// <param name="Parks">Parks within R' of the centre, certain and possible.</param>
/// <param name="Status">Certain or possible white spot.</param>
public sealed record WhiteSpotCell(int Column, int Row, Coordinate Centre, CertainPossible Institutions, CertainPossible Parks, WhiteSpotStatus Status);

/// <summary>What makes a white spot.</summary>
/// <param name="CellMeters">Side of a grid cell in metres (on the equal-area plane).</param>
/// <param name="MinInstitutions">N: at least this many institutions within <paramref name="InstitutionRadiusMeters"/>.</param>
/// <param name="InstitutionRadiusMeters">R, measured from the cell's centre.</param>
/// <param name="ParkRadiusMeters">R': no park within this distance of the cell's centre.</param>
public sealed record WhiteSpotSettings(double CellMeters, int MinInstitutions, double InstitutionRadiusMeters, double ParkRadiusMeters)
{
    public static WhiteSpotSettings Default { get; } = new(1000, 3, 2000, 3000);
}

/// <summary>
/// Places where research is dense and no park sits: cells of an <see cref="EqualAreaGrid"/> whose centre has at least
/// N institutions within R and no park within R', with the same certain/possible split as the proximity engine.
/// </summary>
public static class WhiteSpots
{
    /// <summary>The white-spot cells of the grid, by row then column.</summary>
    public static IReadOnlyList<WhiteSpotCell> Find(EqualAreaGrid grid, IReadOnlyList<InstitutionSource> institutions, IReadOnlyList<ProximityIndex> parks, WhiteSpotSettings settings)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(institutions);
        ArgumentNullException.ThrowIfNull(parks);
        ArgumentNullException.ThrowIfNull(settings);
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var perRow = new List<WhiteSpotCell>?[grid.Rows];
        Parallel.For(0, grid.Rows, row =>
        {
            for (var column = 0; column < grid.Columns; column++)
            {
                var centre = grid.Centre(column, row);
                var point = factory.CreatePoint(centre);
                var inst = CountInstitutions(point, institutions, settings.InstitutionRadiusMeters);
                if (inst.AtMost < settings.MinInstitutions)
                {
                    continue;
                }

                var near = CountParks(point, parks, settings.ParkRadiusMeters);
                WhiteSpotStatus? status = inst.Certain >= settings.MinInstitutions && near.AtMost == 0 ? WhiteSpotStatus.Certain
                    : near.Certain == 0 ? WhiteSpotStatus.Possible
                    : null;
                if (status is { } s)
                {
                    (perRow[row] ??= []).Add(new WhiteSpotCell(column, row, centre, inst, near, s));
                }
            }
        });
        return [.. perRow.Where(r => r is not null).SelectMany(r => r!)];
    }

    private static CertainPossible CountInstitutions(Point centre, IReadOnlyList<InstitutionSource> sources, double radius)
    {
        int certain = 0, possible = 0;
        foreach (var source in sources)
        {
            var kept = source.Kept;
            source.Index.VisitWithin(centre, radius, 0, (position, d, slack) =>
            {
                if (kept[position])
                {
                    certain += d + slack <= radius ? 1 : 0;
                    possible += d + slack <= radius ? 0 : 1;
                }
            });
        }

        return new CertainPossible(certain, possible);
    }

    private static CertainPossible CountParks(Point centre, IReadOnlyList<ProximityIndex> parks, double radius)
    {
        int certain = 0, possible = 0;
        foreach (var index in parks)
        {
            index.VisitWithin(centre, radius, 0, (_, d, slack) =>
            {
                certain += d + slack <= radius ? 1 : 0;
                possible += d + slack <= radius ? 0 : 1;
            });
        }

        return new CertainPossible(certain, possible);
    }
}
