using System.Globalization;
using ClusterMap.Core.Features;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Generalization;
using ClusterMap.Rendering.Labels;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Scene;
using ClusterMap.Rendering.Text;
using NetTopologySuite.Geometries;
using SkiaSharp;

namespace ClusterMap.Rendering.Tests;

/// <summary>Generalisation by zoom: clusters on a world-pixel grid, shapes counted in cells, collapsed and simplified polygons, meta-tile labels from partial reads.</summary>
public class GeneralizationTests
{
    // Cluster centres come from the same means in both tiles: a thousandth of a pixel covers float rounding.
    private const float PixelTolerance = 0.001f;

    private static readonly GeometryFactory _factory = new();

    /// <summary>Dense synthetic institutes (seeded) around a point, with generated names, and sparse ones further out.</summary>
    private static MapData DenseData(int count, double sigmaDegrees)
    {
        var random = new Random(7);
        var features = new List<FeatureRecord>();
        for (var i = 0; i < count; i++)
        {
            var r = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * sigmaDegrees;
            var a = random.NextDouble() * 2 * Math.PI;
            features.Add(new FeatureRecord(
                $"i{i:D5}",
                _factory.CreatePoint(new Coordinate(121.4 + (r * Math.Cos(a)), 31.2 + (r * Math.Sin(a)))),
                string.Create(CultureInfo.InvariantCulture, $$"""{"name_en":"Generated {{i:D5}}"}""")));
        }

        return MapData.From([(new CollectionDefinition("institutes", "Institutes", "generated") with { MetadataJson = """{"role":"institute"}""" }, features)], 1);
    }

    /// <summary>
    /// Clumps of 40 points (within a pixel) two pixels right of and below the edges shared by the 2×2 tiles from
    /// <paramref name="corner"/>: each becomes a cluster whose circle reaches across the edge into the neighbour tile.
    /// </summary>
    private static MapData EdgeClumps(TileIndex corner)
    {
        var bounds = corner.BoundsMeters;
        var mpp = bounds.Width / 256;
        var features = new List<FeatureRecord>();
        var random = new Random(3);
        void Clump(double x, double y)
        {
            for (var i = 0; i < 40; i++)
            {
                var meters = new Coordinate(x + (random.NextDouble() * mpp), y - (random.NextDouble() * mpp));
                features.Add(new FeatureRecord($"c{features.Count:D5}", _factory.CreatePoint(WebMercator.ToLonLat(meters)), "{}"));
            }
        }

        for (var k = 1; k < 8; k++)
        {
            Clump(bounds.MaxX + (2 * mpp), bounds.MaxY - (k * 64 * mpp) + (20 * mpp));
            Clump(bounds.MinX + (k * 64 * mpp) - (20 * mpp), bounds.MinY - (2 * mpp));
        }

        return MapData.From([(new CollectionDefinition("institutes", "Institutes", "generated") with { MetadataJson = """{"role":"institute"}""" }, (IReadOnlyList<FeatureRecord>)features)], 1);
    }

    private static MapData Only(MapData data, Envelope meters) =>
        new([.. data.Layers.Select(l => l with { Features = [.. l.Features.Where(f => f.Meters.EnvelopeInternal.Intersects(meters))] })], data.Version);

    [Theory]
    [InlineData(9)]
    [InlineData(11)]
    public void Tiles_DrawTheSameClustersAcrossTheirEdges(int z)
    {
        using var fonts = MapFonts.Load();
        var centre = TileIndex.Containing(new Coordinate(121.4, 31.2), z);
        var data = EdgeClumps(centre);
        var clusters = new List<(TileIndex Tile, List<(SKPoint World, float Radius, string Count)> Drawn)>();
        for (var dx = 0; dx < 2; dx++)
        {
            for (var dy = 0; dy < 2; dy++)
            {
                var tile = TileIndex.Create(z, centre.X + dx, centre.Y + dy);
                using var scene = SceneBuilder.Prepare(data, MapRequest.ForTile(tile, 1, null), fonts);
                clusters.Add((tile, [.. scene.Clusters.Select(c => (new SKPoint(c.Center.X + ((tile.X - centre.X) * 256), c.Center.Y + ((tile.Y - centre.Y) * 256)), c.Radius, c.Count))]));
            }
        }

        var all = clusters.SelectMany(c => c.Drawn).ToList();
        Assert.NotEmpty(all);
        var crossing = 0;
        foreach (var cluster in all)
        {
            foreach (var (tile, drawn) in clusters)
            {
                var rect = SKRect.Create((tile.X - centre.X) * 256, (tile.Y - centre.Y) * 256, 256, 256);
                var circle = SKRect.Create(cluster.World.X - cluster.Radius, cluster.World.Y - cluster.Radius, 2 * cluster.Radius, 2 * cluster.Radius);
                if (!rect.IntersectsWith(circle))
                {
                    continue;
                }

                crossing += rect.Contains(circle) ? 0 : 1;
                Assert.Contains(drawn, d => d.Count == cluster.Count && SKPoint.Distance(d.World, cluster.World) < PixelTolerance);
            }
        }

        Assert.True(crossing > 0, "no cluster crosses a tile edge: the test shows nothing");
    }

    [Fact]
    public void Clusters_CountEveryPointOnce()
    {
        using var fonts = MapFonts.Load();
        var data = DenseData(5_000, 0.03);
        var request = new MapRequest(MapRequest.BoundsFitting(new Envelope(120.9, 121.9, 30.7, 31.7), 512, 512), 512, 512);

        using var scene = SceneBuilder.Prepare(data, request, fonts);

        Assert.NotEmpty(scene.Clusters);
        Assert.All(scene.Clusters, c => Assert.True(int.Parse(c.Count, CultureInfo.InvariantCulture) > MapGeneralization.MaxPointsPerCell));
        Assert.Equal(5_000, scene.Clusters.Sum(c => int.Parse(c.Count, CultureInfo.InvariantCulture)) + scene.Symbols.Count);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(12)]
    [InlineData(14)]
    public void MetaTileLabels_FromTheMetaTilesReadAlone_EqualThoseFromTheWholeData(int z)
    {
        using var fonts = MapFonts.Load();
        using var measurer = new TextMeasurer(fonts);
        var data = DenseData(3_000, 0.08);
        var tile = TileIndex.Containing(new Coordinate(121.43, 31.22), z);
        var (_, _, meta) = TileLabelLayout.MetaTile(tile);
        var read = new Envelope(meta);
        read.ExpandBy(MapGeneralization.ReadMarginPixels * WebMercator.MetersPerPixel(z));

        var whole = SceneBuilder.PlaceTileLabels(data, tile, null, MapLanguage.En, measurer).Labels;
        var partial = SceneBuilder.PlaceTileLabels(Only(data, read), tile, null, MapLanguage.En, measurer).Labels;

        Assert.NotEmpty(whole);
        Assert.Equal(whole.Select(l => (l.Lines[0], l.Box)), partial.Select(l => (l.Lines[0], l.Box)));
    }

    /// <summary>
    /// Tiles place their labels from a read of symbols only (<see cref="ClusterMap.Rendering.Data.NearRead.SymbolsOnly"/>): the parks too
    /// wide to fit in a cell at the tile's scale, always drawn as areas, are left out of it. That is right only if areas neither carry a label nor keep one
    /// away: the labels placed without them equal those placed with them, and the areas were there to be left out.
    /// </summary>
    [Theory]
    [InlineData(10)]
    [InlineData(12)]
    public void MetaTileLabels_WithoutTheAreas_EqualThoseWithThem(int z)
    {
        using var fonts = MapFonts.Load();
        using var measurer = new TextMeasurer(fonts);
        var random = new Random(11);
        var parks = new List<FeatureRecord>();
        for (var i = 0; i < 1_500; i++)
        {
            // Named parks from 30 m to 30 km across around the city: at z10 to z12 some are symbols, some areas, some
            // wider than a cell.
            var x = 121.2 + (random.NextDouble() * 0.5);
            var y = 31.0 + (random.NextDouble() * 0.4);
            var side = Math.Pow(10, -3.5 + (random.NextDouble() * 3));
            parks.Add(new FeatureRecord(
                $"p{i:D4}",
                _factory.ToGeometry(new Envelope(x, x + side, y, y + side)),
                string.Create(CultureInfo.InvariantCulture, $$"""{"name_en":"Park {{i:D4}}"}""")));
        }

        var parkLayer = MapData.From([(new CollectionDefinition("parks", "Parks", "generated") with { MetadataJson = """{"role":"park"}""" }, (IReadOnlyList<FeatureRecord>)parks)], 1).Layers;
        var withParks = new MapData([.. DenseData(2_000, 0.08).Layers, .. parkLayer], 1);
        var mpp = WebMercator.MetersPerPixel(z);
        var cell = MapGeneralization.CellMeters(mpp);
        var symbolsOnly = new MapData([.. withParks.Layers.Select(l => l with { Features = [.. l.Features.Where(f => ClusterGrid.Anchor(f.LonLat, cell) is not null)] })], 1);
        var tile = TileIndex.Containing(new Coordinate(121.43, 31.22), z);

        var whole = SceneBuilder.PlaceTileLabels(withParks, tile, null, MapLanguage.En, measurer).Labels;
        var symbols = SceneBuilder.PlaceTileLabels(symbolsOnly, tile, null, MapLanguage.En, measurer).Labels;

        var (_, _, meta) = TileLabelLayout.MetaTile(tile);
        Assert.Contains(parkLayer[0].Features, f => ClusterGrid.Anchor(f.LonLat, cell) is null && f.Meters.EnvelopeInternal.Intersects(meta));
        Assert.Contains(whole, l => l.Lines[0].StartsWith("Park", StringComparison.Ordinal));
        Assert.Equal(whole.Select(l => (l.Lines[0], l.Box)), symbols.Select(l => (l.Lines[0], l.Box)));
    }

    [Fact]
    public void SmallPolygon_IsDrawnAsASymbol_AndSimplifiedGeometryIsKeptPerZoom()
    {
        using var fonts = MapFonts.Load();
        var park = _factory.CreatePolygon([new(121.40, 31.20), new(121.403, 31.20), new(121.403, 31.203), new(121.40, 31.203), new(121.40, 31.20)]);
        var wiggly = _factory.CreatePolygon([.. Enumerable.Range(0, 200).Select(i => new Coordinate(121.5 + (0.05 * Math.Cos(i * Math.PI / 100)) + (i % 2 * 1e-5), 31.2 + (0.05 * Math.Sin(i * Math.PI / 100)))), new Coordinate(121.55, 31.2)]);
        var data = MapData.From([(new CollectionDefinition("parks", "Parks", "test") with { MetadataJson = """{"role":"park"}""" },
            (IReadOnlyList<FeatureRecord>)[new FeatureRecord("small", park, "{}"), new FeatureRecord("large", wiggly, "{}")])], 1);

        using var far = SceneBuilder.Prepare(data, MapRequest.ForTile(TileIndex.Containing(new Coordinate(121.4, 31.2), 9), 1, null), fonts);
        using var near = SceneBuilder.Prepare(data, MapRequest.ForTile(TileIndex.Containing(new Coordinate(121.4015, 31.2015), 16), 1, null), fonts);

        Assert.Contains(far.Symbols, s => s.Kind == SymbolKind.Park);
        Assert.DoesNotContain(near.Symbols, s => s.Kind == SymbolKind.Park);
        var large = data.Layers[0].Features[1];
        var simplified = MapGeneralization.SimplifiedMeters(large, 9);
        Assert.True(simplified.NumPoints < large.Meters.NumPoints / 4, $"{simplified.NumPoints} of {large.Meters.NumPoints} points kept at z9");
        Assert.Same(simplified, MapGeneralization.SimplifiedMeters(large, 9));
        Assert.True(simplified.IsValid);
        // Up close it has fewer coordinates than pixels across: drawn as it is, not simplified.
        Assert.Same(large.Meters, MapGeneralization.SimplifiedMeters(large, 15));
    }

    /// <summary>
    /// A shape that fits in a cell is counted like a point: 30 park squares of 20 pixels in one cell of a tile are one
    /// cluster of 30 and no area, while the 3 in a quiet cell are drawn as areas (wider than the 4-pixel collapse). A
    /// layer whose symbols are hidden at the zoom (universities below z9) draws neither the cluster nor its shapes.
    /// </summary>
    [Fact]
    public void ShapesFittingInACell_CrowdingIt_AreOneCluster_AndAQuietCellsShapesAreAreas()
    {
        using var fonts = MapFonts.Load();
        MapData Squares(string role, TileIndex tile, double sidePixels)
        {
            var bounds = tile.BoundsMeters;
            var mpp = bounds.Width / 256;
            var random = new Random(17);
            var features = new List<FeatureRecord>();
            void Add(int count, double cellX, double cellY)
            {
                for (var i = 0; i < count; i++)
                {
                    // Centred within 10 pixels of the cell's centre: every square lies in its cell's tile.
                    var x = bounds.MinX + (((cellX * 64) + 32 + ((random.NextDouble() - 0.5) * 20)) * mpp);
                    var y = bounds.MaxY - (((cellY * 64) + 32 + ((random.NextDouble() - 0.5) * 20)) * mpp);
                    var h = sidePixels * mpp / 2;
                    var lonLat = new Envelope(WebMercator.ToLonLat(new Coordinate(x - h, y - h)), WebMercator.ToLonLat(new Coordinate(x + h, y + h)));
                    features.Add(new FeatureRecord($"s{features.Count:D3}", _factory.ToGeometry(lonLat), "{}"));
                }
            }

            Add(30, 0, 0);
            Add(3, 2, 2);
            return MapData.From([(new CollectionDefinition("shapes", "Shapes", "generated") with { MetadataJson = $$"""{"role":"{{role}}"}""" }, (IReadOnlyList<FeatureRecord>)features)], 1);
        }

        var z12 = TileIndex.Containing(new Coordinate(121.4, 31.2), 12);
        using (var scene = SceneBuilder.Prepare(Squares("park", z12, 20), MapRequest.ForTile(z12, 1, null), fonts))
        {
            Assert.Equal(["30"], scene.Clusters.Select(c => c.Count));
            Assert.Equal(3, scene.Areas.Count);
            Assert.All(scene.Areas, a => Assert.True(a.Path.Bounds.Left >= 128 && a.Path.Bounds.Top >= 128, $"{a.Path.Bounds}"));
        }

        var z8 = TileIndex.Containing(new Coordinate(121.4, 31.2), 8);
        using (var scene = SceneBuilder.Prepare(Squares("university", z8, 20), MapRequest.ForTile(z8, 1, null), fonts))
        {
            // Areas of a layer other than parks share one path: it holds the quiet cell's three squares and nothing else.
            Assert.Empty(scene.Clusters);
            var areas = Assert.Single(scene.Areas);
            Assert.True(areas.Path.Bounds.Left >= 128 && areas.Path.Bounds.Top >= 128 && areas.Path.Bounds.Width > 20, $"{areas.Path.Bounds}");
        }
    }
}
