using NetTopologySuite.Geometries;

namespace ClusterMap.Projections.Chinese;

/// <summary>
/// GCJ-02 and BD-09 as their providers apply them: shifted inside mainland China (<see cref="ChinaRegion"/>), and
/// GCJ-02 equal to WGS84 outside it (Hong Kong, Macau, Taiwan and abroad). BD-09 is GCJ-02 with Baidu's further
/// offset, everywhere.
/// </summary>
public static class ChineseCoordinates
{
    public static Coordinate Wgs84ToGcj02(Coordinate wgs84) =>
        ChinaRegion.Contains(wgs84) ? ChineseOffsets.Wgs84ToGcj02(wgs84) : wgs84.Copy();

    /// <summary>GCJ-02 → WGS84: unshifted when the solved WGS84 point lies outside mainland China.</summary>
    public static Coordinate Gcj02ToWgs84(Coordinate gcj02)
    {
        var wgs84 = ChineseOffsets.Gcj02ToWgs84(gcj02);
        return ChinaRegion.Contains(wgs84) ? wgs84 : gcj02.Copy();
    }

    public static Coordinate Wgs84ToBd09(Coordinate wgs84) => ChineseOffsets.Gcj02ToBd09(Wgs84ToGcj02(wgs84));

    public static Coordinate Bd09ToWgs84(Coordinate bd09) => Gcj02ToWgs84(ChineseOffsets.Bd09ToGcj02(bd09));
}
