using System.Globalization;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Data;
using NetTopologySuite.Geometries;

namespace ClusterMap.Rendering.Tests;

/// <summary>
/// A collection held in memory answers a clustered read at a level's scale from its own cluster pyramid, as the stores
/// answer from theirs, and between levels from its R-tree: both must be the rule (<see cref="ClusterGrid"/>) over every
/// feature, with features standing out and for symbols only.
/// </summary>
public class InMemoryClusterTests
{
    private static readonly GeometryFactory _factory = new();

    [Fact]
    public async Task ClusteredReads_AtLevelsAndBetween_AreTheRule()
    {
        var random = new Random(31);
        var records = new List<FeatureRecord>();
        for (var i = 0; i < 6_000; i++)
        {
            // Dense around a point, so that crowded and quiet cells occur at every scale; squares from 10 m to 30 km,
            // so that shapes are anchored at some levels only; a few multipoints, which never have an anchor.
            var r = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * 0.15;
            var a = random.NextDouble() * 2 * Math.PI;
            var (x, y) = (121.4 + (r * Math.Cos(a)), 31.2 + (r * Math.Sin(a)));
            var side = Math.Pow(10, -4 + (random.NextDouble() * 3.5));
            Geometry geometry = (i % 10) switch
            {
                < 6 => _factory.CreatePoint(new Coordinate(x, y)),
                < 9 => _factory.ToGeometry(new Envelope(x, x + side, y, y + side)),
                _ => _factory.CreateMultiPointFromCoords([new Coordinate(x, y), new Coordinate(x + side, y)]),
            };
            records.Add(new FeatureRecord(string.Create(CultureInfo.InvariantCulture, $"f{i:D5}"), geometry, "{}"));
        }

        var layer = MapDataProvider.InMemoryLayer.Build(records);
        var geometries = records.Select(f => f.Geometry).ToList();
        var ids = records.Select(f => f.Id).ToList();
        var (clusters, quiet, leftOut) = (0, 0, 0);
        foreach (var cellMeters in new[] { ClusterPyramid.CellMeters(9), ClusterPyramid.CellMeters(11), ClusterPyramid.CellMeters(13), ClusterPyramid.CellMeters(16), ClusterPyramid.CellMeters(12) * 1.3 })
        {
            for (var k = 0; k < 4; k++)
            {
                var x = 121.1 + (random.NextDouble() * 0.5);
                var y = 31.0 + (random.NextDouble() * 0.3);
                var reach = Math.Min(0.6, cellMeters / 1_500);
                var plain = new ClusterQuery(new Envelope(x, x + reach, y, y + reach), cellMeters, 8, []);
                var withStandOut = plain with { StandOutIds = [ids[random.Next(ids.Count)], ids[random.Next(ids.Count)]] };
                // Symbols at a sixteenth of the cell (4 pixels of 64), as a tile's labels read them.
                foreach (var query in new[] { plain, withStandOut, withStandOut with { SymbolsUnderMeters = cellMeters / 16 } })
                {
                    var (expectedClusters, whole) = ClusterGrid.Group(geometries, ids, query with { SymbolsUnderMeters = null });
                    var expected = whole.Select(i => ids[i]).ToList();
                    if (query.SymbolsUnderMeters is { } under)
                    {
                        // What the rule keeps, less the shapes drawn as areas: too wide to anchor, or anchored but not under the symbol size.
                        var symbols = whole.Where(i => query.StandOutIds.Contains(ids[i])
                            || (ClusterGrid.Anchor(geometries[i], query.CellMeters) is not null && ClusterGrid.Anchor(geometries[i], under) is not null)).Select(i => ids[i]).ToList();
                        leftOut += expected.Count - symbols.Count;
                        expected = symbols;
                    }

                    var (actualClusters, features) = await layer.QueryClusteredAsync(query, CancellationToken.None);

                    Assert.Equal(expectedClusters.Select(c => (c.CellX, c.CellY, c.Count)), actualClusters.Select(c => (c.CellX, c.CellY, c.Count)));
                    foreach (var (e, a) in expectedClusters.Zip(actualClusters))
                    {
                        Assert.True(Math.Abs(e.MeanMeters.X - a.MeanMeters.X) < 1e-6 && Math.Abs(e.MeanMeters.Y - a.MeanMeters.Y) < 1e-6, $"mean {a.MeanMeters} vs {e.MeanMeters}");
                    }

                    Assert.Equal(expected, features.Select(f => f.Id));
                    clusters += expectedClusters.Count;
                    quiet += expected.Count;
                }
            }
        }

        Assert.True(clusters > 100 && quiet > 100 && leftOut > 10, $"{clusters} clusters, {quiet} features read whole, {leftOut} areas left out: the data shows too little");
    }
}
