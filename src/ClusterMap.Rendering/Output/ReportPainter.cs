using ClusterMap.Rendering.Drawing;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Scene;
using ClusterMap.Rendering.Text;
using SkiaSharp;

namespace ClusterMap.Rendering.Output;

/// <summary>
/// Lays out and draws a <see cref="ReportPage"/> on A4 pages in points; the map goes through MapPainter. Every page
/// ends with a footer band of its own (the footer, the reproducibility stamp and its QR code) that nothing else
/// enters: what does not fit above it continues on the next page.
/// </summary>
internal static class ReportPainter
{
    public const float PageWidth = 595;
    public const float PageHeight = 842;
    private const float Margin = 40;
    private const float BottomMargin = 24;
    private const float FooterSize = 7;
    private const float FooterGap = 10;
    private const float BlockGap = 14;

    /// <summary>A QR module in points: 1.5 pt (0.53 mm), readable by a phone on paper.</summary>
    private const float QrModule = 1.5f;

    public static void Draw(Func<SKCanvas> newPage, ReportPage page, MapScene map, MapFonts fonts)
    {
        using var measurer = new TextMeasurer(fonts);
        using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
        using var line = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 0.5f, Color = MapTheme.PanelEdge };
        var width = PageWidth - (2 * Margin);
        var footer = Footer(page, measurer, width);
        var contentBottom = PageHeight - BottomMargin - footer.Height - FooterGap;
        var canvas = NextPage();
        var y = Margin;

        SKCanvas NextPage()
        {
            var next = newPage();
            DrawFooter(next, footer, paint, measurer);
            y = Margin;
            return next;
        }

        // Starts a new page unless the next piece fits above the footer band.
        void Need(float height)
        {
            if (y + height > contentBottom && y > Margin)
            {
                canvas = NextPage();
            }
        }

        void Write(string text, float size, bool bold, SKColor color)
        {
            foreach (var row in measurer.Wrap(text, size, bold, width))
            {
                Need(TextMeasurer.LineHeight(size));
                paint.Color = color;
                canvas.DrawText(row, Margin, y + TextMeasurer.Ascent(size), SKTextAlign.Left, measurer.Font(size, bold), paint);
                y += TextMeasurer.LineHeight(size);
            }
        }

        Write(page.Title, 18, true, MapTheme.Ink);
        Write(page.Subtitle, 10, false, MapTheme.SoftInk);
        y += 6;

        Need(map.FigureHeight);
        canvas.Save();
        canvas.Translate(Margin, y);
        MapPainter.Draw(map, canvas, fonts);
        canvas.Restore();
        canvas.DrawRect(SKRect.Create(Margin, y, map.Width, map.FigureHeight), line);
        y += map.FigureHeight + 14;

        // The table's heading stays with its header row and first row.
        Need(TextMeasurer.LineHeight(11.5f) + (3 * (TextMeasurer.LineHeight(8.5f) + 3)));
        Write(page.TableTitle, 11.5f, true, MapTheme.Ink);
        y += 2;
        var blocks = Math.Clamp(page.TableBlocks, 1, Math.Max(1, page.TableRows.Count));
        var blockWidth = (width - ((blocks - 1) * BlockGap)) / blocks;
        var columns = ColumnWidths(page, measurer, blockWidth);
        var perBlock = (page.TableRows.Count + blocks - 1) / blocks;
        void DrawLine(IReadOnlyList<IReadOnlyList<string>> cells, bool bold)
        {
            var top = y;
            for (var b = 0; b < cells.Count; b++)
            {
                y = top;
                DrawRow(canvas, cells[b], columns, Margin + (b * (blockWidth + BlockGap)), ref y, 8.5f, bold, measurer, paint, line);
            }
        }

        DrawLine([.. Enumerable.Repeat(page.TableHeader, Math.Min(blocks, Math.Max(1, page.TableRows.Count)))], true);
        for (var r = 0; r < perBlock; r++)
        {
            Need(TextMeasurer.LineHeight(8.5f) + 3);
            DrawLine([.. Enumerable.Range(0, blocks).Select(b => (b * perBlock) + r).Where(i => i < page.TableRows.Count).Select(i => page.TableRows[i])], false);
        }

        y += 10;
        if (page.ResearchBase is { } researchBase)
        {
            DrawResearchBase(researchBase);
            y += 6;
        }

        if (page.Provenance.Count > 0)
        {
            Need(TextMeasurer.LineHeight(11.5f) + TextMeasurer.LineHeight(7.5f));
            Write("Provenance 数据来源", 11.5f, true, MapTheme.Ink);
        }

        foreach (var paragraph in page.Provenance)
        {
            Write(paragraph, 7.5f, false, MapTheme.SoftInk);
            y += 2;
        }

        // The research base: its heading with the column headings and first band, the bands, the chart whole, the notes.
        void DrawResearchBase(ReportResearchBase section)
        {
            var rowHeight = TextMeasurer.LineHeight(8.5f) + 3;
            Need(TextMeasurer.LineHeight(11.5f) + 2 + (3 * rowHeight));
            Write(section.Title, 11.5f, true, MapTheme.Ink);
            y += 2;
            var widths = GroupedColumnWidths(section, measurer, width);
            DrawGroups(canvas, section.Groups, widths, Margin, ref y, measurer, paint, line);
            DrawRow(canvas, section.Header, widths, Margin, ref y, 8.5f, true, measurer, paint, line);
            foreach (var row in section.Rows)
            {
                Need(rowHeight);
                DrawRow(canvas, row, widths, Margin, ref y, 8.5f, false, measurer, paint, line);
            }

            y += 8;
            var chartHeight = ResearchBaseChart.Height(section.Bars.Count);
            Need(chartHeight);
            ResearchBaseChart.Draw(canvas, section, Margin, y, width, measurer);
            y += chartHeight + 6;
            foreach (var note in section.Notes)
            {
                Write(note, 7.5f, false, MapTheme.SoftInk);
                y += 2;
            }
        }
    }

    /// <summary>
    /// Columns as wide as their longest cell, widened where a group's heading needs more than its columns, then all
    /// stretched (or shrunk) in proportion to the page's width.
    /// </summary>
    private static float[] GroupedColumnWidths(ReportResearchBase section, TextMeasurer measurer, float total)
    {
        var count = section.Header.Count;
        var widths = new float[count];
        for (var c = 0; c < count; c++)
        {
            widths[c] = section.Rows.Select(r => c < r.Count ? r[c] : "").Append(section.Header[c]).Max(t => measurer.Width(t, 8.5f, true)) + 10;
        }

        var first = 0;
        foreach (var group in section.Groups)
        {
            var span = Math.Min(group.Columns, count - first);
            var need = measurer.Width(group.Title, 8.5f, true) + 10 - widths.Skip(first).Take(span).Sum();
            for (var c = first; c < first + span && need > 0; c++)
            {
                widths[c] += need / span;
            }

            first += span;
        }

        var scale = total / widths.Sum();
        return [.. widths.Select(w => w * scale)];
    }

    /// <summary>The group headings' row: each heading over its columns, underlined across them.</summary>
    private static void DrawGroups(SKCanvas canvas, IReadOnlyList<ReportColumnGroup> groups, float[] columns, float left, ref float y, TextMeasurer measurer, SKPaint paint, SKPaint line)
    {
        const float Size = 8.5f;
        var height = TextMeasurer.LineHeight(Size) + 3;
        var font = measurer.Font(Size, true);
        var x = left;
        var first = 0;
        paint.Color = MapTheme.Ink;
        foreach (var group in groups)
        {
            var span = columns.Skip(first).Take(group.Columns).Sum();
            if (group.Title.Length > 0)
            {
                canvas.DrawText(group.Title, x + 2, y + 1.5f + TextMeasurer.Ascent(Size), SKTextAlign.Left, font, paint);
                canvas.DrawLine(x + 2, y + height, x + span - 6, y + height, line);
            }

            x += span;
            first += group.Columns;
        }

        y += height;
    }

    private sealed record FooterBand(IReadOnlyList<string> Lines, IReadOnlyList<IReadOnlyList<bool>>? Qr, float Height);

    /// <summary>The footer's lines (footer text, then the stamp) beside the permalink's QR code.</summary>
    private static FooterBand Footer(ReportPage page, TextMeasurer measurer, float width)
    {
        var qr = page.Stamp is { } stamp ? QrMatrix.Of(stamp.Permalink) : null;
        var textWidth = width - (qr is null ? 0 : (qr.Count * QrModule) + 8);
        var lines = measurer.Wrap(page.Footer, FooterSize, false, textWidth).ToList();
        if (page.Stamp is { } s)
        {
            lines.AddRange(measurer.Wrap(s.Text, FooterSize, false, textWidth));
            lines.AddRange(FigureLayout.BreakAnywhere(measurer, s.Permalink, FooterSize, textWidth));
        }

        var height = Math.Max(lines.Count * TextMeasurer.LineHeight(FooterSize), qr is null ? 0 : qr.Count * QrModule);
        return new FooterBand(lines, qr, height);
    }

    private static void DrawFooter(SKCanvas canvas, FooterBand footer, SKPaint paint, TextMeasurer measurer)
    {
        var top = PageHeight - BottomMargin - footer.Height;
        paint.Color = MapTheme.SoftInk;
        var y = top;
        foreach (var text in footer.Lines)
        {
            canvas.DrawText(text, Margin, y + TextMeasurer.Ascent(FooterSize), SKTextAlign.Left, measurer.Font(FooterSize, false), paint);
            y += TextMeasurer.LineHeight(FooterSize);
        }

        if (footer.Qr is { } qr)
        {
            using var path = new SKPath();
            QrMatrix.AddTo(path, qr, PageWidth - Margin - (qr.Count * QrModule), top, QrModule);
            paint.Color = SKColors.Black;
            canvas.DrawPath(path, paint);
        }
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

    private static void DrawRow(SKCanvas canvas, IReadOnlyList<string> cells, float[] columns, float left, ref float y, float size, bool bold, TextMeasurer measurer, SKPaint paint, SKPaint line)
    {
        var x = left;
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
        canvas.DrawLine(left, y, left + columns.Sum(), y, line);
    }
}
