using QRCoder;
using SkiaSharp;

namespace ClusterMap.Rendering.Scene;

/// <summary>The modules of a QR code (true = dark), with its four-module quiet zone, row by row.</summary>
internal static class QrMatrix
{
    /// <summary>Error correction level M: a printed code still reads with 15 % of it smudged or folded.</summary>
    public static IReadOnlyList<IReadOnlyList<bool>> Of(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return [.. data.ModuleMatrix.Select(row => (IReadOnlyList<bool>)[.. row.Cast<bool>()])];
    }

    /// <summary>Adds one square per dark module to <paramref name="path"/>: vector, so SVG and PDF keep the code sharp.</summary>
    public static void AddTo(SKPath path, IReadOnlyList<IReadOnlyList<bool>> matrix, float left, float top, float module)
    {
        for (var row = 0; row < matrix.Count; row++)
        {
            for (var column = 0; column < matrix[row].Count; column++)
            {
                if (matrix[row][column])
                {
                    path.AddRect(SKRect.Create(left + (column * module), top + (row * module), module, module));
                }
            }
        }
    }
}
