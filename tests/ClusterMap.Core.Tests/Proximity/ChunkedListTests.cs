using ClusterMap.Core.Proximity;

namespace ClusterMap.Core.Tests.Proximity;

public class ChunkedListTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(5000)]
    public void Entries_ReadBackByIndexAndInOrder(int count)
    {
        var list = new ChunkedList<int>(count);
        for (var i = 0; i < count; i++)
        {
            list[i] = (i * 7) + 1;
        }

        Assert.Equal(count, list.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (i * 7) + 1), list);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal((i * 7) + 1, list[i]);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => list[count]);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[-1]);
    }
}
