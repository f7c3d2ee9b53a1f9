namespace ClusterMap.Storage.Sqlite;

/// <summary>
/// SQLite's R*Tree keeps coordinates as float32. Lower bounds are rounded down and upper bounds up, so the
/// index box always contains the exact one and the first filter never drops a true match.
/// </summary>
internal static class Float32Bounds
{
    public static double Down(double value)
    {
        var rounded = (float)value;
        return rounded > value ? MathF.BitDecrement(rounded) : rounded;
    }

    public static double Up(double value)
    {
        var rounded = (float)value;
        return rounded < value ? MathF.BitIncrement(rounded) : rounded;
    }
}
