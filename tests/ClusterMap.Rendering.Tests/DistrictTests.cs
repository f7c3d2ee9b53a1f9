using ClusterMap.Core.Features;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Drawing;
using ClusterMap.Rendering.Labels;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Scene;
using ClusterMap.Rendering.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using SkiaSharp;

namespace ClusterMap.Rendering.Tests;

/// <summary>
/// District boundaries and names on ClusterMap's own basemap, read back from the pixels and from the label placement.
/// Two invented districts (test data only) split the synthetic coast at 121.3° E; a third, tiny one sits by the coast.
/// </summary>
public class DistrictTests
{
    /// <summary>The shared edge of the two large test districts.</summary>
    private const double EdgeLon = 121.3;

    public static MapData WithDistricts(MapData data)
    {
        var reader = new WKTReader();
        MapFeature District(string id, string wkt, string zh, string en, double? labelLon, double? labelLat)
        {
            var label = labelLon is null ? "" : $", \"label_lon\": {labelLon}, \"label_lat\": {labelLat}";
            return MapData.ToMapFeature(new FeatureRecord(id, reader.Read(wkt), $"{{\"name_zh\": \"{zh}\", \"name_en\": \"{en}\", \"location_uncertainty_m\": 500{label}}}"));
        }

        var districts = new MapLayer("districts", "Test districts", MapLayerKind.Districts, "ClusterMap test districts", "CC0-1.0",
        [
            District("west", "POLYGON ((121.0 31.0, 121.3 31.0, 121.3 31.5, 121.0 31.5, 121.0 31.0))", "测试西区", "Test West District", 121.12, 31.43),
            District("east", "POLYGON ((121.3 31.0, 121.6 31.0, 121.6 31.5, 121.3 31.5, 121.3 31.0))", "测试东区", "Test East District", 121.42, 31.45),
            District("tiny", "POLYGON ((121.05 31.05, 121.06 31.05, 121.06 31.06, 121.05 31.06, 121.05 31.05))", "测试小区", "Test Tiny District", null, null),
        ]);
        return new MapData([.. data.Layers, districts], data.Version);
    }

    private static readonly Lazy<MapData> _data = new(() => WithDistricts(TestMaps.Data));

    [Theory]
    [InlineData(10)]
    [InlineData(14)]
    public void Tile_DrawsTheDistrictBoundaryInItsColour_AtEveryZoom(int z)
    {
        var onEdge = new Coordinate(EdgeLon, 31.47);
        var tile = TileIndex.Containing(onEdge, z);
        using var bitmap = SKBitmap.Decode(TestMaps.Renderer.RenderPng(_data.Value, MapRequest.ForTile(tile, 1, null)));
        var at = PixelIn(tile.BoundsMeters, 256, onEdge);

        // Anti-aliasing blends a 1.3 px line with the land under it: the line's own pixel stays within 40 levels.
        HasColorNear(bitmap, at, MapTheme.DistrictEdge, radius: 1, tolerance: 40);
        var aside = new SKPointI(at.X + 8, at.Y);
        Assert.False(IsNear(bitmap.GetPixel(aside.X, aside.Y), MapTheme.DistrictEdge, 40), "the boundary colour is everywhere, not on the boundary");
    }

    [Fact]
    public void Tile_NamesTheDistrictInsideIt_AtZ10_InTheAskedLanguage()
    {
        var labelPoint = new Coordinate(121.12, 31.43);
        var tile = TileIndex.Containing(labelPoint, 10);
        var zh = TestMaps.Renderer.PlaceTileLabels(_data.Value, tile, null, MapLanguage.Zh);
        var en = TestMaps.Renderer.PlaceTileLabels(_data.Value, tile, null, MapLanguage.En);
        var both = TestMaps.Renderer.PlaceTileLabels(_data.Value, tile, null, MapLanguage.Both);

        var label = Assert.Single(zh.Labels, l => l.Lines.Contains("测试西区"));
        Assert.Equal(MapTheme.DistrictLabel, label.Color);
        Assert.Contains(en.Labels, l => l.Lines.SequenceEqual(["Test West District"]));
        Assert.Contains(both.Labels, l => l.Lines.SequenceEqual(["测试西区", "Test West District"]));
        Assert.DoesNotContain(zh.Labels, l => l.Lines.Contains("测试小区"));

        // Centred on the label point, in the meta-tile's pixels.
        var (_, _, meta) = TileLabelLayout.MetaTile(tile);
        var expected = PixelIn(meta, (int)Math.Round(meta.Width / WebMercator.MetersPerPixel(10)), labelPoint);
        Assert.InRange(label.Box.MidX, expected.X - 1.5f, expected.X + 1.5f);
        Assert.InRange(label.Box.MidY, expected.Y - 1.5f, expected.Y + 1.5f);

        // And drawn: the tile holding the label point has the label's ink where the placement put it.
        using var bitmap = SKBitmap.Decode(TestMaps.Renderer.RenderPng(_data.Value, MapRequest.ForTile(tile, 1, null, MapLanguage.Zh)));
        var (metaX, metaY, _) = TileLabelLayout.MetaTile(tile);
        var box = label.Offset((metaX - tile.X) * 256, (metaY - tile.Y) * 256).Box;
        var inked = 0;
        for (var y = (int)box.Top; y < (int)box.Bottom; y++)
        {
            for (var x = (int)box.Left; x < (int)box.Right; x++)
            {
                inked += x is >= 0 and < 256 && y is >= 0 and < 256 && IsNear(bitmap.GetPixel(x, y), MapTheme.DistrictLabel, 24) ? 1 : 0;
            }
        }

        Assert.True(inked > 20, $"only {inked} pixels of district ink inside the placed label box");
    }

    [Theory]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(15)]
    public void Tile_LeavesDistrictsUnnamed_OutsideZ9ToZ12(int z)
    {
        var tile = TileIndex.Containing(new Coordinate(121.12, 31.43), z);
        var layout = TestMaps.Renderer.PlaceTileLabels(_data.Value, tile, null, MapLanguage.Zh);
        Assert.DoesNotContain(layout.Labels, l => l.Lines.Contains("测试西区"));
    }

    [Fact]
    public void StaticMap_NamesDistrictsLargeEnough_AfterFeatureLabels_WithoutOverlap()
    {
        var request = new MapRequest(MapRequest.BoundsFitting(new Envelope(121.0, 121.6, 31.0, 31.5), 640, 520), 640, 520)
        {
            Figure = new MapFigure("Test", "Synthetic"),
            Language = MapLanguage.En,
        };
        using var fonts = MapFonts.Load();
        using var withDistricts = SceneBuilder.Prepare(_data.Value, request, fonts);
        using var without = SceneBuilder.Prepare(TestMaps.Data, request, fonts);

        var texts = withDistricts.Labels.Select(l => l.Text).ToList();
        Assert.Contains("Test West District", texts);
        Assert.Contains("Test East District", texts);
        Assert.DoesNotContain("Test Tiny District", texts);
        Assert.Contains("districts", withDistricts.DrawnLayers);
        // Feature labels keep their places: every label of the map without districts is still there.
        Assert.All(without.Labels, l => Assert.Contains(withDistricts.Labels, d => d.Text == l.Text && d.Origin == l.Origin));
        for (var i = 0; i < withDistricts.LabelBoxes.Count; i++)
        {
            for (var j = i + 1; j < withDistricts.LabelBoxes.Count; j++)
            {
                Assert.False(withDistricts.LabelBoxes[i].IntersectsWith(withDistricts.LabelBoxes[j]), "two labels overlap");
            }
        }
    }

    [Fact]
    public void StaticMap_DropsTheDistrictName_WhereAFeatureLabelTakesItsPlace()
    {
        // A district whose label point is the middle of a park's label: the park's label wins, the district's yields.
        var park = TestMaps.Data.Layer("parks")!.Features[0];
        var request = new MapRequest(MapRequest.BoundsAround(park.LonLat.Coordinate, 12, 400, 300), 400, 300) { Language = MapLanguage.En };
        using var fonts = MapFonts.Load();
        SKRect parkLabel;
        using (var plain = SceneBuilder.Prepare(TestMaps.Data, request, fonts))
        {
            var text = Assert.Single(plain.Labels, l => l.Text == park.NameEn);
            parkLabel = Assert.Single(plain.LabelBoxes, b => b.Contains(text.Origin.X, text.Origin.Y - 1));
        }

        var mpp = request.MetersPerPixel;
        var at = WebMercator.ToLonLat(new Coordinate(request.BoundsMeters.MinX + (parkLabel.MidX * mpp), request.BoundsMeters.MaxY - (parkLabel.MidY * mpp)));
        var data = WithDistricts(TestMaps.Data);
        var layer = data.Layer("districts")!;
        var crowded = MapData.ToMapFeature(new FeatureRecord("crowded", new WKTReader().Read("POLYGON ((121.0 31.0, 121.6 31.0, 121.6 31.5, 121.0 31.5, 121.0 31.0))"),
            $"{{\"name_zh\": \"测试拥挤区\", \"name_en\": \"Test Crowded District\", \"label_lon\": {at.X}, \"label_lat\": {at.Y}}}"));
        data = new MapData([.. data.Layers.Where(l => l != layer), layer with { Features = [crowded] }], data.Version);
        using var scene = SceneBuilder.Prepare(data, request, fonts);

        var kept = Assert.Single(scene.Labels, l => l.Text == park.NameEn);
        Assert.True(parkLabel.Contains(kept.Origin.X, kept.Origin.Y - 1), "the park's label moved for the district's");
        Assert.DoesNotContain(scene.Labels, l => l.Text == "Test Crowded District");
    }

    private static SKPointI PixelIn(Envelope boundsMeters, int size, Coordinate lonLat)
    {
        var meters = WebMercator.FromLonLat(lonLat);
        return new SKPointI((int)((meters.X - boundsMeters.MinX) / boundsMeters.Width * size), (int)((boundsMeters.MaxY - meters.Y) / boundsMeters.Height * size));
    }

    private static bool IsNear(SKColor c, SKColor expected, int tolerance) =>
        Math.Abs(c.Red - expected.Red) <= tolerance && Math.Abs(c.Green - expected.Green) <= tolerance && Math.Abs(c.Blue - expected.Blue) <= tolerance;

    private static void HasColorNear(SKBitmap bitmap, SKPointI at, SKColor expected, int radius, int tolerance)
    {
        for (var dy = -radius; dy <= radius; dy++)
        {
            for (var dx = -radius; dx <= radius; dx++)
            {
                if (at.X + dx is >= 0 and var x && x < bitmap.Width && at.Y + dy is >= 0 and var y && y < bitmap.Height && IsNear(bitmap.GetPixel(x, y), expected, tolerance))
                {
                    return;
                }
            }
        }

        Assert.Fail($"no pixel of {expected} near ({at.X},{at.Y}); there: {bitmap.GetPixel(at.X, at.Y)}");
    }
}
