using SkiaSharp;

namespace ClusterMap.Rendering.Output;

/// <summary>Writes one PDF page through SKDocument; the document and stream are owned and closed here.</summary>
internal static class PdfPages
{
    public static byte[] Write(string title, float rasterDpi, float widthPoints, float heightPoints, Action<SKCanvas> draw)
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
            var canvas = document.BeginPage(widthPoints, heightPoints);
            draw(canvas);
            document.EndPage();
            document.Close();
        }

        return stream.ToArray();
    }
}
