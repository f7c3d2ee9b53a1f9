using ClusterMap.Rendering.Drawing;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Text;
using SkiaSharp;

namespace ClusterMap.Rendering.Output;

/// <summary>
/// The research base's bar chart, drawn with the canvas's own shapes and text so it stays vector in a PDF or an SVG:
/// one row per band, its label, a bar of the certain institutions and after it the possible ones on one scale, a tick
/// at the estimated count, the counts in words; then a key.
/// </summary>
internal static class ResearchBaseChart
{
    public const float TextSize = 7.5f;

    /// <summary>The height of a band's row; the bar is <see cref="BarHeight"/> tall in its middle.</summary>
    public const float Pitch = 13;

    public const float BarHeight = 8;

    public static readonly SKColor CertainColor = MapTheme.University;

    public static readonly SKColor PossibleColor = new(0xA9, 0xBB, 0xD1);

    private const float KeyGap = 4;

    private const float Swatch = 7;

    /// <summary>The chart's height for <paramref name="bars"/> bands: their rows, then the key's.</summary>
    public static float Height(int bars) => (bars * Pitch) + KeyGap + Pitch;

    /// <summary>The scale in points per institution: the longest bar (certain + possible) fills the room left by the labels.</summary>
    public static float Scale(ReportResearchBase section, float width, TextMeasurer measurer)
    {
        var (labelWidth, valueWidth) = Gutters(section, measurer);
        return (width - labelWidth - valueWidth) / Math.Max(1, section.Bars.Select(b => b.Certain + b.Possible).DefaultIfEmpty(0).Max());
    }

    public static void Draw(SKCanvas canvas, ReportResearchBase section, float left, float top, float width, TextMeasurer measurer)
    {
        using var fill = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        using var tick = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 1.2f, Color = MapTheme.Ink };
        var font = measurer.Font(TextSize, false);
        var (labelWidth, _) = Gutters(section, measurer);
        var scale = Scale(section, width, measurer);
        var barLeft = left + labelWidth;
        var y = top;
        foreach (var bar in section.Bars)
        {
            var baseline = y + ((Pitch - TextMeasurer.LineHeight(TextSize)) / 2) + TextMeasurer.Ascent(TextSize);
            var barTop = y + ((Pitch - BarHeight) / 2);
            fill.Color = MapTheme.Ink;
            canvas.DrawText(bar.Label, left, baseline, SKTextAlign.Left, font, fill);
            var certainEnd = barLeft + (scale * bar.Certain);
            var possibleEnd = certainEnd + (scale * bar.Possible);
            if (bar.Certain > 0)
            {
                fill.Color = CertainColor;
                canvas.DrawRect(SKRect.Create(barLeft, barTop, certainEnd - barLeft, BarHeight), fill);
            }

            if (bar.Possible > 0)
            {
                fill.Color = PossibleColor;
                canvas.DrawRect(SKRect.Create(certainEnd, barTop, possibleEnd - certainEnd, BarHeight), fill);
            }

            var estimated = barLeft + (scale * bar.Estimated);
            canvas.DrawLine(estimated, barTop - 2, estimated, barTop + BarHeight + 2, tick);
            fill.Color = MapTheme.SoftInk;
            canvas.DrawText(bar.Value, possibleEnd + 5, baseline, SKTextAlign.Left, font, fill);
            y += Pitch;
        }

        // The key: a swatch or the tick, then its words, one entry after the other.
        y += KeyGap;
        var keyBaseline = y + ((Pitch - TextMeasurer.LineHeight(TextSize)) / 2) + TextMeasurer.Ascent(TextSize);
        var swatchTop = y + ((Pitch - Swatch) / 2);
        var x = barLeft;
        foreach (var (color, text) in new[] { (CertainColor, section.ChartKey.Certain), (PossibleColor, section.ChartKey.Possible), (SKColors.Transparent, section.ChartKey.Estimated) })
        {
            if (color == SKColors.Transparent)
            {
                canvas.DrawLine(x + (Swatch / 2), swatchTop - 1, x + (Swatch / 2), swatchTop + Swatch + 1, tick);
            }
            else
            {
                fill.Color = color;
                canvas.DrawRect(SKRect.Create(x, swatchTop, Swatch, Swatch), fill);
            }

            fill.Color = MapTheme.SoftInk;
            canvas.DrawText(text, x + Swatch + 3, keyBaseline, SKTextAlign.Left, font, fill);
            x += Swatch + 3 + measurer.Width(text, TextSize, false) + 12;
        }
    }

    private static (float Label, float Value) Gutters(ReportResearchBase section, TextMeasurer measurer) =>
        (section.Bars.Select(b => measurer.Width(b.Label, TextSize, false)).DefaultIfEmpty(0).Max() + 8,
         section.Bars.Select(b => measurer.Width(b.Value, TextSize, false)).DefaultIfEmpty(0).Max() + 8);
}
