using System.Globalization;
using System.Xml.Linq;

namespace ClusterMap.Api.Tests.Maps;

/// <summary>A word as a reader finds it on a PDF page: its text and box (points, y down), and the line it belongs to.</summary>
internal sealed record PdfWord(string Text, double XMin, double YMin, double XMax, double YMax, int Page, int Block, int Line)
{
    /// <summary>
    /// True when the two boxes share more than a sliver. Glyph boxes of neighbouring lines may touch by a fraction of
    /// a point (pdftotext boxes run from the font's ascent to its descent), so an overlap under 0.5 pt either way is
    /// no overlap.
    /// </summary>
    public bool Overlaps(PdfWord other, double tolerance = 0.5) =>
        Page == other.Page
        && Math.Min(XMax, other.XMax) - Math.Max(XMin, other.XMin) > tolerance
        && Math.Min(YMax, other.YMax) - Math.Max(YMin, other.YMin) > tolerance;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"'{Text}' p{Page} [{XMin:0.0},{YMin:0.0} – {XMax:0.0},{YMax:0.0}]");
}

/// <summary>Reads a PDF's words back with <c>pdftotext -bbox-layout</c> (poppler-utils), as a reader's tools would.</summary>
internal static class PdfWords
{
    public static async Task<List<PdfWord>> ReadAsync(byte[] pdf)
    {
        var directory = Directory.CreateTempSubdirectory("clustermap-pdfwords-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, "figure.pdf"), pdf);
            await MapAssertions.RunAsync("pdftotext", directory, "-bbox-layout", "figure.pdf", "words.html");
            return Parse(await File.ReadAllTextAsync(Path.Combine(directory, "words.html")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static List<PdfWord> Parse(string xhtml)
    {
        XNamespace ns = "http://www.w3.org/1999/xhtml";
        var document = XDocument.Parse(xhtml);
        var words = new List<PdfWord>();
        var lineNumber = 0;
        var blockNumber = 0;
        var pageNumber = 0;
        foreach (var page in document.Descendants(ns + "page"))
        {
            pageNumber++;
            foreach (var block in page.Descendants(ns + "block"))
            {
                blockNumber++;
                foreach (var line in block.Elements(ns + "line"))
                {
                    lineNumber++;
                    foreach (var word in line.Elements(ns + "word"))
                    {
                        var (top, bottom) = GlyphBand(Number(word, "yMin"), Number(word, "yMax"));
                        words.Add(new PdfWord(word.Value, Number(word, "xMin"), top, Number(word, "xMax"), bottom, pageNumber, blockNumber, lineNumber));
                    }
                }
            }
        }

        return words;
    }

    /// <summary>
    /// pdftotext makes a word as tall as the font's bounding box: for Noto Sans CJK, the one typeface of every figure,
    /// 1.9 em above the baseline and 0.7 em below (2.6 em, room for the tallest glyph of any script), so the boxes of
    /// two lines set 1.3 em apart would always overlap. The text a reader sees spans the em box the renderer lays out
    /// with: 0.88 em above the baseline (its ascent) and 0.12 em below.
    /// </summary>
    private static (double Top, double Bottom) GlyphBand(double yMin, double yMax)
    {
        const double FontAbove = 1.9, FontBelow = 0.7, GlyphAbove = 0.88, GlyphBelow = 0.12;
        var em = (yMax - yMin) / (FontAbove + FontBelow);
        var baseline = yMin + (FontAbove * em);
        return (baseline - (GlyphAbove * em), baseline + (GlyphBelow * em));
    }

    private static double Number(XElement element, string name) => double.Parse(element.Attribute(name)!.Value, CultureInfo.InvariantCulture);

    /// <summary>Every pair of words of different lines whose boxes overlap.</summary>
    public static IEnumerable<(PdfWord A, PdfWord B)> Overlapping(IReadOnlyList<PdfWord> words)
    {
        for (var i = 0; i < words.Count; i++)
        {
            for (var j = i + 1; j < words.Count; j++)
            {
                if (words[i].Line != words[j].Line && words[i].Overlaps(words[j]))
                {
                    yield return (words[i], words[j]);
                }
            }
        }
    }

    /// <summary>The text of each line with its words joined without spaces (CJK names carry none), by line.</summary>
    public static IEnumerable<(string Text, IReadOnlyList<PdfWord> Words)> Lines(IEnumerable<PdfWord> words) =>
        words.GroupBy(w => w.Line).Select(g => (string.Concat(g.Select(w => w.Text)), (IReadOnlyList<PdfWord>)[.. g]));

    /// <summary>
    /// Whether a line read back holds a name, spaces aside. Skia's PDF text maps a glyph shared by an ideograph and its
    /// look-alike radical to the radical (车 reads back as ⻋, 生 as ⽣), so a character of the CJK radical blocks
    /// stands for any ideograph.
    /// </summary>
    public static bool ContainsName(string line, string name)
    {
        static bool IsRadical(char c) => c is >= '\u2E80' and <= '\u2FDF';
        var text = string.Concat(line.Where(c => !char.IsWhiteSpace(c)));
        var wanted = string.Concat(name.Where(c => !char.IsWhiteSpace(c)));
        for (var start = 0; start + wanted.Length <= text.Length; start++)
        {
            var i = 0;
            while (i < wanted.Length && (text[start + i] == wanted[i] || IsRadical(text[start + i])))
            {
                i++;
            }

            if (i == wanted.Length)
            {
                return true;
            }
        }

        return false;
    }
}
