using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Tiles;
using NetTopologySuite.Geometries;

namespace ClusterMap.Rendering.Tests;

public sealed class DensityRasterTests
{
    [Theory]
    [InlineData(0, 14)]
    [InlineData(300, 14)]
    [InlineData(0, 16)]
    public void Evaluate_OneInstitution_IntegratesToOneOverTheGround(double uncertaintyMeters, int zoom)
    {
        // A kernel that fits well inside the tile: its whole mass is on the tile's pixels.
        var at = new Coordinate(121.45, 31.225);
        var tile = TileIndex.Containing(at, zoom);
        var centre = WebMercator.ToLonLat(tile.BoundsMeters.Centre);
        var bandwidth = zoom == 14 ? 400.0 : 100.0;

        var density = DensityRaster.Evaluate([new DensityPoint(centre, uncertaintyMeters)], tile, 1, bandwidth);

        var pixel = tile.BoundsMeters.Width / 256;
        var mass = 0.0;
        for (var row = 0; row < 256; row++)
        {
            // A pixel's ground area: its Web Mercator square shrunk by cos(latitude) on both sides.
            var lat = WebMercator.ToLonLat(new Coordinate(0, tile.BoundsMeters.MaxY - ((row + 0.5) * pixel))).Y;
            var groundKm2 = Math.Pow(pixel * Math.Cos(lat * Math.PI / 180) / 1000, 2);
            for (var column = 0; column < 256; column++)
            {
                mass += density[(row * 256) + column] * groundKm2;
            }
        }

        // Sampling a smooth kernel at pixel centres: within 1 % of its mass of 1 for a kernel tens of pixels wide.
        Assert.Equal(1, mass, 0.01);
    }

    [Fact]
    public void Evaluate_NoInstitutions_IsZeroEverywhere_AndTheTileIsTransparent()
    {
        var tile = TileIndex.Containing(new Coordinate(121.45, 31.225), 12);

        Assert.All(DensityRaster.Evaluate([], tile, 1, 2000), d => Assert.Equal(0, d));
        using var bitmap = SkiaSharp.SKBitmap.Decode(DensityRaster.RenderPng([], tile, 2, 2000));
        Assert.Equal((512, 512), (bitmap.Width, bitmap.Height));
        Assert.All(bitmap.Pixels, p => Assert.Equal(0, p.Alpha));
    }

    [Fact]
    public void ClassOf_FollowsTheRampsLowerBounds()
    {
        Assert.Equal(-1, DensityRaster.ClassOf(0));
        Assert.Equal(-1, DensityRaster.ClassOf(DensityRaster.Ramp[0].MinPerSquareKilometre * 0.999));
        for (var i = 0; i < DensityRaster.Ramp.Count; i++)
        {
            Assert.Equal(i, DensityRaster.ClassOf(DensityRaster.Ramp[i].MinPerSquareKilometre));
        }

        Assert.Equal(DensityRaster.Ramp.Count - 1, DensityRaster.ClassOf(1e9));
        Assert.True(DensityRaster.Ramp.Zip(DensityRaster.Ramp.Skip(1)).All(p => p.First.MinPerSquareKilometre < p.Second.MinPerSquareKilometre && p.First.Color.Alpha <= p.Second.Color.Alpha));
    }
}
