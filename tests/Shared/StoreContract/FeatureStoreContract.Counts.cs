using System.Globalization;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Contract;

/// <summary>
/// How items pages count their matches under <see cref="ItemsQuery.MaxExactCount"/>: exactly up to the cap, "more
/// than" past it, and never at the cost of a wrong page; checked against a brute-force count of the stored features.
/// </summary>
public abstract partial class FeatureStoreContract
{
    private const string Grid = "grid";

    // Edges between the grid's points, so no point lies on one (float32 indexes round edges outward).
    private static readonly Envelope _gridBox = new(121.0249, 121.0851, 31.0049, 31.0451);

    /// <summary>60 points on a 0.01° grid (10 columns, 6 rows) in store order row by row, of which 24 lie in <see cref="_gridBox"/>.</summary>
    private async Task<List<FeatureRecord>> SeedGridAsync()
    {
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var features = (from row in Enumerable.Range(0, 6)
                        from column in Enumerable.Range(0, 10)
                        select new FeatureRecord(
                            string.Create(CultureInfo.InvariantCulture, $"p{row}{column}"),
                            factory.CreatePoint(new Coordinate(121.0 + (0.01 * column), 31.0 + (0.01 * row))),
                            string.Create(CultureInfo.InvariantCulture, $$"""{"row":{{row}}}"""))).ToList();
        await Store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition(Grid, "Grid", "Points on a grid"), features)]);
        return features;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(23)]
    [InlineData(24)]
    [InlineData(1000)]
    public async Task GetItems_MaxExactCount_CountsUpToTheCapAndSaysMoreThanPastIt_PagingThroughEveryMatchOnce(int cap)
    {
        var all = await SeedGridAsync();
        var expected = all.Where(f => _gridBox.Intersects(f.Geometry.EnvelopeInternal)).Select(f => f.Id).ToList();
        Assert.Equal(24, expected.Count);
        const int limit = 5;

        var ids = new List<string>();
        var offset = 0;
        while (true)
        {
            var page = await Store.GetItemsAsync(new ItemsQuery(Grid, [_gridBox], [], limit, offset, MaxExactCount: cap));
            ids.AddRange(page.Features.Select(f => f.Id));
            var shown = offset + page.Features.Count;
            // A page with matches after it counts only to the cap; the last page counts itself, whatever the cap.
            var want = shown == expected.Count || cap >= expected.Count ? MatchCount.Exactly(expected.Count) : MatchCount.MoreThan(Math.Max(cap, shown));
            Assert.True(want == page.Matched, $"offset {offset}: expected {want}, got {page.Matched}");
            Assert.Equal(shown < expected.Count, page.HasNext(offset));
            if (!page.HasNext(offset))
            {
                break;
            }

            offset += limit;
        }

        Assert.Equal(expected, ids);
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(24, true)]
    public async Task GetItems_MaxExactCount_PastTheLastMatch_ReturnsNothingMore(int cap, bool exact)
    {
        await SeedGridAsync();

        var page = await Store.GetItemsAsync(new ItemsQuery(Grid, [_gridBox], [], 5, 100, MaxExactCount: cap));

        Assert.Empty(page.Features);
        Assert.Equal(exact ? MatchCount.Exactly(24) : MatchCount.MoreThan(cap), page.Matched);
        Assert.False(page.HasNext(100));
    }

    [Fact]
    public async Task GetItems_MaxExactCount_PropertyFilterOverTheCap_IsMoreThan_UnderIt_IsExact()
    {
        await SeedGridAsync();

        var over = await Store.GetItemsAsync(new ItemsQuery(Grid, [], [new PropertyFilter("row", "2")], 3, 0, MaxExactCount: 9));
        var under = await Store.GetItemsAsync(new ItemsQuery(Grid, [], [new PropertyFilter("row", "2")], 3, 0, MaxExactCount: 10));

        Assert.Equal(MatchCount.MoreThan(9), over.Matched);
        Assert.Null(over.NumberMatched);
        Assert.Equal(10, under.NumberMatched);
        Assert.Equal(["p20", "p21", "p22"], over.Features.Select(f => f.Id));
    }

    [Fact]
    public async Task GetItems_MaxExactCount_WholeCollection_KeepsItsExactCount()
    {
        await SeedGridAsync();

        var page = await Store.GetItemsAsync(new ItemsQuery(Grid, [], [], 5, 10, MaxExactCount: 1));

        Assert.Equal(60, page.NumberMatched);
        Assert.True(page.HasNext(10));
    }

    [Fact]
    public async Task GetItems_WithoutMaxExactCount_CountsEveryMatch()
    {
        await SeedGridAsync();

        var page = await Store.GetItemsAsync(new ItemsQuery(Grid, [_gridBox], [], 5, 5));

        Assert.Equal(24, page.NumberMatched);
        Assert.True(page.HasNext(5));
    }
}
