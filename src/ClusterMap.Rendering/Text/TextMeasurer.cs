using SkiaSharp;

namespace ClusterMap.Rendering.Text;

/// <summary>
/// Measures text in the map typeface. Owns one SKFont per size and weight it was asked for; lives for one prepare
/// or one draw and is then disposed. Not thread-safe.
/// </summary>
internal sealed class TextMeasurer(MapFonts fonts) : IDisposable
{
    private readonly Dictionary<(float Size, bool Bold), SKFont> _fonts = [];

    public const float LineSpacing = 1.22f;

    public SKFont Font(float size, bool bold)
    {
        if (!_fonts.TryGetValue((size, bold), out var font))
        {
            font = new SKFont(bold ? fonts.Bold : fonts.Regular, size) { Subpixel = true, Edging = SKFontEdging.Antialias };
            _fonts[(size, bold)] = font;
        }

        return font;
    }

    public float Width(string text, float size, bool bold) => Font(size, bold).MeasureText(text);

    /// <summary>Distance from the top of a line box to its baseline.</summary>
    public static float Ascent(float size) => size * 0.88f;

    public static float LineHeight(float size) => size * LineSpacing;

    /// <summary>Breaks text into lines no wider than <paramref name="maxWidth"/>: at spaces, or anywhere in CJK runs.</summary>
    public IReadOnlyList<string> Wrap(string text, float size, bool bold, float maxWidth)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (Width(candidate, size, bold) <= maxWidth)
            {
                line = candidate;
                continue;
            }

            if (line.Length > 0)
            {
                lines.Add(line);
                line = "";
            }

            // A word wider than the line (a long URL, a CJK run) is broken by characters.
            foreach (var character in word)
            {
                if (line.Length > 0 && Width(line + character, size, bold) > maxWidth)
                {
                    lines.Add(line);
                    line = "";
                }

                line += character;
            }
        }

        if (line.Length > 0)
        {
            lines.Add(line);
        }

        return lines;
    }

    public void Dispose()
    {
        foreach (var font in _fonts.Values)
        {
            font.Dispose();
        }

        _fonts.Clear();
    }
}
