using QRCoder;
using SkiaSharp;

namespace ClusterMap.Rendering.Scene;

/// <summary>The modules of a QR code (true = dark), with its four-module quiet zone, row by row.</summary>
internal static class QrMatrix
{
    /// <summary>
    /// The longest text drawn as a code: about 60 modules a side at level M, which a phone still reads at two pixels
    /// a module. A longer permalink is printed (shortened) without a code.
    /// </summary>
    public const int MaxLength = 250;

    /// <summary>Error correction level M: a printed code still reads with 15 % of it smudged or folded. Null when too long.</summary>
    public static IReadOnlyList<IReadOnlyList<bool>>? Of(string text)
    {
        if (text.Length > MaxLength)
        {
            return null;
        }

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
