using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tests.Tiles;

/// <summary>The pyramid's counts are the rule's (<see cref="ClusterGrid"/>) at every level, however they were reached.</summary>
public sealed class ClusterPyramidTests
{
    private static readonly GeometryFactory _factory = new();

    // No anchor at any level: stands in for a feature the rule is not to count.
    private static readonly Geometry _empty = _factory.CreatePolygon();

    private static List<Geometry> RandomFeatures(int seed, int count)
    {
        var random = new Random(seed);
        var features = new List<Geometry>();
        for (var i = 0; i < count; i++)
        {
            var x = 121.0 + (random.NextDouble() * 0.8);
            var y = 30.9 + (random.NextDouble() * 0.6);
            var side = Math.Pow(10, -5 + (random.NextDouble() * 5));
            features.Add(random.Next(5) switch
            {
                0 => _factory.CreatePoint(new Coordinate(x, y)),
                1 => _factory.CreateMultiPointFromCoords([new Coordinate(x, y), new Coordinate(x + side, y)]),
                2 => _factory.CreatePolygon(),
                _ => _factory.ToGeometry(new Envelope(x, x + side, y, y + side)),
            });
        }

        return features;
    }

    [Fact]
    public void Pyramid_AtEveryLevel_HoldsTheCellsTheRuleCounts()
    {
        var features = RandomFeatures(3, 3000);
        var ids = features.Select((_, i) => $"f{i}").ToList();
        var pyramid = ClusterPyramid.Of(features);

        var (levels, mixed) = (0, 0);
        for (var level = ClusterPyramid.MinLevel; level <= ClusterPyramid.MaxLevel; level++)
        {
            // Every cell with an anchor is "crowded" when the limit is 0: the rule lists them all with their means.
            var query = new ClusterQuery(new Envelope(120, 123, 30, 32), ClusterPyramid.CellMeters(level), 0, []);
            var (clusters, _) = ClusterGrid.Group(features, ids, query);
            var cells = pyramid.Where(c => c.Key.Level == level).ToDictionary(c => (c.Key.X, c.Key.Y), c => c.Value);

            Assert.Equal(clusters.Count, cells.Count);
            // The small anchors: the cells the rule counts with shapes under a sixteenth of the cell (a symbol's size).
            var (smallClusters, _) = ClusterGrid.Group(features.Select(f => AnchorCandidate.Of(f) is { } c && c.IsAnchoredAt(query.CellMeters / 16) ? f : _empty).ToList(), ids, query);
            var small = smallClusters.ToDictionary(c => (c.CellX, c.CellY), c => c.Count);
            mixed += cells.Values.Count(t => t.Small > 0 && t.Small < t.Count);
            foreach (var cluster in clusters)
            {
                var totals = cells[(cluster.CellX, cluster.CellY)];
                Assert.Equal(cluster.Count, totals.Count);
                Assert.Equal(small.GetValueOrDefault((cluster.CellX, cluster.CellY)), totals.Small);
                var mean = ClusterGrid.Mean(cluster.CellX, cluster.CellY, totals.Count, totals.SumX, totals.SumY, query.CellMeters);
                Assert.True(mean.Distance(cluster.MeanMeters) < 1e-6, $"level {level}: {mean} vs {cluster.MeanMeters}");
            }

            levels += cells.Count > 0 ? 1 : 0;
        }

        Assert.Equal(ClusterPyramid.MaxLevel - ClusterPyramid.MinLevel + 1, levels);
        Assert.True(mixed > 10, $"{mixed} cells with both small and larger anchors");
    }

    [Fact]
    public async Task OfAsync_AStreamOfCandidates_CountsWhatOfCountsFromTheGeometries()
    {
        var features = RandomFeatures(8, 2000);

        var streamed = await ClusterPyramid.OfAsync(Stream(features.Select(AnchorCandidate.Of)));

        var expected = ClusterPyramid.Of(features);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys.ToHashSet(), streamed.Keys.ToHashSet());
        // The same additions in the same order: the same doubles.
        Assert.All(expected, e => Assert.Equal(e.Value, streamed[e.Key]));

        static async IAsyncEnumerable<AnchorCandidate?> Stream(IEnumerable<AnchorCandidate?> candidates)
        {
            foreach (var candidate in candidates)
            {
                await Task.Yield();
                yield return candidate;
            }
        }
    }

    [Fact]
    public void Changes_AddedThenRemoved_EqualTheCountsOfWhatIsLeft()
    {
        var first = RandomFeatures(5, 800);
        var second = RandomFeatures(6, 300);
        var all = ClusterPyramid.Changes([.. first.Concat(second).Select(AnchorCandidate.Of)], []);

        var leftAfterRemoval = ClusterPyramid.Changes([], [.. second.Select(AnchorCandidate.Of)]);
        var expected = ClusterPyramid.Of(first);

        var combined = all.ToDictionary(c => c.Key, c => c.Value);
        foreach (var (cell, change) in leftAfterRemoval)
        {
            var held = combined.GetValueOrDefault(cell);
            combined[cell] = new CellTotals(held.Count + change.Count, held.Small + change.Small, held.SumX + change.SumX, held.SumY + change.SumY);
        }

        var nonEmpty = combined.Where(c => c.Value.Count != 0).ToDictionary(c => c.Key, c => c.Value);
        Assert.Equal(expected.Keys.ToHashSet(), nonEmpty.Keys.ToHashSet());
        Assert.All(expected, e => Assert.Equal(e.Value.Count, nonEmpty[e.Key].Count));
        Assert.All(combined.Where(c => c.Value.Count == 0), c => Assert.True(Math.Abs(c.Value.SumX) < 1e-6 && Math.Abs(c.Value.SumY) < 1e-6, $"{c}"));
    }

    [Theory]
    [InlineData(9, 600, 121.0, 121.8)]
    [InlineData(10, 200, 121.0, 121.8)]
    [InlineData(11, 100, 121.2, 121.6)]
    [InlineData(13, 5, 121.2, 121.6)]
    [InlineData(14, 2, 121.2, 121.6)]
    [InlineData(16, 1, 121.2, 121.6)]
    public void Split_OfTheCountedCells_IsTheRule_WithStandOutFeaturesDrawnOnTheirOwn(int level, int maxAnchorsPerCell, double west, double east)
    {
        var features = RandomFeatures(11 + level, 4000);
        var ids = features.Select((_, i) => $"f{i}").ToList();
        var random = new Random(level);
        var standOut = ids.Where(_ => random.Next(20) == 0).ToHashSet();
        var query = new ClusterQuery(new Envelope(west, east, 31.0, 31.3), ClusterPyramid.CellMeters(level), maxAnchorsPerCell, standOut);
        var (minX, minY, maxX, maxY) = query.CellRange();
        var read = ClusterPyramid.Of(features)
            .Where(c => c.Key.Level == level && c.Key.X >= minX && c.Key.X <= maxX && c.Key.Y >= minY && c.Key.Y <= maxY)
            .ToList();

        var standOutCandidates = ids.Select((id, i) => standOut.Contains(id) ? AnchorCandidate.Of(features[i]) : null).Where(c => c is not null).ToList();
        var readCells = read.Select(c => (c.Key.X, c.Key.Y)).ToHashSet();
        var standOutCells = standOutCandidates.Where(c => c!.Value.IsAnchoredAt(query.CellMeters)).Select(c => ClusterGrid.Cell(c!.Value.At, query.CellMeters)).ToList();
        // The case is only worth its name when some stand-out features are counted in the cells read and some are not.
        Assert.Contains(standOutCells, readCells.Contains);
        Assert.Contains(standOutCells, c => !readCells.Contains(c));

        var (clusters, quiet) = ClusterPyramid.Split(read, standOutCandidates, query);

        var (expectedClusters, whole) = ClusterGrid.Group(features, ids, query);
        Assert.NotEmpty(expectedClusters);
        Assert.Equal(expectedClusters.Select(c => (c.CellX, c.CellY, c.Count)), clusters.Select(c => (c.CellX, c.CellY, c.Count)));
        foreach (var (expected, actual) in expectedClusters.Zip(clusters))
        {
            // Sums of a few thousand offsets, reached in another order and with stand-out features taken out: rounding
            // stays far below a millionth of a cell (a cell is 64 pixels wide).
            Assert.True(expected.MeanMeters.Distance(actual.MeanMeters) < query.CellMeters * 1e-6, $"cell {actual.CellX},{actual.CellY}: {actual.MeanMeters} vs {expected.MeanMeters}");
        }

        // The quiet cells are those of the anchored features the rule keeps whole (stand-out features are kept whole for themselves).
        var expectedQuiet = whole.Where(i => !standOut.Contains(ids[i]))
            .Select(i => ClusterGrid.Anchor(features[i], query.CellMeters))
            .OfType<Coordinate>()
            .Select(at => ClusterGrid.Cell(at, query.CellMeters))
            .ToHashSet();
        Assert.NotEmpty(expectedQuiet);
        Assert.Equal(quiet.Count, quiet.Distinct().Count());
        Assert.All(quiet, c => Assert.Equal(level, c.Level));
        Assert.Equal(expectedQuiet, quiet.Select(c => (c.X, c.Y)).ToHashSet());
    }

    [Fact]
    public void Split_AQueryOffTheLevels_IsRefused()
    {
        var z10 = WebMercator.MetersPerPixel(10);
        var query = new ClusterQuery(new Envelope(121, 122, 31, 32), 65 * z10, 24, []);
        Assert.Throws<ArgumentException>(() => ClusterPyramid.Split([], [], query));
    }

    [Fact]
    public void LevelOf_ATileQuery_IsItsZoomPlusTwo_AndOtherScalesHaveNone()
    {
        for (var z = 0; z <= 14; z++)
        {
            var mpp = WebMercator.MetersPerPixel(z);
            Assert.Equal(z + 2, ClusterPyramid.LevelOf(new ClusterQuery(new Envelope(0, 1, 0, 1), 64 * mpp, 24, [])));
        }

        var z10 = WebMercator.MetersPerPixel(10);
        Assert.Null(ClusterPyramid.LevelOf(new ClusterQuery(new Envelope(0, 1, 0, 1), 64 * z10 * 1.0001, 24, [])));
        Assert.Null(ClusterPyramid.LevelOf(new ClusterQuery(new Envelope(0, 1, 0, 1), 64 * WebMercator.MetersPerPixel(15), 24, [])));
    }

    [Fact]
    public void NearestCellMeters_BetweenLevels_IsTheNearestLevel_AndFinerViewsKeepTheirOwn()
    {
        var random = new Random(5);
        for (var i = 0; i < 2000; i++)
        {
            // Scales from a whole-country figure down to half the finest level's cells.
            var wanted = ClusterPyramid.CellMeters(ClusterPyramid.MinLevel) * Math.Pow(2, -(random.NextDouble() * (ClusterPyramid.MaxLevel - ClusterPyramid.MinLevel + 0.49)));
            var snapped = ClusterPyramid.NearestCellMeters(wanted);
            var level = Enumerable.Range(ClusterPyramid.MinLevel, ClusterPyramid.MaxLevel - ClusterPyramid.MinLevel + 1)
                .MinBy(l => Math.Abs(Math.Log(ClusterPyramid.CellMeters(l) / wanted)));
            Assert.Equal(ClusterPyramid.CellMeters(level), snapped);
            Assert.InRange(snapped / wanted, 1 / Math.Sqrt(2), Math.Sqrt(2));
            var query = new ClusterQuery(new Envelope(0, 1, 0, 1), snapped, 24, []);
            Assert.Equal(level, ClusterPyramid.LevelOf(query));
        }

        var finer = ClusterPyramid.CellMeters(ClusterPyramid.MaxLevel) / 1.5;
        Assert.Equal(finer, ClusterPyramid.NearestCellMeters(finer));
        Assert.Equal(64 * WebMercator.MetersPerPixel(15), ClusterPyramid.NearestCellMeters(64 * WebMercator.MetersPerPixel(15)));
    }

    [Fact]
    public void Rectangles_OfAnySetOfCells_CoverExactlyThem_Disjointly_AndMergeRunsAndRows()
    {
        var random = new Random(9);
        for (var round = 0; round < 200; round++)
        {
            var density = random.NextDouble();
            var cells = new HashSet<(long X, long Y)>();
            for (var x = 100L; x < 112; x++)
            {
                for (var y = 40L; y < 50; y++)
                {
                    if (random.NextDouble() < density)
                    {
                        cells.Add((x, y));
                    }
                }
            }

            var rectangles = ClusterPyramid.Rectangles(cells.Select(c => new PyramidCell(12, c.X, c.Y)));

            var covered = rectangles.SelectMany(r => Enumerable.Range(0, (int)(r.MaxX - r.MinX + 1))
                .SelectMany(dx => Enumerable.Range(0, (int)(r.MaxY - r.MinY + 1)).Select(dy => (r.MinX + dx, r.MinY + dy)))).ToList();
            Assert.Equal(cells.Count, covered.Count);
            Assert.Equal(cells, covered.ToHashSet());
            Assert.True(rectangles.Count <= cells.Count);
        }

        // A full block is one rectangle.
        var block = Enumerable.Range(0, 7).SelectMany(x => Enumerable.Range(0, 7).Select(y => new PyramidCell(16, 1000 + x, 500 + y)));
        Assert.Equal([(1000L, 500L, 1006L, 506L)], ClusterPyramid.Rectangles(block));
    }
}
