using ClusterMap.Core.Tiles;
using NetTopologySuite.Geometries;

namespace ClusterMap.Rendering.Labels;

/// <summary>
/// The labels of one meta-tile (a block of <see cref="MetaTileSize"/>×<see cref="MetaTileSize"/> tiles of one zoom),
/// placed once and drawn by each of its tiles. A label is placed only wholly inside its meta-tile, so no tile ever cuts
/// a label, and placing costs what the meta-tile holds, not the data set. Labels that would cross a meta-tile's edge
/// take another position around their symbol, or are left out.
/// </summary>
public sealed class TileLabelLayout
{
    /// <summary>Tiles per side of a meta-tile.</summary>
    public const int MetaTileSize = 4;

    internal TileLabelLayout(IReadOnlyList<PlacedLabel> labels) => Labels = labels;

    /// <summary>In the meta-tile's pixels: (0, 0) is its top-left corner.</summary>
    internal IReadOnlyList<PlacedLabel> Labels { get; }

    /// <summary>How many labels the meta-tile holds.</summary>
    public int Count => Labels.Count;

    /// <summary>The meta-tile holding a tile: its top-left tile's x and y, and its bounds in Web Mercator metres.</summary>
    public static (int X, int Y, Envelope BoundsMeters) MetaTile(TileIndex tile)
    {
        var x = tile.X / MetaTileSize * MetaTileSize;
        var y = tile.Y / MetaTileSize * MetaTileSize;
        var last = TileIndex.TilesPerSide(tile.Z) - 1;
        var topLeft = TileIndex.Create(tile.Z, x, y).BoundsMeters;
        var bottomRight = TileIndex.Create(tile.Z, Math.Min(x + MetaTileSize - 1, last), Math.Min(y + MetaTileSize - 1, last)).BoundsMeters;
        return (x, y, new Envelope(topLeft.MinX, bottomRight.MaxX, bottomRight.MinY, topLeft.MaxY));
    }
}
