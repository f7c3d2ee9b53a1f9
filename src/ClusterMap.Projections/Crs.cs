using NetTopologySuite.Geometries;

namespace ClusterMap.Projections;

/// <summary>What a coordinate reference system is, for conversions and for reporting.</summary>
public enum CrsKind
{
    /// <summary>Longitude and latitude in degrees on WGS84 or a datum treated as equal to it (CGCS2000).</summary>
    Geographic,

    /// <summary>Projected easting and northing in metres.</summary>
    Projected,

    /// <summary>GCJ-02 or BD-09: WGS84 with an obfuscating offset, longitude and latitude in degrees.</summary>
    ChineseOffset,
}

/// <summary>
/// A coordinate reference system that ClusterMap reads and writes. Everything is stored in WGS84 (EPSG:4326,
/// lon/lat); a <see cref="Crs"/> converts to and from it. Coordinates are always passed easting/longitude first
/// (X) and northing/latitude second (Y); <see cref="LatitudeFirst"/> only says how the CRS's official axis order
/// is, for writers that must follow it (OGC API – Features Part 2 for EPSG:4326 and EPSG:4490).
/// </summary>
public abstract class Crs
{
    protected Crs(string code, string uri, string title, CrsKind kind, bool latitudeFirst, Envelope areaOfUse)
    {
        Code = code;
        Uri = uri;
        Title = title;
        Kind = kind;
        LatitudeFirst = latitudeFirst;
        AreaOfUse = areaOfUse;
    }

    /// <summary>Short name: <c>EPSG:3857</c>, <c>OGC:CRS84</c>, <c>GCJ-02</c>, <c>BD-09</c>.</summary>
    public string Code { get; }

    /// <summary>
    /// The URI used in OGC APIs (<c>http://www.opengis.net/def/crs/EPSG/0/3857</c>); for GCJ-02 and BD-09 a path
    /// (<c>/crs/GCJ-02</c>) that a service makes absolute with its own base URL, where it serves the definition.
    /// </summary>
    public string Uri { get; }

    public string Title { get; }

    public CrsKind Kind { get; }

    /// <summary>True when the CRS's official axis order is latitude, longitude (EPSG:4326, EPSG:4490).</summary>
    public bool LatitudeFirst { get; }

    /// <summary>Where the CRS is meant to be used, as a WGS84 lon/lat envelope.</summary>
    public Envelope AreaOfUse { get; }

    /// <summary>True when conversion to WGS84 is the identity.</summary>
    public virtual bool IsWgs84 => false;

    /// <summary>True when the WGS84 point lies where this CRS is meant to be used.</summary>
    public virtual bool IsInAreaOfUse(Coordinate wgs84) => AreaOfUse.Contains(wgs84);

    /// <summary>A coordinate of this CRS (X = easting or longitude) → WGS84 lon/lat.</summary>
    public abstract Coordinate ToWgs84(Coordinate coordinate);

    /// <summary>WGS84 lon/lat → a coordinate of this CRS (X = easting or longitude).</summary>
    public abstract Coordinate FromWgs84(Coordinate wgs84);

    /// <summary>The OGC WKT definition (for GeoPackage srs tables), or null for GCJ-02 and BD-09, which no WKT can state.</summary>
    public virtual string? Wkt => null;

    /// <summary>One sentence saying how coordinates of this CRS become WGS84, recorded on every imported feature.</summary>
    public abstract string ConversionToWgs84 { get; }

    public override string ToString() => Code;
}
