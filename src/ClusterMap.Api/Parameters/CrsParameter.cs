using ClusterMap.Projections;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Parameters;

/// <summary>
/// OGC API – Features Part 2 <c>crs</c> (the CRS of the answer's coordinates) and <c>bbox-crs</c> (the CRS of
/// <c>bbox</c>): one of the CRSs every collection lists, by URI (or its short code).
/// </summary>
internal static class CrsParameter
{
    public const string Name = "crs";

    public const string BboxCrsName = "bbox-crs";

    public static readonly string AcceptedForm =
        "one of the URIs each collection lists in 'crs': " + string.Join(", ", CrsRegistry.Served.Select(c => c.Uri));

    /// <summary><c>crs</c>: the CRS of the answer's coordinates.</summary>
    public static readonly QueryParameter<Crs> Output = new(Name, AcceptedForm, "The CRS of the answer's coordinates (OGC API – Features Part 2; default CRS84).", TryParse)
    {
        Default = CrsRegistry.Wgs84,
    };

    /// <summary><c>bbox-crs</c>: the CRS of <c>bbox</c>.</summary>
    public static readonly QueryParameter<Crs> BboxCrs = new(BboxCrsName, AcceptedForm, "The CRS of bbox (OGC API – Features Part 2; default CRS84).", TryParse)
    {
        Default = CrsRegistry.Wgs84,
    };

    /// <summary>What <c>bbox</c> accepts when <c>bbox-crs</c> names another CRS than CRS84.</summary>
    public static string BboxForm(Crs crs) =>
        $"four comma-separated numbers minX,minY,maxX,maxY in {crs.Code} ({(crs.LatitudeFirst ? "latitude first" : "easting or longitude first")}), min ≤ max";

    public static bool TryParse(string text, out Crs crs)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('[') && trimmed.EndsWith(']'))
        {
            // Safe CURIE form, e.g. [EPSG:3857].
            trimmed = trimmed[1..^1];
        }

        return CrsRegistry.TryResolve(trimmed, out crs) && CrsRegistry.Served.Contains(crs);
    }

    /// <summary>
    /// A bbox in <paramref name="crs"/>: four numbers in the CRS's axis order (lat, lon for EPSG:4326 and EPSG:4490),
    /// turned into a WGS84 envelope through its corners and edge midpoints.
    /// </summary>
    public static bool TryParseBbox(string text, Crs crs, out IReadOnlyList<Envelope> parts)
    {
        parts = [];
        var fields = text.Split(',');
        if (fields.Length != 4)
        {
            return false;
        }

        var n = new double[4];
        for (var i = 0; i < 4; i++)
        {
            if (!NumberParameter.TryParseFinite(fields[i], out n[i]))
            {
                return false;
            }
        }

        var (minX, minY, maxX, maxY) = crs.LatitudeFirst ? (n[1], n[0], n[3], n[2]) : (n[0], n[1], n[2], n[3]);
        if (minX > maxX || minY > maxY)
        {
            return false;
        }

        var envelope = new Envelope();
        foreach (var x in new[] { minX, (minX + maxX) / 2, maxX })
        {
            foreach (var y in new[] { minY, (minY + maxY) / 2, maxY })
            {
                var wgs84 = crs.ToWgs84(new Coordinate(x, y));
                if (!double.IsFinite(wgs84.X) || !double.IsFinite(wgs84.Y))
                {
                    return false;
                }

                envelope.ExpandToInclude(wgs84);
            }
        }

        var clipped = envelope.Intersection(new Envelope(-180, 180, -90, 90));
        if (clipped.IsNull)
        {
            return false;
        }

        parts = [clipped];
        return true;
    }
}
