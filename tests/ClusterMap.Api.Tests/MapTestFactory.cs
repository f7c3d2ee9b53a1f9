using System.Diagnostics;
using ClusterMap.Core.Tiles;
using NetTopologySuite.Geometries;
using SkiaSharp;

namespace ClusterMap.Api.Tests;

/// <summary>
/// The service on the synthetic map test data (invented parks, campuses and a coast: TestData/mapdata), reading the
/// data version on every request so a data change shows at once.
/// </summary>
public sealed class MapTestFactory()
    : ClusterMapFactory(MapGeodata, new Dictionary<string, string?> { ["Maps:DataVersionCheckMilliseconds"] = "0" })
{
    public static readonly string MapGeodata = Path.Combine(AppContext.BaseDirectory, "TestData", "mapdata");
}

internal static class MapAssertions
{
    /// <summary>
    /// A static map SVG's texts, each once (a label is written twice: its white halo, then its ink), without the stamp
    /// (from "Data version" to the attribution's "Data:"), which names the request and its time.
    /// </summary>
    public static List<string> SvgTextsWithoutStamp(string svg)
    {
        var texts = System.Xml.Linq.XDocument.Parse(svg).Descendants((System.Xml.Linq.XNamespace)"http://www.w3.org/2000/svg" + "text")
            .Select(t => t.Value.Trim()).Distinct().ToList();
        var stamp = texts.FindIndex(t => t.StartsWith("Data version", StringComparison.Ordinal));
        var credits = texts.FindIndex(t => t.StartsWith("Data:", StringComparison.Ordinal));
        Assert.True(stamp >= 0 && credits > stamp, "the stamp comes before the attribution");
        texts.RemoveRange(stamp, credits - stamp);
        return texts;
    }

    /// <summary>Test Park 1 (Life sciences, #CC6677) of the map test data.</summary>
    public static readonly Coordinate Park1 = new(121.20, 31.20);

    public static readonly SKColor LifeSciences = new(0xCC, 0x66, 0x77);

    public static SKBitmap DecodePng(byte[] bytes)
    {
        Assert.True(bytes.Length > 8 && bytes[0] == 0x89 && bytes[1] == (byte)'P', "not a PNG");
        return SKBitmap.Decode(bytes) ?? throw new InvalidOperationException("PNG did not decode");
    }

    /// <summary>Where a lon/lat point falls inside a tile, in the tile's pixels (times the scale for @2x).</summary>
    public static SKPointI PixelInTile(Coordinate lonLat, TileIndex tile, int scale = 1)
    {
        var meters = WebMercator.FromLonLat(lonLat);
        var bounds = tile.BoundsMeters;
        var size = 256 * scale;
        return new SKPointI((int)((meters.X - bounds.MinX) / bounds.Width * size), (int)((bounds.MaxY - meters.Y) / bounds.Height * size));
    }

    /// <summary>Asserts that some pixel within <paramref name="radius"/> of a point has the colour, give or take a few levels.</summary>
    public static void HasColorNear(SKBitmap bitmap, SKPointI at, SKColor expected, int radius = 2, int tolerance = 12)
    {
        for (var dy = -radius; dy <= radius; dy++)
        {
            for (var dx = -radius; dx <= radius; dx++)
            {
                var x = at.X + dx;
                var y = at.Y + dy;
                if (x < 0 || y < 0 || x >= bitmap.Width || y >= bitmap.Height)
                {
                    continue;
                }

                var c = bitmap.GetPixel(x, y);
                if (Math.Abs(c.Red - expected.Red) <= tolerance && Math.Abs(c.Green - expected.Green) <= tolerance && Math.Abs(c.Blue - expected.Blue) <= tolerance)
                {
                    return;
                }
            }
        }

        Assert.Fail($"no pixel of {expected} near ({at.X},{at.Y}); there: {bitmap.GetPixel(Math.Clamp(at.X, 0, bitmap.Width - 1), Math.Clamp(at.Y, 0, bitmap.Height - 1))}");
    }

    public static async Task<string> RunAsync(string tool, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{await error}");
        return await output;
    }
}
