using System.Globalization;
using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Geodata;

/// <summary>A resolved anchor: the point a curated estimate is placed at, and how to describe it.</summary>
internal sealed record ResolvedAnchor(Coordinate Point, string Description, string Reference, string AnchorLicense)
{
    /// <summary>The district a district-level anchor stands for (null for other anchors).</summary>
    public District? District { get; init; }
}

/// <summary>
/// Turns a curated anchor reference into coordinates taken from the sources, so that no coordinate is ever typed
/// by hand. A reference is one or more of <c>metro:STATION NAME</c>, <c>campus:INSTITUTION|CAMPUS</c> (campus empty
/// for an institution's unnamed point) and <c>institute:ID</c>, separated by ';'; several give their midpoint. A
/// district-level estimate is <c>district:ID</c> alone: the interior point of that district's polygon.
/// </summary>
internal sealed class AnchorResolver(
    IReadOnlyDictionary<string, MetroStation> stationsByName,
    IReadOnlyDictionary<string, Coordinate> campusesByKey,
    Dictionary<string, ResolvedAnchor> institutesById,
    IReadOnlyList<District> districts)
{
    private const string MetroLicense = "anchor CC-BY-4.0 AND MIT (metro stations)";
    private const string CampusLicense = "anchor MPL-2.0 (univ_supp.json)";
    private const string DistrictLicense = "anchor ODbL-1.0 (district polygon, © OpenStreetMap contributors via geoBoundaries)";

    public void AddInstitute(string id, ResolvedAnchor anchor) => institutesById.Add(id, anchor);

    public ResolvedAnchor Resolve(string references, string context)
    {
        var parts = references.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw new InvalidDataException($"{context}: empty anchor reference.");
        }

        if (parts.Length == 1 && parts[0].StartsWith("district:", StringComparison.Ordinal))
        {
            var id = parts[0]["district:".Length..].Trim();
            var district = districts.FirstOrDefault(d => d.Id == id)
                ?? throw new InvalidDataException($"{context}: no district '{id}' in districts/.");
            return new ResolvedAnchor(district.InteriorPoint.Copy(), $"the interior point of the {district.NameEn} polygon (a district-level placement)",
                parts[0], DistrictLicense)
            { District = district };
        }

        var points = new List<Coordinate>();
        var names = new List<string>();
        var licenses = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            var kind = colon > 0 ? part[..colon] : "";
            var key = colon > 0 ? part[(colon + 1)..].Trim() : part;
            switch (kind)
            {
                case "metro":
                    var station = stationsByName.GetValueOrDefault(key)
                        ?? throw new InvalidDataException($"{context}: no metro station named '{key}' in metro/DERIVED_stations_wgs84.csv.");
                    points.Add(new Coordinate(station.Lon, station.Lat));
                    names.Add($"metro station {station.NameEn}");
                    licenses.Add(MetroLicense);
                    break;
                case "campus":
                    var campus = campusesByKey.GetValueOrDefault(key)
                        ?? throw new InvalidDataException($"{context}: no campus '{key}' among the Shanghai points of univ_supp.json.");
                    points.Add(campus.Copy());
                    var (institution, campusName) = SplitCampusKey(key);
                    names.Add(campusName.Length == 0
                        ? $"the univ_supp.json point of {institution}"
                        : $"the univ_supp.json point of {institution} {campusName}");
                    licenses.Add(CampusLicense);
                    break;
                case "institute":
                    var institute = institutesById.GetValueOrDefault(key)
                        ?? throw new InvalidDataException($"{context}: institute '{key}' is not (yet) placed; list it earlier.");
                    points.Add(institute.Point.Copy());
                    names.Add($"the estimated point of {key} ({institute.Description})");
                    licenses.Add(institute.AnchorLicense);
                    break;
                default:
                    throw new InvalidDataException($"{context}: anchor '{part}' must start with metro:, campus: or institute: (or be a single district:).");
            }
        }

        var point = new Coordinate(points.Average(p => p.X), points.Average(p => p.Y));
        var description = names.Count == 1
            ? names[0]
            : "the midpoint of " + string.Join(" and ", names);
        return new ResolvedAnchor(point, description, string.Join("; ", parts), string.Join("; ", licenses));
    }

    public static (string Institution, string Campus) SplitCampusKey(string key)
    {
        var bar = key.IndexOf('|', StringComparison.Ordinal);
        return bar < 0 ? (key, "") : (key[..bar], key[(bar + 1)..]);
    }

    /// <summary>
    /// The radius of a district-level placement: the farthest boundary vertex of the district from its interior point,
    /// rounded up to the next kilometre, so that the circle covers the whole district.
    /// </summary>
    public static double DistrictRadiusMeters(District district)
    {
        var from = district.InteriorPoint;
        var farthest = district.Boundary.Coordinates.Max(c => Core.Geodesy.Geodesic.DistanceMeters(from, c));
        return Math.Ceiling(farthest / 1000) * 1000;
    }

    public static string FormatMeters(double meters) =>
        meters.ToString("#,0", CultureInfo.InvariantCulture);
}
