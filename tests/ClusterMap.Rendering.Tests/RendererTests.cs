using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Scene;
using ClusterMap.Rendering.Shapes;
using ClusterMap.Rendering.Text;
using NetTopologySuite.Geometries;

namespace ClusterMap.Rendering.Tests;

public class RendererTests
{
    [Fact]
    public void Fonts_ResolveNotoSansCjkWithChineseAndLatinGlyphs()
    {
        using var fonts = MapFonts.Load();
        Assert.StartsWith("Noto Sans CJK", fonts.FamilyName, StringComparison.Ordinal);
        Assert.NotEqual(0, fonts.Regular.GetGlyph('园'));
        Assert.NotEqual(0, fonts.Regular.GetGlyph('P'));
        Assert.NotEqual(0, fonts.Bold.GetGlyph('园'));
    }

    [Theory]
    [InlineData("生物医药", "Biomedicine", SectorFamily.LifeSciences)]
    [InlineData("集成电路", "Integrated circuits", SectorFamily.Semiconductors)]
    [InlineData("人工智能", "Artificial intelligence", SectorFamily.AiRobotics)]
    [InlineData("机器人 / 智能制造", "Robotics / intelligent manufacturing", SectorFamily.AiRobotics)]
    [InlineData("海洋+智能制造", "Marine economy + intelligent manufacturing", SectorFamily.AviationMarine)]
    [InlineData("民用航空", "Civil aviation", SectorFamily.AviationMarine)]
    [InlineData("元宇宙", "Metaverse", SectorFamily.Digital)]
    [InlineData("在线新经济", "Online new economy", SectorFamily.Digital)]
    [InlineData("氢能 / 燃料电池汽车", "Hydrogen energy / fuel-cell vehicles", SectorFamily.GreenEnergy)]
    [InlineData("绿色低碳", "Green and low-carbon", SectorFamily.GreenEnergy)]
    [InlineData("新材料", "New materials", SectorFamily.Materials)]
    [InlineData("时尚消费品", "Fashion consumer goods", SectorFamily.Consumer)]
    [InlineData(null, null, SectorFamily.Other)]
    [InlineData("其他", null, SectorFamily.Other)]
    public void Palette_SortsTheCatalogueSectorsIntoFamilies(string? zh, string? en, SectorFamily expected) =>
        Assert.Equal(expected, SectorPalette.Classify(zh, en));

    [Fact]
    public void Palette_HasOneDistinctColourPerFamily()
    {
        Assert.Equal(Enum.GetValues<SectorFamily>().Length, SectorPalette.Entries.Count);
        Assert.Equal(SectorPalette.Entries.Count, SectorPalette.Entries.Select(e => e.Color).Distinct().Count());
        Assert.All(Enum.GetValues<SectorFamily>(), f => Assert.Equal(f, SectorPalette.Of(f).Family));
    }

    [Theory]
    [InlineData(120, 100)]
    [InlineData(9999, 5000)]
    [InlineData(4100, 2000)]
    [InlineData(1999, 1000)]
    public void ScaleBar_TakesTheLongestRoundLength(double max, double expected) =>
        Assert.Equal(expected, FigureLayout.NiceLength(max));

    [Fact]
    public void Ring_VerticesAreTheRadiusAwayOnTheEllipsoid()
    {
        // Checked against the inverse problem: every vertex is 5 km from the centre to a millimetre (Karney's
        // algorithms agree with themselves to nanometres; a millimetre leaves room for the float round trip).
        var center = new Coordinate(121.2, 31.2);
        var ring = GeodesicCircle.Ring(center, 5000, 64);
        Assert.Equal(ring[0], ring[^1]);
        Assert.All(ring, v => Assert.Equal(5000, ClusterMap.Core.Geodesy.Geodesic.DistanceMeters(center, v), 1e-3));
        // 1 km due north of 31.2°N spans 0.0090186° of latitude on WGS84 (meridian arc ≈ 110 880 m per degree).
        Assert.Equal(0.0090186, GeodesicCircle.Destination(center, 0, 1000).Y - 31.2, 1e-6);
    }

    [Fact]
    public void Png_Svg_Pdf_ComeFromTheSameScene()
    {
        var request = new MapRequest(MapRequest.BoundsFitting(new Envelope(121.1, 121.6, 31.05, 31.45), 320, 240), 320, 240)
        {
            Figure = new MapFigure("Formats"),
        };

        var png = TestMaps.Renderer.RenderPng(TestMaps.Data, request);
        var svg = System.Text.Encoding.UTF8.GetString(TestMaps.Renderer.RenderSvg(TestMaps.Data, request));
        var pdf = TestMaps.Renderer.RenderPdf(TestMaps.Data, request);

        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Contains("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("Formats", svg, StringComparison.Ordinal);
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
        // Same data, same request, same bytes: what ETags and golden images rely on.
        Assert.Equal(pdf, TestMaps.Renderer.RenderPdf(TestMaps.Data, request));
        Assert.Equal(png, TestMaps.Renderer.RenderPng(TestMaps.Data, request));
    }

    [Fact]
    public void DistrictAreas_AreNotFilled_AndLinksDrawNothing()
    {
        // A district covering the whole view (its edges outside it, no name) and a link on top: neither may tint the
        // map or add a symbol, so the bare map is the same to the byte.
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var square = factory.ToGeometry(new Envelope(120.5, 122.5, 30.5, 32.0));
        var district = (new Core.Features.CollectionDefinition("districts", "Districts", "", "district credit", "ODbL-1.0", Core.Features.CollectionRole.WithRole("{}", Core.Features.CollectionRole.District)),
            (IReadOnlyList<Core.Features.FeatureRecord>)[new("d-1", square, """{"location_uncertainty_m":500}""")]);
        var link = (new Core.Features.CollectionDefinition("links", "Links", "", "link credit", "", Core.Features.CollectionRole.WithRole("{}", Core.Features.CollectionRole.Link)),
            (IReadOnlyList<Core.Features.FeatureRecord>)[new("l-1", factory.CreatePoint(new Coordinate(121.3, 31.2)), """{"name_zh":"测试","location_uncertainty_m":3000}""")]);
        var plain = TestMaps.Data;
        var withBoth = new MapData([.. plain.Layers, .. MapData.From([district, link], plain.Version).Layers], plain.Version);
        var request = new MapRequest(MapRequest.BoundsFitting(new Envelope(121.1, 121.6, 31.05, 31.45), 320, 240), 320, 240);

        Assert.Equal(MapLayerKind.Districts, withBoth.Layer("districts")!.Kind);
        Assert.Equal(MapLayerKind.Links, withBoth.Layer("links")!.Kind);
        Assert.Equal(TestMaps.Renderer.RenderPng(plain, request), TestMaps.Renderer.RenderPng(withBoth, request));
    }
}
