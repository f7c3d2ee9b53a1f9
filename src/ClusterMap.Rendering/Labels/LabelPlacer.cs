using ClusterMap.Rendering.Text;
using SkiaSharp;

namespace ClusterMap.Rendering.Labels;

/// <summary>A label that wants a place: its lines, the point it names and how important it is.</summary>
/// <param name="Lines">One line per language.</param>
/// <param name="Size">Font size in logical pixels.</param>
/// <param name="Bold">Whether the bold face is used.</param>
/// <param name="Anchor">The symbol's centre, in pixels.</param>
/// <param name="AnchorRadius">How far from the anchor the text must start so it does not cover the symbol.</param>
/// <param name="Priority">Lower is placed first.</param>
/// <param name="Key">A stable tie-breaker (collection/id), so placement never depends on input order.</param>
/// <param name="Color">Text colour.</param>
internal sealed record LabelCandidate(IReadOnlyList<string> Lines, float Size, bool Bold, SKPoint Anchor, float AnchorRadius, int Priority, string Key, SKColor Color);

/// <summary>A label with its box and the baseline origin of each line, in the pixel space it was placed in.</summary>
internal sealed record PlacedLabel(IReadOnlyList<string> Lines, float Size, bool Bold, SKRect Box, IReadOnlyList<SKPoint> Baselines, SKTextAlign Align, SKColor Color)
{
    public PlacedLabel Offset(float dx, float dy) =>
        this with { Box = SKRect.Create(Box.Left + dx, Box.Top + dy, Box.Width, Box.Height), Baselines = [.. Baselines.Select(b => new SKPoint(b.X + dx, b.Y + dy))] };
}

/// <summary>
/// Greedy label placement with collision boxes: candidates in priority order, each tries eight positions around its
/// symbol (right first, then the diagonals, left, above, below) and takes the first that overlaps no placed label,
/// no obstacle (symbols, the figure's panels) and stays inside the frame; otherwise it is dropped. Deterministic:
/// the same candidates give the same layout, whatever order they came in.
/// </summary>
internal sealed class LabelPlacer(TextMeasurer measurer, SKRect? frame)
{
    private const float CellSize = 64;
    private const float Gap = 2;
    private const float Padding = 1.5f;

    private static readonly (float X, float Y)[] _positions =
    [
        (1, 0), (1, -1), (1, 1), (-1, 0), (-1, -1), (-1, 1), (0, -1), (0, 1),
    ];

    private readonly Dictionary<(long X, long Y), List<SKRect>> _grid = [];

    public void AddObstacle(SKRect box)
    {
        foreach (var cell in Cells(box))
        {
            if (!_grid.TryGetValue(cell, out var boxes))
            {
                boxes = [];
                _grid[cell] = boxes;
            }

            boxes.Add(box);
        }
    }

    public IReadOnlyList<PlacedLabel> PlaceAll(IEnumerable<LabelCandidate> candidates)
    {
        var placed = new List<PlacedLabel>();
        foreach (var candidate in candidates.OrderBy(c => c.Priority).ThenBy(c => c.Key, StringComparer.Ordinal))
        {
            if (TryPlace(candidate) is { } label)
            {
                placed.Add(label);
            }
        }

        return placed;
    }

    public PlacedLabel? TryPlace(LabelCandidate candidate)
    {
        var widths = candidate.Lines.Select(l => measurer.Width(l, candidate.Size, candidate.Bold)).ToArray();
        var lineHeight = TextMeasurer.LineHeight(candidate.Size);
        var width = widths.Max() + (2 * Padding);
        var height = (lineHeight * candidate.Lines.Count) + (2 * Padding);
        var offset = candidate.AnchorRadius + Gap;
        var diagonal = offset * 0.75f;

        foreach (var (px, py) in _positions)
        {
            var reach = px != 0 && py != 0 ? diagonal : offset;
            var left = px switch
            {
                > 0 => candidate.Anchor.X + reach,
                < 0 => candidate.Anchor.X - reach - width,
                _ => candidate.Anchor.X - (width / 2),
            };
            var top = py switch
            {
                > 0 => candidate.Anchor.Y + reach,
                < 0 => candidate.Anchor.Y - reach - height,
                _ => candidate.Anchor.Y - (height / 2),
            };
            var box = SKRect.Create(left, top, width, height);
            if ((frame is { } f && !f.Contains(box)) || Collides(box))
            {
                continue;
            }

            AddObstacle(box);
            var align = px switch { > 0 => SKTextAlign.Left, < 0 => SKTextAlign.Right, _ => SKTextAlign.Center };
            var x = align switch
            {
                SKTextAlign.Left => box.Left + Padding,
                SKTextAlign.Right => box.Right - Padding,
                _ => box.MidX,
            };
            var baselines = Enumerable.Range(0, candidate.Lines.Count)
                .Select(i => new SKPoint(x, box.Top + Padding + (i * lineHeight) + TextMeasurer.Ascent(candidate.Size)))
                .ToList();
            return new PlacedLabel(candidate.Lines, candidate.Size, candidate.Bold, box, baselines, align, candidate.Color);
        }

        return null;
    }

    /// <summary>Places a label centred on its anchor (distances on lines and rings) or not at all.</summary>
    public PlacedLabel? TryPlaceCentered(LabelCandidate candidate)
    {
        var lineHeight = TextMeasurer.LineHeight(candidate.Size);
        var width = candidate.Lines.Max(l => measurer.Width(l, candidate.Size, candidate.Bold)) + (2 * Padding);
        var height = (lineHeight * candidate.Lines.Count) + (2 * Padding);
        var box = SKRect.Create(candidate.Anchor.X - (width / 2), candidate.Anchor.Y - (height / 2), width, height);
        if ((frame is { } f && !f.Contains(box)) || Collides(box))
        {
            return null;
        }

        AddObstacle(box);
        var baselines = Enumerable.Range(0, candidate.Lines.Count)
            .Select(i => new SKPoint(box.MidX, box.Top + Padding + (i * lineHeight) + TextMeasurer.Ascent(candidate.Size)))
            .ToList();
        return new PlacedLabel(candidate.Lines, candidate.Size, candidate.Bold, box, baselines, SKTextAlign.Center, candidate.Color);
    }

    private bool Collides(SKRect box)
    {
        foreach (var cell in Cells(box))
        {
            if (_grid.TryGetValue(cell, out var boxes) && boxes.Any(b => b.IntersectsWith(box)))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<(long X, long Y)> Cells(SKRect box)
    {
        for (var x = (long)Math.Floor(box.Left / CellSize); x <= (long)Math.Floor(box.Right / CellSize); x++)
        {
            for (var y = (long)Math.Floor(box.Top / CellSize); y <= (long)Math.Floor(box.Bottom / CellSize); y++)
            {
                yield return (x, y);
            }
        }
    }
}
