using System.Globalization;
using System.Text.Json;
using ClusterMap.Cli.Geodata;

namespace ClusterMap.Cli.Tests.Geodata;

/// <summary>
/// The shipped files agree with the sources in shared/geodata-sources: counts, names, coordinates, and every
/// estimated point traced back to the sourced points it names in location_anchor.
/// </summary>
public class GeodataSourceAgreementTests
{
    private static string SourceFile(params string[] parts) => Path.Combine([GeodataPaths.Sources, .. parts]);

    [Fact]
    public void Parks_AreExactlyTheNamedRowsOfTheSource()
    {
        var rows = CsvTable.ReadFile(SourceFile("parks", "parks_53.csv"));
        var named = rows.Where(r => r["name_zh"].Length > 0 && !r["name_zh"].Contains("被截断", StringComparison.Ordinal))
            .Select(r => r["name_zh"]).ToList();
        var shipped = Features("parks.geojson").Select(f => Prop(f, "name_zh")).ToList();

        Assert.Equal(28, named.Count); // parks_53_NOTES.md: "28 named parks + 7 third-batch slots"
        Assert.Equal(named.Order(StringComparer.Ordinal), shipped.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Parks_CatalogueFieldsOnlyWhereTheCatalogueGivesThem()
    {
        var rows = CsvTable.ReadFile(SourceFile("parks", "parks_53.csv")).Where(r => r["name_zh"].Length > 0).ToDictionary(r => r["name_zh"]);
        foreach (var f in Features("parks.geojson"))
        {
            var row = rows[Prop(f, "name_zh")!];
            var p = f.GetProperty("properties");
            var fromCatalogue = row["seq"].Length > 0;
            Assert.Equal(fromCatalogue ? "catalogue-row" : "named-in-press", Prop(f, "catalogue_status"));
            if (!fromCatalogue)
            {
                Assert.Equal(JsonValueKind.Null, p.GetProperty("area_km2").ValueKind);
                Assert.Equal(JsonValueKind.Null, p.GetProperty("boundary_text").ValueKind);
            }
            else
            {
                Assert.Equal(double.Parse(row["area_km2"], CultureInfo.InvariantCulture), p.GetProperty("area_km2").GetDouble());
            }

            Assert.Contains(Prop(f, "source_url")!, row["source_url"], StringComparison.Ordinal);
            Assert.Contains(Prop(f, "name_en_source"), new[] { "source", "translation" });
            Assert.False(string.IsNullOrWhiteSpace(Prop(f, "name_en")));
        }
    }

    [Fact]
    public void ParksCatalogue_AccountsForAll53GazettedParks()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GeodataPaths.CommittedGeodata, GeodataBuilder.ParksCatalogueFile)));
        var c = doc.RootElement;
        var rows = CsvTable.ReadFile(SourceFile("parks", "parks_53.csv"));
        var parks = Features("parks.geojson").Count;
        var slots = rows.Count - parks;

        Assert.Equal(53, c.GetProperty("gazetted_total").GetInt32());
        Assert.Equal(c.GetProperty("gazetted_total").GetInt32(), c.GetProperty("batches").EnumerateArray().Sum(b => b.GetProperty("parks").GetInt32()));
        Assert.Equal(parks, c.GetProperty("present").GetInt32());
        Assert.Equal(53 - parks, c.GetProperty("not_identified").GetInt32());
        Assert.Equal(slots, c.GetProperty("not_identified_sector_known").GetInt32());
        Assert.Equal(slots, c.GetProperty("sector_only_slots").GetArrayLength());
        Assert.Equal(
            c.GetProperty("not_identified").GetInt32(),
            c.GetProperty("not_identified_sector_known").GetInt32() + c.GetProperty("not_identified_nothing_known").GetInt32());
    }

    [Fact]
    public void Universities_AreEveryShanghaiCampusPointOfTheSource_LessDocumentedExclusions()
    {
        var excluded = CsvTable.ReadFile(Path.Combine(GeodataPaths.RepoRoot, "geodata", "src", "university_point_notes.csv"))
            .Where(r => r["action"] == "exclude")
            .Select(r => (r["name_zh"], r["campus_zh"]))
            .ToHashSet();
        using var source = JsonDocument.Parse(File.ReadAllBytes(SourceFile("universities", "univ_supp.json")));
        var expected = new List<(string Name, double Lon, double Lat)>();
        foreach (var institution in source.RootElement.EnumerateArray().Where(i => i.GetProperty("province").GetString() == "上海"))
        {
            foreach (var campus in institution.GetProperty("campuses").EnumerateArray())
            {
                var name = institution.GetProperty("name").GetString()!;
                var campusName = campus.GetProperty("name").ValueKind == JsonValueKind.String ? campus.GetProperty("name").GetString()! : "";
                if (!excluded.Contains((name, campusName)))
                {
                    expected.Add((name, campus.GetProperty("longitude").GetDouble(), campus.GetProperty("latitude").GetDouble()));
                }
            }
        }

        var shipped = Features("universities.geojson").Select(f =>
        {
            var (lon, lat) = LonLat(f);
            return (Name: Prop(f, "name_zh")!, Lon: lon, Lat: lat);
        }).ToList();

        Assert.Equal(89, expected.Count); // universities/README: 89 campus points in Shanghai
        AssertSamePoints(expected, shipped);
    }

    [Fact]
    public void Universities_UnnamedPointsFarFromEveryNamedCampus_AreFlagged()
    {
        var features = Features("universities.geojson");
        foreach (var group in features.GroupBy(f => Prop(f, "name_zh")))
        {
            var named = group.Where(f => Prop(f, "campus_zh") is not null).ToList();
            foreach (var unnamed in group.Where(f => Prop(f, "campus_zh") is null))
            {
                var (lon, lat) = LonLat(unnamed);
                var nearest = named.Select(n => LonLat(n)).Select(n => Haversine(lon, lat, n.Lon, n.Lat)).DefaultIfEmpty(0).Min();
                if (nearest > 1000)
                {
                    Assert.NotEqual("generic-point", Prop(unnamed, "location_flag"));
                    Assert.False(string.IsNullOrWhiteSpace(Prop(unnamed, "location_note")), $"{unnamed.GetProperty("id")} needs a note");
                }
            }
        }

        Assert.Contains(features, f => Prop(f, "location_flag") == "suspect");
    }

    [Fact]
    public void MoeCrossCheck_NamesEveryListedInstitutionWithoutCoordinates_InReadme()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GeodataPaths.CommittedGeodata, GeodataBuilder.MoeCrossCheckFile)));
        var c = doc.RootElement;
        var readme = File.ReadAllText(Path.Combine(GeodataPaths.CommittedGeodata, "README.md"));
        var missing = c.GetProperty("moe_without_coordinates").EnumerateArray().Select(m => m.GetProperty("name_zh").GetString()!).ToList();
        var moe = MoeList.LoadShanghai(SourceFile("universities", "univ_moe.xls"));

        Assert.Equal(69, moe.Count); // universities/PROVENANCE.md: 69 in Shanghai
        Assert.Equal(moe.Count, c.GetProperty("moe_shanghai_total").GetInt32());
        Assert.Equal(moe.Count, c.GetProperty("moe_with_coordinates").GetInt32() + missing.Count);
        var shippedNames = Features("universities.geojson").Select(f => Prop(f, "name_zh")).ToHashSet();
        Assert.All(missing, m => Assert.DoesNotContain(m, shippedNames));
        Assert.All(missing, m => Assert.Contains(m, readme, StringComparison.Ordinal));
    }

    [Fact]
    public void Institutes_AreExactlyTheSourceRows()
    {
        var names = CsvTable.ReadFile(SourceFile("institutes", "shanghai_research_institutes_addresses.csv")).Select(r => r["name_zh"]).ToList();
        var shipped = Features("institutes.geojson").Select(f => Prop(f, "name_zh")!).ToList();

        Assert.Equal(9, names.Count);
        Assert.Equal(names.Order(StringComparer.Ordinal), shipped.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MetroStations_AreExactlyTheSourceStations_AtTheirSourceCoordinates()
    {
        var rows = CsvTable.ReadFile(SourceFile("metro", "DERIVED_stations_wgs84.csv"));
        var expected = rows.Select(r => (r["station_id"], double.Parse(r["lon"], CultureInfo.InvariantCulture), double.Parse(r["lat"], CultureInfo.InvariantCulture))).ToList();
        var shipped = Features("metro-stations.geojson").Select(f =>
        {
            var (lon, lat) = LonLat(f);
            return (Prop(f, "station_id")!, lon, lat);
        }).ToList();

        Assert.Equal(302, rows.Count);
        AssertSamePoints(expected, shipped);
    }

    /// <summary>
    /// Same keys, and each point equal to the source's up to the 7-decimal rounding of the output (half a unit in the
    /// last place, plus float slack): no datum shift or other conversion has been applied.
    /// </summary>
    private static void AssertSamePoints(List<(string Key, double Lon, double Lat)> expected, List<(string Key, double Lon, double Lat)> actual)
    {
        const double tolerance = 0.5e-7 + 1e-12;
        Assert.Equal(expected.Count, actual.Count);
        var remaining = actual.ToList();
        foreach (var e in expected)
        {
            var match = remaining.FindIndex(a => a.Key == e.Key && Math.Abs(a.Lon - e.Lon) <= tolerance && Math.Abs(a.Lat - e.Lat) <= tolerance);
            Assert.True(match >= 0, string.Create(CultureInfo.InvariantCulture, $"no shipped point for {e.Key} at {e.Lon}, {e.Lat}"));
            remaining.RemoveAt(match);
        }
    }

    [Theory]
    [InlineData("parks.geojson")]
    [InlineData("institutes.geojson")]
    public void EstimatedPoints_TraceBackToTheSourcedPointsTheyName(string file)
    {
        var stations = CsvTable.ReadFile(SourceFile("metro", "DERIVED_stations_wgs84.csv"))
            .ToDictionary(r => r["name_en"], r => (Lon: double.Parse(r["lon"], CultureInfo.InvariantCulture), Lat: double.Parse(r["lat"], CultureInfo.InvariantCulture)));
        var campuses = Features("universities.geojson")
            .GroupBy(f => $"{Prop(f, "name_zh")}|{Prop(f, "campus_zh")}")
            .Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => LonLat(g.Single()));
        var institutes = Features("institutes.geojson").ToDictionary(f => f.GetProperty("id").GetString()!, LonLat);

        foreach (var f in Features(file))
        {
            var id = f.GetProperty("id").GetString();
            var method = Prop(f, "location_method")!;
            var anchors = Prop(f, "location_anchor")!.Split(';', StringSplitOptions.TrimEntries).Select(a =>
            {
                var (kind, key) = (a[..a.IndexOf(':', StringComparison.Ordinal)], a[(a.IndexOf(':', StringComparison.Ordinal) + 1)..]);
                var named = kind == "campus" ? key.Split('|')[0] : key;
                Assert.Contains(named, method, StringComparison.Ordinal); // the method says where the point came from
                return kind switch
                {
                    "metro" => stations[key],
                    "campus" => campuses[key],
                    "institute" => institutes[key],
                    _ => throw new Xunit.Sdk.XunitException($"{id}: unknown anchor kind {kind}"),
                };
            }).ToList();

            var (lon, lat) = LonLat(f);
            // Tolerance: coordinates are written with 7 decimals.
            Assert.Equal(anchors.Average(a => a.Lon), lon, 1e-7 * 1.01);
            Assert.Equal(anchors.Average(a => a.Lat), lat, 1e-7 * 1.01);
            Assert.StartsWith("Estimated", method, StringComparison.Ordinal);

            // An estimate from roads, towns or addresses is never better than several hundred metres.
            Assert.True(f.GetProperty("properties").GetProperty("location_uncertainty_m").GetDouble() >= 500, $"{id}: uncertainty too small for an estimate");
        }
    }

    private static List<JsonElement> Features(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GeodataPaths.CommittedGeodata, file)));
        return [.. document.RootElement.Clone().GetProperty("features").EnumerateArray()];
    }

    private static string? Prop(JsonElement feature, string key)
    {
        var value = feature.GetProperty("properties").GetProperty(key);
        return value.ValueKind == JsonValueKind.Null ? null : value.GetString();
    }

    private static (double Lon, double Lat) LonLat(JsonElement feature)
    {
        var c = feature.GetProperty("geometry").GetProperty("coordinates");
        return (c[0].GetDouble(), c[1].GetDouble());
    }

    private static double Haversine(double lon1, double lat1, double lon2, double lat2)
    {
        const double r = 6_371_008.8;
        var dPhi = double.DegreesToRadians(lat2 - lat1);
        var dLambda = double.DegreesToRadians(lon2 - lon1);
        var h = (Math.Sin(dPhi / 2) * Math.Sin(dPhi / 2))
            + (Math.Cos(double.DegreesToRadians(lat1)) * Math.Cos(double.DegreesToRadians(lat2)) * Math.Sin(dLambda / 2) * Math.Sin(dLambda / 2));
        return 2 * r * Math.Asin(Math.Sqrt(h));
    }
}
