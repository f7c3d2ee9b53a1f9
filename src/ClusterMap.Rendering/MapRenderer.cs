using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Drawing;
using ClusterMap.Rendering.Labels;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Output;
using ClusterMap.Rendering.Scene;
using ClusterMap.Rendering.Text;
using SkiaSharp;

namespace ClusterMap.Rendering;

/// <summary>Output formats of a map; all three come from the same scene and the same drawing routine.</summary>
public enum MapFormat
{
    Png,
    Svg,
    Pdf,
}

/// <summary>
/// Facade of the renderer: prepare a scene from the data and the request, then draw it onto the canvas of the asked
/// format. Thread-safe; owns the fonts (one instance per process, disposed at shutdown). Knows nothing of HTTP.
/// </summary>
public sealed class MapRenderer : IDisposable
{
    /// <summary>CSS pixels per inch: logical pixels are 1/96 in, PDF points 1/72 in.</summary>
    public const float LogicalDpi = 96;

    private readonly MapFonts _fonts;

    public MapRenderer(MapFonts fonts) => _fonts = fonts;

    /// <summary>Loads the CJK typeface; throws with the fix when it is not installed.</summary>
    public static MapRenderer Create() => new(MapFonts.Load());

    public string FontFamily => _fonts.FamilyName;

    public static string ContentType(MapFormat format) => format switch
    {
        MapFormat.Png => "image/png",
        MapFormat.Svg => "image/svg+xml",
        _ => "application/pdf",
    };

    public byte[] Render(MapData data, MapRequest request, MapFormat format) => format switch
    {
        MapFormat.Png => RenderPng(data, request),
        MapFormat.Svg => RenderSvg(data, request),
        _ => RenderPdf(data, request),
    };

    /// <summary>A PNG of Width×Scale by Height×Scale device pixels.</summary>
    public byte[] RenderPng(MapData data, MapRequest request)
    {
        using var scene = SceneBuilder.Prepare(data, request, _fonts);
        var info = new SKImageInfo(DevicePixels(request.Width, request.Scale), DevicePixels(request.Height, request.Scale), SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"Skia could not create a {info.Width}×{info.Height} surface.");
        var canvas = surface.Canvas;
        canvas.Scale(request.Scale);
        MapPainter.Draw(scene, canvas, _fonts);
        canvas.Flush();
        using var image = surface.Snapshot();
        return PngEncoding.Encode(image);
    }

    /// <summary>An SVG in logical pixels; text stays text (searchable, selectable).</summary>
    public byte[] RenderSvg(MapData data, MapRequest request)
    {
        using var scene = SceneBuilder.Prepare(data, request, _fonts);
        using var stream = new MemoryStream();
        using (var managed = new SKManagedWStream(stream))
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, request.Width, request.Height), managed))
        {
            MapPainter.Draw(scene, canvas, _fonts, outlineDashes: true);
        }

        return stream.ToArray();
    }

    /// <summary>A one-page PDF at the map's physical size (logical pixels at 96 per inch), with embedded fonts.</summary>
    public byte[] RenderPdf(MapData data, MapRequest request)
    {
        using var scene = SceneBuilder.Prepare(data, request, _fonts);
        return PdfPages.Write(request.Figure?.Title ?? "ClusterMap", LogicalDpi * request.Scale, request.Width * 72 / LogicalDpi, request.Height * 72 / LogicalDpi, canvas =>
        {
            canvas.Scale(72 / LogicalDpi);
            MapPainter.Draw(scene, canvas, _fonts);
        });
    }

    /// <summary>An A4 brief: header, the map, a table and the data's provenance (on a second page if they need it).</summary>
    public byte[] RenderReportPdf(MapData data, ReportPage page)
    {
        using var scene = SceneBuilder.Prepare(data, page.Map, _fonts);
        return PdfPages.Write(page.Title, 192, ReportPainter.PageWidth, ReportPainter.PageHeight, (Func<SKCanvas> newPage) => ReportPainter.Draw(newPage, page, scene, _fonts));
    }

    /// <summary>
    /// Several briefs in one document (an atlas: its cover, then a brief per feature), each starting on a new page and
    /// laid out as <see cref="RenderReportPdf(MapData, ReportPage)"/> lays out one. Each map's scene is prepared just
    /// before its page is drawn and released after it.
    /// </summary>
    public byte[] RenderReportPdf(string title, IReadOnlyList<(MapData Data, ReportPage Page)> pages) =>
        PdfPages.Write(title, 192, ReportPainter.PageWidth, ReportPainter.PageHeight, (Func<SKCanvas> newPage) =>
        {
            foreach (var (data, page) in pages)
            {
                using var scene = SceneBuilder.Prepare(data, page.Map, _fonts);
                ReportPainter.Draw(newPage, page, scene, _fonts);
            }
        });

    /// <summary>
    /// The label layout of the meta-tile holding <paramref name="tile"/> (<see cref="TileLabelLayout.MetaTile"/>), from
    /// data that holds at least the meta-tile widened by <see cref="Generalization.MapGeneralization.ReadMarginPixels"/>;
    /// pass it to every tile of the meta-tile as <see cref="MapRequest.TileLabels"/>.
    /// </summary>
    public TileLabelLayout PlaceTileLabels(MapData data, TileIndex tile, IReadOnlySet<string>? layers, MapLanguage language)
    {
        using var measurer = new TextMeasurer(_fonts);
        return SceneBuilder.PlaceTileLabels(data, tile, layers, language, measurer);
    }

    private static int DevicePixels(int logical, float scale) => (int)Math.Ceiling(logical * scale);

    public void Dispose() => _fonts.Dispose();
}
