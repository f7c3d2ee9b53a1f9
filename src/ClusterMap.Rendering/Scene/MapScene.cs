using SkiaSharp;

namespace ClusterMap.Rendering.Scene;

internal enum SymbolKind
{
    Park,
    University,
    Institute,
    Metro,
    Context,
}

/// <summary>A filled (and optionally outlined) area or a stroked line; the path is owned by the scene.</summary>
internal sealed record SceneArea(SKPath Path, SKColor? Fill, SKColor? Stroke, float StrokeWidth, float[]? Dash = null);

internal sealed record SceneHalo(SKPoint Center, float Radius, SKColor Color);

internal sealed record SceneSymbol(SymbolKind Kind, SKPoint Center, SKColor Fill, bool Highlight);

/// <summary>A crowded grid cell of one layer drawn as one circle with its count.</summary>
internal sealed record SceneCluster(SKPoint Center, float Radius, SKColor Color, string Count);

internal sealed record SceneLine(SKPoint From, SKPoint To, SKColor Color, float Width, float[]? Dash);

/// <summary>Text at a baseline origin, optionally with a white halo so it reads on any background.</summary>
internal sealed record SceneText(string Text, SKPoint Origin, float Size, bool Bold, SKColor Color, SKTextAlign Align, bool Halo);

/// <summary>A white panel behind part of the figure (title, legend, attribution).</summary>
internal sealed record ScenePanel(SKRect Rect);

/// <summary>A legend swatch: a small symbol, halo or line sample drawn in a box.</summary>
internal sealed record SceneSwatch(SKRect Box, SymbolKind? Symbol, SKColor Color, SwatchStyle Style);

internal enum SwatchStyle
{
    Symbol,
    Halo,
    Ring,
    Link,
    Area,
}

/// <summary>
/// Everything one map needs, already in logical pixels: the "prepare" half of prepare-then-draw. Geometry is SKPath
/// before any paint is made; the painter only walks these lists. The scene owns its paths and disposes them.
/// </summary>
internal sealed class MapScene : IDisposable
{
    private readonly List<SKPath> _paths = [];

    public MapScene(float width, float height)
    {
        Width = width;
        Height = height;
        FigureHeight = height;
    }

    public float Width { get; }

    public float Height { get; }

    /// <summary>The map's height plus any band of the figure laid out below it (<see cref="Model.MapFigure.KeyBelow"/>).</summary>
    public float FigureHeight { get; set; }

    public SKColor Background { get; set; }

    /// <summary>External basemap tiles, drawn first, each stretched to its place; the scene owns the images.</summary>
    public List<(SKImage Image, SKRect Destination)> Images { get; } = [];

    public List<SceneArea> Areas { get; } = [];

    public List<SceneHalo> Halos { get; } = [];

    public List<SceneArea> Rings { get; } = [];

    public List<SceneLine> Links { get; } = [];

    public List<SceneSymbol> Symbols { get; } = [];

    public List<SceneCluster> Clusters { get; } = [];

    public List<SceneText> Labels { get; } = [];

    /// <summary>White boxes behind distance labels, which sit on the very lines they measure.</summary>
    public List<SKRect> LabelBackgrounds { get; } = [];

    /// <summary>The collision box of every label drawn, in the scene's pixels (for checks: none may overlap).</summary>
    public List<SKRect> LabelBoxes { get; } = [];

    public List<ScenePanel> Panels { get; } = [];

    public List<SceneSwatch> Swatches { get; } = [];

    public List<SceneLine> FigureLines { get; } = [];

    public List<SceneArea> FigureShapes { get; } = [];

    public List<SceneText> FigureTexts { get; } = [];

    /// <summary>Layer ids the map drew, for checks and the attribution.</summary>
    public List<string> DrawnLayers { get; } = [];

    /// <summary>Creates a path the scene owns.</summary>
    public SKPath NewPath()
    {
        var path = new SKPath();
        _paths.Add(path);
        return path;
    }

    /// <summary>Adds an image the scene then owns.</summary>
    public void AddImage(SKImage image, SKRect destination) => Images.Add((image, destination));

    public void Dispose()
    {
        foreach (var (image, _) in Images)
        {
            image.Dispose();
        }

        Images.Clear();
        foreach (var path in _paths)
        {
            path.Dispose();
        }

        _paths.Clear();
    }
}
