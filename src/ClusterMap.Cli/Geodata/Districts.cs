using System.Globalization;
using System.Text.Json;
using ClusterMap.Core.Geodesy;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;

namespace ClusterMap.Cli.Geodata;

/// <summary>One of Shanghai's 16 districts as shipped: id, full names and its (generalised) boundary.</summary>
internal sealed record District(string Id, string NameZh, string NameEn, string NameEnBasis, Geometry Boundary)
{
    private IPreparedGeometry? _prepared;

    public bool Covers(Coordinate point) =>
        (_prepared ??= PreparedGeometryFactory.Prepare(Boundary)).Covers(Boundary.Factory.CreatePoint(point));

    /// <summary>
    /// The point a district-level estimate is placed at: NTS's interior point of the boundary, which lies inside
    /// it (a centroid need not: Pudong's islands and Baoshan's shape pull theirs towards an edge).
    /// </summary>
    public Coordinate InteriorPoint => Boundary.InteriorPoint.Coordinate;
}

/// <summary>Where a point lies: its district, and every district its uncertainty circle reaches.</summary>
internal sealed record DistrictPlacement(District? District, IReadOnlyList<District> WithinRadius);

/// <summary>
/// Shanghai's districts from <c>districts/shanghai_districts_geoboundaries.geojson</c> (geoBoundaries gbOpen CHN ADM3,
/// OSM-derived, ODbL), named in full from <c>geodata/src/district_names.csv</c>, and the spatial join that gives every
/// park, campus and institute its district.
/// </summary>
internal static class Districts
{
    public const string CollectionId = "districts";
    public const string File = "districts.geojson";
    public const string SourceUrl = "https://www.geoboundaries.org/";
    public const string SourceRepositoryUrl = "https://github.com/gantai/Electronic_industry_CN_Map/blob/f98a7c48f3669377802f21751c6f12e4e7b2823e/src/city.geo.json";
    public const string License = "ODbL-1.0";
    public const string Attribution = "© OpenStreetMap contributors (ODbL 1.0), via geoBoundaries (Runfola et al. 2020, gbOpen CHN ADM3, simplified)";

    /// <summary>The source rounds to 4 decimals; the output keeps exactly those coordinates.</summary>
    public const int Decimals = 4;

    /// <summary>
    /// How far a generalised boundary line may lie from the legal one: the source is simplified (median vertex spacing
    /// about 430 m, 90th percentile 1.4 km), so a few hundred metres, not the 11 m of its rounding.
    /// </summary>
    public const double BoundaryUncertaintyMeters = 500;

    public static IReadOnlyList<District> Load(string sourcesDirectory, GeometryFactory factory)
    {
        var path = Path.Combine(sourcesDirectory, "districts", "shanghai_districts_geoboundaries.geojson");
        var names = Curated.Read("district_names.csv").ToDictionary(r => r["source_name"], StringComparer.Ordinal);
        using var document = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
        var districts = new List<District>();
        foreach (var feature in document.RootElement.GetProperty("features").EnumerateArray())
        {
            var properties = feature.GetProperty("properties");
            var sourceName = properties.GetProperty("name").GetString()!;
            var row = names.GetValueOrDefault(sourceName)
                ?? throw new InvalidDataException($"district_names.csv has no row for the source's district '{sourceName}'.");
            if (row["name_zh"] != sourceName + "区")
            {
                throw new InvalidDataException($"district_names.csv: '{row["name_zh"]}' is not the source's '{sourceName}' with 区 (the full official name).");
            }

            if (row["name_en_basis"] == "source" && row["name_en"] != properties.GetProperty("en").GetString())
            {
                throw new InvalidDataException($"district_names.csv: {row["id"]} claims the source's English name, but the source says '{properties.GetProperty("en").GetString()}'.");
            }

            var geometry = ReadGeometry(feature.GetProperty("geometry"), factory);
            if (!geometry.IsValid)
            {
                throw new InvalidDataException($"{path}: the boundary of {sourceName} is not a valid polygon.");
            }

            districts.Add(new District(row["id"], row["name_zh"], row["name_en"],
                row["name_en_basis"] == "source" ? "source (the geoBoundaries file's en)" : row["name_en_basis"], geometry));
        }

        if (districts.Count != names.Count)
        {
            throw new InvalidDataException($"{path} has {districts.Count} districts; district_names.csv names {names.Count}.");
        }

        return [.. districts.OrderBy(d => d.Id, StringComparer.Ordinal)];
    }

    /// <summary>The district that covers <paramref name="point"/>, and every district within <paramref name="radiusMeters"/> of it.</summary>
    public static DistrictPlacement Place(IReadOnlyList<District> districts, Coordinate point, double radiusMeters)
    {
        var covering = districts.Where(d => d.Covers(point)).ToList();
        if (covering.Count > 1)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{point.X}, {point.Y} lies in {string.Join(" and ", covering.Select(d => d.Id))}: the district polygons overlap."));
        }

        var pointGeometry = districts[0].Boundary.Factory.CreatePoint(point);
        var within = districts
            .Where(d => covering.Contains(d) || GeodesicDistance.Between(pointGeometry, d.Boundary) <= radiusMeters)
            .ToList();
        return new DistrictPlacement(covering.SingleOrDefault(), within);
    }

    public static List<GeoFeature> ToFeatures(IReadOnlyList<District> districts) =>
    [
        .. districts.Select(d => new GeoFeature(
            d.Id,
            d.Boundary,
            new PropertyList()
                .Add("name_zh", d.NameZh)
                .Add("name_en", d.NameEn)
                .Add("name_en_basis", d.NameEnBasis)
                .Add("label_lon", Math.Round(d.InteriorPoint.X, 5))
                .Add("label_lat", Math.Round(d.InteriorPoint.Y, 5))
                .Add("location_method",
                    "Boundary from geoBoundaries gbOpen CHN ADM3 (simplified OpenStreetMap administrative lines of 2017), clipped to Shanghai, coordinates as the source gives them (4 decimals). Generalised, not surveyed: good for district membership and labels, not for cadastral work.")
                .Add("location_uncertainty_m", BoundaryUncertaintyMeters)
                .Add("source_url", SourceUrl)
                .Add("source_urls", new[] { SourceUrl, SourceRepositoryUrl })
                .Add("source_crs", "EPSG:4326 (WGS84 lon/lat, 4 decimals)")
                .Add("license", License)
                .Add("attribution", Attribution)
                .ToList())),
    ];

    /// <summary>
    /// <paramref name="feature"/> with its district computed from the polygons: <c>district</c>, <c>district_en</c>,
    /// <c>district_id</c> (null when no polygon covers the point), <c>district_stated</c> (what a source's own text says,
    /// kept for comparison) and <c>district_other_within_uncertainty</c> (districts the uncertainty circle also reaches:
    /// for a wide estimate the computed district is only the point's). The block replaces a <c>district</c> property the
    /// feature had, or follows <paramref name="insertAfter"/>.
    /// </summary>
    public static GeoFeature WithDistrict(GeoFeature feature, IReadOnlyList<District> districts, string? stated, string insertAfter)
    {
        var radius = feature.Properties.First(p => p.Key == "location_uncertainty_m").Value is double r ? r : 0;
        var placement = Place(districts, feature.Geometry.Coordinate, radius);
        var block = new List<KeyValuePair<string, object?>>
        {
            new("district", placement.District?.NameZh),
            new("district_en", placement.District?.NameEn),
            new("district_id", placement.District?.Id),
            new("district_stated", stated),
            new("district_other_within_uncertainty", placement.WithinRadius.Where(d => d != placement.District).Select(d => d.Id).ToList()),
        };
        var properties = new List<KeyValuePair<string, object?>>();
        var replaced = feature.Properties.Any(p => p.Key == "district");
        foreach (var property in feature.Properties)
        {
            if (property.Key == "district")
            {
                properties.AddRange(block);
                continue;
            }

            properties.Add(property);
            if (!replaced && property.Key == insertAfter)
            {
                properties.AddRange(block);
            }
        }

        return properties.Count == feature.Properties.Count + block.Count - (replaced ? 1 : 0)
            ? feature with { Properties = properties }
            : throw new InvalidOperationException($"{feature.Id}: no property '{insertAfter}' to put the district after.");
    }

    private static Geometry ReadGeometry(JsonElement geometry, GeometryFactory factory)
    {
        var coordinates = geometry.GetProperty("coordinates");
        return geometry.GetProperty("type").GetString() switch
        {
            "Polygon" => ReadPolygon(coordinates, factory),
            "MultiPolygon" => factory.CreateMultiPolygon([.. coordinates.EnumerateArray().Select(p => ReadPolygon(p, factory))]),
            var other => throw new InvalidDataException($"District geometry {other} is not a polygon."),
        };
    }

    private static Polygon ReadPolygon(JsonElement rings, GeometryFactory factory)
    {
        var linear = rings.EnumerateArray()
            .Select(r => factory.CreateLinearRing([.. r.EnumerateArray().Select(p => new Coordinate(p[0].GetDouble(), p[1].GetDouble()))]))
            .ToList();
        return factory.CreatePolygon(linear[0], [.. linear.Skip(1)]);
    }
}
