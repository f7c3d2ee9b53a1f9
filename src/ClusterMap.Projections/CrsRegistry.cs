using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using NetTopologySuite.Geometries;
using ProjNet.CoordinateSystems;

namespace ClusterMap.Projections;

/// <summary>
/// The coordinate reference systems ClusterMap accepts, by name (<c>wgs84</c>, <c>gcj02</c>, <c>bd09</c>,
/// <c>cgcs2000</c>), by EPSG code (<c>EPSG:3857</c>) or by OGC URI. ProjNet has no EPSG database, so the EPSG codes
/// built here are those defined in code: 4326, 4490 (CGCS2000), 3857 (from ProjNet's own Web Mercator — a WKT
/// string for EPSG:3857 would be taken as ellipsoidal Mercator, 22 km off), WGS84 UTM 32601–32660 and 32701–32760,
/// and CGCS2000 Gauss-Krüger 4491–4554. CGCS2000 is taken as equal to WGS84: the two differ by centimetres.
/// </summary>
public static partial class CrsRegistry
{
    public const string Crs84Uri = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

    /// <summary>
    /// The Chinese offset systems have no EPSG code and no OGC URI. Each ClusterMap service defines them itself: its
    /// URI for GCJ-02 is the service's base URL + this path, and GET on it returns the definition (formula, inverse,
    /// area, references). Any URI ending in this path resolves to GCJ-02 here, whichever host served it.
    /// </summary>
    public const string Gcj02Path = "/crs/GCJ-02";

    /// <summary>The path of BD-09's definition on every ClusterMap service; see <see cref="Gcj02Path"/>.</summary>
    public const string Bd09Path = "/crs/BD-09";

    /// <summary>The accepted forms, for error messages.</summary>
    public const string AcceptedForm =
        "wgs84, gcj02, bd09, cgcs2000, EPSG:n (4326, 4490, 3857, 32601–32660, 32701–32760, 4491–4554) or the OGC URI "
        + "http://www.opengis.net/def/crs/EPSG/0/n, " + Crs84Uri + ", or a ClusterMap service's {base}" + Gcj02Path + " or {base}" + Bd09Path;

    private static readonly Envelope _world = new(-180, 180, -90, 90);

    // EPSG's area of use for CGCS2000 (China, onshore and offshore).
    private static readonly Envelope _china = new(73.62, 134.77, 16.7, 53.56);

    private static readonly ConcurrentDictionary<int, Crs?> _epsg = new();

    public static Crs Wgs84 { get; } = new GeographicCrs("OGC:CRS84", Crs84Uri, "WGS 84 (longitude, latitude)", latitudeFirst: false, _world, "none: WGS84 as given", isWgs84: true);

    public static Crs Gcj02 { get; } = new ChineseOffsetCrs("GCJ-02", Gcj02Path, "GCJ-02 (Amap, Tencent; WGS84 with the Chinese offset)", baidu: false);

    public static Crs Bd09 { get; } = new ChineseOffsetCrs("BD-09", Bd09Path, "BD-09 (Baidu; GCJ-02 with Baidu's further offset)", baidu: true);

    /// <summary>The CRSs every collection is served in (OGC API – Features Part 2), CRS84 first.</summary>
    public static IReadOnlyList<Crs> Served { get; } =
        [Wgs84, Epsg(4326)!, Epsg(3857)!, Epsg(4490)!, Epsg(32651)!, Gcj02, Bd09];

    /// <summary>Resolves a name, EPSG code or URI; false when it is none that ClusterMap can build.</summary>
    public static bool TryResolve(string? text, out Crs crs)
    {
        crs = Wgs84;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var name = text.Trim();
        Crs? found = name.ToLowerInvariant() switch
        {
            "wgs84" or "crs84" or "ogc:crs84" or "urn:ogc:def:crs:ogc:1.3:crs84" or "urn:ogc:def:crs:ogc::crs84" => Wgs84,
            "http://www.opengis.net/def/crs/ogc/1.3/crs84" => Wgs84,
            "gcj02" or "gcj-02" => Gcj02,
            "bd09" or "bd-09" => Bd09,
            "cgcs2000" => Epsg(4490),
            _ => null,
        };
        if (found is null && name.EndsWith(Gcj02Path, StringComparison.OrdinalIgnoreCase))
        {
            found = Gcj02;
        }
        else if (found is null && name.EndsWith(Bd09Path, StringComparison.OrdinalIgnoreCase))
        {
            found = Bd09;
        }
        else if (found is null && EpsgPattern().Match(name) is { Success: true } match
            && int.TryParse(match.Groups["code"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            found = Epsg(code);
        }

        if (found is null)
        {
            return false;
        }

        crs = found;
        return true;
    }

    /// <summary>
    /// The CRS a file declares in OGC or ESRI WKT (a Shapefile's .prj, a GeoPackage's srs definition): its EPSG
    /// authority code when ClusterMap builds that code, WGS84 or CGCS2000 by datum, Web Mercator by name (ProjNet
    /// would take it as ellipsoidal Mercator, 22 km off), else the projection exactly as the WKT defines it.
    /// False, with the reason, when ProjNet cannot read it or it is neither geographic nor projected.
    /// </summary>
    public static bool TryResolveWkt(string wkt, out Crs crs, out string reason)
    {
        crs = Wgs84;
        reason = "";
        CoordinateSystem system;
        try
        {
            system = (CoordinateSystem)new CoordinateSystemFactory().CreateFromWkt(wkt);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or NotSupportedException or NullReferenceException or IndexOutOfRangeException)
        {
            reason = $"ProjNet cannot read the WKT ({ex.Message.TrimEnd('.')})";
            return false;
        }

        if (string.Equals(system.Authority, "EPSG", StringComparison.OrdinalIgnoreCase) && system.AuthorityCode > 0 && Epsg((int)system.AuthorityCode) is { } byCode)
        {
            crs = byCode;
            return true;
        }

        var name = system.Name ?? "";
        switch (system)
        {
            case GeographicCoordinateSystem geographic:
                var datum = geographic.HorizontalDatum?.Name ?? "";
                if (Matches(datum, "WGS_1984", "WGS 84", "WGS84", "World Geodetic System 1984"))
                {
                    crs = Wgs84;
                    return true;
                }

                if (Matches(datum, "China_2000", "China 2000", "CGCS2000", "China Geodetic Coordinate System 2000"))
                {
                    crs = Epsg(4490)!;
                    return true;
                }

                reason = $"the geographic CRS '{name}' has the datum '{datum}'; ClusterMap converts WGS84 and CGCS2000 only, so reproject first (ogr2ogr -t_srs EPSG:4326)";
                return false;
            case ProjectedCoordinateSystem when Matches(name, "Web_Mercator", "Pseudo-Mercator", "Pseudo_Mercator", "Auxiliary_Sphere"):
                crs = Epsg(3857)!;
                return true;
            case ProjectedCoordinateSystem projected:
                crs = new ProjNetCrs(name, "", name + " (as declared in the file)", projected, _world);
                return true;
            default:
                reason = $"'{name}' is neither a geographic nor a projected CRS";
                return false;
        }
    }

    private static bool Matches(string text, params string[] names) =>
        names.Any(n => text.Contains(n, StringComparison.OrdinalIgnoreCase));

    /// <summary>The CRS of an EPSG code, or null when ClusterMap cannot build it.</summary>
    public static Crs? Epsg(int code) => _epsg.GetOrAdd(code, Build);

    private static Crs? Build(int code)
    {
        var uri = "http://www.opengis.net/def/crs/EPSG/0/" + code.ToString(CultureInfo.InvariantCulture);
        var name = "EPSG:" + code.ToString(CultureInfo.InvariantCulture);
        switch (code)
        {
            case 4326:
                return new GeographicCrs(name, uri, "WGS 84 (latitude, longitude)", latitudeFirst: true, _world, "none: WGS84 as given", isWgs84: true);
            case 4490:
                return new GeographicCrs(name, uri, "China Geodetic Coordinate System 2000 (latitude, longitude)", latitudeFirst: true, _china,
                    "CGCS2000 → WGS84: taken as equal (the datums differ by centimetres)", isWgs84: false);
            case 3857:
                return new ProjNetCrs(name, uri, "WGS 84 / Pseudo-Mercator", ProjectedCoordinateSystem.WebMercator, new Envelope(-180, 180, -85.06, 85.06));
            case >= 32601 and <= 32660:
            case >= 32701 and <= 32760:
                {
                    var north = code < 32700;
                    var zone = code % 100;
                    var centralMeridian = zone * 6 - 183;
                    var area = new Envelope(centralMeridian - 3, centralMeridian + 3, north ? 0 : -80, north ? 84 : 0);
                    return new ProjNetCrs(name, uri, $"WGS 84 / UTM zone {zone}{(north ? "N" : "S")}", ProjectedCoordinateSystem.WGS84_UTM(zone, north), area);
                }
            case >= 4491 and <= 4554:
                return GaussKruger(code, name, uri);
            default:
                return null;
        }
    }

    /// <summary>
    /// CGCS2000 Gauss-Krüger: 4491–4501 six-degree zones 13–23 (zone number before the easting), 4502–4512 six-degree
    /// by central meridian 75°E–135°E, 4513–4533 three-degree zones 25–45 (zone number before the easting),
    /// 4534–4554 three-degree by central meridian 75°E–135°E.
    /// </summary>
    private static ProjNetCrs GaussKruger(int code, string name, string uri)
    {
        double centralMeridian;
        double falseEasting = 500000;
        double halfWidth;
        string title;
        if (code <= 4501)
        {
            var zone = code - 4491 + 13;
            centralMeridian = zone * 6 - 3;
            falseEasting += zone * 1_000_000;
            halfWidth = 3;
            title = $"CGCS2000 / Gauss-Kruger zone {zone}";
        }
        else if (code <= 4512)
        {
            centralMeridian = 75 + (code - 4502) * 6;
            halfWidth = 3;
            title = $"CGCS2000 / Gauss-Kruger CM {centralMeridian}E";
        }
        else if (code <= 4533)
        {
            var zone = code - 4513 + 25;
            centralMeridian = zone * 3;
            falseEasting += zone * 1_000_000;
            halfWidth = 1.5;
            title = $"CGCS2000 / 3-degree Gauss-Kruger zone {zone}";
        }
        else
        {
            centralMeridian = 75 + (code - 4534) * 3;
            halfWidth = 1.5;
            title = $"CGCS2000 / 3-degree Gauss-Kruger CM {centralMeridian}E";
        }

        var cm = centralMeridian.ToString(CultureInfo.InvariantCulture);
        var fe = falseEasting.ToString(CultureInfo.InvariantCulture);
        var epsg = code.ToString(CultureInfo.InvariantCulture);
        var wkt = "PROJCS[\"" + title + "\",GEOGCS[\"China Geodetic Coordinate System 2000\",DATUM[\"China_2000\","
            + "SPHEROID[\"CGCS2000\",6378137,298.257222101],TOWGS84[0,0,0,0,0,0,0]],PRIMEM[\"Greenwich\",0],"
            + "UNIT[\"degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",0],"
            + "PARAMETER[\"central_meridian\"," + cm + "],PARAMETER[\"scale_factor\",1],PARAMETER[\"false_easting\"," + fe + "],"
            + "PARAMETER[\"false_northing\",0],UNIT[\"metre\",1],AUTHORITY[\"EPSG\",\"" + epsg + "\"]]";
        var system = (ProjectedCoordinateSystem)new CoordinateSystemFactory().CreateFromWkt(wkt);
        var area = new Envelope(centralMeridian - halfWidth, centralMeridian + halfWidth, _china.MinY, _china.MaxY);
        return new ProjNetCrs(name, uri, title, system, area);
    }

    [GeneratedRegex(@"^(?:EPSG:{1,2}|urn:ogc:def:crs:EPSG::|https?://www\.opengis\.net/def/crs/EPSG/0/)(?<code>[0-9]{1,6})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EpsgPattern();
}
