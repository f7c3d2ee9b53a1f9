using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterMap.Core.Features;
using ClusterMap.Core.Import;
using ClusterMap.Projections;
using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Commands;

/// <summary>
/// The second half of every import: coordinates as read (in the declared CRS) are checked against that CRS's range
/// and area of use, with probable lat/lon swaps named as such, converted to WGS84, and stamped with
/// <c>source_crs</c> and <c>crs_conversion</c> so every stored feature says where its coordinates came from.
/// </summary>
internal static class ImportConversion
{
    private static readonly JsonSerializerOptions _json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static (List<FeatureRecord> Valid, List<ImportProblem> Problems) ConvertAndCheck(
        IReadOnlyList<FeatureRecord> features, Func<FeatureRecord, string> locate, Crs crs, PropertyRules? rules = null, bool textCells = false)
    {
        var valid = new List<FeatureRecord>(features.Count);
        var problems = new List<ImportProblem>();
        foreach (var feature in features)
        {
            var problem = Check(feature.Geometry, crs);
            if (problem is not null)
            {
                problems.Add(new ImportProblem(locate(feature), "geometry", problem));
                continue;
            }

            var properties = JsonNode.Parse(feature.PropertiesJson) as JsonObject ?? [];
            var propertyProblems = (rules ?? PropertyRules.None).Apply(properties, textCells);
            if (propertyProblems.Count > 0)
            {
                problems.AddRange(propertyProblems.Select(p => new ImportProblem(locate(feature), p.Field, p.Reason)));
                continue;
            }

            var wgs84 = GeometryConverter.ToWgs84(feature.Geometry, crs);
            wgs84.SRID = 4326;
            valid.Add(feature with { Geometry = Rfc7946.Orient(wgs84), PropertiesJson = Stamp(properties, crs) });
        }

        return (valid, problems);
    }

    private static string? Check(Geometry geometry, Crs crs)
    {
        var degrees = crs.Kind != CrsKind.Projected;
        foreach (var coordinate in geometry.Coordinates)
        {
            if (!double.IsFinite(coordinate.X) || !double.IsFinite(coordinate.Y))
            {
                return "a position is not a finite number (NaN or infinity)";
            }

            if (degrees && (coordinate.X is < -180 or > 180 || coordinate.Y is < -90 or > 90))
            {
                return Swapped(coordinate, crs)
                    ? Text($"position [{coordinate.X}, {coordinate.Y}] is outside −180…180, −90…90; probable lat/lon swap: longitude comes first")
                    : Text($"position [{coordinate.X}, {coordinate.Y}] is outside the range of {crs.Code}: longitude −180…180 first, then latitude −90…90");
            }

            if (!crs.IsInAreaOfUse(crs.ToWgs84(coordinate)))
            {
                return Swapped(coordinate, crs)
                    ? Text($"position [{coordinate.X}, {coordinate.Y}] is outside the area of {crs.Code}; probable lat/lon swap: [{coordinate.Y}, {coordinate.X}] lies inside it")
                    : Text($"position [{coordinate.X}, {coordinate.Y}] is outside the area where {crs.Code} is defined ({Area(crs)})");
            }
        }

        return null;
    }

    private static bool Swapped(Coordinate coordinate, Crs crs)
    {
        if (crs.Kind == CrsKind.Projected || coordinate.Y is < -180 or > 180 || coordinate.X is < -90 or > 90)
        {
            return false;
        }

        var swapped = new Coordinate(coordinate.Y, coordinate.X);
        return crs.IsInAreaOfUse(crs.ToWgs84(swapped));
    }

    private static string Area(Crs crs) => crs.Kind == CrsKind.ChineseOffset
        ? "mainland China; Hong Kong, Macau, Taiwan and abroad are not shifted, so import them as wgs84"
        : Text($"lon {crs.AreaOfUse.MinX}…{crs.AreaOfUse.MaxX}, lat {crs.AreaOfUse.MinY}…{crs.AreaOfUse.MaxY}");

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Stamp(JsonObject properties, Crs crs)
    {
        if (!properties.ContainsKey("source_crs"))
        {
            properties["source_crs"] = crs.Code;
        }

        if (!properties.ContainsKey("crs_conversion"))
        {
            properties["crs_conversion"] = crs.ConversionToWgs84;
        }

        return properties.ToJsonString(_json);
    }
}
