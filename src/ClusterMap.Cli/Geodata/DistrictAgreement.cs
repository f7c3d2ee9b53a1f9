namespace ClusterMap.Cli.Geodata;

/// <summary>One feature whose source states a district, and what the polygons say.</summary>
public sealed record DistrictCheck(
    string Collection, string Id, string? NameZh, string Stated, string? Computed, IReadOnlyList<string> OtherWithinUncertainty)
{
    public bool Agrees => Stated == Computed;
}

/// <summary>
/// The comparison of every district a source states (a park's or institute's own district text, a campus named after
/// its district) with the district computed from the polygons, written to <c>district-agreement.json</c>.
/// </summary>
internal static class DistrictAgreement
{
    public static List<DistrictCheck> Check(IEnumerable<(string Collection, IReadOnlyList<GeoFeature> Features)> layers) =>
    [
        .. layers.SelectMany(l => l.Features
            .Where(f => Value(f, "district_stated") is string)
            .Select(f => new DistrictCheck(
                l.Collection,
                f.Id,
                Value(f, "name_zh") as string,
                (string)Value(f, "district_stated")!,
                Value(f, "district") as string,
                Value(f, "district_other_within_uncertainty") as IReadOnlyList<string> ?? []))),
    ];

    public static string Json(IReadOnlyList<DistrictCheck> checks) => GeoJsonFile.SerializeIndented(w =>
    {
        w.WriteStartObject();
        w.WriteString("what",
            "Every feature whose source states a district (a park's or institute's own district text; a campus named after its district, e.g. 闵行校区), compared with the district computed from districts.geojson. other_within_uncertainty lists further districts the feature's uncertainty circle reaches.");
        w.WriteString("districts_file", Districts.File);
        w.WriteNumber("checked", checks.Count);
        w.WriteNumber("agree", checks.Count(c => c.Agrees));
        w.WriteNumber("disagree", checks.Count(c => !c.Agrees));
        w.WriteStartObject("by_collection");
        foreach (var group in checks.GroupBy(c => c.Collection))
        {
            w.WriteStartObject(group.Key);
            w.WriteNumber("checked", group.Count());
            w.WriteNumber("agree", group.Count(c => c.Agrees));
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartArray("features");
        foreach (var c in checks.OrderBy(c => c.Agrees).ThenBy(c => c.Collection, StringComparer.Ordinal).ThenBy(c => c.Id, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("collection", c.Collection);
            w.WriteString("id", c.Id);
            w.WriteString("name_zh", c.NameZh);
            w.WriteString("stated", c.Stated);
            w.WriteString("computed", c.Computed);
            w.WriteBoolean("agrees", c.Agrees);
            w.WritePropertyName("other_within_uncertainty");
            GeoJsonFile.WriteValue(w, c.OtherWithinUncertainty);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static object? Value(GeoFeature feature, string key) => feature.Properties.FirstOrDefault(p => p.Key == key).Value;
}
