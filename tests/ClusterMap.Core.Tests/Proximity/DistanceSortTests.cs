using ClusterMap.Core.Proximity;

namespace ClusterMap.Core.Tests.Proximity;

public class DistanceSortTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(5_000)]
    [InlineData(70_000)]
    public void Sort_OrdersPositionsByExactDistance(int n)
    {
        // Distances as a query produces them, plus the hard cases: zeros (and a −0), exact repeats, and neighbours
        // one bit apart that narrow to the same float, which only the exact pass after the radix sort can order.
        var random = new Random(n);
        var distances = new double[n];
        for (var i = 0; i < n; i++)
        {
            distances[i] = random.Next(10) switch
            {
                0 => 0,
                1 => i > 0 ? distances[random.Next(i)] : 1,
                2 => i > 0 ? Math.BitIncrement(distances[random.Next(i)]) : 2,
                3 => 1e7 * random.NextDouble(),
                _ => 5_000 * random.NextDouble(),
            };
        }

        if (n > 0)
        {
            distances[random.Next(n)] = -0.0;
        }

        var order = new int[n];
        DistanceSort.Sort(distances, order);

        Assert.Equal(Enumerable.Range(0, n), order.Order());
        for (var r = 1; r < n; r++)
        {
            Assert.True(distances[order[r - 1]] <= distances[order[r]], $"rank {r}: {distances[order[r - 1]]:R} before {distances[order[r]]:R}");
        }
    }

    [Fact]
    public void Sort_RejectsSpansOfDifferentLengths()
    {
        Assert.Throws<ArgumentException>(() => DistanceSort.Sort(new double[3], new int[2]));
    }
}
