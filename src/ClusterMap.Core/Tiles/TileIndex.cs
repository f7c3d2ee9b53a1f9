using System.Diagnostics.CodeAnalysis;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tiles;

/// <summary>
/// One tile of the Web Mercator XYZ pyramid (x grows east, y grows south, as in OSM and Mapbox URLs). It cannot hold
/// an impossible address: the only ways in are <see cref="TryCreate"/> and <see cref="Create"/>, which accept
/// zoom 0–<see cref="MaxZoom"/> and 0 ≤ x, y &lt; 2^z.
/// </summary>
public readonly record struct TileIndex
{
    public const int MinZoom = 0;

    public const int MaxZoom = 22;

    private TileIndex(int z, int x, int y)
    {
        Z = z;
        X = x;
        Y = y;
    }

    public int Z { get; }

    public int X { get; }

    public int Y { get; }

    /// <summary>Number of tiles along one side at zoom <paramref name="z"/>.</summary>
    public static int TilesPerSide(int z) => 1 << z;

    public static bool IsValid(int z, int x, int y) =>
        z is >= MinZoom and <= MaxZoom && x >= 0 && y >= 0 && x < TilesPerSide(z) && y < TilesPerSide(z);

    public static bool TryCreate(int z, int x, int y, [NotNullWhen(true)] out TileIndex? tile)
    {
        tile = IsValid(z, x, y) ? new TileIndex(z, x, y) : null;
        return tile is not null;
    }

    /// <summary>For addresses the caller computed itself; throws on an impossible one.</summary>
    public static TileIndex Create(int z, int x, int y) =>
        IsValid(z, x, y) ? new TileIndex(z, x, y) : throw new ArgumentOutOfRangeException(nameof(z), $"{z}/{x}/{y} is not a tile: expected zoom {MinZoom}–{MaxZoom} and 0 ≤ x, y < 2^zoom.");

    /// <summary>The tile's square in Web Mercator metres (EPSG:3857).</summary>
    public Envelope BoundsMeters
    {
        get
        {
            var size = WebMercator.WorldSizeMeters / TilesPerSide(Z);
            var minX = -WebMercator.HalfWorldMeters + (X * size);
            var maxY = WebMercator.HalfWorldMeters - (Y * size);
            return new Envelope(minX, minX + size, maxY - size, maxY);
        }
    }

    /// <summary>The tile's box in WGS84 longitude/latitude degrees.</summary>
    public Envelope BoundsLonLat
    {
        get
        {
            var meters = BoundsMeters;
            var southWest = WebMercator.ToLonLat(new Coordinate(meters.MinX, meters.MinY));
            var northEast = WebMercator.ToLonLat(new Coordinate(meters.MaxX, meters.MaxY));
            return new Envelope(southWest.X, northEast.X, southWest.Y, northEast.Y);
        }
    }

    /// <summary>The tile at zoom <paramref name="z"/> that holds a lon/lat point (edges belong to the east/south tile).</summary>
    public static TileIndex Containing(Coordinate lonLat, int z)
    {
        var meters = WebMercator.FromLonLat(lonLat);
        var n = TilesPerSide(z);
        var x = (int)Math.Floor((meters.X + WebMercator.HalfWorldMeters) / WebMercator.WorldSizeMeters * n);
        var y = (int)Math.Floor((WebMercator.HalfWorldMeters - meters.Y) / WebMercator.WorldSizeMeters * n);
        return new TileIndex(z, Math.Clamp(x, 0, n - 1), Math.Clamp(y, 0, n - 1));
    }

    public override string ToString() => $"{Z}/{X}/{Y}";
}
