using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Drawing;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Text;
using NetTopologySuite.Geometries;
using SkiaSharp;

namespace ClusterMap.Rendering.Scene;

/// <summary>
/// The parts of a finished figure around the map. Bands that span the width take their own space at the bottom: the
/// attribution of every layer drawn and the reproducibility stamp (or, with <see cref="MapFigure.KeyBelow"/>, a key
/// band below the map with legend, scale bar and north arrow). The title, north arrow, legend and scale bar are
/// panels, each put in the first corner (stacked under or over panels already there) that meets none of the
/// subject's keep-clear boxes (the highlighted symbol, its label, the distances) nor a nearest line; only when every
/// corner would, the one that covers least is taken. Labels placed afterwards avoid every panel.
/// </summary>
internal sealed class FigureLayout(MapScene scene, MapRequest request, TextMeasurer measurer, List<SKRect> obstacles)
{
    private const float Margin = 10;
    private const float Pad = 6;
    private const float TitleSize = 16;
    private const float SubtitleSize = 11;
    private const float LegendSize = 10.5f;
    private const float AttributionSize = 8;
    private const float Swatch = 14;
    private const float ArrowWidth = 34;
    private const float ArrowHeight = 46;

    /// <summary>A QR module's side in logical pixels: two device pixels at 96 dpi, enough for a phone or zbar to read.</summary>
    internal const float QrModule = 2;

    private readonly List<SKRect> _panels = [];

    private MapLanguage Language => request.Language;

    /// <summary>
    /// The bands that span the figure's width, laid out before any label so labels avoid them. Returns the bottom of
    /// the area left for the map's panels.
    /// </summary>
    public float AddBands(MapFigure figure, IReadOnlyList<MapLayer> drawnLayers)
    {
        if (figure.KeyBelow)
        {
            return request.Height;
        }

        // One band at the bottom: the stamp's words (its QR code takes a corner), then the attribution.
        var lines = new List<string>();
        if (figure.Stamp is { } stamp)
        {
            lines.AddRange(StampLines(stamp, request.Width - (2 * Pad)));
        }

        if (figure.ShowAttribution)
        {
            lines.AddRange(AttributionLines(drawnLayers));
        }

        return lines.Count == 0 ? request.Height : AddTextBand(lines, request.Height, fromBottom: true);
    }

    /// <summary>Title, north arrow, the stamp's QR code, legend and scale bar, clear of the subject; or the key band below the map.</summary>
    public void AddPanels(MapFigure figure, IReadOnlyList<MapLayer> drawnLayers, double metersPerPixel, FigureContents contents, IReadOnlyList<SKRect> keepClear, IReadOnlyList<SceneLine> lines, float bottom)
    {
        if (figure.KeyBelow)
        {
            var y = AddKeyBand(metersPerPixel, contents, request.Height);
            if (figure.ShowAttribution && AttributionLines(drawnLayers) is { Count: > 0 } credits)
            {
                y = AddTextBand(credits, y, fromBottom: false);
            }

            if (figure.Stamp is { } below)
            {
                y = AddStamp(below, y);
            }

            scene.FigureHeight = y;
            return;
        }

        var area = new SKRect(0, 0, request.Width, bottom);
        if (!string.IsNullOrWhiteSpace(figure.Title))
        {
            AddTitle(figure, request.Width - (3 * Margin) - ArrowWidth, area, keepClear, lines);
        }

        AddNorthArrow(Place(new SKSize(ArrowWidth, ArrowHeight), [Corner.TopRight, Corner.TopLeft, Corner.BottomRight, Corner.BottomLeft], area, keepClear, lines), panel: true);
        if (figure.Stamp is { } stamp && QrMatrix.Of(stamp.Permalink) is { } matrix)
        {
            var side = matrix.Count * QrModule;
            var rect = Place(new SKSize(side, side), [Corner.BottomRight, Corner.BottomLeft, Corner.TopRight, Corner.TopLeft], area, keepClear, lines);
            Panel(rect);
            AddQr(matrix, rect.Left, rect.Top);
        }

        if (figure.ShowLegend)
        {
            AddLegend(contents, area, keepClear, lines);
        }

        var scale = ScaleBar(metersPerPixel);
        var scaleRect = Place(new SKSize(scale.Width, 30), [Corner.BottomLeft, Corner.BottomRight, Corner.TopLeft, Corner.TopRight], area, keepClear, lines);
        Panel(scaleRect);
        DrawScaleBar(scale, scaleRect);
    }

    private enum Corner
    {
        TopLeft,
        TopRight,
        BottomLeft,
        BottomRight,
    }

    /// <summary>
    /// The first corner (stacked against panels already in it) where a panel of this size stays inside the area and
    /// meets nothing it must keep clear of; else the corner where it covers least.
    /// </summary>
    private SKRect Place(SKSize size, Corner[] corners, SKRect area, IReadOnlyList<SKRect> keepClear, IReadOnlyList<SceneLine> lines)
    {
        var candidates = corners.Select(c => Stack(c, size, area)).ToList();
        foreach (var rect in candidates)
        {
            if (Inside(rect, area) && Covered(rect, keepClear, lines) == 0)
            {
                return rect;
            }
        }

        return candidates.Where(r => Inside(r, area)).DefaultIfEmpty(candidates[0]).MinBy(r => Covered(r, keepClear, lines));
    }

    private static bool Inside(SKRect rect, SKRect area) => rect.Left >= area.Left && rect.Top >= area.Top && rect.Right <= area.Right && rect.Bottom <= area.Bottom;

    private SKRect Stack(Corner corner, SKSize size, SKRect area)
    {
        var left = corner is Corner.TopLeft or Corner.BottomLeft;
        var top = corner is Corner.TopLeft or Corner.TopRight;
        var x = left ? area.Left + Margin : area.Right - Margin - size.Width;
        var y = top ? area.Top + Margin : area.Bottom - Margin - size.Height;
        var rect = SKRect.Create(x, y, size.Width, size.Height);
        while (_panels.FirstOrDefault(p => p.IntersectsWith(Inflated(rect, Margin / 2))) is { Width: > 0 } other)
        {
            rect = SKRect.Create(x, top ? other.Bottom + Margin : other.Top - Margin - size.Height, size.Width, size.Height);
        }

        return rect;
    }

    private static SKRect Inflated(SKRect rect, float by)
    {
        rect.Inflate(by, by);
        return rect;
    }

    /// <summary>How much of what must stay visible the rectangle would cover: boxes by area (weighted), lines by length.</summary>
    private static float Covered(SKRect rect, IReadOnlyList<SKRect> keepClear, IReadOnlyList<SceneLine> lines)
    {
        var clear = Inflated(rect, 2);
        var covered = 0f;
        foreach (var box in keepClear)
        {
            var both = SKRect.Intersect(clear, box);
            covered += both.IsEmpty ? 0 : Math.Max(both.Width * both.Height, 1);
        }

        // Words hidden are worse than a stretch of line hidden: a panel that must cover something covers lines first.
        covered *= 1000;
        foreach (var line in lines)
        {
            // Sampled every pixel: exact enough for a panel edge, and lines are few.
            var length = SKPoint.Distance(line.From, line.To);
            var steps = Math.Max(1, (int)Math.Ceiling(length));
            for (var i = 0; i <= steps; i++)
            {
                var t = (float)i / steps;
                if (clear.Contains(line.From.X + ((line.To.X - line.From.X) * t), line.From.Y + ((line.To.Y - line.From.Y) * t)))
                {
                    covered += length / steps;
                }
            }
        }

        return covered;
    }

    private void Panel(SKRect rect)
    {
        _panels.Add(rect);
        scene.Panels.Add(new ScenePanel(rect));
        var keepOut = rect;
        keepOut.Inflate(2, 2);
        obstacles.Add(keepOut);
    }

    private void Text(string text, float x, float baseline, float size, bool bold, SKColor color, SKTextAlign align = SKTextAlign.Left) =>
        scene.FigureTexts.Add(new SceneText(text, new SKPoint(x, baseline), size, bold, color, align, Halo: false));

    private void AddTitle(MapFigure figure, float maxWidth, SKRect area, IReadOnlyList<SKRect> keepClear, IReadOnlyList<SceneLine> lines)
    {
        var titleLines = measurer.Wrap(figure.Title, TitleSize, true, maxWidth - (2 * Pad));
        var subtitleLines = string.IsNullOrWhiteSpace(figure.Subtitle) ? [] : measurer.Wrap(figure.Subtitle, SubtitleSize, false, maxWidth - (2 * Pad));
        var width = titleLines.Select(l => measurer.Width(l, TitleSize, true))
            .Concat(subtitleLines.Select(l => measurer.Width(l, SubtitleSize, false))).DefaultIfEmpty(0).Max() + (2 * Pad);
        var height = (titleLines.Count * TextMeasurer.LineHeight(TitleSize)) + (subtitleLines.Count * TextMeasurer.LineHeight(SubtitleSize)) + (2 * Pad);
        var rect = Place(new SKSize(width, height), [Corner.TopLeft, Corner.TopRight, Corner.BottomLeft, Corner.BottomRight], area, keepClear, lines);
        Panel(rect);
        var y = rect.Top + Pad;
        foreach (var line in titleLines)
        {
            Text(line, rect.Left + Pad, y + TextMeasurer.Ascent(TitleSize), TitleSize, true, MapTheme.Ink);
            y += TextMeasurer.LineHeight(TitleSize);
        }

        foreach (var line in subtitleLines)
        {
            Text(line, rect.Left + Pad, y + TextMeasurer.Ascent(SubtitleSize), SubtitleSize, false, MapTheme.SoftInk);
            y += TextMeasurer.LineHeight(SubtitleSize);
        }
    }

    private void AddNorthArrow(SKRect rect, bool panel)
    {
        if (panel)
        {
            Panel(rect);
        }

        var cx = rect.MidX;
        var top = rect.Top + 5;
        var bottom = rect.Top + 29;
        var left = scene.NewPath();
        left.MoveTo(cx, top);
        left.LineTo(cx - 8, bottom);
        left.LineTo(cx, bottom - 6);
        left.Close();
        var right = scene.NewPath();
        right.MoveTo(cx, top);
        right.LineTo(cx + 8, bottom);
        right.LineTo(cx, bottom - 6);
        right.Close();
        scene.FigureShapes.Add(new SceneArea(left, MapTheme.Ink, MapTheme.Ink, 1));
        scene.FigureShapes.Add(new SceneArea(right, SKColors.White, MapTheme.Ink, 1));
        Text(Language == MapLanguage.Zh ? "北" : "N", cx, rect.Bottom - 4, 11, true, MapTheme.Ink, SKTextAlign.Center);
    }

    /// <summary>A legend row; a heading has no swatch.</summary>
    private sealed record LegendEntry(string Text, SceneSwatchTemplate? Swatch);

    private sealed record SceneSwatchTemplate(SymbolKind? Symbol, SKColor Color, SwatchStyle Style);

    private List<LegendEntry> LegendEntries(FigureContents contents)
    {
        var entries = new List<LegendEntry>();
        foreach (var entry in SectorPalette.Entries.Where(e => contents.ParkColors.Contains(e.Color)))
        {
            entries.Add(new(MapWords.Pick(Language, entry.NameZh, entry.NameEn), new(SymbolKind.Park, entry.Color, SwatchStyle.Symbol)));
        }

        if (contents.Symbols.Contains(SymbolKind.University))
        {
            entries.Add(new(MapWords.Pick(Language, "高校", "University campus"), new(SymbolKind.University, MapTheme.Ink, SwatchStyle.Symbol)));
        }

        if (contents.Symbols.Contains(SymbolKind.Institute))
        {
            entries.Add(new(MapWords.Pick(Language, "科研院所", "Research institute"), new(SymbolKind.Institute, MapTheme.Ink, SwatchStyle.Symbol)));
        }

        if (contents.Symbols.Contains(SymbolKind.Context))
        {
            entries.Add(new(MapWords.Pick(Language, "地铁站", "Metro station"), new(SymbolKind.Context, MapTheme.Ink, SwatchStyle.Symbol)));
        }

        if (contents.Halos)
        {
            entries.Add(new(MapWords.Pick(Language, "位置不确定范围", "Location uncertainty"), new(null, MapTheme.SoftInk, SwatchStyle.Halo)));
        }

        if (contents.Rings)
        {
            entries.Add(new(MapWords.Pick(Language, "距离圈", "Distance ring"), new(null, MapTheme.Ring, SwatchStyle.Ring)));
        }

        if (contents.Links)
        {
            entries.Add(new(MapWords.Pick(Language, "最近距离", "Nearest, with distance"), new(null, MapTheme.Link, SwatchStyle.Link)));
        }

        return entries;
    }

    private static float RowHeight => Math.Max(Swatch + 3, TextMeasurer.LineHeight(LegendSize));

    private string LegendHeading => MapWords.Pick(Language, "图例", "Legend");

    private void AddLegend(FigureContents contents, SKRect area, IReadOnlyList<SKRect> keepClear, IReadOnlyList<SceneLine> lines)
    {
        var entries = LegendEntries(contents);
        if (entries.Count == 0)
        {
            return;
        }

        var width = entries.Select(e => measurer.Width(e.Text, LegendSize, false)).Append(measurer.Width(LegendHeading, LegendSize, true)).Max() + Swatch + (3 * Pad);
        var fits = (int)Math.Floor((area.Height - (2 * Margin) - (2 * Pad) - TextMeasurer.LineHeight(LegendSize)) / RowHeight);
        if (fits <= 0)
        {
            return;
        }

        // A small map shows as many entries as fit; the park sectors come first because they carry the colour code.
        entries = [.. entries.Take(fits)];
        var height = (2 * Pad) + TextMeasurer.LineHeight(LegendSize) + (entries.Count * RowHeight);
        var rect = Place(new SKSize(width, height), [Corner.TopRight, Corner.BottomRight, Corner.TopLeft, Corner.BottomLeft], area, keepClear, lines);
        Panel(rect);
        Text(LegendHeading, rect.Left + Pad, rect.Top + Pad + TextMeasurer.Ascent(LegendSize), LegendSize, true, MapTheme.Ink);
        var y = rect.Top + Pad + TextMeasurer.LineHeight(LegendSize);
        foreach (var entry in entries)
        {
            AddEntry(entry, rect.Left + Pad, y);
            y += RowHeight;
        }
    }

    private void AddEntry(LegendEntry entry, float x, float y)
    {
        var box = SKRect.Create(x, y + ((RowHeight - Swatch) / 2), Swatch, Swatch);
        scene.Swatches.Add(new SceneSwatch(box, entry.Swatch!.Symbol, entry.Swatch.Color, entry.Swatch.Style));
        Text(entry.Text, box.Right + Pad, y + (RowHeight / 2) + (LegendSize * 0.35f), LegendSize, false, MapTheme.Ink);
    }

    /// <summary>
    /// The key below the map: scale bar at the left, north arrow at the right, the legend's entries flowing in rows
    /// between them. Returns the band's bottom.
    /// </summary>
    private float AddKeyBand(double metersPerPixel, FigureContents contents, float top)
    {
        var scale = ScaleBar(metersPerPixel);
        var left = Pad + scale.Width + Margin;
        var right = request.Width - Pad - ArrowWidth - Margin;
        var entries = LegendEntries(contents).Prepend(new LegendEntry(LegendHeading, null)).ToList();
        var rows = new List<List<(LegendEntry Entry, float X)>> { new() };
        var x = left;
        foreach (var entry in entries)
        {
            var width = (entry.Swatch is null ? 0 : Swatch + Pad) + measurer.Width(entry.Text, LegendSize, entry.Swatch is null) + (2 * Pad);
            if (x + width > right && rows[^1].Count > 0)
            {
                rows.Add([]);
                x = left;
            }

            rows[^1].Add((entry, x));
            x += width;
        }

        var height = Math.Max(ArrowHeight, Math.Max(30, rows.Count * RowHeight)) + (2 * Pad);
        var band = new SKRect(0, top, request.Width, top + height);
        Panel(band);
        var y = top + Pad;
        foreach (var row in rows)
        {
            foreach (var (entry, at) in row)
            {
                if (entry.Swatch is null)
                {
                    Text(entry.Text, at, y + (RowHeight / 2) + (LegendSize * 0.35f), LegendSize, true, MapTheme.Ink);
                }
                else
                {
                    AddEntry(entry, at, y);
                }
            }

            y += RowHeight;
        }

        DrawScaleBar(scale, SKRect.Create(Pad, band.Bottom - Pad - 30, scale.Width, 30));
        AddNorthArrow(SKRect.Create(request.Width - Pad - ArrowWidth, top + Pad, ArrowWidth, ArrowHeight), panel: false);
        return band.Bottom;
    }

    private List<string> AttributionLines(IReadOnlyList<MapLayer> drawnLayers)
    {
        var credits = drawnLayers
            .Where(l => !string.IsNullOrWhiteSpace(l.Attribution))
            .GroupBy(l => (l.Attribution, l.License))
            .Select(g => $"{string.Join(", ", g.Select(l => l.Title))}: {g.Key.Attribution}" + (string.IsNullOrWhiteSpace(g.Key.License) ? "" : $" [{g.Key.License}]"))
            .ToList();
        if (credits.Count == 0)
        {
            return [];
        }

        var text = MapWords.Pick(Language, "数据来源：", "Data:") + " " + string.Join(" · ", credits);
        text = Language == MapLanguage.Both ? "数据来源 Data: " + string.Join(" · ", credits) : text;
        return [.. measurer.Wrap(text, AttributionSize, false, request.Width - (2 * Pad))];
    }

    /// <summary>The stamp in words: data version and time, then the permalink cut to the width.</summary>
    private List<string> StampLines(FigureStamp stamp, float width) =>
        [.. measurer.Wrap(stamp.Text, AttributionSize, false, width), .. BreakAnywhere(measurer, stamp.Permalink, AttributionSize, width)];

    /// <summary>A band of small print across the figure, above <paramref name="edge"/> (or below it); returns its other edge.</summary>
    private float AddTextBand(IReadOnlyList<string> lines, float edge, bool fromBottom)
    {
        var height = (lines.Count * TextMeasurer.LineHeight(AttributionSize)) + (2 * 3);
        var rect = fromBottom ? new SKRect(0, edge - height, request.Width, edge) : new SKRect(0, edge, request.Width, edge + height);
        Panel(rect);
        WriteLines(lines, Pad, rect.Top + 3, AttributionSize);
        return fromBottom ? rect.Top : rect.Bottom;
    }

    private void WriteLines(IEnumerable<string> lines, float x, float top, float size)
    {
        var y = top;
        foreach (var line in lines)
        {
            Text(line, x, y + TextMeasurer.Ascent(size), size, false, MapTheme.SoftInk);
            y += TextMeasurer.LineHeight(size);
        }
    }

    /// <summary>
    /// The reproducibility stamp as a band of its own below the key: its words at the left, the permalink's QR code at
    /// the right. Returns the band's bottom.
    /// </summary>
    private float AddStamp(FigureStamp stamp, float top)
    {
        var matrix = QrMatrix.Of(stamp.Permalink);
        var qrSide = (matrix?.Count ?? 0) * QrModule;
        var lines = StampLines(stamp, request.Width - qrSide - (3 * Pad));
        var height = Math.Max(qrSide, (lines.Count * TextMeasurer.LineHeight(AttributionSize)) + 6);
        var rect = new SKRect(0, top, request.Width, top + height);
        Panel(rect);
        WriteLines(lines, Pad, rect.Top + 3, AttributionSize);
        if (matrix is not null)
        {
            AddQr(matrix, rect.Right - qrSide, rect.Top);
        }
        return rect.Bottom;
    }

    /// <summary>The QR code as vector squares, so SVG and PDF keep it sharp; its quiet zone is the white panel under it.</summary>
    private void AddQr(IReadOnlyList<IReadOnlyList<bool>> matrix, float left, float top)
    {
        var path = scene.NewPath();
        QrMatrix.AddTo(path, matrix, left, top, QrModule);
        scene.FigureShapes.Add(new SceneArea(path, SKColors.Black, null, 0));
    }

    /// <summary>
    /// A URL has no spaces to wrap at: it is cut where the line is full. One too long for a QR code is shortened to
    /// three lines ending in an ellipsis, so it never fills the figure.
    /// </summary>
    internal static IEnumerable<string> BreakAnywhere(TextMeasurer measurer, string text, float size, float maxWidth)
    {
        if (text.Length > QrMatrix.MaxLength)
        {
            var lines = BreakAnywhere(measurer, text[..QrMatrix.MaxLength], size, maxWidth).Take(3).ToList();
            lines[^1] = lines[^1][..^1] + "…";
            return lines;
        }

        return Cut(measurer, text, size, maxWidth);
    }

    private static IEnumerable<string> Cut(TextMeasurer measurer, string text, float size, float maxWidth)
    {
        var start = 0;
        while (start < text.Length)
        {
            var length = 1;
            while (start + length < text.Length && measurer.Width(text.Substring(start, length + 1), size, false) <= maxWidth)
            {
                length++;
            }

            yield return text.Substring(start, length);
            start += length;
        }
    }

    private readonly record struct Scale(double Meters, float Length)
    {
        public float Width => Length + (2 * Pad) + 24;
    }

    private Scale ScaleBar(double metersPerPixel)
    {
        var center = request.BoundsMeters.Centre;
        var latitude = WebMercator.ToLonLat(new Coordinate(center.X, center.Y)).Y;
        var groundPerPixel = metersPerPixel / WebMercator.ScaleFactor(latitude);
        var nice = NiceLength(120 * groundPerPixel);
        return new Scale(nice, (float)(nice / groundPerPixel));
    }

    private void DrawScaleBar(Scale scale, SKRect rect)
    {
        const float barHeight = 5;
        var length = scale.Length;
        var left = rect.Left + Pad;
        var barTop = rect.Bottom - Pad - barHeight;
        var half = length / 2;
        var first = scene.NewPath();
        first.AddRect(SKRect.Create(left, barTop, half, barHeight));
        var second = scene.NewPath();
        second.AddRect(SKRect.Create(left + half, barTop, half, barHeight));
        scene.FigureShapes.Add(new SceneArea(first, MapTheme.Ink, MapTheme.Ink, 1));
        scene.FigureShapes.Add(new SceneArea(second, SKColors.White, MapTheme.Ink, 1));
        var baseline = barTop - 4;
        Text("0", left, baseline, 9, false, MapTheme.Ink, SKTextAlign.Center);
        Text(MapWords.ScaleLength(scale.Meters / 2), left + half, baseline, 9, false, MapTheme.Ink, SKTextAlign.Center);
        Text(MapWords.ScaleLength(scale.Meters), left + length, baseline, 9, false, MapTheme.Ink, SKTextAlign.Center);
    }

    /// <summary>The longest 1, 2 or 5 × 10^n metres not above <paramref name="maxMeters"/>.</summary>
    internal static double NiceLength(double maxMeters)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(maxMeters)));
        foreach (var step in new[] { 5.0, 2.0, 1.0 })
        {
            if (step * power <= maxMeters)
            {
                return step * power;
            }
        }

        return power;
    }
}
