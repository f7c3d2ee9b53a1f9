using System.Globalization;
using ClusterMap.Core.Tiles;

namespace ClusterMap.Api.Parameters;

/// <summary>
/// The z/x/y of a tile URL, with an optional <c>@2x</c> on y for HiDPI. Anything that is not a tile (letters,
/// negative numbers, x or y ≥ 2^z, zoom above 22) is not found: the pyramid has no such tile.
/// </summary>
internal static class TileAddressParameter
{
    public const string AcceptedForm = "a tile address z/x/y with zoom 0–22 and 0 ≤ x, y < 2^zoom, y optionally followed by @2x";

    public static bool TryParse(string z, string x, string y, out TileIndex tile, out int scale)
    {
        tile = default;
        scale = 1;
        if (y.EndsWith("@2x", StringComparison.Ordinal))
        {
            scale = 2;
            y = y[..^3];
        }

        if (!int.TryParse(z, NumberStyles.None, CultureInfo.InvariantCulture, out var zoom)
            || !int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var column)
            || !int.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var row)
            || !TileIndex.TryCreate(zoom, column, row, out var created))
        {
            return false;
        }

        tile = created.Value;
        return true;
    }
}
