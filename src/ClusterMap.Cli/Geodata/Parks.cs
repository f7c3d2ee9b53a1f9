using System.Globalization;
using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Geodata;

internal sealed record ParkRow(
    string? Seq,
    string? Sector,
    string? NameZh,
    string? NameEn,
    double? AreaKm2,
    string? BoundaryText,
    string? District,
    string? BatchYear,
    IReadOnlyList<string> SourceUrls)
{
    /// <summary>The source marks a name it could only read in part; such a row identifies no park.</summary>
    public bool IsNamed => NameZh is not null && !NameZh.Contains("[名称在来源中被截断]", StringComparison.Ordinal);
}

internal sealed record ParksResult(IReadOnlyList<GeoFeature> Features, string CatalogueJson, int NamedRows, int SectorOnlyRows);

/// <summary>
/// The featured industrial parks named in <c>parks/parks_53.csv</c>, each placed at a curated anchor
/// (<c>geodata/src/park_locations.csv</c>) resolved to source coordinates.
/// </summary>
internal static class Parks
{
    public const string CollectionId = "parks";
    public const string CatalogueUrl = "https://app.sheitc.sh.gov.cn/gg/693682.htm";

    // Facts from parks/parks_53_NOTES.md ("Batch facts used"), each with its source there.
    public const int GazettedTotal = 53;

    private static readonly (int Batch, int Year, string Announced, int Parks)[] _batches =
    [
        (1, 2020, "2020-03-31", 26),
        (2, 2021, "2021-04-07", 14),
        (3, 2022, "2022-06-16", 13),
    ];

    public static IReadOnlyList<ParkRow> LoadRows(string sourcesDirectory)
    {
        var path = Path.Combine(sourcesDirectory, "parks", "parks_53.csv");
        return [.. CsvTable.ReadFile(path).Select(r => new ParkRow(
            r.Optional("seq"),
            r.Optional("sector"),
            r.Optional("name_zh"),
            r.Optional("name_en"),
            r.Optional("area_km2") is { } area ? double.Parse(area, CultureInfo.InvariantCulture) : null,
            r.Optional("boundary_text"),
            r.Optional("district"),
            r.Optional("batch_year"),
            r["source_url"].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))];
    }

    public static ParksResult Build(string sourcesDirectory, AnchorResolver anchors, GeometryFactory factory)
    {
        var rows = LoadRows(sourcesDirectory);
        var sectors = Curated.Read("sectors.csv").ToDictionary(r => r["sector_zh"], r => r["sector_en"], StringComparer.Ordinal);
        var locations = Curated.Read("park_locations.csv");
        var named = rows.Where(r => r.IsNamed).ToList();
        var slots = rows.Where(r => !r.IsNamed).ToList();

        var byName = locations.ToDictionary(l => l["name_zh"], StringComparer.Ordinal);
        foreach (var extra in locations.Where(l => !named.Any(p => p.NameZh == l["name_zh"])))
        {
            throw new InvalidDataException($"park_locations.csv row '{extra["name_zh"]}' matches no named park in parks_53.csv.");
        }

        var features = new List<GeoFeature>();
        foreach (var park in named)
        {
            var location = byName.GetValueOrDefault(park.NameZh!)
                ?? throw new InvalidDataException($"park_locations.csv has no row for '{park.NameZh}'.");
            var id = location["id"];
            var anchor = anchors.Resolve(location["anchor_refs"], $"park_locations.csv {id}");
            var uncertainty = double.Parse(location["uncertainty_m"], CultureInfo.InvariantCulture);
            var fromCatalogue = park.Seq is not null;
            var (batch, year, inferred) = ParseBatch(park.BatchYear);
            var sectorEn = park.Sector is null ? null
                : sectors.GetValueOrDefault(park.Sector) ?? throw new InvalidDataException($"sectors.csv has no row for '{park.Sector}'.");
            var catalogueBoundary = fromCatalogue && park.BoundaryText is { } b && !b.StartsWith('[') ? b : null;
            var otherText = catalogueBoundary is null ? park.BoundaryText : null;

            features.Add(new GeoFeature(
                id,
                factory.CreatePoint(anchor.Point),
                new PropertyList()
                    .Add("name_zh", park.NameZh)
                    .Add("name_en", park.NameEn ?? location["name_en"])
                    .Add("name_en_source", park.NameEn is null ? "translation" : "source")
                    .Add("sector", park.Sector)
                    .Add("sector_en", sectorEn)
                    .Add("district", park.District)
                    .Add("batch", batch)
                    .Add("gazetted_year", year)
                    .Add("batch_inferred", inferred)
                    .Add("catalogue_seq", park.Seq is null ? null : int.Parse(park.Seq, CultureInfo.InvariantCulture))
                    .Add("catalogue_status", fromCatalogue ? "catalogue-row" : "named-in-press")
                    .Add("area_km2", fromCatalogue ? park.AreaKm2 : null)
                    .Add("boundary_text", catalogueBoundary)
                    .Add("source_location_text", otherText)
                    .Add("location_method",
                        $"Estimated, not surveyed. {location["evidence"]} Point: {anchor.Description}; radius {AnchorResolver.FormatMeters(uncertainty)} m.")
                    .Add("location_anchor", anchor.Reference)
                    .Add("location_uncertainty_m", uncertainty)
                    .Add("source_url", park.SourceUrls[0])
                    .Add("source_urls", park.SourceUrls)
                    .Add("source_crs", "none (no source gives coordinates; anchor points are EPSG:4326)")
                    .Add("license", "facts from the cited public notices and press; " + anchor.AnchorLicense)
                    .ToList()));
        }

        var catalogue = CatalogueJson(named, slots, sectors, features);
        return new ParksResult([.. features.OrderBy(f => f.Id, StringComparer.Ordinal)], catalogue, named.Count, slots.Count);
    }

    private static (int? Batch, int? Year, bool Inferred) ParseBatch(string? batchYear)
    {
        if (batchYear is null)
        {
            return (null, null, false);
        }

        var inferred = batchYear.Contains("inferred", StringComparison.Ordinal);
        var year = int.Parse(batchYear.AsSpan(0, 4), CultureInfo.InvariantCulture);
        var batch = Array.Find(_batches, b => b.Year == year);
        return batch.Batch == 0
            ? throw new InvalidDataException($"parks_53.csv: batch year {batchYear} is not a known batch.")
            : (batch.Batch, year, inferred);
    }

    private static string CatalogueJson(
        List<ParkRow> named, List<ParkRow> slots, Dictionary<string, string> sectors, List<GeoFeature> features) =>
        GeoJsonFile.SerializeIndented(w =>
        {
            w.WriteStartObject();
            w.WriteString("catalogue", "上海市特色产业园区公告目录(2022年版)");
            w.WriteString("catalogue_publisher", "上海市经济和信息化委员会");
            w.WriteString("catalogue_date", "2022-10-24");
            w.WriteString("catalogue_url", CatalogueUrl);
            w.WriteNumber("gazetted_total", GazettedTotal);
            w.WriteStartArray("batches");
            foreach (var b in _batches)
            {
                w.WriteStartObject();
                w.WriteNumber("batch", b.Batch);
                w.WriteString("announced", b.Announced);
                w.WriteNumber("parks", b.Parks);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("present", named.Count);
            w.WriteNumber("present_catalogue_rows", named.Count(p => p.Seq is not null));
            w.WriteNumber("present_named_in_press", named.Count(p => p.Seq is null));
            w.WriteNumber("not_identified", GazettedTotal - named.Count);
            w.WriteNumber("not_identified_sector_known", slots.Count);
            w.WriteNumber("not_identified_nothing_known", GazettedTotal - named.Count - slots.Count);
            w.WriteString("note",
                "Only catalogue rows 1-5 were readable; the other named parks come from press reports. "
                + "生命蓝湾 may be the same park as 临港生命科技产业园 (not proven), in which case 19, not 18, parks are entirely unknown. "
                + "No park is invented: a park no source names is not in parks.geojson.");
            w.WriteStartArray("sector_only_slots");
            foreach (var s in slots)
            {
                w.WriteStartObject();
                w.WriteString("sector", s.Sector);
                w.WriteString("sector_en", s.Sector is null ? null : sectors.GetValueOrDefault(s.Sector));
                var (batch, _, _) = ParseBatch(s.BatchYear);
                if (batch is { } value)
                {
                    w.WriteNumber("batch", value);
                }
                else
                {
                    w.WriteNull("batch");
                }

                w.WriteString("name_fragment", s.NameZh);
                w.WriteString("source_url", s.SourceUrls[0]);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("parks");
            foreach (var f in features.OrderBy(f => f.Id, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("id", f.Id);
                foreach (var key in new[] { "name_zh", "catalogue_status" })
                {
                    w.WritePropertyName(key);
                    GeoJsonFile.WriteValue(w, f.Properties.First(p => p.Key == key).Value);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
}
