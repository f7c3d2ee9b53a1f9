using System.Globalization;
using System.Text.Json;
using ClusterMap.Cli.Geodata;
using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Tests.Geodata;

/// <summary>
/// The districts layer and what the build derives from it, checked against the committed files with an independent
/// point-in-polygon (ray casting over the shipped rings) and an independent distance (haversine to vertices), never
/// with the builder's own NTS predicates.
/// </summary>
public class GeodataDistrictTests
{
    private static readonly string[] _placed = ["parks.geojson", "universities.geojson", "institutes.geojson"];

    [Fact]
    public void Districts_AreTheSixteenOfTheSource_WithFullNamesAndTheSourceCoordinates()
    {
        using var source = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GeodataPaths.Sources, "districts", "shanghai_districts_geoboundaries.geojson")));
        var expected = source.RootElement.GetProperty("features").EnumerateArray().ToDictionary(
            f => f.GetProperty("properties").GetProperty("name").GetString() + "区",
            f => VertexSet(f.GetProperty("geometry")));
        var shipped = Features(Districts.File);

        Assert.Equal(16, expected.Count); // districts/PROVENANCE.md: 16 features
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), shipped.Select(f => Text(f, "name_zh")).Order(StringComparer.Ordinal));
        foreach (var f in shipped)
        {
            Assert.Equal(expected[Text(f, "name_zh")!], VertexSet(f.GetProperty("geometry")));
            Assert.True(Text(f, "name_en")!.EndsWith(" District", StringComparison.Ordinal) || Text(f, "name_en") == "Pudong New Area", Text(f, "name_en"));
            Assert.Equal("ODbL-1.0", Text(f, "license"));
            Assert.Contains("geoBoundaries", Text(f, "attribution"), StringComparison.Ordinal);

            // The label point lies inside its own district.
            var label = (Lon: f.GetProperty("properties").GetProperty("label_lon").GetDouble(), Lat: f.GetProperty("properties").GetProperty("label_lat").GetDouble());
            Assert.True(Contains(f.GetProperty("geometry"), label.Lon, label.Lat), $"{f.GetProperty("id")}: label point outside");
        }
    }

    [Theory]
    [MemberData(nameof(PlacedFiles))]
    public void EveryDistrictsMembership_IsWhatAnIndependentPointInPolygonGives(string file)
    {
        var districts = Features(Districts.File);
        var features = Features(file);
        foreach (var district in districts)
        {
            var id = district.GetProperty("id").GetString()!;
            var inside = features.Where(f => Contains(district.GetProperty("geometry"), LonLat(f).Lon, LonLat(f).Lat)).Select(Id).Order(StringComparer.Ordinal).ToList();
            var claimed = features.Where(f => Text(f, "district_id") == id).Select(Id).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(inside, claimed);
            Assert.All(features.Where(f => Text(f, "district_id") == id), f =>
            {
                Assert.Equal(Text(district, "name_zh"), Text(f, "district"));
                Assert.Equal(Text(district, "name_en"), Text(f, "district_en"));
            });
        }

        // Every point lies in exactly one district (none falls in a gap between the polygons or in two of them).
        Assert.All(features, f => Assert.Equal(1, districts.Count(d => Contains(d.GetProperty("geometry"), LonLat(f).Lon, LonLat(f).Lat))));
    }

    [Theory]
    [MemberData(nameof(PlacedFiles))]
    public void DistrictsTheUncertaintyCircleReaches_IncludeEveryDistrictWithAVertexInside(string file)
    {
        var districts = Features(Districts.File);
        foreach (var f in Features(file))
        {
            var (lon, lat) = LonLat(f);
            var radius = f.GetProperty("properties").GetProperty("location_uncertainty_m").GetDouble();
            var listed = f.GetProperty("properties").GetProperty("district_other_within_uncertainty").EnumerateArray().Select(e => e.GetString()).ToList();
            foreach (var d in districts.Where(d => Id(d) != Text(f, "district_id")))
            {
                // A vertex within the radius (0.5 % below it, for the haversine's spherical error) proves the district is reached.
                if (Vertices(d.GetProperty("geometry")).Any(v => Haversine(lon, lat, v.Lon, v.Lat) < radius * 0.995))
                {
                    Assert.Contains(Id(d), listed);
                }
            }

            Assert.DoesNotContain(Text(f, "district_id"), listed);
        }
    }

    [Fact]
    public void ParksThatStateADistrict_AllAgreeWithThePolygons()
    {
        var rows = CsvTable.ReadFile(Path.Combine(GeodataPaths.Sources, "parks", "parks_53.csv"))
            .Where(r => r["name_zh"].Length > 0 && r["district"].Length > 0)
            .ToDictionary(r => r["name_zh"], r => r["district"]);
        var parks = Features("parks.geojson");

        // districts/PROVENANCE.md and the issue say 14 of 28; parks_53.csv has 15 named rows with a district (张江数链 included).
        Assert.Equal(15, rows.Count);
        foreach (var (name, stated) in rows)
        {
            var park = parks.Single(p => Text(p, "name_zh") == name);
            Assert.Equal(stated, Text(park, "district_stated"));
            Assert.Equal(stated, Text(park, "district"));
        }

        // Two more state one through verified leads (长阳秀带, 张江在线): 17 in all, every one agreeing.
        var stating = parks.Where(p => Text(p, "district_stated") is not null).ToList();
        Assert.Equal(17, stating.Count);
        Assert.All(stating, p => Assert.Equal(Text(p, "district_stated"), Text(p, "district")));
    }

    [Fact]
    public void AgreementReport_ListsEveryStatedDistrict_AndEveryDisagreement()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GeodataPaths.CommittedGeodata, GeodataBuilder.DistrictAgreementFile)));
        var report = doc.RootElement;
        var expected = _placed
            .SelectMany(file => Features(file).Where(f => Text(f, "district_stated") is not null)
                .Select(f => (Collection: file[..file.IndexOf('.', StringComparison.Ordinal)], Id: Id(f), Stated: Text(f, "district_stated")!, Computed: Text(f, "district"))))
            .ToList();
        var listed = report.GetProperty("features").EnumerateArray()
            .Select(e => (Collection: e.GetProperty("collection").GetString()!, Id: e.GetProperty("id").GetString()!, Stated: e.GetProperty("stated").GetString()!,
                Computed: e.GetProperty("computed").GetString(), Agrees: e.GetProperty("agrees").GetBoolean()))
            .ToList();

        Assert.Equal(expected.Order(), listed.Select(l => (l.Collection, l.Id, l.Stated, l.Computed)).Order());
        Assert.All(listed, l => Assert.Equal(l.Stated == l.Computed, l.Agrees));
        Assert.Equal(listed.Count, report.GetProperty("checked").GetInt32());
        Assert.Equal(listed.Count(l => !l.Agrees), report.GetProperty("disagree").GetInt32());

        // Campuses named after a district are checked too: every campus whose name is a district's short name + 校区.
        var districtNames = Features(Districts.File).Select(d => Text(d, "name_zh")!).ToList();
        var namedCampuses = Features("universities.geojson").Count(f => Text(f, "campus_zh") is { } c
            && districtNames.Any(d => c == (d.EndsWith("新区", StringComparison.Ordinal) ? d[..^2] : d[..^1]) + "校区"));
        Assert.Equal(namedCampuses, listed.Count(l => l.Collection == "universities"));
        Assert.True(namedCampuses >= 20, $"{namedCampuses} campuses named after a district");
    }

    [Fact]
    public void Build_ReportsTheSameDisagreementsAsTheFile()
    {
        var output = GeodataPaths.NewTempDirectory();
        try
        {
            var report = GeodataBuilder.Build(GeodataPaths.Sources, output, TextWriter.Null);
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, GeodataBuilder.DistrictAgreementFile)));
            var inFile = doc.RootElement.GetProperty("features").EnumerateArray().Where(e => !e.GetProperty("agrees").GetBoolean())
                .Select(e => e.GetProperty("id").GetString()).Order(StringComparer.Ordinal).ToList();

            Assert.Equal(inFile, report.DistrictDisagreements.Select(d => d.Id).Order(StringComparer.Ordinal));
            Assert.All(report.DistrictDisagreements, d => Assert.Contains(report.Warnings, w => w.Contains(d.Id, StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void AgreementCheck_ReportsAPlantedDisagreement()
    {
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var districts = Districts.Load(GeodataPaths.Sources, factory);
        var pudong = districts.Single(d => d.Id == "district-pudong").InteriorPoint;
        var feature = new GeoFeature("planted", factory.CreatePoint(pudong), new PropertyList()
            .Add("name_zh", "测试")
            .Add("district", "黄浦区")
            .Add("location_uncertainty_m", 100.0)
            .ToList());

        var placed = Districts.WithDistrict(feature, districts, "黄浦区", "district");
        var checks = DistrictAgreement.Check([("parks", [placed])]);

        var check = Assert.Single(checks);
        Assert.False(check.Agrees);
        Assert.Equal("黄浦区", check.Stated);
        Assert.Equal("浦东新区", check.Computed);
    }

    public static TheoryData<string> PlacedFiles() => [.. _placed];

    // ---- independent geometry ----------------------------------------------------------------------------------

    /// <summary>Even-odd ray casting over every ring of a (Multi)Polygon: inside the shell and outside its holes.</summary>
    private static bool Contains(JsonElement geometry, double lon, double lat)
    {
        var inside = false;
        foreach (var ring in Rings(geometry))
        {
            for (int i = 0, j = ring.Count - 1; i < ring.Count; j = i++)
            {
                var (xi, yi) = ring[i];
                var (xj, yj) = ring[j];
                if ((yi > lat) != (yj > lat) && lon < ((xj - xi) * (lat - yi) / (yj - yi)) + xi)
                {
                    inside = !inside;
                }
            }
        }

        return inside;
    }

    private static IEnumerable<List<(double Lon, double Lat)>> Rings(JsonElement geometry)
    {
        var coordinates = geometry.GetProperty("coordinates");
        var polygons = geometry.GetProperty("type").GetString() == "Polygon" ? [coordinates] : coordinates.EnumerateArray().ToList();
        return polygons.SelectMany(p => p.EnumerateArray()).Select(r => r.EnumerateArray().Select(c => (c[0].GetDouble(), c[1].GetDouble())).ToList());
    }

    internal static IEnumerable<(double Lon, double Lat)> Vertices(JsonElement geometry) => Rings(geometry).SelectMany(r => r);

    private static SortedSet<string> VertexSet(JsonElement geometry) =>
        new(Vertices(geometry).Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Lon:F4},{v.Lat:F4}")), StringComparer.Ordinal);

    internal static double Haversine(double lon1, double lat1, double lon2, double lat2)
    {
        const double r = 6_371_008.8;
        var dPhi = double.DegreesToRadians(lat2 - lat1);
        var dLambda = double.DegreesToRadians(lon2 - lon1);
        var h = (Math.Sin(dPhi / 2) * Math.Sin(dPhi / 2))
            + (Math.Cos(double.DegreesToRadians(lat1)) * Math.Cos(double.DegreesToRadians(lat2)) * Math.Sin(dLambda / 2) * Math.Sin(dLambda / 2));
        return 2 * r * Math.Asin(Math.Sqrt(h));
    }

    // ---- reading -------------------------------------------------------------------------------------------------

    internal static List<JsonElement> Features(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GeodataPaths.CommittedGeodata, file)));
        return [.. document.RootElement.Clone().GetProperty("features").EnumerateArray()];
    }

    internal static string Id(JsonElement feature) => feature.GetProperty("id").GetString()!;

    internal static string? Text(JsonElement feature, string key) =>
        feature.GetProperty("properties").TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static (double Lon, double Lat) LonLat(JsonElement feature)
    {
        var c = feature.GetProperty("geometry").GetProperty("coordinates");
        return (c[0].GetDouble(), c[1].GetDouble());
    }
}
