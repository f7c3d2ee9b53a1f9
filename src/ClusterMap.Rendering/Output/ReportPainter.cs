using ClusterMap.Rendering.Drawing;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Scene;
using ClusterMap.Rendering.Text;
using SkiaSharp;

namespace ClusterMap.Rendering.Output;

/// <summary>Lays out and draws a <see cref="ReportPage"/> on an A4 page in points; the map goes through MapPainter.</summary>
internal static class ReportPainter
{
    public const float PageWidth = 595;
    public const float PageHeight = 842;
    private const float Margin = 40;

    public static void Draw(SKCanvas canvas, ReportPage page, MapScene map, MapFonts fonts)
    {
        using var measurer = new TextMeasurer(fonts);
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        using var line = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 0.5f, Color = MapTheme.PanelEdge };
        var width = PageWidth - (2 * Margin);
        var y = Margin;

        float Write(string text, float size, bool bold, SKColor color, float x, float maxWidth)
        {
            foreach (var row in measurer.Wrap(text, size, bold, maxWidth))
            {
                paint.Color = color;
                canvas.DrawText(row, x, y + TextMeasurer.Ascent(size), SKTextAlign.Left, measurer.Font(size, bold), paint);
                y += TextMeasurer.LineHeight(size);
            }

            return y;
        }

        Write(page.Title, 18, true, MapTheme.Ink, Margin, width);
        Write(page.Subtitle, 10, false, MapTheme.SoftInk, Margin, width);
        y += 6;

        canvas.Save();
        canvas.Translate(Margin, y);
        MapPainter.Draw(map, canvas, fonts);
        canvas.Restore();
        canvas.DrawRect(SKRect.Create(Margin, y, map.Width, map.Height), line);
        y += map.Height + 14;

        Write(page.TableTitle, 11.5f, true, MapTheme.Ink, Margin, width);
        y += 2;
        var columns = ColumnWidths(page, measurer, width);
        DrawRow(canvas, page.TableHeader, columns, ref y, 8.5f, true, measurer, paint, line);
        foreach (var row in page.TableRows)
        {
            DrawRow(canvas, row, columns, ref y, 8.5f, false, measurer, paint, line);
        }

        y += 10;
        Write(page.Provenance.Count > 0 ? "Provenance 数据来源" : "", 11.5f, true, MapTheme.Ink, Margin, width);
        foreach (var paragraph in page.Provenance)
        {
            Write(paragraph, 7.5f, false, MapTheme.SoftInk, Margin, width);
            y += 2;
        }

        y = PageHeight - Margin + 10;
        Write(page.Footer, 7, false, MapTheme.SoftInk, Margin, width);
    }

    /// <summary>
    /// Columns as wide as their longest cell; the name column (the second, after the rank) takes what is left, and
    /// the others shrink in proportion if that would leave it less than 160 pt.
    /// </summary>
    private static float[] ColumnWidths(ReportPage page, TextMeasurer measurer, float total)
    {
        var count = page.TableHeader.Count;
        var flexible = count > 1 ? 1 : 0;
        var widths = new float[count];
        for (var c = 0; c < count; c++)
        {
            if (c != flexible)
            {
                widths[c] = page.TableRows.Select(r => c < r.Count ? r[c] : "").Append(page.TableHeader[c])
                    .Max(t => measurer.Width(t, 8.5f, true)) + 10;
            }
        }

        var rest = widths.Sum();
        var shrink = rest > total - 160 ? (total - 160) / rest : 1;
        for (var c = 0; c < count; c++)
        {
            widths[c] *= shrink;
        }

        if (count > 0)
        {
            widths[flexible] = total - (widths.Sum() - widths[flexible]);
        }

        return widths;
    }

    private static void DrawRow(SKCanvas canvas, IReadOnlyList<string> cells, float[] columns, ref float y, float size, bool bold, TextMeasurer measurer, SKPaint paint, SKPaint line)
    {
        var x = Margin;
        var height = TextMeasurer.LineHeight(size) + 3;
        paint.Color = MapTheme.Ink;
        for (var c = 0; c < columns.Length && c < cells.Count; c++)
        {
            var text = cells[c];
            var font = measurer.Font(size, bold);
            // A cell that does not fit is shortened with an ellipsis rather than spilling into its neighbour.
            while (text.Length > 1 && font.MeasureText(text) > columns[c] - 6)
            {
                text = text[..^2] + "…";
            }

            canvas.DrawText(text, x + 2, y + 1.5f + TextMeasurer.Ascent(size), SKTextAlign.Left, font, paint);
            x += columns[c];
        }

        y += height;
        canvas.DrawLine(Margin, y, Margin + columns.Sum(), y, line);
    }
}
