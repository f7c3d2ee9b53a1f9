using System.Globalization;
using ClusterMap.Cli.Geodata;
using static ClusterMap.Cli.Tests.Geodata.GeodataDistrictTests;

namespace ClusterMap.Cli.Tests.Geodata;

/// <summary>What the leads added: park–institution links that point at real features, and no silently shared park point.</summary>
public class GeodataLeadsTests
{
    [Fact]
    public void Links_AreTheLeadsLinks_ReferencingExistingParksAndInstitutions()
    {
        var leads = CsvTable.ReadFile(Path.Combine(GeodataPaths.Sources, "leads", "park_institution_links.csv"));
        var links = Features(Links.File);
        var parks = Features("parks.geojson").ToDictionary(Id);

        Assert.Equal(leads.Count, links.Count);
        Assert.Equal(10, links.Count); // leads/README.md: 10 sourced park–institution links
        foreach (var lead in leads)
        {
            var link = links.Single(l => Text(l, "institution_lead_text") == lead["university_zh"] && Text(l, "park_name_zh") == lead["park_zh"]);
            Assert.Equal(lead["source_url"], Text(link, "source_url"));
            Assert.Equal(lead["date"], Text(link, "date"));
            Assert.Equal(lead["quote"], Text(link, "quote"));
            // The institution's name is printed by the source (in the quote) or is the lead's own wording of it.
            var name = Text(link, "institution_name_zh")!;
            Assert.True(lead["quote"].Contains(name, StringComparison.Ordinal) || lead["university_zh"].Contains(name, StringComparison.Ordinal), name);

            var park = parks[Text(link, "park_id")!];
            Assert.Equal(lead["park_zh"], Text(park, "name_zh"));
            Assert.Equal(LonLat(park), LonLat(link));
            Assert.Equal(park.GetProperty("properties").GetProperty("location_uncertainty_m").GetDouble(), link.GetProperty("properties").GetProperty("location_uncertainty_m").GetDouble());

            var ids = link.GetProperty("properties").GetProperty("institution_ids").EnumerateArray().Select(e => e.GetString()!).ToList();
            if (ids.Count > 0)
            {
                var layer = Features(Text(link, "institution_collection") + ".geojson").ToDictionary(Id);
                Assert.All(ids, id => Assert.True(layer.ContainsKey(id), $"{Id(link)}: no {id}"));

                // The institution's features are the institution the lead names (a campus of that university, or that institute).
                var named = lead["university_zh"];
                Assert.All(ids, id => Assert.StartsWith(Text(layer[id], "name_zh")!.Split('(', '（')[0], named, StringComparison.Ordinal));
            }
            else
            {
                Assert.Null(Text(link, "institution_collection"));
            }
        }
    }

    [Fact]
    public void NoTwoParksShareAPoint_WithoutSayingSo()
    {
        var parks = Features("parks.geojson");
        var others = Features("universities.geojson").Concat(Features("institutes.geojson")).ToList();
        foreach (var park in parks)
        {
            var (lon, lat) = LonLat(park);
            var sharing = parks.Concat(others).Where(f => Id(f) != Id(park) && LonLat(f) == (lon, lat)).Select(Id).Order(StringComparer.Ordinal).ToList();
            var properties = park.GetProperty("properties");
            var listed = properties.GetProperty("location_shared_with").EnumerateArray().Select(e => e.GetString()!).ToList();

            Assert.Equal(sharing, listed);
            Assert.Equal(sharing.Count > 0, properties.GetProperty("location_shared").GetBoolean());
            if (sharing.Count > 0)
            {
                Assert.Contains("Shares this point with", Text(park, "location_method"), StringComparison.Ordinal);
            }
        }

        // The point the issue reported: a district-level park is no longer placed on a campus.
        Assert.DoesNotContain(parks, p => Id(p) == "park-bay-area-biomedicine-port" && p.GetProperty("properties").GetProperty("location_shared_with").EnumerateArray().Any(e => e.GetString()!.StartsWith("zhongqiao", StringComparison.Ordinal)));
    }

    [Fact]
    public void DistrictLevelParks_CoverTheirWholeDistrict()
    {
        var districts = Features(Districts.File).ToDictionary(Id);
        var parks = Features("parks.geojson").Where(p => Text(p, "location_anchor")!.StartsWith("district:", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(parks);
        foreach (var park in parks)
        {
            var district = districts[Text(park, "location_anchor")!["district:".Length..]];
            var (lon, lat) = LonLat(park);
            var radius = park.GetProperty("properties").GetProperty("location_uncertainty_m").GetDouble();
            Assert.Equal(Id(district), Text(park, "district_id"));

            // Tolerance: the haversine differs from the ellipsoid by under 0.5 %.
            Assert.True(radius >= 1000, string.Create(CultureInfo.InvariantCulture, $"{Id(park)}: radius {radius}"));
            Assert.All(Vertices(district.GetProperty("geometry")), v => Assert.True(Haversine(lon, lat, v.Lon, v.Lat) <= radius * 1.005, $"{Id(park)}: a vertex of {Id(district)} lies outside the radius"));
        }
    }
}
