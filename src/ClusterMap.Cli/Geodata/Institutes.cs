using System.Globalization;
using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Geodata;

/// <summary>
/// Research institutes and national-lab sites from <c>institutes/shanghai_research_institutes_addresses.csv</c>
/// (addresses only), placed at curated anchors (<c>geodata/src/institute_locations.csv</c>).
/// </summary>
internal static class Institutes
{
    public const string CollectionId = "institutes";

    public static IReadOnlyList<GeoFeature> Build(string sourcesDirectory, AnchorResolver anchors, GeometryFactory factory)
    {
        var path = Path.Combine(sourcesDirectory, "institutes", "shanghai_research_institutes_addresses.csv");
        var rows = CsvTable.ReadFile(path);
        var locations = Curated.Read("institute_locations.csv");
        foreach (var extra in locations.Where(l => !rows.Any(r => r["name_zh"] == l["name_zh"])))
        {
            throw new InvalidDataException($"institute_locations.csv row '{extra["name_zh"]}' matches no institute in the source.");
        }

        var features = new List<GeoFeature>();

        // In the curated file's order, so that an institute can be anchored on one placed before it.
        foreach (var location in locations)
        {
            var row = rows.First(r => r["name_zh"] == location["name_zh"]);
            if (row.Optional("lon") is not null || row.Optional("lat") is not null)
            {
                throw new InvalidDataException($"{path}: '{row["name_zh"]}' now has coordinates; use them instead of an estimate.");
            }

            var id = location["id"];
            var anchor = anchors.Resolve(location["anchor_refs"], $"institute_locations.csv {id}");
            anchors.AddInstitute(id, anchor);
            var uncertainty = double.Parse(location["uncertainty_m"], CultureInfo.InvariantCulture);
            var urls = row["source_url"].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            features.Add(new GeoFeature(
                id,
                factory.CreatePoint(anchor.Point.Copy()),
                new PropertyList()
                    .Add("name_zh", row["name_zh"])
                    .Add("name_en", row["name_en"])
                    .Add("type", row["type"])
                    .Add("address_text", row["address_text"])
                    .Add("district", row.Optional("district"))
                    .Add("source_note", row.Optional("note"))
                    .Add("location_method",
                        $"Estimated, not surveyed. {location["evidence"]} Point: {anchor.Description}; radius {AnchorResolver.FormatMeters(uncertainty)} m.")
                    .Add("location_anchor", anchor.Reference)
                    .Add("location_uncertainty_m", uncertainty)
                    .Add("source_url", urls[0])
                    .Add("source_urls", urls)
                    .Add("source_crs", "none (the source gives addresses only; anchor points are EPSG:4326)")
                    .Add("license", "facts from the cited sources; " + anchor.AnchorLicense)
                    .ToList()));
        }

        foreach (var missing in rows.Where(r => !locations.Any(l => l["name_zh"] == r["name_zh"])))
        {
            throw new InvalidDataException($"institute_locations.csv has no row for '{missing["name_zh"]}'.");
        }

        return [.. features.OrderBy(f => f.Id, StringComparer.Ordinal)];
    }
}
