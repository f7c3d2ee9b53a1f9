using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;

namespace ClusterMap.Storage.Sql;

/// <summary>
/// What the stores' clustering statements (<see cref="ClusterGrid"/> in SQL) share: the Web Mercator of an anchor as
/// <c>WebMercator.FromLonLat</c> writes it, operation for operation (x = R·lon·π/180 and
/// y = R·ln(tan(π/4 + (clamped lat·π/180)/2)), π and π/4 bound as the same doubles), so SQL and C# give the same
/// doubles and agree on every cell; and the parameters those statements read.
/// </summary>
public static class ClusterSql
{
    /// <summary>The Mercator x of a longitude expression.</summary>
    public static string MercatorX(string lon) => $"(@r * {lon} * @pi / 180)";

    /// <summary>The Mercator y of a latitude expression, clamped with the dialect's two-argument maximum and minimum.</summary>
    public static string MercatorY(string lat, string greatest, string least) =>
        $"(@r * ln(tan(@quarterPi + (({greatest}(-@maxLat, {least}(@maxLat, {lat})) * @pi / 180) / 2))))";

    /// <summary>
    /// The projection's constants, the query's cell size (also the size a shape must be under to be anchored), crowding limit and cell range, and the view
    /// box (<c>@bminX</c> …) that features read whole must meet, and, for a read of symbols only
    /// (<see cref="ClusterQuery.SymbolsUnderMeters"/>), <c>@wide</c> false and the symbol size <c>@symbol</c>.
    /// </summary>
    public static object Parameters(ClusterQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var box = query.BoxLonLat;
        var (cx0, cy0, cx1, cy1) = query.CellRange();
        return new
        {
            r = WebMercator.EarthRadiusMeters,
            pi = Math.PI,
            quarterPi = Math.PI / 4,
            maxLat = WebMercator.MaxLatitude,
            half = WebMercator.HalfWorldMeters,
            cell = query.CellMeters,
            max = (long)query.MaxAnchorsPerCell,
            cx0,
            cy0,
            cx1,
            cy1,
            bminX = box.MinX,
            bminY = box.MinY,
            bmaxX = box.MaxX,
            bmaxY = box.MaxY,
            wide = query.SymbolsUnderMeters is null,
            symbol = query.SymbolsUnderMeters ?? 0,
        };
    }
}
