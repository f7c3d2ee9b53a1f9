namespace ClusterMap.Cli.Geodata;

/// <summary>
/// Sourced links between a park and a university or research institute, from <c>leads/park_institution_links.csv</c>,
/// each given ids in <c>geodata/src/links.csv</c> (the park, and the institution's features where ClusterMap has them).
/// A link has no place of its own: it is drawn at its park's estimated point and carries that point's uncertainty.
/// </summary>
internal static class Links
{
    public const string CollectionId = "links";
    public const string File = "links.geojson";

    public static List<GeoFeature> Build(string sourcesDirectory, IReadOnlyList<GeoFeature> parks, IReadOnlyDictionary<string, IReadOnlyList<GeoFeature>> institutions)
    {
        var path = Path.Combine(sourcesDirectory, "leads", "park_institution_links.csv");
        var leads = CsvTable.ReadFile(path);
        var curated = Curated.Read("links.csv");
        var features = new List<GeoFeature>();
        foreach (var lead in leads)
        {
            var row = curated.SingleOrDefault(c => c["university_zh"] == lead["university_zh"] && c["park_zh"] == lead["park_zh"])
                ?? throw new InvalidDataException($"links.csv has no row for the link {lead["university_zh"]} – {lead["park_zh"]} of {path}.");
            var park = parks.SingleOrDefault(p => p.Id == row["park_id"])
                ?? throw new InvalidDataException($"links.csv {row["id"]}: no park '{row["park_id"]}'.");
            if (Text(park, "name_zh") != lead["park_zh"])
            {
                throw new InvalidDataException($"links.csv {row["id"]}: {row["park_id"]} is {Text(park, "name_zh")}, not the lead's {lead["park_zh"]}.");
            }

            var collection = row.Optional("institution_collection");
            var ids = row.Optional("institution_ids")?.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
            foreach (var id in ids)
            {
                if (collection is null || !institutions.TryGetValue(collection, out var layer) || layer.All(f => f.Id != id))
                {
                    throw new InvalidDataException($"links.csv {row["id"]}: no feature '{id}' in '{collection}'.");
                }
            }

            var uncertainty = park.Properties.First(p => p.Key == "location_uncertainty_m").Value;
            features.Add(new GeoFeature(
                row["id"],
                park.Geometry.Factory.CreatePoint(park.Geometry.Coordinate.Copy()),
                new PropertyList()
                    .Add("name_zh", $"{lead["park_zh"]} – {row["institution_name_zh"]}")
                    .Add("name_en", null)
                    .Add("park_id", park.Id)
                    .Add("park_name_zh", lead["park_zh"])
                    .Add("institution_name_zh", row["institution_name_zh"])
                    .Add("institution_lead_text", lead["university_zh"])
                    .Add("institution_collection", ids.Length == 0 ? null : collection)
                    .Add("institution_ids", ids)
                    .Add("relation", lead["relation"])
                    .Add("date", lead["date"])
                    .Add("quote", lead["quote"])
                    .Add("verification", row["verification"])
                    .Add("location_method", $"No place of its own: drawn at the estimated point of its park, {park.Id}.")
                    .Add("location_uncertainty_m", uncertainty)
                    .Add("source_url", lead["source_url"])
                    .Add("source_crs", "none (the source gives no coordinates; the point is the park's)")
                    .Add("license", "facts from the cited source")
                    .ToList()));
        }

        foreach (var extra in curated.Where(c => !leads.Any(l => l["university_zh"] == c["university_zh"] && l["park_zh"] == c["park_zh"])))
        {
            throw new InvalidDataException($"links.csv {extra["id"]} matches no link in {path}.");
        }

        return [.. features.OrderBy(f => f.Id, StringComparer.Ordinal)];
    }

    private static string? Text(GeoFeature feature, string key) => feature.Properties.First(p => p.Key == key).Value as string;
}
