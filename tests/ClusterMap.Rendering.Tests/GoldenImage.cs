using SkiaSharp;

namespace ClusterMap.Rendering.Tests;

/// <summary>
/// Reference-image comparison (Mapsui's habit, with Martin's bless step). References live in Golden/ in the source
/// tree; <c>make bless</c> (CLUSTERMAP_BLESS=1) rewrites them, and the diff is reviewed like code.
/// </summary>
internal static class GoldenImage
{
    /// <summary>
    /// A pixel differs when any channel is off by more than this: anti-aliased edges and glyph rasterisation move by
    /// a few levels between Skia builds and CPUs, while a real change (a missing label, a wrong colour) moves by far
    /// more.
    /// </summary>
    public const int ChannelTolerance = 24;

    /// <summary>At most this fraction of pixels may differ: about one short label's worth of a 512×512 image.</summary>
    public const double MaxDifferingFraction = 0.004;

    public static bool Blessing => Environment.GetEnvironmentVariable("CLUSTERMAP_BLESS") == "1";

    public static string Directory => Path.Combine(TestMaps.RepositoryRoot, "tests", "ClusterMap.Rendering.Tests", "Golden");

    public static void AssertMatches(byte[] png, string name)
    {
        var reference = Path.Combine(Directory, name + ".png");
        if (Blessing)
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllBytes(reference, png);
            return;
        }

        var actualPath = Path.Combine(TestMaps.RepositoryRoot, ".test-results", "golden", name + ".actual.png");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(actualPath)!);
        if (!File.Exists(reference))
        {
            File.WriteAllBytes(actualPath, png);
            Assert.Fail($"No reference image {reference}. Run 'make bless' to create it, then review it.");
        }

        using var expected = SKBitmap.Decode(reference);
        using var actual = SKBitmap.Decode(png);
        Assert.True(expected.Width == actual.Width && expected.Height == actual.Height,
            $"{name}: size {actual.Width}×{actual.Height}, reference {expected.Width}×{expected.Height}.");
        var (differing, worst) = Compare(expected, actual);
        var fraction = (double)differing / (actual.Width * actual.Height);
        if (fraction > MaxDifferingFraction)
        {
            File.WriteAllBytes(actualPath, png);
            Assert.Fail($"{name}: {fraction:P2} of pixels differ by more than {ChannelTolerance}/255 (limit {MaxDifferingFraction:P2}, worst channel {worst}). Actual image: {actualPath}. If the change is intended, run 'make bless' and review the diff.");
        }
    }

    public static (int Differing, int Worst) Compare(SKBitmap expected, SKBitmap actual)
    {
        var differing = 0;
        var worst = 0;
        for (var y = 0; y < actual.Height; y++)
        {
            for (var x = 0; x < actual.Width; x++)
            {
                var a = expected.GetPixel(x, y);
                var b = actual.GetPixel(x, y);
                var d = Math.Max(Math.Max(Math.Abs(a.Red - b.Red), Math.Abs(a.Green - b.Green)), Math.Max(Math.Abs(a.Blue - b.Blue), Math.Abs(a.Alpha - b.Alpha)));
                worst = Math.Max(worst, d);
                if (d > ChannelTolerance)
                {
                    differing++;
                }
            }
        }

        return (differing, worst);
    }
}
