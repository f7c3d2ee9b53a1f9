using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Output;
using NetTopologySuite.Geometries;
using SkiaSharp;

namespace ClusterMap.Rendering.Tiles;

/// <summary>One institution as the density layer counts it: where it is stored and how far off that may be.</summary>
/// <param name="LonLat">The stored point (a polygon's interior point) in WGS84 degrees.</param>
/// <param name="UncertaintyMeters">Its <c>location_uncertainty_m</c>, 0 when the data states none.</param>
public readonly record struct DensityPoint(Coordinate LonLat, double UncertaintyMeters);

/// <summary>One class of the density ramp: densities from <see cref="MinPerSquareKilometre"/> up to the next class's lower bound.</summary>
public sealed record DensityClass(double MinPerSquareKilometre, SKColor Color);

/// <summary>How the density layer is computed: the kernel's bandwidth on the ground.</summary>
/// <param name="BandwidthMeters">The quartic kernel's radius (its support), before it is widened by a point's uncertainty and the pixel size.</param>
public sealed record DensitySettings(double BandwidthMeters = DensityRaster.DefaultBandwidthMeters)
{
    public static readonly DensitySettings Default = new();
}

/// <summary>
/// Kernel density of institutions per km², drawn as a transparent colour ramp over a tile. Each institution adds a
/// quartic (biweight) kernel of mass 1 whose radius is h_i = √(h² + u_i² + (2·g_i)²): the bandwidth h, widened by the
/// institution's location uncertainty u_i (an institution known to a few kilometres spreads over where it may be, rather
/// than peaking at its stored point) and by twice the ground size g_i of a pixel at its latitude (so no institution
/// falls between pixel centres at low zoom). The density is evaluated at every pixel centre from the institutions
/// whose kernel reaches the tile, so two tiles agree at their seams and a tile costs what lies within a kernel radius
/// of it. Ground distances are local on the WGS84 ellipsoid: meridian and prime-vertical radii at the mean latitude.
/// </summary>
public static class DensityRaster
{
    public const double DefaultBandwidthMeters = 2000;

    /// <summary>The kernel is at least this many pixels wide (its radius is widened by this many pixels' ground size, in quadrature).</summary>
    public const double PixelWidening = 2;

    private const double SemiMajorAxis = 6_378_137.0;
    private const double Flattening = 1 / 298.257223563;
    private const double EccentricitySquared = Flattening * (2 - Flattening);
    private const double DegreesToRadians = Math.PI / 180;

    /// <summary>
    /// The fixed ramp, per km² (the same colours at every zoom): below the first class a pixel is fully transparent.
    /// Colours are ColorBrewer's YlOrRd, more opaque as the density grows.
    /// </summary>
    public static IReadOnlyList<DensityClass> Ramp { get; } =
    [
        new(0.02, new SKColor(0xff, 0xff, 0xcc, 96)),
        new(0.05, new SKColor(0xff, 0xed, 0xa0, 112)),
        new(0.1, new SKColor(0xfe, 0xd9, 0x76, 128)),
        new(0.2, new SKColor(0xfe, 0xb2, 0x4c, 144)),
        new(0.5, new SKColor(0xfd, 0x8d, 0x3c, 160)),
        new(1, new SKColor(0xfc, 0x4e, 0x2a, 176)),
        new(2, new SKColor(0xe3, 0x1a, 0x1c, 192)),
        new(5, new SKColor(0xb1, 0x00, 0x26, 208)),
    ];

    /// <summary>The ramp class of a density per km², or -1 below the first class (transparent).</summary>
    public static int ClassOf(double perSquareKilometre)
    {
        var found = -1;
        for (var i = 0; i < Ramp.Count && perSquareKilometre >= Ramp[i].MinPerSquareKilometre; i++)
        {
            found = i;
        }

        return found;
    }

    /// <summary>The kernel radius of one institution at a tile zoom and scale, in ground metres.</summary>
    public static double KernelRadiusMeters(double bandwidthMeters, double uncertaintyMeters, double latitudeDegrees, int zoom, int scale)
    {
        var pixel = PixelWidening * WebMercator.MetersPerPixel(zoom) / scale * Math.Cos(latitudeDegrees * DegreesToRadians);
        return Math.Sqrt((bandwidthMeters * bandwidthMeters) + (uncertaintyMeters * uncertaintyMeters) + (pixel * pixel));
    }

    /// <summary>
    /// How far outside a tile, in Web Mercator metres, an institution can still reach into it (before its uncertainty,
    /// which the reader adds itself): the bandwidth and pixel widening, stretched by Mercator at the tile's poleward side.
    /// </summary>
    public static double ReachMercatorMeters(TileIndex tile, double bandwidthMeters)
    {
        var bounds = tile.BoundsLonLat;
        var reach = bandwidthMeters + (PixelWidening * WebMercator.MetersPerPixel(tile.Z));
        // One degree of latitude is at least 110 km: the reach moves the poleward side by at most reach / 110 km degrees.
        var poleward = Math.Min(Math.Max(Math.Abs(bounds.MinY), Math.Abs(bounds.MaxY)) + (reach / 110_000) + 0.01, WebMercator.MaxLatitude);
        return reach * WebMercator.ScaleFactor(poleward);
    }

    /// <summary>The density per km² at the centre of every pixel of the tile, row by row from the north-west corner.</summary>
    public static double[] Evaluate(IReadOnlyList<DensityPoint> points, TileIndex tile, int scale, double bandwidthMeters)
    {
        var size = 256 * scale;
        var density = new double[size * size];
        if (points.Count == 0)
        {
            return density;
        }

        var bounds = tile.BoundsMeters;
        var pixelMeters = bounds.Width / size;
        var lonOf = new double[size];
        var latOf = new double[size];
        for (var i = 0; i < size; i++)
        {
            lonOf[i] = WebMercator.ToLonLat(new Coordinate(bounds.MinX + ((i + 0.5) * pixelMeters), 0)).X;
            latOf[i] = WebMercator.ToLonLat(new Coordinate(0, bounds.MaxY - ((i + 0.5) * pixelMeters))).Y;
        }

        foreach (var point in points)
        {
            var lon = point.LonLat.X;
            var lat = point.LonLat.Y;
            var radius = KernelRadiusMeters(bandwidthMeters, point.UncertaintyMeters, lat, tile.Z, scale);
            var radiusSquared = radius * radius;
            // Quartic kernel of mass 1 over the radius, per km²: 3 / (π r²) · (1 − d²/r²)².
            var peak = 3 / (Math.PI * radiusSquared) * 1e6;
            // Rows first: latitudes fall row by row, so the rows within reach are one run.
            var (rowFrom, rowTo) = Run(latOf, lat, radius / (MeridianRadius(lat) * DegreesToRadians) * 1.01, descending: true);
            for (var row = rowFrom; row <= rowTo; row++)
            {
                var meanLat = (latOf[row] + lat) / 2 * DegreesToRadians;
                var (meridian, primeVertical) = Radii(meanLat);
                var dy = meridian * (latOf[row] - lat) * DegreesToRadians;
                var rest = radiusSquared - (dy * dy);
                if (rest <= 0)
                {
                    continue;
                }

                var east = primeVertical * Math.Cos(meanLat) * DegreesToRadians;
                var (columnFrom, columnTo) = Run(lonOf, lon, Math.Sqrt(rest) / east, descending: false);
                var offset = row * size;
                for (var column = columnFrom; column <= columnTo; column++)
                {
                    var dx = east * (lonOf[column] - lon);
                    var d2 = (dx * dx) + (dy * dy);
                    if (d2 < radiusSquared)
                    {
                        var q = 1 - (d2 / radiusSquared);
                        density[offset + column] += peak * q * q;
                    }
                }
            }
        }

        return density;
    }

    /// <summary>The tile as a PNG: each pixel in its ramp class's colour, transparent below the first class.</summary>
    public static byte[] RenderPng(IReadOnlyList<DensityPoint> points, TileIndex tile, int scale, double bandwidthMeters)
    {
        var size = 256 * scale;
        var density = Evaluate(points, tile, scale, bandwidthMeters);
        // Unpremultiplied, as PNG stores it: every drawn pixel decodes to exactly its class's colour.
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var pixels = new byte[size * size * 4];
        for (var i = 0; i < density.Length; i++)
        {
            var c = ClassOf(density[i]);
            if (c < 0)
            {
                continue;
            }

            var color = Ramp[c].Color;
            pixels[i * 4] = color.Red;
            pixels[(i * 4) + 1] = color.Green;
            pixels[(i * 4) + 2] = color.Blue;
            pixels[(i * 4) + 3] = color.Alpha;
        }

        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        return PngEncoding.Encode(image);
    }

    /// <summary>The stored point an institution is counted at: a point as it is, any other geometry by its interior point.</summary>
    public static Coordinate PointOf(Geometry lonLat) => lonLat is Point point ? point.Coordinate : lonLat.InteriorPoint.Coordinate;

    private static double MeridianRadius(double latitudeDegrees) => Radii(latitudeDegrees * DegreesToRadians).Meridian;

    private static (double Meridian, double PrimeVertical) Radii(double latitudeRadians)
    {
        var sin = Math.Sin(latitudeRadians);
        var w2 = 1 - (EccentricitySquared * sin * sin);
        var w = Math.Sqrt(w2);
        return (SemiMajorAxis * (1 - EccentricitySquared) / (w2 * w), SemiMajorAxis / w);
    }

    /// <summary>The first and last index of a sorted array whose value lies within <paramref name="reach"/> of <paramref name="centre"/> (from &gt; to when none).</summary>
    private static (int From, int To) Run(double[] values, double centre, double reach, bool descending)
    {
        var low = centre - reach;
        var high = centre + reach;
        // Searched on the values as they rise.
        int First(Func<double, bool> atOrPast)
        {
            int lo = 0, hi = values.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (atOrPast(values[mid]))
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }

            return lo;
        }

        return descending
            ? (First(v => v <= high), First(v => v < low) - 1)
            : (First(v => v >= low), First(v => v > high) - 1);
    }
}
