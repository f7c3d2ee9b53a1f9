using ClusterMap.Core.Tiles;
using NetTopologySuite.Geometries;

namespace ClusterMap.Rendering.Model;

/// <summary>One fetched tile of an external XYZ basemap: its address and its encoded image (PNG, JPEG or WebP).</summary>
public sealed record RasterBasemapTile(TileIndex Tile, byte[] Image);

/// <summary>
/// An external raster basemap under a map, its tiles already fetched (the renderer never touches the network): drawn
/// in place of ClusterMap's own land and water, with its provider's credit printed in the figure's attribution.
/// </summary>
/// <param name="Title">What the attribution calls it, e.g. "Tianditu".</param>
/// <param name="Attribution">The credit the provider requires.</param>
/// <param name="Tiles">Every tile <see cref="TilesFor"/> asked for.</param>
public sealed record RasterBasemap(string Title, string Attribution, IReadOnlyList<RasterBasemapTile> Tiles)
{
    /// <summary>The most tiles one figure draws: beyond, the basemap is read one zoom coarser.</summary>
    public const int MaxTiles = 100;

    /// <summary>
    /// The basemap tiles under a map: of the coarsest zoom that is at least as sharp as the map's device pixels (no
    /// finer than <paramref name="maxZoom"/>, and coarser while more than <see cref="MaxTiles"/> would be needed),
    /// every tile that meets the map's view.
    /// </summary>
    public static IReadOnlyList<TileIndex> TilesFor(MapRequest request, int maxZoom)
    {
        var wanted = request.Zoom + Math.Log2(Math.Max(request.Scale, 1));
        var z = Math.Clamp((int)Math.Ceiling(wanted - 1e-6), TileIndex.MinZoom, Math.Min(maxZoom, TileIndex.MaxZoom));
        while (true)
        {
            var tiles = Covering(request.BoundsMeters, z);
            if (tiles.Count <= MaxTiles || z == TileIndex.MinZoom)
            {
                return tiles;
            }

            z--;
        }
    }

    private static List<TileIndex> Covering(Envelope boundsMeters, int z)
    {
        var n = TileIndex.TilesPerSide(z);
        var size = 2 * WebMercator.HalfWorldMeters / n;
        int Column(double x) => (int)Math.Floor((x + WebMercator.HalfWorldMeters) / size);
        int Row(double y) => (int)Math.Floor((WebMercator.HalfWorldMeters - y) / size);
        var (minX, maxX) = (Math.Max(Column(boundsMeters.MinX), 0), Math.Min(Column(boundsMeters.MaxX - 1e-6), n - 1));
        var (minY, maxY) = (Math.Max(Row(boundsMeters.MaxY), 0), Math.Min(Row(boundsMeters.MinY + 1e-6), n - 1));
        var tiles = new List<TileIndex>();
        for (var y = minY; y <= maxY; y++)
        {
            for (var x = minX; x <= maxX; x++)
            {
                tiles.Add(TileIndex.Create(z, x, y));
            }
        }

        return tiles;
    }
}
