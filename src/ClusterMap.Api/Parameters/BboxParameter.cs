using System.Globalization;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Parameters;

/// <summary>OGC <c>bbox</c>: lon/lat degrees in CRS84; a west edge east of the east edge crosses the antimeridian.</summary>
internal static class BboxParameter
{
    public const string Name = "bbox";

    public const string AcceptedForm = "four comma-separated numbers minLon,minLat,maxLon,maxLat in CRS84 degrees (e.g. 121.3,31.0,121.8,31.4), longitudes −180…180, latitudes −90…90, minLat ≤ maxLat (six numbers when heights are given)";

    public static bool TryParse(string text, out IReadOnlyList<Envelope> parts)
    {
        parts = [];
        var fields = text.Split(',');
        if (fields.Length is not (4 or 6))
        {
            return false;
        }

        var numbers = new double[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            if (!NumberParameter.TryParseFinite(fields[i], out numbers[i]))
            {
                return false;
            }
        }

        // With heights the order is minLon,minLat,minZ,maxLon,maxLat,maxZ; heights do not filter 2D data.
        var (west, south, east, north) = fields.Length == 4
            ? (numbers[0], numbers[1], numbers[2], numbers[3])
            : (numbers[0], numbers[1], numbers[3], numbers[4]);
        if (west is < -180 or > 180 || east is < -180 or > 180 || south is < -90 or > 90 || north is < -90 or > 90 || south > north)
        {
            return false;
        }

        parts = west <= east
            ? [new Envelope(west, east, south, north)]
            : [new Envelope(west, 180, south, north), new Envelope(-180, east, south, north)];
        return true;
    }
}

/// <summary>Numbers as the API accepts them: invariant culture, finite, no thousands separators.</summary>
internal static class NumberParameter
{
    public static bool TryParseFinite(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    public static bool TryParseInteger(string text, long min, long max, out long value) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
}
