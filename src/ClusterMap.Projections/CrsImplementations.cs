using ClusterMap.Projections.Chinese;
using NetTopologySuite.Geometries;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace ClusterMap.Projections;

/// <summary>WGS84 itself, or a geographic CRS whose datum is treated as equal to it.</summary>
internal sealed class GeographicCrs(string code, string uri, string title, bool latitudeFirst, Envelope areaOfUse, string conversion, bool isWgs84)
    : Crs(code, uri, title, CrsKind.Geographic, latitudeFirst, areaOfUse)
{
    public override bool IsWgs84 => isWgs84;

    public override string? Wkt => isWgs84
        ? GeographicCoordinateSystem.WGS84.WKT
        : "GEOGCS[\"China Geodetic Coordinate System 2000\",DATUM[\"China_2000\",SPHEROID[\"CGCS2000\",6378137,298.257222101]],"
            + "PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433],AUTHORITY[\"EPSG\",\"4490\"]]";

    public override string ConversionToWgs84 => conversion;

    public override Coordinate ToWgs84(Coordinate coordinate) => coordinate.Copy();

    public override Coordinate FromWgs84(Coordinate wgs84) => wgs84.Copy();
}

/// <summary>GCJ-02 (Amap, Tencent) or BD-09 (Baidu).</summary>
internal sealed class ChineseOffsetCrs(string code, string uri, string title, bool baidu)
    : Crs(code, uri, title, CrsKind.ChineseOffset, latitudeFirst: false, ChinaRegion.Outline.EnvelopeInternal)
{
    public override bool IsInAreaOfUse(Coordinate wgs84) => ChinaRegion.Contains(wgs84);

    public override string ConversionToWgs84 => baidu
        ? "BD-09 → GCJ-02 → WGS84: published Baidu and GCJ-02 formulas inverted iteratively (< 0.01 m), inside mainland China"
        : "GCJ-02 → WGS84: published GCJ-02 formula inverted iteratively (< 0.01 m), inside mainland China; unchanged outside";

    public override Coordinate ToWgs84(Coordinate coordinate) =>
        baidu ? ChineseCoordinates.Bd09ToWgs84(coordinate) : ChineseCoordinates.Gcj02ToWgs84(coordinate);

    public override Coordinate FromWgs84(Coordinate wgs84) =>
        baidu ? ChineseCoordinates.Wgs84ToBd09(wgs84) : ChineseCoordinates.Wgs84ToGcj02(wgs84);
}

/// <summary>A projected CRS on WGS84 (or CGCS2000, treated as equal), transformed by ProjNet.</summary>
internal sealed class ProjNetCrs : Crs
{
    private readonly MathTransform _toWgs84;
    private readonly MathTransform _fromWgs84;
    private readonly string _conversion;
    private readonly string _wkt;

    public ProjNetCrs(string code, string uri, string title, ProjectedCoordinateSystem system, Envelope areaOfUse)
        : base(code, uri, title, CrsKind.Projected, latitudeFirst: false, areaOfUse)
    {
        var factory = new CoordinateTransformationFactory();
        _fromWgs84 = factory.CreateFromCoordinateSystems(GeographicCoordinateSystem.WGS84, system).MathTransform;
        _toWgs84 = factory.CreateFromCoordinateSystems(system, GeographicCoordinateSystem.WGS84).MathTransform;
        _conversion = $"{code} → WGS84: inverse {system.Projection.ClassName} projection (ProjNet)";
        _wkt = system.WKT;
    }

    public override string ConversionToWgs84 => _conversion;

    public override string? Wkt => _wkt;

    public override Coordinate ToWgs84(Coordinate coordinate)
    {
        var (lon, lat) = _toWgs84.Transform(coordinate.X, coordinate.Y);
        return new Coordinate(lon, lat);
    }

    public override Coordinate FromWgs84(Coordinate wgs84)
    {
        var (x, y) = _fromWgs84.Transform(wgs84.X, wgs84.Y);
        return new Coordinate(x, y);
    }
}
