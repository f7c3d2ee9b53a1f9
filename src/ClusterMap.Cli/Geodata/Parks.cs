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
    public bool IsNamed => LeadName is not null
        || (NameZh is not null && !NameZh.Contains("[名称在来源中被截断]", StringComparison.Ordinal));

    /// <summary>For a park added from <c>leads/additional_park_names.csv</c>: the lead's name, which keys its curated rows.</summary>
    public string? LeadName { get; init; }

    /// <summary>How far the lead a park or one of its facts rests on was checked against its cited source.</summary>
    public string? LeadVerification { get; init; }

    /// <summary>The name the curated location rows use: the lead's name for a lead park (whose name_zh may be null).</summary>
    public string LocationKey => LeadName ?? NameZh!;
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

    /// <summary>
    /// The parks a lead adds (<c>geodata/src/park_leads.csv</c>, each checked against its row in
    /// <c>leads/additional_park_names.csv</c>): the name only where a source prints it, the lead's cited source first.
    /// </summary>
    public static IReadOnlyList<ParkRow> LoadLeadRows(string sourcesDirectory)
    {
        var path = Path.Combine(sourcesDirectory, "leads", "additional_park_names.csv");
        var leads = CsvTable.ReadFile(path);
        var parks = new List<ParkRow>();
        foreach (var row in Curated.Read("park_leads.csv"))
        {
            var leadName = row["lead_name"];
            var lead = leads.FirstOrDefault(l => l["name_zh"] == leadName)
                ?? throw new InvalidDataException($"park_leads.csv: '{leadName}' is not a row of {path}.");
            if (!lead["status_vs_parks_53"].StartsWith("NEW", StringComparison.Ordinal) || lead["source_url"] != row["source_url"])
            {
                throw new InvalidDataException($"park_leads.csv: '{leadName}' must be a NEW lead with the lead's source_url ({lead["source_url"]}).");
            }

            var nameZh = row.Optional("name_zh");
            var urls = new List<string> { row["source_url"] };
            if (row.Optional("name_zh_source_url") is { } nameSource && !urls.Contains(nameSource))
            {
                urls.Add(nameSource);
            }

            parks.Add(new ParkRow(null, null, nameZh, row["name_en_source"] == "source" ? lead.Optional("name_en_as_in_source") : null,
                null, null, null, row["batch_year"], urls)
            {
                LeadName = leadName,
                LeadVerification = row["verification"],
            });
        }

        return parks;
    }

    /// <summary>Facts a verified lead adds to a park of <c>parks_53.csv</c>: a stated batch or district, with the source.</summary>
    private static ParkRow WithLeadUpdates(ParkRow park, IReadOnlyList<CsvRow> updates)
    {
        foreach (var update in updates.Where(u => u["name_zh"] == park.NameZh))
        {
            var urls = park.SourceUrls.Contains(update["source_url"]) ? park.SourceUrls : [.. park.SourceUrls, update["source_url"]];
            park = update["field"] switch
            {
                "batch" when park.BatchYear is null || park.BatchYear.StartsWith(update["value"], StringComparison.Ordinal) =>
                    park with { BatchYear = update["value"], SourceUrls = urls },
                "district" when park.District is null => park with { District = update["value"], SourceUrls = urls },
                _ => throw new InvalidDataException($"park_lead_updates.csv: {update["field"]} '{update["value"]}' for {park.NameZh} contradicts parks_53.csv or is unknown."),
            };
            park = park with { LeadVerification = string.Join("; ", new[] { park.LeadVerification, $"{update["field"]}: {update["verification"]}" }.OfType<string>()) };
        }

        return park;
    }

    public static ParksResult Build(string sourcesDirectory, AnchorResolver anchors, GeometryFactory factory)
    {
        var updates = Curated.Read("park_lead_updates.csv");
        var rows = LoadRows(sourcesDirectory).Select(r => WithLeadUpdates(r, updates)).Concat(LoadLeadRows(sourcesDirectory)).ToList();
        var sectors = Curated.Read("sectors.csv").ToDictionary(r => r["sector_zh"], r => r["sector_en"], StringComparer.Ordinal);
        var locations = Curated.Read("park_locations.csv");
        var named = rows.Where(r => r.IsNamed).ToList();
        var slots = rows.Where(r => !r.IsNamed).ToList();
        foreach (var update in updates.Where(u => !named.Any(p => p.NameZh == u["name_zh"])))
        {
            throw new InvalidDataException($"park_lead_updates.csv row '{update["name_zh"]}' matches no named park in parks_53.csv.");
        }

        var byName = locations.ToDictionary(l => l["name_zh"], StringComparer.Ordinal);
        foreach (var extra in locations.Where(l => !named.Any(p => p.LocationKey == l["name_zh"])))
        {
            throw new InvalidDataException($"park_locations.csv row '{extra["name_zh"]}' matches no named park in parks_53.csv or park_leads.csv.");
        }

        var features = new List<GeoFeature>();
        foreach (var park in named)
        {
            var location = byName.GetValueOrDefault(park.LocationKey)
                ?? throw new InvalidDataException($"park_locations.csv has no row for '{park.LocationKey}'.");
            var id = location["id"];
            var anchor = anchors.Resolve(location["anchor_refs"], $"park_locations.csv {id}");
            var uncertainty = location["uncertainty_m"] == "district"
                ? AnchorResolver.DistrictRadiusMeters(anchor.District
                    ?? throw new InvalidDataException($"park_locations.csv {id}: a district radius needs a district: anchor."))
                : double.Parse(location["uncertainty_m"], CultureInfo.InvariantCulture);
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
                    .Add("lead_verification", park.LeadVerification)
                    .Add("license", "facts from the cited public notices and press; " + anchor.AnchorLicense)
                    .ToList()));
        }

        foreach (var b in _batches)
        {
            var present = named.Count(p => ParseBatch(p.BatchYear).Batch == b.Batch);
            if (present > b.Parks)
            {
                throw new InvalidDataException($"{present} named parks are given batch {b.Batch}, which gazetted only {b.Parks}: a lead or a source is wrong.");
            }
        }

        var catalogue = CatalogueJson(named, slots, sectors, features);
        return new ParksResult([.. features.OrderBy(f => f.Id, StringComparer.Ordinal)], catalogue, named.Count, slots.Count);
    }

    /// <summary>
    /// Parks whose estimated point is the same as another feature's (another park's, or a campus or institute point
    /// they were anchored on) say so: <c>location_shared</c>, <c>location_shared_with</c> and a sentence in
    /// <c>location_method</c>, so that a 0 m distance between them is read as the shared anchor it is.
    /// </summary>
    public static List<GeoFeature> FlagSharedPoints(IReadOnlyList<GeoFeature> parks, IEnumerable<GeoFeature> others)
    {
        static string Key(GeoFeature f) => string.Create(CultureInfo.InvariantCulture,
            $"{GeoJsonFile.FormatNumber(f.Geometry.Coordinate.X, 7)},{GeoJsonFile.FormatNumber(f.Geometry.Coordinate.Y, 7)}");
        var all = parks.Concat(others).Where(f => f.Geometry is Point).ToLookup(Key, StringComparer.Ordinal);
        return
        [
            .. parks.Select(park =>
            {
                var sharing = all[Key(park)].Where(f => f.Id != park.Id).Select(f => f.Id).Order(StringComparer.Ordinal).ToList();
                var properties = new List<KeyValuePair<string, object?>>();
                foreach (var (key, value) in park.Properties)
                {
                    properties.Add(key == "location_method" && sharing.Count > 0
                        ? new(key, $"{value} Shares this point with {string.Join(", ", sharing)} (the same anchor): the point does not tell them apart, and a 0 m distance between them means nothing.")
                        : new(key, value));
                    if (key == "location_uncertainty_m")
                    {
                        properties.Add(new("location_shared", sharing.Count > 0));
                        properties.Add(new("location_shared_with", sharing));
                    }
                }

                return park with { Properties = properties };
            }),
        ];
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
            w.WriteNumber("present_from_leads", named.Count(p => p.LeadName is not null));
            w.WriteNumber("not_identified", GazettedTotal - named.Count);
            w.WriteNumber("not_identified_sector_known", slots.Count);
            w.WriteNumber("not_identified_nothing_known", GazettedTotal - named.Count - slots.Count);
            w.WriteString("note",
                "Only catalogue rows 1-5 were readable; the other named parks come from press reports (four of them added from leads, see geodata/README.md). "
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
                foreach (var key in new[] { "name_zh", "name_en", "catalogue_status" })
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
