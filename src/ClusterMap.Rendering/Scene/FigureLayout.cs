using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Drawing;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Text;
using NetTopologySuite.Geometries;
using SkiaSharp;

namespace ClusterMap.Rendering.Scene;

/// <summary>
/// The parts of a finished figure around the map: title (top left), north arrow (top right), legend (right, under
/// the arrow), scale bar (bottom left) and the attribution of every layer drawn (bottom strip). Each part is a
/// panel that labels must avoid.
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

    private MapLanguage Language => request.Language;

    public void Add(MapFigure figure, IReadOnlyList<MapLayer> drawnLayers, double metersPerPixel, FigureContents contents)
    {
        var attributionTop = figure.ShowAttribution ? AddAttribution(drawnLayers) : request.Height;
        var arrow = AddNorthArrow();
        if (!string.IsNullOrWhiteSpace(figure.Title))
        {
            AddTitle(figure, request.Width - (3 * Margin) - arrow.Width);
        }

        AddLegend(contents, arrow.Bottom + Margin, attributionTop);
        AddScaleBar(metersPerPixel, attributionTop);
    }

    private void Panel(SKRect rect)
    {
        scene.Panels.Add(new ScenePanel(rect));
        var keepOut = rect;
        keepOut.Inflate(2, 2);
        obstacles.Add(keepOut);
    }

    private void Text(string text, float x, float baseline, float size, bool bold, SKColor color, SKTextAlign align = SKTextAlign.Left) =>
        scene.FigureTexts.Add(new SceneText(text, new SKPoint(x, baseline), size, bold, color, align, Halo: false));

    private void AddTitle(MapFigure figure, float maxWidth)
    {
        var titleLines = measurer.Wrap(figure.Title, TitleSize, true, maxWidth - (2 * Pad));
        var subtitleLines = string.IsNullOrWhiteSpace(figure.Subtitle) ? [] : measurer.Wrap(figure.Subtitle, SubtitleSize, false, maxWidth - (2 * Pad));
        var width = titleLines.Select(l => measurer.Width(l, TitleSize, true))
            .Concat(subtitleLines.Select(l => measurer.Width(l, SubtitleSize, false))).DefaultIfEmpty(0).Max() + (2 * Pad);
        var height = (titleLines.Count * TextMeasurer.LineHeight(TitleSize)) + (subtitleLines.Count * TextMeasurer.LineHeight(SubtitleSize)) + (2 * Pad);
        var rect = SKRect.Create(Margin, Margin, width, height);
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

    private SKRect AddNorthArrow()
    {
        var rect = SKRect.Create(request.Width - Margin - 34, Margin, 34, 46);
        Panel(rect);
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
        return rect;
    }

    private sealed record LegendEntry(string Text, SceneSwatchTemplate Swatch);

    private sealed record SceneSwatchTemplate(SymbolKind? Symbol, SKColor Color, SwatchStyle Style);

    private void AddLegend(FigureContents contents, float top, float bottomLimit)
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

        if (entries.Count == 0)
        {
            return;
        }

        var heading = MapWords.Pick(Language, "图例", "Legend");
        var rowHeight = Math.Max(Swatch + 3, TextMeasurer.LineHeight(LegendSize));
        var width = entries.Select(e => measurer.Width(e.Text, LegendSize, false)).Append(measurer.Width(heading, LegendSize, true)).Max() + Swatch + (3 * Pad);
        var available = bottomLimit - top - Margin;
        var fits = (int)Math.Floor((available - (2 * Pad) - TextMeasurer.LineHeight(LegendSize)) / rowHeight);
        if (fits <= 0)
        {
            return;
        }

        // A small map shows as many entries as fit; the park sectors come first because they carry the colour code.
        entries = [.. entries.Take(fits)];
        var height = (2 * Pad) + TextMeasurer.LineHeight(LegendSize) + (entries.Count * rowHeight);
        var rect = SKRect.Create(request.Width - Margin - width, top, width, height);
        Panel(rect);
        Text(heading, rect.Left + Pad, rect.Top + Pad + TextMeasurer.Ascent(LegendSize), LegendSize, true, MapTheme.Ink);
        var y = rect.Top + Pad + TextMeasurer.LineHeight(LegendSize);
        foreach (var entry in entries)
        {
            var box = SKRect.Create(rect.Left + Pad, y + ((rowHeight - Swatch) / 2), Swatch, Swatch);
            scene.Swatches.Add(new SceneSwatch(box, entry.Swatch.Symbol, entry.Swatch.Color, entry.Swatch.Style));
            Text(entry.Text, box.Right + Pad, y + (rowHeight / 2) + (LegendSize * 0.35f), LegendSize, false, MapTheme.Ink);
            y += rowHeight;
        }
    }

    private float AddAttribution(IReadOnlyList<MapLayer> drawnLayers)
    {
        var credits = drawnLayers
            .Where(l => !string.IsNullOrWhiteSpace(l.Attribution))
            .GroupBy(l => (l.Attribution, l.License))
            .Select(g => $"{string.Join(", ", g.Select(l => l.Title))}: {g.Key.Attribution}" + (string.IsNullOrWhiteSpace(g.Key.License) ? "" : $" [{g.Key.License}]"))
            .ToList();
        if (credits.Count == 0)
        {
            return request.Height;
        }

        var text = MapWords.Pick(Language, "数据来源：", "Data:") + " " + string.Join(" · ", credits);
        text = Language == MapLanguage.Both ? "数据来源 Data: " + string.Join(" · ", credits) : text;
        var lines = measurer.Wrap(text, AttributionSize, false, request.Width - (2 * Pad));
        var height = (lines.Count * TextMeasurer.LineHeight(AttributionSize)) + (2 * 3);
        var rect = new SKRect(0, request.Height - height, request.Width, request.Height);
        Panel(rect);
        var y = rect.Top + 3;
        foreach (var line in lines)
        {
            Text(line, Pad, y + TextMeasurer.Ascent(AttributionSize), AttributionSize, false, MapTheme.SoftInk);
            y += TextMeasurer.LineHeight(AttributionSize);
        }

        return rect.Top;
    }

    private void AddScaleBar(double metersPerPixel, float bottom)
    {
        var center = request.BoundsMeters.Centre;
        var latitude = WebMercator.ToLonLat(new Coordinate(center.X, center.Y)).Y;
        var groundPerPixel = metersPerPixel / WebMercator.ScaleFactor(latitude);
        var maxMeters = 120 * groundPerPixel;
        var nice = NiceLength(maxMeters);
        var length = (float)(nice / groundPerPixel);
        const float barHeight = 5;
        var rect = SKRect.Create(Margin, bottom - Margin - 30, length + (2 * Pad) + 24, 30);
        Panel(rect);
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
        Text(MapWords.ScaleLength(nice / 2), left + half, baseline, 9, false, MapTheme.Ink, SKTextAlign.Center);
        Text(MapWords.ScaleLength(nice), left + length, baseline, 9, false, MapTheme.Ink, SKTextAlign.Center);
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
