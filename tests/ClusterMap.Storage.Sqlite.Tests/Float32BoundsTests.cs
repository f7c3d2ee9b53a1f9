namespace ClusterMap.Storage.Sqlite.Tests;

public class Float32BoundsTests
{
    [Theory]
    [InlineData(121.4)]
    [InlineData(31.2)]
    [InlineData(-179.99999999)]
    [InlineData(0.1)]
    [InlineData(1e-9)]
    [InlineData(-1e-9)]
    [InlineData(90.0)]
    public void DownAndUp_BracketTheExactValueWithFloat32Numbers(double value)
    {
        var down = Float32Bounds.Down(value);
        var up = Float32Bounds.Up(value);

        Assert.True(down <= value && value <= up, $"{down} <= {value} <= {up}");
        Assert.Equal(down, (double)(float)down);
        Assert.Equal(up, (double)(float)up);
    }
}
