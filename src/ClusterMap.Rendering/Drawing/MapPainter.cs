using ClusterMap.Rendering.Scene;
using ClusterMap.Rendering.Text;
using SkiaSharp;

namespace ClusterMap.Rendering.Drawing;

/// <summary>
/// The "draw" half: walks a prepared <see cref="MapScene"/> onto any SKCanvas (raster surface, SVG or PDF), so
/// every output format comes from this one routine. Paints and fonts live for one call and are disposed with it.
/// </summary>
internal static class MapPainter
{
    [ThreadStatic]
    private static bool _outlineDashes;

    /// <param name="scene">The prepared map.</param>
    /// <param name="canvas">Raster, SVG or PDF canvas.</param>
    /// <param name="fonts">The label typefaces.</param>
    /// <param name="outlineDashes">
    /// Turn dashed strokes into filled outlines before drawing: Skia's SVG canvas cannot write a dash effect and
    /// would draw the line solid.
    /// </param>
    public static void Draw(MapScene scene, SKCanvas canvas, MapFonts fonts, bool outlineDashes = false)
    {
        _outlineDashes = outlineDashes;
        using var measurer = new TextMeasurer(fonts);
        using var fill = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = true };
        using var stroke = new SKPaint { Style = SKPaintStyle.Stroke, IsAntialias = true, StrokeJoin = SKStrokeJoin.Round, StrokeCap = SKStrokeCap.Round };

        canvas.Save();
        canvas.ClipRect(new SKRect(0, 0, scene.Width, scene.Height));
        canvas.Clear(scene.Background);

        // Neighbouring tiles meet on fractional pixels: without antialiasing their shared edge shows no seam.
        using (var tiles = new SKPaint { IsAntialias = false })
        {
            foreach (var (image, destination) in scene.Images)
            {
                canvas.DrawImage(image, destination, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), tiles);
            }
        }

        foreach (var area in scene.Areas)
        {
            DrawArea(canvas, area, fill, stroke);
        }

        foreach (var halo in scene.Halos)
        {
            DrawHalo(canvas, halo, fill, stroke);
        }

        foreach (var ring in scene.Rings)
        {
            DrawArea(canvas, ring, fill, stroke);
        }

        foreach (var link in scene.Links)
        {
            DrawLine(canvas, link, stroke);
        }

        foreach (var symbol in scene.Symbols)
        {
            DrawSymbol(canvas, symbol.Kind, symbol.Center, symbol.Fill, symbol.Highlight, fill, stroke);
        }

        foreach (var cluster in scene.Clusters)
        {
            DrawCluster(canvas, cluster, measurer, fill, stroke);
        }

        foreach (var box in scene.LabelBackgrounds)
        {
            fill.Color = MapTheme.Panel;
            canvas.DrawRoundRect(box, 2, 2, fill);
        }

        foreach (var text in scene.Labels)
        {
            DrawText(canvas, text, measurer, fill, stroke);
        }

        // The figure's parts may lie below the map (a key band): only the map itself is clipped to its frame.
        canvas.Restore();
        canvas.Save();
        canvas.ClipRect(new SKRect(0, 0, scene.Width, scene.FigureHeight));
        foreach (var panel in scene.Panels)
        {
            fill.Color = MapTheme.Panel;
            canvas.DrawRect(panel.Rect, fill);
            stroke.Color = MapTheme.PanelEdge;
            stroke.StrokeWidth = 0.6f;
            stroke.PathEffect = null;
            canvas.DrawRect(panel.Rect, stroke);
        }

        foreach (var shape in scene.FigureShapes)
        {
            DrawArea(canvas, shape, fill, stroke);
        }

        foreach (var swatch in scene.Swatches)
        {
            DrawSwatch(canvas, swatch, fill, stroke);
        }

        foreach (var text in scene.FigureTexts)
        {
            DrawText(canvas, text, measurer, fill, stroke);
        }

        canvas.Restore();
    }

    private static void DrawArea(SKCanvas canvas, SceneArea area, SKPaint fill, SKPaint stroke)
    {
        if (area.Fill is { } color)
        {
            fill.Color = color;
            canvas.DrawPath(area.Path, fill);
        }

        if (area.Stroke is { } line && area.StrokeWidth > 0)
        {
            stroke.Color = line;
            stroke.StrokeWidth = area.StrokeWidth;
            using var dash = area.Dash is null ? null : SKPathEffect.CreateDash(area.Dash, 0);
            StrokePath(canvas, area.Path, stroke, dash);
        }
    }

    private static void StrokePath(SKCanvas canvas, SKPath path, SKPaint stroke, SKPathEffect? dash)
    {
        if (dash is null || !_outlineDashes)
        {
            stroke.PathEffect = dash;
            canvas.DrawPath(path, stroke);
            stroke.PathEffect = null;
            return;
        }

        stroke.PathEffect = dash;
        using var outline = new SKPath();
        stroke.GetFillPath(path, outline);
        stroke.PathEffect = null;
        using var fill = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = true, Color = stroke.Color };
        canvas.DrawPath(outline, fill);
    }

    private static void DrawLine(SKCanvas canvas, SceneLine line, SKPaint stroke)
    {
        stroke.Color = SKColors.White.WithAlpha(0xCC);
        stroke.StrokeWidth = line.Width + 2;
        canvas.DrawLine(line.From, line.To, stroke);
        stroke.Color = line.Color;
        stroke.StrokeWidth = line.Width;
        using var dash = line.Dash is null ? null : SKPathEffect.CreateDash(line.Dash, 0);
        stroke.PathEffect = dash;
        canvas.DrawLine(line.From, line.To, stroke);
        stroke.PathEffect = null;
    }

    /// <summary>
    /// A soft disc of the uncertainty radius: strongest at the estimated point, fading to a thin dashed edge, so the
    /// eye reads "somewhere in here" rather than a precise dot.
    /// </summary>
    private static void DrawHalo(SKCanvas canvas, SceneHalo halo, SKPaint fill, SKPaint stroke)
    {
        // Large halos fade: a 12 km uncertainty at city scale must not hide the map under one colour.
        var strength = Math.Clamp(40 / Math.Max(halo.Radius, 1), 0.3f, 1);
        using var shader = SKShader.CreateRadialGradient(
            halo.Center,
            halo.Radius,
            [halo.Color.WithAlpha((byte)(0x50 * strength)), halo.Color.WithAlpha((byte)(0x26 * strength)), halo.Color.WithAlpha((byte)(0x0C * strength))],
            [0, 0.6f, 1],
            SKShaderTileMode.Clamp);
        fill.Shader = shader;
        fill.Color = SKColors.Black;
        canvas.DrawCircle(halo.Center, halo.Radius, fill);
        fill.Shader = null;
        stroke.Color = halo.Color.WithAlpha(0x99);
        stroke.StrokeWidth = 0.8f;
        using var dash = SKPathEffect.CreateDash([3, 3], 0);
        using var circle = new SKPath();
        circle.AddCircle(halo.Center.X, halo.Center.Y, halo.Radius);
        StrokePath(canvas, circle, stroke, dash);
    }

    private static void DrawCluster(SKCanvas canvas, SceneCluster cluster, TextMeasurer measurer, SKPaint fill, SKPaint stroke)
    {
        fill.Color = cluster.Color.WithAlpha(0xD9);
        canvas.DrawCircle(cluster.Center, cluster.Radius, fill);
        stroke.PathEffect = null;
        stroke.Color = SKColors.White;
        stroke.StrokeWidth = 1.5f;
        canvas.DrawCircle(cluster.Center, cluster.Radius, stroke);
        var baseline = new SKPoint(cluster.Center.X, cluster.Center.Y + (TextMeasurer.Ascent(MapTheme.LabelSizeCluster) / 2) - 1);
        DrawText(canvas, new SceneText(cluster.Count, baseline, MapTheme.LabelSizeCluster, true, SKColors.White, SKTextAlign.Center, Halo: false), measurer, fill, stroke);
    }

    internal static void DrawSymbol(SKCanvas canvas, SymbolKind kind, SKPoint c, SKColor color, bool highlight, SKPaint fill, SKPaint stroke)
    {
        var grow = highlight ? 1.5f : 1f;
        stroke.PathEffect = null;
        switch (kind)
        {
            case SymbolKind.Park:
                var r = MapTheme.ParkRadius * grow;
                fill.Color = color;
                canvas.DrawCircle(c, r, fill);
                stroke.Color = MapTheme.Ink;
                stroke.StrokeWidth = highlight ? 2.2f : 1.1f;
                canvas.DrawCircle(c, r, stroke);
                break;
            case SymbolKind.University:
                var h = MapTheme.UniversityHalfSide * grow;
                fill.Color = SKColors.White;
                canvas.DrawRect(new SKRect(c.X - h, c.Y - h, c.X + h, c.Y + h), fill);
                stroke.Color = MapTheme.University;
                stroke.StrokeWidth = highlight ? 2.4f : 1.6f;
                canvas.DrawRect(new SKRect(c.X - h, c.Y - h, c.X + h, c.Y + h), stroke);
                fill.Color = MapTheme.University;
                canvas.DrawCircle(c, h * 0.35f, fill);
                break;
            case SymbolKind.Institute:
                var d = MapTheme.InstituteHalfDiagonal * grow;
                using (var diamond = new SKPath())
                {
                    diamond.MoveTo(c.X, c.Y - d);
                    diamond.LineTo(c.X + d, c.Y);
                    diamond.LineTo(c.X, c.Y + d);
                    diamond.LineTo(c.X - d, c.Y);
                    diamond.Close();
                    fill.Color = MapTheme.Institute;
                    canvas.DrawPath(diamond, fill);
                    stroke.Color = SKColors.White;
                    stroke.StrokeWidth = highlight ? 2 : 1.2f;
                    canvas.DrawPath(diamond, stroke);
                }

                break;
            default:
                var m = MapTheme.MetroRadius * grow;
                fill.Color = SKColors.White;
                canvas.DrawCircle(c, m, fill);
                stroke.Color = MapTheme.Metro;
                stroke.StrokeWidth = 1.2f;
                canvas.DrawCircle(c, m, stroke);
                break;
        }
    }

    private static void DrawSwatch(SKCanvas canvas, SceneSwatch swatch, SKPaint fill, SKPaint stroke)
    {
        var c = new SKPoint(swatch.Box.MidX, swatch.Box.MidY);
        switch (swatch.Style)
        {
            case SwatchStyle.Symbol:
                DrawSymbol(canvas, swatch.Symbol!.Value, c, swatch.Color, false, fill, stroke);
                break;
            case SwatchStyle.Halo:
                DrawHalo(canvas, new SceneHalo(c, swatch.Box.Width / 2, swatch.Color), fill, stroke);
                break;
            case SwatchStyle.Ring:
                stroke.Color = swatch.Color;
                stroke.StrokeWidth = 1.2f;
                using (var dash = SKPathEffect.CreateDash([3, 2], 0))
                using (var circle = new SKPath())
                {
                    circle.AddCircle(c.X, c.Y, (swatch.Box.Width / 2) - 1);
                    StrokePath(canvas, circle, stroke, dash);
                }

                break;
            case SwatchStyle.Link:
                stroke.Color = swatch.Color;
                stroke.StrokeWidth = 1.2f;
                canvas.DrawLine(swatch.Box.Left, swatch.Box.Bottom - 2, swatch.Box.Right, swatch.Box.Top + 2, stroke);
                break;
            default:
                fill.Color = swatch.Color;
                canvas.DrawRect(swatch.Box, fill);
                break;
        }
    }

    private static void DrawText(SKCanvas canvas, SceneText text, TextMeasurer measurer, SKPaint fill, SKPaint stroke)
    {
        var font = measurer.Font(text.Size, text.Bold);
        if (text.Halo)
        {
            stroke.Color = MapTheme.Halo;
            stroke.StrokeWidth = 2.6f;
            stroke.PathEffect = null;
            canvas.DrawText(text.Text, text.Origin.X, text.Origin.Y, text.Align, font, stroke);
        }

        fill.Color = text.Color;
        canvas.DrawText(text.Text, text.Origin.X, text.Origin.Y, text.Align, font, fill);
    }
}
