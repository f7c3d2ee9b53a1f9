using ClusterMap.Core.Tiles;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tests.Tiles;

public class TileIndexTests
{
    // Reference values from the OSM wiki's slippy-map formulas (x = (lon+180)/360·2^z, y = (1 − asinh(tan φ)/π)/2·2^z),
    // an independent derivation from the one in WebMercator; 1e-9° is float noise, far below a pixel at z22.
    private const double DegreeTolerance = 1e-9;

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(1, 1, 1)]
    [InlineData(14, 13720, 6694)]
    [InlineData(22, 4194303, 4194303)]
    public void TryCreate_WithPossibleAddress_Succeeds(int z, int x, int y)
    {
        Assert.True(TileIndex.TryCreate(z, x, y, out var tile));
        Assert.Equal((z, x, y), (tile.Value.Z, tile.Value.X, tile.Value.Y));
    }

    [Theory]
    [InlineData(-1, 0, 0)]
    [InlineData(23, 0, 0)]
    [InlineData(0, 1, 0)]
    [InlineData(0, 0, 1)]
    [InlineData(3, 8, 0)]
    [InlineData(3, 0, 8)]
    [InlineData(3, -1, 0)]
    [InlineData(3, 0, -1)]
    public void TryCreate_WithImpossibleAddress_Fails(int z, int x, int y)
    {
        Assert.False(TileIndex.TryCreate(z, x, y, out var tile));
        Assert.Null(tile);
        Assert.Throws<ArgumentOutOfRangeException>(() => TileIndex.Create(z, x, y));
    }

    [Fact]
    public void Default_IsTheWorldTile()
    {
        // A default struct is the one address that needs no validation: 0/0/0.
        var tile = default(TileIndex);
        Assert.Equal("0/0/0", tile.ToString());
    }

    [Fact]
    public void BoundsMeters_OfWorldTile_IsPlusMinusPiR()
    {
        var bounds = TileIndex.Create(0, 0, 0).BoundsMeters;
        Assert.Equal(-20037508.342789244, bounds.MinX, 6);
        Assert.Equal(20037508.342789244, bounds.MaxX, 6);
        Assert.Equal(-20037508.342789244, bounds.MinY, 6);
        Assert.Equal(20037508.342789244, bounds.MaxY, 6);
    }

    [Fact]
    public void BoundsLonLat_MatchesSlippyMapFormula()
    {
        var bounds = TileIndex.Create(14, 13722, 6693).BoundsLonLat;
        Assert.Equal(121.5087890625, bounds.MinX, DegreeTolerance);
        Assert.Equal(31.259769987394282, bounds.MaxY, DegreeTolerance);
        Assert.Equal(85.0511287798066, TileIndex.Create(0, 0, 0).BoundsLonLat.MaxY, DegreeTolerance);
    }

    [Theory]
    [InlineData(10, 857, 418)]
    [InlineData(14, 13720, 6694)]
    public void Containing_PeoplesSquare_GivesSlippyMapTile(int z, int x, int y)
    {
        var tile = TileIndex.Containing(new Coordinate(121.4737, 31.2304), z);
        Assert.Equal(TileIndex.Create(z, x, y), tile);
    }
}

public class WebMercatorTests
{
    // Metres to 1 mm: the closed form has no iteration, so only float rounding differs from the reference.
    private const double MeterTolerance = 1e-3;

    [Fact]
    public void FromLonLat_Shanghai_MatchesReference()
    {
        // Reference: x = R·λ, y = R·ln tan(π/4 + φ/2), computed independently in Python.
        var meters = WebMercator.FromLonLat(new Coordinate(121.4737, 31.2304));
        Assert.Equal(13522390.428774875, meters.X, MeterTolerance);
        Assert.Equal(3662707.257050402, meters.Y, MeterTolerance);
    }

    [Fact]
    public void ToLonLat_RoundTrips()
    {
        var lonLat = WebMercator.ToLonLat(WebMercator.FromLonLat(new Coordinate(121.4737, 31.2304)));
        Assert.Equal(121.4737, lonLat.X, 1e-10);
        Assert.Equal(31.2304, lonLat.Y, 1e-10);
    }

    [Fact]
    public void MetersPerPixel_AtZoomZero_IsWorldOver256()
    {
        Assert.Equal(156543.03392804097, WebMercator.MetersPerPixel(0), 1e-6);
        Assert.Equal(10.0, WebMercator.ZoomFor(WebMercator.MetersPerPixel(10)), 1e-12);
    }

    [Fact]
    public void GroundMetersPerPixel_At60Degrees_IsHalf()
    {
        Assert.Equal(WebMercator.MetersPerPixel(5) / 2, WebMercator.GroundMetersPerPixel(60, 5), 1e-6);
    }
}
