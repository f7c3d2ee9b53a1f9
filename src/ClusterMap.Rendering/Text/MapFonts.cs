using SkiaSharp;

namespace ClusterMap.Rendering.Text;

/// <summary>
/// The one typeface every label, title and legend uses: Noto Sans CJK SC (Debian's <c>fonts-noto-cjk</c>), found
/// through the system font manager with the zh-CN locale. It has Latin glyphs too, so no text falls back to another
/// font or to empty boxes. Owns its typefaces; create one per process and dispose it at shutdown.
/// </summary>
public sealed class MapFonts : IDisposable
{
    private const string Family = "Noto Sans CJK SC";

    /// <summary>A character every CJK font has and no Latin font does: 中.</summary>
    private const int ProbeCharacter = 0x4E2D;

    private MapFonts(SKTypeface regular, SKTypeface bold)
    {
        Regular = regular;
        Bold = bold;
    }

    public SKTypeface Regular { get; }

    public SKTypeface Bold { get; }

    public string FamilyName => Regular.FamilyName;

    /// <summary>Resolves the typefaces; throws with the fix when no CJK font is installed.</summary>
    public static MapFonts Load()
    {
        var regular = Resolve(SKFontStyle.Normal);
        var bold = Resolve(SKFontStyle.Bold);
        return new MapFonts(regular, bold);
    }

    private static SKTypeface Resolve(SKFontStyle style)
    {
        var manager = SKFontManager.Default;
        var typeface = manager.MatchFamily(Family, style);
        if (typeface is null || !typeface.FamilyName.Contains("CJK", StringComparison.Ordinal) || typeface.GetGlyph(ProbeCharacter) == 0)
        {
            typeface?.Dispose();
            typeface = manager.MatchCharacter(Family, style, ["zh-CN"], ProbeCharacter);
        }

        if (typeface is null || typeface.GetGlyph(ProbeCharacter) == 0 || typeface.GetGlyph('A') == 0)
        {
            typeface?.Dispose();
            throw new InvalidOperationException(
                $"No CJK font for map labels: '{Family}' with Chinese and Latin glyphs was not found. Install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk), then restart.");
        }

        return typeface;
    }

    public void Dispose()
    {
        Regular.Dispose();
        Bold.Dispose();
    }
}
