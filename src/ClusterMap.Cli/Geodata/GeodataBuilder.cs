using System.Text.Json;
using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Geodata;

/// <summary>
/// Builds ClusterMap's shipped geodata (<c>geodata/</c>) from the cited source files (<c>shared/geodata-sources</c>)
/// and the curated judgement files in <c>geodata/src/</c>. Rerunning it gives byte-identical output.
/// </summary>
public static class GeodataBuilder
{
    public const string ManifestFile = "collections.json";
    public const string ParksCatalogueFile = "parks-catalogue.json";
    public const string MoeCrossCheckFile = "universities-moe-crosscheck.json";
    public const string LandFile = "land.geojson";
    public const string WaterFile = "water.geojson";
    public const string DistrictAgreementFile = "district-agreement.json";

    /// <summary>Point layers keep 7 decimals (≈ 1 cm), far finer than any uncertainty they carry.</summary>
    private const int PointDecimals = 7;

    public static GeodataBuildReport Build(string sourcesDirectory, string outputDirectory, TextWriter log) =>
        Build(sourcesDirectory, outputDirectory, log, new GeodataBuildOptions());

    public static GeodataBuildReport Build(string sourcesDirectory, string outputDirectory, TextWriter log, GeodataBuildOptions options)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        if (!Directory.Exists(sourcesDirectory))
        {
            throw new DirectoryNotFoundException($"Sources folder not found: {sourcesDirectory}");
        }

        Directory.CreateDirectory(outputDirectory);
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var warnings = new List<string>();
        var written = new List<string>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);

        var stations = MetroStations.Load(sourcesDirectory);
        var stationFeatures = MetroStations.ToFeatures(stations, factory);
        var universities = Universities.Build(sourcesDirectory, factory, warnings);
        var districts = Districts.Load(sourcesDirectory, factory);
        var anchors = new AnchorResolver(
            stations.ToDictionary(s => s.NameEn, StringComparer.Ordinal),
            universities.CampusesByKey,
            new Dictionary<string, ResolvedAnchor>(StringComparer.Ordinal),
            districts);
        var institutes = Institutes.Build(sourcesDirectory, anchors, factory);
        var parks = Parks.Build(sourcesDirectory, anchors, factory);

        // Every park, campus and institute gets its district from the polygons; the source's own text is kept beside it.
        var parkFeatures = Parks.FlagSharedPoints(parks.Features, [.. universities.Features, .. institutes])
            .Select(f => Districts.WithDistrict(f, districts, Text(f, "district"), "district"))
            .ToList();
        var universityFeatures = universities.Features
            .Select(f => Districts.WithDistrict(f, districts, DistrictInCampusName(Text(f, "campus_zh"), districts), "campus_en"))
            .ToList();
        var instituteFeatures = institutes
            .Select(f => Districts.WithDistrict(f, districts, Text(f, "district"), "district"))
            .ToList();
        var links = Links.Build(sourcesDirectory, parkFeatures, new Dictionary<string, IReadOnlyList<GeoFeature>>(StringComparer.Ordinal)
        {
            [Universities.CollectionId] = universityFeatures,
            [Institutes.CollectionId] = instituteFeatures,
        });

        var layers = new (string Id, string File, IReadOnlyList<GeoFeature> Features, int Decimals)[]
        {
            (Parks.CollectionId, "parks.geojson", parkFeatures, PointDecimals),
            (Universities.CollectionId, "universities.geojson", universityFeatures, PointDecimals),
            (Institutes.CollectionId, "institutes.geojson", instituteFeatures, PointDecimals),
            (Links.CollectionId, Links.File, links, PointDecimals),
            (MetroStations.CollectionId, "metro-stations.geojson", stationFeatures, PointDecimals),
            (Districts.CollectionId, Districts.File, Districts.ToFeatures(districts), Districts.Decimals),
        };
        Validate(layers.SelectMany(l => l.Features));
        var agreement = DistrictAgreement.Check([
            (Parks.CollectionId, parkFeatures),
            (Universities.CollectionId, universityFeatures),
            (Institutes.CollectionId, instituteFeatures),
        ]);
        foreach (var d in agreement.Where(a => !a.Agrees))
        {
            var message = $"district: {d.Collection}/{d.Id} ({d.NameZh}): the source says {d.Stated}, the polygons say {d.Computed ?? "no district"}";
            warnings.Add(message);
        }

        foreach (var (id, file, features, decimals) in layers)
        {
            GeoJsonFile.Write(Path.Combine(outputDirectory, file), features, decimals);
            written.Add(file);
            counts[id] = features.Count;
            log.WriteLine($"geodata: {file}: {features.Count} features");
        }

        var basemapRebuilt = false;
        var package = Basemap.FindPackage(options.BasemapSource);
        if (package is not null)
        {
            var basemap = Basemap.Build(package, factory);
            GeoJsonFile.Write(Path.Combine(outputDirectory, LandFile), [basemap.Land], Basemap.Decimals);
            GeoJsonFile.Write(Path.Combine(outputDirectory, WaterFile), [basemap.Water], Basemap.Decimals);
            written.Add(LandFile);
            written.Add(WaterFile);
            basemapRebuilt = true;
            log.WriteLine($"geodata: {LandFile}, {WaterFile}: rebuilt from {Basemap.PackageName} {basemap.PackageVersion}");
        }
        else
        {
            var present = File.Exists(Path.Combine(outputDirectory, LandFile)) && File.Exists(Path.Combine(outputDirectory, WaterFile));
            var message = present
                ? $"basemap source not given or not found ({options.BasemapSource ?? "no --basemap-source"}): kept the existing {LandFile} and {WaterFile}"
                : $"basemap source not given or not found ({options.BasemapSource ?? "no --basemap-source"}) and no {LandFile}/{WaterFile} in {outputDirectory}: basemap layers absent";
            warnings.Add(message);
            log.WriteLine("geodata: " + message);
        }

        counts["land"] = 1;
        counts["water"] = 1;

        GeoJsonFile.WriteText(Path.Combine(outputDirectory, ParksCatalogueFile), parks.CatalogueJson);
        GeoJsonFile.WriteText(Path.Combine(outputDirectory, MoeCrossCheckFile), MoeCrossCheckJson(universities));
        GeoJsonFile.WriteText(Path.Combine(outputDirectory, DistrictAgreementFile), DistrictAgreement.Json(agreement));
        GeoJsonFile.WriteText(Path.Combine(outputDirectory, ManifestFile), ManifestJson(counts, parks));
        written.AddRange([ParksCatalogueFile, MoeCrossCheckFile, DistrictAgreementFile, ManifestFile]);
        log.WriteLine($"geodata: {DistrictAgreementFile}: {agreement.Count} features state a district, {agreement.Count(a => !a.Agrees)} disagree with the polygons");

        foreach (var missing in universities.MoeCheck.WithoutCoordinates)
        {
            warnings.Add($"universities: MOE-listed Shanghai institution without coordinates: {missing.Name}");
        }

        foreach (var warning in warnings)
        {
            log.WriteLine("warning: " + warning);
        }

        return new GeodataBuildReport(counts, written, warnings, basemapRebuilt)
        {
            DistrictDisagreements = [.. agreement.Where(a => !a.Agrees)],
        };
    }

    private static string? Text(GeoFeature feature, string key) =>
        feature.Properties.FirstOrDefault(p => p.Key == key).Value as string;

    /// <summary>A campus named after a district ("闵行校区", "浦东校区") states that district in its own name.</summary>
    internal static string? DistrictInCampusName(string? campus, IReadOnlyList<District> districts) =>
        campus is null ? null : districts.FirstOrDefault(d => campus == ShortName(d.NameZh) + "校区")?.NameZh;

    private static string ShortName(string fullName) =>
        fullName.EndsWith("新区", StringComparison.Ordinal) ? fullName[..^2] : fullName[..^1];

    private static void Validate(IEnumerable<GeoFeature> features)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in features)
        {
            if (!ids.Add(f.Id))
            {
                throw new InvalidDataException($"Duplicate feature id '{f.Id}'.");
            }

            var c = f.Geometry.Coordinate;
            if (!ShanghaiRegion.Contains(c.X, c.Y))
            {
                throw new InvalidDataException($"Feature '{f.Id}' at {c.X}, {c.Y} is outside the Shanghai region.");
            }
        }
    }

    private static string MoeCrossCheckJson(UniversitiesResult u) => GeoJsonFile.SerializeIndented(w =>
    {
        w.WriteStartObject();
        w.WriteString("moe_list", "全国普通高等学校名单 (截至2025年6月20日), univ_moe.xls");
        w.WriteString("moe_source_url", Universities.MoeSourceUrl);
        w.WriteString("coordinates_source_url", Universities.SourceUrl);
        w.WriteNumber("moe_shanghai_total", u.MoeCheck.MoeShanghaiTotal);
        w.WriteNumber("moe_with_coordinates", u.MoeCheck.WithCoordinates.Count);
        w.WriteNumber("moe_without_coordinates_count", u.MoeCheck.WithoutCoordinates.Count);
        w.WriteNumber("source_institutions", u.SourceInstitutions);
        w.WriteNumber("source_points_of_shanghai_institutions", u.SourcePointsOfShanghaiInstitutions);
        w.WriteNumber("shipped_points", u.Features.Count);
        w.WriteStartArray("excluded_points");
        foreach (var e in u.ExcludedPoints)
        {
            w.WriteStringValue(e);
        }

        w.WriteEndArray();
        w.WriteStartArray("moe_without_coordinates");
        foreach (var m in u.MoeCheck.WithoutCoordinates)
        {
            w.WriteStartObject();
            w.WriteString("name_zh", m.Name);
            w.WriteString("moe_code", m.Code);
            w.WriteString("authority", m.Authority);
            w.WriteString("level", m.Level);
            w.WriteString("remark", m.Remark);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("aliases_used");
        foreach (var (moeName, sourceName, evidence) in u.MoeCheck.AliasesUsed)
        {
            w.WriteStartObject();
            w.WriteString("moe_name", moeName);
            w.WriteString("source_name", sourceName);
            w.WriteString("evidence", evidence);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("source_institutions_not_on_moe_list");
        foreach (var n in u.MoeCheck.SourceInstitutionsNotOnMoeList)
        {
            w.WriteStringValue(n);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static string ManifestJson(Dictionary<string, int> counts, ParksResult parks) => GeoJsonFile.SerializeIndented(w =>
    {
        using var catalogue = JsonDocument.Parse(parks.CatalogueJson);
        var c = catalogue.RootElement;
        w.WriteStartObject();
        w.WriteStartArray("collections");
        Collection(w, "parks", "Featured industrial parks (特色产业园区)",
            "Shanghai's featured industrial parks that a public source names. No source publishes coordinates: every point is an estimate from boundary roads, town, address or name, with location_method and location_uncertainty_m.",
            "parks.geojson", "Facts from the Shanghai Municipal Commission of Economy and Informatization's 2022 catalogue and the press (source_urls per park); anchor points from the metro and universities layers.",
            "facts (no licence claimed); anchor coordinates CC-BY-4.0 AND MIT (metro) or MPL-2.0 (univ_supp.json), see each feature's license",
            "park", counts["parks"], () =>
            {
                w.WriteStartObject("catalogue");
                w.WriteNumber("gazetted_total", c.GetProperty("gazetted_total").GetInt32());
                w.WriteNumber("present", c.GetProperty("present").GetInt32());
                w.WriteNumber("not_identified", c.GetProperty("not_identified").GetInt32());
                w.WriteNumber("not_identified_sector_known", c.GetProperty("not_identified_sector_known").GetInt32());
                w.WriteString("file", ParksCatalogueFile);
                w.WriteEndObject();
            });
        Collection(w, "universities", "Universities and colleges (campuses)",
            "One point per campus of Shanghai's higher-education institutions in univ_supp.json; unnamed (generic) points are flagged in location_flag.",
            "universities.geojson", Universities.Attribution, Universities.License, "university", counts["universities"], () =>
            {
                w.WriteString("moe_crosscheck", MoeCrossCheckFile);
            });
        Collection(w, "institutes", "Research institutes and national laboratories",
            "CAS institutes, national laboratories and large facilities, placed from their cited addresses; every point is an estimate with location_method and location_uncertainty_m.",
            "institutes.geojson", "Addresses from the cited sources (source_urls per feature); anchor points from the metro and universities layers.",
            "facts (no licence claimed); anchor coordinates CC-BY-4.0 AND MIT (metro) or MPL-2.0 (univ_supp.json), see each feature's license",
            "institute", counts["institutes"], null);
        Collection(w, Links.CollectionId, "Park–institution links",
            "Sourced links between a featured park and a university or research institute (signed projects, institutes housed in the park, parks planned round a national centre): park_id, institution_ids where ClusterMap has the institution, relation, date, source_url and the quoted words. Drawn at the park's point; a link has no place of its own.",
            Links.File, "Facts from the cited sources (source_url per link).", "facts (no licence claimed)", "link", counts[Links.CollectionId], null);
        Collection(w, "metro-stations", "Metro stations (2017 network)",
            "Shanghai Metro stations of the 2017 network (Lines 1-13 and 16) with their lines; later lines are missing.",
            "metro-stations.geojson", MetroStations.Attribution, MetroStations.License, "context", counts["metro-stations"], null);
        Collection(w, Districts.CollectionId, "Districts (区)",
            "Shanghai's 16 districts with their full official names (zh/en). Generalised OpenStreetMap administrative lines of 2017 via geoBoundaries: good for context, labels, district membership and summaries, not for cadastral work. The district of every park, campus and institute is computed from these polygons.",
            Districts.File, Districts.Attribution, Districts.License, "district", counts[Districts.CollectionId], () =>
            {
                w.WriteString("district_agreement", DistrictAgreementFile);
            });
        Collection(w, "land", "Land", "Land polygons for the basemap, clipped to the Shanghai region.",
            LandFile, Basemap.Attribution, Basemap.License, "land", counts["land"], null);
        Collection(w, "water", "Water", "Water for the basemap: the Shanghai region box less the land (sea, estuary, and the larger inland water the source cuts out of the land).",
            WaterFile, Basemap.Attribution, Basemap.License, "water", counts["water"], null);
        w.WriteEndArray();
        w.WriteStartObject("region_bbox_4326");
        w.WriteNumber("min_lon", ShanghaiRegion.MinLon);
        w.WriteNumber("min_lat", ShanghaiRegion.MinLat);
        w.WriteNumber("max_lon", ShanghaiRegion.MaxLon);
        w.WriteNumber("max_lat", ShanghaiRegion.MaxLat);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static void Collection(
        Utf8JsonWriter w, string id, string title, string description, string file, string attribution, string license,
        string role, int count, Action? extra)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("title", title);
        w.WriteString("description", description);
        w.WriteString("file", file);
        w.WriteString("attribution", attribution);
        w.WriteString("license", license);
        w.WriteString("role", role);
        w.WriteNumber("feature_count", count);
        extra?.Invoke();
        w.WriteEndObject();
    }
}
