using SkiaSharp;

namespace ClusterMap.Rendering.Output;

/// <summary>
/// The one PNG encoding of the renderer's raster output (tiles, static maps, density tiles): zlib level 3 with the
/// Sub filter only. On map tiles (flat fills, antialiased edges, text) this encodes several times faster than Skia's
/// default (level 6, every filter tried per row) and the files come out no larger; the encoding is lossless either way.
/// </summary>
internal static class PngEncoding
{
    private static readonly SKPngEncoderOptions _options = new(SKPngEncoderFilterFlags.Sub, 3);

    public static byte[] Encode(SKImage image)
    {
        using var pixmap = image.PeekPixels() ?? throw new InvalidOperationException("Only raster images are encoded to PNG here.");
        using var data = pixmap.Encode(_options) ?? throw new InvalidOperationException("Skia could not encode the PNG.");
        return data.ToArray();
    }
}
