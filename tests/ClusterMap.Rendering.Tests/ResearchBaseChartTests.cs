using System.Globalization;
using System.Xml.Linq;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Output;
using ClusterMap.Rendering.Text;
using SkiaSharp;

namespace ClusterMap.Rendering.Tests;

/// <summary>
/// The research base's chart drawn on Skia's SVG canvas, the same routine the report's PDF pages draw it with: its
/// bars must come out as vector rectangles (no image), one per non-empty part, each as long as its count on one
/// scale, with the band labels and counts as text.
/// </summary>
public sealed class ResearchBaseChartTests
{
    private const float Width = 515;

    private static readonly ReportResearchBase _section = new(
        "Research base",
        [new ReportColumnGroup("", 1)],
        ["Within"],
        [],
        [
            new ResearchBaseBar("≤ 2 km", 0, 6, 0, "0 + 6"),
            new ResearchBaseBar("≤ 5 km", 3, 9, 6, "3 + 9"),
            new ResearchBaseBar("≤ 10 km", 8, 0, 8, "8 + 0"),
            new ResearchBaseBar("≤ 20 km", 41, 13, 51, "41 + 13"),
        ],
        new ResearchBaseChartKey("certain", "possible", "estimated"),
        []);

    [Fact]
    public void Chart_InSvg_IsVectorRectanglesAsLongAsTheirCounts_WithItsWordsAsText()
    {
        using var fonts = MapFonts.Load();
        using var measurer = new TextMeasurer(fonts);
        var height = ResearchBaseChart.Height(_section.Bars.Count);
        using var stream = new MemoryStream();
        using (var managed = new SKManagedWStream(stream))
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, Width, height), managed))
        {
            ResearchBaseChart.Draw(canvas, _section, 0, 0, Width, measurer);
        }

        var svg = XDocument.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        Assert.DoesNotContain(svg.Descendants(), e => e.Name.LocalName == "image");
        var rects = svg.Descendants().Where(e => e.Name.LocalName == "rect").Select(e => (
            Fill: (string?)e.Attribute("fill") ?? "",
            X: Number(e, "x"), Y: Number(e, "y"), Width: Number(e, "width"))).ToList();
        var certain = rects.Where(r => Colour(r.Fill) == ResearchBaseChart.CertainColor).OrderBy(r => r.Y).ToList();
        var possible = rects.Where(r => Colour(r.Fill) == ResearchBaseChart.PossibleColor).OrderBy(r => r.Y).ToList();

        // One rectangle per non-empty part (the key adds one swatch of each colour, at the bottom).
        var certainBars = _section.Bars.Where(b => b.Certain > 0).ToList();
        var possibleBars = _section.Bars.Where(b => b.Possible > 0).ToList();
        Assert.Equal(certainBars.Count + 1, certain.Count);
        Assert.Equal(possibleBars.Count + 1, possible.Count);

        // Every part's length is its count on the one scale (0.01 pt: SVG numbers are written with a few decimals).
        var scale = ResearchBaseChart.Scale(_section, Width, measurer);
        Assert.True(scale > 0);
        for (var i = 0; i < certainBars.Count; i++)
        {
            Assert.Equal(certainBars[i].Certain * scale, certain[i].Width, 0.01);
        }

        for (var i = 0; i < possibleBars.Count; i++)
        {
            Assert.Equal(possibleBars[i].Possible * scale, possible[i].Width, 0.01);
        }

        // The longest bar fills the room between the labels and its counts.
        var longest = _section.Bars.Max(b => b.Certain + b.Possible);
        Assert.True(longest * scale is > Width / 2 and < Width);

        var text = string.Join(" ", svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
        foreach (var bar in _section.Bars)
        {
            Assert.Contains(bar.Label, text, StringComparison.Ordinal);
            Assert.Contains(bar.Value, text, StringComparison.Ordinal);
        }

        Assert.Contains("estimated", text, StringComparison.Ordinal);
    }

    private static double Number(XElement element, string name) =>
        double.Parse((string?)element.Attribute(name) ?? "0", CultureInfo.InvariantCulture);

    private static SKColor Colour(string fill) => SKColor.TryParse(fill, out var colour) ? colour : SKColors.Transparent;
}
