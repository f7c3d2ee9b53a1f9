using SkiaSharp;

namespace ClusterMap.Rendering.Output;

/// <summary>Writes PDF pages through SKDocument; the document and stream are owned and closed here.</summary>
internal static class PdfPages
{
    public static byte[] Write(string title, float rasterDpi, float widthPoints, float heightPoints, Action<SKCanvas> draw) =>
        Write(title, rasterDpi, widthPoints, heightPoints, (Func<SKCanvas> newPage) => draw(newPage()));

    /// <summary>
    /// A document of as many pages as <paramref name="draw"/> asks for: each call of the function it is given ends
    /// the page in hand (if any) and returns the canvas of a new one.
    /// </summary>
    public static byte[] Write(string title, float rasterDpi, float widthPoints, float heightPoints, Action<Func<SKCanvas>> draw)
    {
        using var stream = new MemoryStream();
        using (var managed = new SKManagedWStream(stream))
        {
            var metadata = new SKDocumentPdfMetadata
            {
                Title = title,
                Creator = "ClusterMap",
                Producer = "ClusterMap (SkiaSharp)",
                RasterDpi = rasterDpi,
                // A fixed date keeps the bytes the same for the same data, which the ETag and the tests rely on.
                Creation = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc),
                Modified = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            };
            using var document = SKDocument.CreatePdf(managed, metadata) ?? throw new InvalidOperationException("Skia could not create a PDF document.");
            var open = false;
            draw(() =>
            {
                if (open)
                {
                    document.EndPage();
                }

                open = true;
                return document.BeginPage(widthPoints, heightPoints);
            });
            if (open)
            {
                document.EndPage();
            }

            document.Close();
        }

        return stream.ToArray();
    }
}
