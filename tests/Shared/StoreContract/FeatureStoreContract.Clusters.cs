using System.Globalization;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Contract;

/// <summary>
/// Clustered reads (<see cref="IFeatureClusterReader"/>) against the rule itself (<see cref="ClusterGrid.Group(IReadOnlyList{Geometry}, IReadOnlyList{string}, ClusterQuery)"/>
/// over every feature), at the scales of the cluster pyramid and between them, after every write of a seeded run: a
/// store that keeps counts beside its rows must keep them equal to the rows.
/// </summary>
public abstract partial class FeatureStoreContract
{
    private IFeatureClusterReader ClusterReader => Assert.IsAssignableFrom<IFeatureClusterReader>(Store);

    [Fact]
    public async Task ClusteredReads_AtPyramidLevelsAndBetween_FollowEveryWrite()
    {
        var sites = await SeedRandomSitesAsync();
        var random = new Random(23);
        var factory = new GeometryFactory();
        var checkedCells = 0;
        var leftOut = 0;
        for (var step = 0; step < 24; step++)
        {
            var ids = sites.Select(s => s.Id).ToList();
            switch (step % 4)
            {
                case 0:
                    // Deleted: counted out of every level.
                    var gone = ids[random.Next(ids.Count)];
                    Assert.True(await Store.DeleteFeatureAsync("sites", gone));
                    sites.RemoveAll(s => s.Id == gone);
                    break;
                case 3 when step == 11:
                    // The whole collection replaced: counted again from nothing.
                    sites = [.. sites.Where((_, i) => i % 2 == 0)];
                    await Store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition("sites", "Sites", "Random sites"), sites)]);
                    break;
                default:
                    // Moved, reshaped or new: a point, a small or wide square (anchored at some levels only), a multipoint.
                    var written = Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
                    {
                        var x = 121.0 + (random.NextDouble() * 0.8);
                        var y = 30.9 + (random.NextDouble() * 0.6);
                        var side = Math.Pow(10, -4 + (random.NextDouble() * 3.5));
                        Geometry geometry = random.Next(4) switch
                        {
                            0 => factory.CreatePoint(new Coordinate(x, y)),
                            1 => factory.CreateMultiPointFromCoords([new Coordinate(x, y), new Coordinate(x + side, y)]),
                            _ => factory.ToGeometry(new Envelope(x, x + side, y, y + side)),
                        };
                        var id = random.Next(2) == 0 ? ids[random.Next(ids.Count)] : string.Create(CultureInfo.InvariantCulture, $"n{step}-{random.Next(1000)}");
                        return new FeatureRecord(id, geometry, "{}");
                    }).DistinctBy(f => f.Id).ToList();
                    await Store.WriteFeaturesAsync("sites", written, FeatureWriteMode.Upsert);
                    foreach (var feature in written)
                    {
                        var at = sites.FindIndex(s => s.Id == feature.Id);
                        if (at >= 0)
                        {
                            sites[at] = feature;
                        }
                        else
                        {
                            sites.Add(feature);
                        }
                    }

                    break;
            }

            var (cells, areas) = await AssertClusteredReadsFollowTheRuleAsync(sites, random);
            checkedCells += cells;
            leftOut += areas;
        }

        Assert.True(checkedCells > 500, $"{checkedCells} cells compared");
        Assert.True(leftOut > 20, $"{leftOut} areas left out of symbols-only reads");
    }

    /// <summary>
    /// The store's clustered reads over views at several scales equal the rule over every feature; returns the clusters
    /// compared and the areas a symbols-only read left out.
    /// </summary>
    private async Task<(int Clusters, int LeftOut)> AssertClusteredReadsFollowTheRuleAsync(List<FeatureRecord> sites, Random random)
    {
        var stored = await Store.GetAllItemsAsync("sites");
        Assert.Equal(sites.Select(s => s.Id).Order(StringComparer.Ordinal), stored.Select(s => s.Id).Order(StringComparer.Ordinal));
        var geometries = stored.Select(f => f.Geometry).ToList();
        var ids = stored.Select(f => f.Id).ToList();
        var clusters = 0;
        var leftOut = 0;
        // Pyramid levels (tiles at z6, z8, z10, z12 and z14) and a scale between two levels.
        foreach (var cellMeters in new[] { ClusterPyramid.CellMeters(8), ClusterPyramid.CellMeters(10), ClusterPyramid.CellMeters(12), ClusterPyramid.CellMeters(14), ClusterPyramid.CellMeters(16), ClusterPyramid.CellMeters(11) * 1.37 })
        {
            var x = 121.0 + (random.NextDouble() * 0.6);
            var y = 30.9 + (random.NextDouble() * 0.4);
            var reach = Math.Min(0.6, cellMeters / 2_000);
            var box = new Envelope(x, x + reach, y, y + reach);
            var standOut = new[] { ids[random.Next(ids.Count)], ids[random.Next(ids.Count)] };
            // Few anchors per cell, so that both crowded and quiet cells occur at every scale.
            var plain = new ClusterQuery(box, cellMeters, 2, []);
            var withStandOut = plain with { StandOutIds = standOut };
            // Symbols at a sixteenth of the cell (4 pixels of 64), as a tile's labels read them.
            foreach (var query in new[] { plain, withStandOut, withStandOut with { SymbolsUnderMeters = cellMeters / 16 } })
            {
                var (expectedClusters, whole) = ClusterGrid.Group(geometries, ids, query with { SymbolsUnderMeters = null });
                if (query.SymbolsUnderMeters is { } under)
                {
                    // Symbols only: what the rule keeps, less the shapes drawn as areas (too wide to anchor, or anchored but
                    // not under the symbol size); stand-out features stay.
                    var symbols = whole.Where(i => standOut.Contains(ids[i])
                        || (ClusterGrid.Anchor(geometries[i], query.CellMeters) is not null && ClusterGrid.Anchor(geometries[i], under) is not null)).ToList();
                    leftOut += whole.Count - symbols.Count;
                    whole = symbols;
                }

                var actual = await ClusterReader.GetClusteredNearBoxAsync("sites", query);

                var what = $"cells of {cellMeters:F1} m over {box}";
                Assert.Equal(expectedClusters.Select(c => (c.CellX, c.CellY, c.Count)), actual.Clusters.Select(c => (c.CellX, c.CellY, c.Count)));
                foreach (var (e, a) in expectedClusters.Zip(actual.Clusters))
                {
                    Assert.True(Math.Abs(e.MeanMeters.X - a.MeanMeters.X) < 1e-6 && Math.Abs(e.MeanMeters.Y - a.MeanMeters.Y) < 1e-6, $"{what}: mean {a.MeanMeters} vs {e.MeanMeters}");
                }

                Assert.Equal(whole.Select(i => ids[i]).Order(StringComparer.Ordinal), actual.Features.Select(f => f.Id).Order(StringComparer.Ordinal));
                clusters += expectedClusters.Count;
            }
        }

        return (clusters, leftOut);
    }
}
