using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Labels;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Scene;
using ClusterMap.Rendering.Text;
using NetTopologySuite.Geometries;
using SkiaSharp;

namespace ClusterMap.Rendering.Tests;

public class LabelTests
{
    // Positions are compared to a hundredth of a pixel: both tiles compute them from the same float layout.
    private const float PixelTolerance = 0.01f;

    private static void AssertNoOverlap(IReadOnlyList<SKRect> boxes)
    {
        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                Assert.False(boxes[i].IntersectsWith(boxes[j]), $"labels {boxes[i]} and {boxes[j]} overlap");
            }
        }
    }

    [Fact]
    public void Placer_CrowdedCandidates_PlacesNoTwoOverlappingAndKeepsTheMostImportant()
    {
        using var fonts = MapFonts.Load();
        using var measurer = new TextMeasurer(fonts);
        var random = new Random(5);
        var candidates = Enumerable.Range(0, 200)
            .Select(i => new LabelCandidate([$"园区{i}", $"Park {i}"], 11, false, new SKPoint(random.Next(0, 400), random.Next(0, 300)), 5, i % 3, $"k{i:000}", SKColors.Black))
            .ToList();

        var placed = new LabelPlacer(measurer, new SKRect(0, 0, 400, 300)).PlaceAll(candidates);

        Assert.InRange(placed.Count, 5, 199);
        AssertNoOverlap([.. placed.Select(p => p.Box)]);
        Assert.All(placed, p => Assert.True(new SKRect(0, 0, 400, 300).Contains(p.Box), "a label leaves the frame"));
        var first = candidates.Where(c => c.Priority == 0).OrderBy(c => c.Key, StringComparer.Ordinal).First();
        Assert.Contains(placed, p => p.Lines[0] == first.Lines[0]);
    }

    [Fact]
    public void Placer_IsDeterministicWhateverTheInputOrder()
    {
        using var fonts = MapFonts.Load();
        using var measurer = new TextMeasurer(fonts);
        var random = new Random(9);
        var candidates = Enumerable.Range(0, 80)
            .Select(i => new LabelCandidate([$"Label {i}"], 10, false, new SKPoint(random.Next(0, 300), random.Next(0, 300)), 4, i % 4, $"k{i:000}", SKColors.Black))
            .ToList();

        var a = new LabelPlacer(measurer, null).PlaceAll(candidates).Select(p => (p.Lines[0], p.Box)).ToList();
        var b = new LabelPlacer(measurer, null).PlaceAll(Enumerable.Reverse(candidates)).Select(p => (p.Lines[0], p.Box)).ToList();

        Assert.Equal(a, b);
    }

    [Fact]
    public void StaticMap_LabelsNeverOverlapEachOtherOrTheFigurePanels()
    {
        var request = new MapRequest(MapRequest.BoundsFitting(new Envelope(121.1, 121.6, 31.05, 31.45), 480, 360), 480, 360)
        {
            Figure = new MapFigure("Test", "Synthetic"),
        };
        using var fonts = MapFonts.Load();
        using var scene = SceneBuilder.Prepare(TestMaps.Data, request, fonts);

        Assert.NotEmpty(scene.LabelBoxes);
        AssertNoOverlap(scene.LabelBoxes);
        Assert.All(scene.LabelBoxes, box => Assert.DoesNotContain(scene.Panels, panel => panel.Rect.IntersectsWith(box)));
        Assert.All(scene.LabelBoxes, box => Assert.True(new SKRect(0, 0, 480, 360).Contains(box), "a label is cut by the frame"));
    }

    /// <summary>
    /// The tile promise: over a 4×4 block of tiles, every label that reaches into a tile is drawn by that tile at the
    /// same place (in world pixels) as by every other tile it touches, so no label is cut at a tile edge; and no two
    /// labels overlap anywhere in the block.
    /// </summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Tiles_AgreeOnEveryLabelThatCrossesTheirEdges(int z)
    {
        using var fonts = MapFonts.Load();
        var around = TileIndex.Containing(new Coordinate(121.25, 31.22), z);
        var corner = TileIndex.Create(z, around.X - 2, around.Y - 2);
        var labels = new Dictionary<(int X, int Y), List<SKRect>>();
        for (var dx = 0; dx < 4; dx++)
        {
            for (var dy = 0; dy < 4; dy++)
            {
                var tile = TileIndex.Create(z, corner.X + dx, corner.Y + dy);
                using var scene = SceneBuilder.Prepare(TestMaps.Data, MapRequest.ForTile(tile, 1, null), fonts);
                labels[(tile.X, tile.Y)] = [.. scene.LabelBoxes.Select(b => SKRect.Create(b.Left + ((tile.X - corner.X) * 256), b.Top + ((tile.Y - corner.Y) * 256), b.Width, b.Height))];
            }
        }

        var all = labels.SelectMany(kv => kv.Value).ToList();
        Assert.NotEmpty(all);
        Assert.Contains(all, b => MathF.Floor(b.Left / 256) != MathF.Floor(b.Right / 256) || MathF.Floor(b.Top / 256) != MathF.Floor(b.Bottom / 256));
        var distinct = all.DistinctBy(b => (MathF.Round(b.Left, 1), MathF.Round(b.Top, 1))).ToList();
        AssertNoOverlap(distinct);
        foreach (var label in distinct)
        {
            foreach (var ((x, y), tileLabels) in labels)
            {
                var tileRect = SKRect.Create((x - corner.X) * 256, (y - corner.Y) * 256, 256, 256);
                if (!tileRect.IntersectsWith(label))
                {
                    continue;
                }

                Assert.Contains(tileLabels, l => Math.Abs(l.Left - label.Left) < PixelTolerance && Math.Abs(l.Top - label.Top) < PixelTolerance);
            }
        }
    }
}
