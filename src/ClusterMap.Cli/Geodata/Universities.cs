using System.Globalization;
using System.Text.Json;
using ClusterMap.Core.Geodesy;
using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Geodata;

internal sealed record CampusPoint(
    string InstitutionZh,
    string? CampusZh,
    int IndexInInstitution,
    double Lon,
    double Lat,
    string SchoolType,
    bool Is985,
    bool Is211,
    bool IsDoubleFirstClass,
    string? Affiliation,
    string? MajorCategory,
    string? NatureOfRunning);

internal sealed record MoeInstitution(string Name, string Code, string Authority, string Level, string Remark);

internal sealed record UniversitiesResult(
    IReadOnlyList<GeoFeature> Features,
    IReadOnlyDictionary<string, Coordinate> CampusesByKey,
    int SourcePointsOfShanghaiInstitutions,
    int SourceInstitutions,
    IReadOnlyList<string> ExcludedPoints,
    MoeCrossCheck MoeCheck);

internal sealed record MoeCrossCheck(
    int MoeShanghaiTotal,
    IReadOnlyList<MoeInstitution> WithCoordinates,
    IReadOnlyList<MoeInstitution> WithoutCoordinates,
    IReadOnlyList<(string MoeName, string SourceName, string Evidence)> AliasesUsed,
    IReadOnlyList<string> SourceInstitutionsNotOnMoeList);

/// <summary>Shanghai campuses from <c>universities/univ_supp.json</c>, cross-checked with the MOE list (univ_moe.xls).</summary>
internal static class Universities
{
    public const string CollectionId = "universities";
    public const string SourceUrl =
        "https://github.com/Naptie/cn-university-geocoder/blob/af652201bc3565298696e47fd92831b0580351fe/univ_supp.json";
    public const string MoeSourceUrl =
        "https://github.com/Naptie/cn-university-geocoder/blob/34e17635e0009ca8b6044d3c0de16039116ef734/univ_moe.xls";
    public const string License = "MPL-2.0";
    public const string Attribution =
        "Campus points from univ_supp.json in Naptie/cn-university-geocoder (Mozilla Public License 2.0); "
        + "this file is a modified form of that file and stays under MPL-2.0.";

    // A campus POI marks one spot (a gate, a main building) of a campus that is often 1–3 km across.
    private const double NamedCampusUncertaintyMeters = 500;

    // An unnamed point is the institution's generic POI: it may stand for any of its sites.
    private const double GenericPointUncertaintyMeters = 1000;

    // Beyond this an unnamed point is not the same site as any named campus of its institution.
    private const double SeparateSiteMeters = 1000;

    public static UniversitiesResult Build(string sourcesDirectory, GeometryFactory factory, List<string> warnings)
    {
        var points = LoadShanghaiPoints(Path.Combine(sourcesDirectory, "universities", "univ_supp.json"));
        var names = Curated.Read("university_names.csv").ToDictionary(r => r["name_zh"], StringComparer.Ordinal);
        var campusNames = Curated.Read("campus_names.csv").ToDictionary(r => r["campus_zh"], StringComparer.Ordinal);
        var notes = Curated.Read("university_point_notes.csv")
            .ToDictionary(r => Key(r["name_zh"], r.Optional("campus_zh")), StringComparer.Ordinal);

        foreach (var key in notes.Keys.Where(k => !points.Any(p => Key(p.InstitutionZh, p.CampusZh) == k)))
        {
            throw new InvalidDataException($"university_point_notes.csv names '{key}', which is not a Shanghai point of univ_supp.json.");
        }

        var excluded = new List<string>();
        var kept = new List<CampusPoint>();
        foreach (var p in points)
        {
            if (notes.TryGetValue(Key(p.InstitutionZh, p.CampusZh), out var note) && note["action"] == "exclude")
            {
                excluded.Add($"{p.InstitutionZh} {p.CampusZh}: {note["note"]}");
            }
            else
            {
                kept.Add(p);
            }
        }

        var features = new List<GeoFeature>();
        var campusesByKey = new Dictionary<string, Coordinate>(StringComparer.Ordinal);
        var duplicateKeys = new HashSet<string>(StringComparer.Ordinal);
        var moe = MoeList.LoadShanghai(Path.Combine(sourcesDirectory, "universities", "univ_moe.xls"));
        var aliases = Curated.Read("university_aliases.csv");
        var moeBySourceName = new Dictionary<string, MoeInstitution>(StringComparer.Ordinal);
        foreach (var m in moe)
        {
            var alias = aliases.FirstOrDefault(a => a["moe_name"] == m.Name);
            moeBySourceName[alias is null ? m.Name : alias["supp_name"]] = m;
        }

        foreach (var group in kept.GroupBy(p => p.InstitutionZh))
        {
            var name = names.GetValueOrDefault(group.Key)
                ?? throw new InvalidDataException($"university_names.csv has no row for '{group.Key}'.");
            var all = group.ToList();
            var named = all.Where(p => p.CampusZh is not null).ToList();
            var unnamed = all.Where(p => p.CampusZh is null).ToList();
            foreach (var p in all)
            {
                var key = Key(p.InstitutionZh, p.CampusZh);
                if (!campusesByKey.TryAdd(key, new Coordinate(p.Lon, p.Lat)))
                {
                    duplicateKeys.Add(key);
                }

                string id;
                string? campusEn;
                string flag;
                string? flagNote = null;
                double uncertainty;
                if (p.CampusZh is not null)
                {
                    var campus = campusNames.GetValueOrDefault(p.CampusZh)
                        ?? throw new InvalidDataException($"campus_names.csv has no row for '{p.CampusZh}'.");
                    id = $"{name["id_prefix"]}-{campus["slug"]}";
                    campusEn = campus["campus_en"];
                    flag = "named-campus";
                    uncertainty = NamedCampusUncertaintyMeters;
                }
                else
                {
                    var ordinal = unnamed.IndexOf(p);
                    id = all.Count == 1 ? name["id_prefix"]
                        : unnamed.Count == 1 ? $"{name["id_prefix"]}-unnamed"
                        : $"{name["id_prefix"]}-unnamed-{ordinal + 1}";
                    campusEn = null;
                    uncertainty = GenericPointUncertaintyMeters;
                    flag = "generic-point";
                    var nearest = named
                        .Select(n => (Campus: n, Meters: Geodesic.DistanceMeters(p.Lon, p.Lat, n.Lon, n.Lat)))
                        .OrderBy(n => n.Meters)
                        .FirstOrDefault();
                    if (nearest.Campus is not null && nearest.Meters > SeparateSiteMeters)
                    {
                        flag = "generic-point-separate-site";
                        flagNote = string.Create(CultureInfo.InvariantCulture,
                            $"Unnamed point {nearest.Meters / 1000:0.0} km from the nearest named campus of the institution ({nearest.Campus.CampusZh}); the source does not say which site it marks.");
                    }
                }

                if (notes.TryGetValue(key, out var note))
                {
                    flag = note["location_flag"];
                    campusEn = note.Optional("campus_en") ?? campusEn;
                    uncertainty = double.Parse(note["uncertainty_m"], CultureInfo.InvariantCulture);
                    flagNote = note["note"];
                }

                if (flag is "generic-point-separate-site" or "suspect")
                {
                    warnings.Add($"universities: {id} flagged {flag}: {flagNote}");
                }

                var moeEntry = moeBySourceName.GetValueOrDefault(p.InstitutionZh);
                features.Add(new GeoFeature(
                    id,
                    factory.CreatePoint(new Coordinate(p.Lon, p.Lat)),
                    new PropertyList()
                        .Add("name_zh", p.InstitutionZh)
                        .Add("name_en", name["name_en"])
                        .Add("name_en_source", "curated")
                        .Add("campus_zh", p.CampusZh)
                        .Add("campus_en", campusEn)
                        .Add("school_type", p.SchoolType)
                        .Add("is_985", p.Is985)
                        .Add("is_211", p.Is211)
                        .Add("double_first_class", p.IsDoubleFirstClass)
                        .Add("affiliation", p.Affiliation)
                        .Add("major_category", p.MajorCategory)
                        .Add("nature_of_running", p.NatureOfRunning)
                        .Add("moe_code", moeEntry?.Code)
                        .Add("location_flag", flag)
                        .Add("location_note", flagNote)
                        .Add("location_method", p.CampusZh is null
                            ? "Source point: univ_supp.json's unnamed point for this institution (its generic POI, which need not be the main campus); WGS84 as published (established by test, universities/PROVENANCE.md)."
                            : "Source point: univ_supp.json's point for this campus; WGS84 as published (established by test: median 3 m from Baidu after conversion, universities/PROVENANCE.md).")
                        .Add("location_uncertainty_m", uncertainty)
                        .Add("source_url", SourceUrl)
                        .Add("source_crs", "EPSG:4326 (undeclared; established by test)")
                        .Add("license", License)
                        .Add("attribution", Attribution)
                        .ToList()));
            }
        }

        foreach (var key in duplicateKeys)
        {
            campusesByKey.Remove(key); // ambiguous: cannot serve as an anchor
        }

        var sourceNames = kept.Select(p => p.InstitutionZh).ToHashSet(StringComparer.Ordinal);
        var moeCheck = new MoeCrossCheck(
            moe.Count,
            [.. moe.Where(m => IsAliasPresent(m, aliases, sourceNames))],
            [.. moe.Where(m => !IsAliasPresent(m, aliases, sourceNames))],
            [.. aliases.Where(a => sourceNames.Contains(a["supp_name"]) && moe.Any(m => m.Name == a["moe_name"]))
                .Select(a => (a["moe_name"], a["supp_name"], a["evidence"]))],
            [.. sourceNames.Where(n => !moeBySourceName.ContainsKey(n)).Order(StringComparer.Ordinal)]);

        return new UniversitiesResult(
            [.. features.OrderBy(f => f.Id, StringComparer.Ordinal)],
            campusesByKey,
            points.Count,
            points.Select(p => p.InstitutionZh).Distinct().Count(),
            excluded,
            moeCheck);
    }

    private static bool IsAliasPresent(MoeInstitution m, IReadOnlyList<CsvRow> aliases, HashSet<string> sourceNames) =>
        sourceNames.Contains(m.Name)
        || aliases.Any(a => a["moe_name"] == m.Name && sourceNames.Contains(a["supp_name"]));

    public static string Key(string institution, string? campus) => institution + "|" + (campus ?? "");

    /// <summary>Every campus point of every institution whose <c>province</c> is 上海, in file order.</summary>
    public static IReadOnlyList<CampusPoint> LoadShanghaiPoints(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var result = new List<CampusPoint>();
        foreach (var institution in document.RootElement.EnumerateArray())
        {
            if (institution.GetProperty("province").GetString() != "上海")
            {
                continue;
            }

            var name = institution.GetProperty("name").GetString()!;
            var index = 0;
            foreach (var campus in institution.GetProperty("campuses").EnumerateArray())
            {
                var campusName = campus.GetProperty("name").ValueKind == JsonValueKind.Null
                    ? null
                    : campus.GetProperty("name").GetString();
                result.Add(new CampusPoint(
                    name,
                    string.IsNullOrWhiteSpace(campusName) ? null : campusName,
                    index++,
                    campus.GetProperty("longitude").GetDouble(),
                    campus.GetProperty("latitude").GetDouble(),
                    institution.GetProperty("schoolType").GetString() ?? "",
                    institution.GetProperty("is985").GetBoolean(),
                    institution.GetProperty("is211").GetBoolean(),
                    institution.GetProperty("isDoubleFirstClass").GetBoolean(),
                    AsText(institution.GetProperty("affiliation")),
                    AsText(institution.GetProperty("majorCategory")),
                    AsText(institution.GetProperty("natureOfRunning"))));
            }
        }

        return result;
    }

    // A few records carry a number where text is expected (affiliation 0 for 复旦大学上海医学院): read as unknown.
    private static string? AsText(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString() : null;
}
