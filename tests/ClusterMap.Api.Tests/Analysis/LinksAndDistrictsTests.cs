using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ClusterMap.Api.Tests.Writes;
using ClusterMap.Core.Analysis;
using ClusterMap.Core.Geodesy;
using ClusterMap.Core.Storage;
using ClusterMap.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Tests.Analysis;

/// <summary>The generated analysis data served from PostGIS (a fresh database of the shared test cluster).</summary>
public sealed class PostGisAnalysisFixture : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clustermap-analysis-pg-").FullName;
    private string _connectionString = "";

    public AnalysisData Data { get; } = AnalysisData.Generate(seed: 19, parks: 25, institutions: 700, AnalysisFixture.Area, straddledParks: 4);

    public ClusterMapFactory Factory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Data.WriteGeodata(_folder);
        _connectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();
        Factory = ClusterMapFactory.With(_folder, new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "PostGis",
            ["ConnectionStrings:ClusterMap"] = _connectionString,
            ["Proximity:DataVersionCheckMilliseconds"] = "0",
        });
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(_connectionString);
        Directory.Delete(_folder, recursive: true);
    }
}

public sealed class LinksAndDistrictsSqliteTests(AnalysisFixture fixture) : LinksAndDistrictsTests(fixture.Factory, fixture.Data), IClassFixture<AnalysisFixture>;

public sealed class LinksAndDistrictsPostGisTests(PostGisAnalysisFixture fixture) : LinksAndDistrictsTests(fixture.Factory, fixture.Data), IClassFixture<PostGisAnalysisFixture>
{
    [Fact]
    public void TheStoreServed_IsPostGis() =>
        Assert.Contains("PostGis", fixture.Factory.Services.GetRequiredService<IFeatureStore>().GetType().Name, StringComparison.Ordinal);
}

/// <summary>
/// Partnerships, districts and sectors against a brute force over the generated data (every institution's exact
/// distance, districts and sectors as generated), the same tests on each store.
/// </summary>
public abstract class LinksAndDistrictsTests(ClusterMapFactory factory, AnalysisData data)
{
    // Distances are written to the millimetre; the engine's short-line kernel agrees with Karney's to 10 µm.
    private const double DistanceTolerance = 0.001;

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task GetLinks_EveryLink_EqualsBruteForce()
    {
        var body = await (await _client.GetAsync("/analysis/links?alternatives=4")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var links = body.GetProperty("links").EnumerateArray().ToDictionary(l => l.GetProperty("link").GetProperty("id").GetString()!);
        Assert.Equal(data.Links.Count, links.Count);
        var ranges = 0;
        var fittingRanks = 0;
        foreach (var link in data.Links)
        {
            var json = links[link.Id];
            var park = data.Parks.SingleOrDefault(p => p.Id == link.ParkId);
            var found = link.InstitutionIds.Select(id => data.Institutions.SingleOrDefault(i => i.Id == id))
                .OfType<AnalysisData.Site>().Where(i => link.InstitutionCollection is null || data.CollectionOf(i) == link.InstitutionCollection).ToList();
            var expectedStatus = park is null ? "park_not_found"
                : link.InstitutionIds.Count == 0 ? "institution_not_in_layers"
                : link.InstitutionCollection is not null and not ("universities" or "institutes") ? "institution_collection_not_read"
                : found.Count == 0 ? "institutions_not_found" : "measured";
            Assert.True(expectedStatus == json.GetProperty("status").GetString(), link.Id);
            if (expectedStatus != "measured")
            {
                Assert.Empty(json.GetProperty("partners").EnumerateArray());
                continue;
            }

            Assert.Equal(link.InstitutionIds.Where(id => found.All(f => f.Id != id)), json.GetProperty("missing_ids").EnumerateArray().Select(e => e.GetString()));
            var expected = found.Select(f => AnalysisData.BruteForcePartner(park!, f, data.Institutions)).OrderBy(e => e.Distance).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
            var partners = json.GetProperty("partners").EnumerateArray().ToList();
            Assert.Equal(expected.Select(e => e.Id), partners.Select(p => p.GetProperty("id").GetString()));
            for (var i = 0; i < expected.Count; i++)
            {
                var (e, p) = (expected[i], partners[i]);
                var where = $"{link.Id} {e.Id}";
                Assert.True(Math.Abs(e.Distance - p.GetProperty("distance_m").GetDouble()) <= DistanceTolerance, where);
                Assert.True(Math.Abs(e.MinDistance - p.GetProperty("min_distance_m").GetDouble()) <= DistanceTolerance, where);
                Assert.True(Math.Abs(e.MaxDistance - p.GetProperty("max_distance_m").GetDouble()) <= DistanceTolerance, where);
                Assert.Equal(e.Fit, p.GetProperty("fit").GetString());
                Assert.Equal(e.Rank, Rank(p.GetProperty("rank")));
                ranges += e.Rank.Best < e.Rank.Worst ? 1 : 0;
                if (e.RankAmongFitting is { } fitting)
                {
                    Assert.Equal(fitting, Rank(p.GetProperty("rank_among_fitting")));
                    fittingRanks++;
                }
                else
                {
                    Assert.Equal(JsonValueKind.Null, p.GetProperty("rank_among_fitting").ValueKind);
                }
            }

            var alternatives = AnalysisData.BruteForceAlternatives(park!, found, data.Institutions, 4);
            var given = json.GetProperty("alternatives").EnumerateArray().ToList();
            Assert.Equal(alternatives.Select(a => a.Id), given.Select(a => a.GetProperty("id").GetString()));
            for (var i = 0; i < alternatives.Count; i++)
            {
                Assert.True(Math.Abs(alternatives[i].Distance - given[i].GetProperty("distance_m").GetDouble()) <= DistanceTolerance, $"{link.Id} alternative {i}");
                Assert.Equal(alternatives[i].Distance < expected[0].Distance, given[i].GetProperty("nearer_than_partner").GetBoolean());
            }
        }

        Assert.True(ranges > 0, "no partner's rank has a range under uncertainty");
        Assert.True(fittingRanks > 0, "no partner was ranked among fitting institutions");
        Assert.Equal(4, body.GetProperty("made_with").GetProperty("alternatives").GetInt32());
        Assert.Equal("links", body.GetProperty("made_with").GetProperty("links")[0].GetProperty("collection").GetString());
    }

    [Fact]
    public async Task GetParkPartners_IsThatParksLinks_AndCsvHoldsTheJsonFigures()
    {
        var park = data.Parks[0];
        var all = await (await _client.GetAsync("/analysis/links")).ReadJsonAsync(HttpStatusCode.OK, "application/json");
        var json = await (await _client.GetAsync($"/analysis/parks/{park.Id}/partners")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var expected = all.GetProperty("links").EnumerateArray().Where(l => l.GetProperty("link").GetProperty("park_id").GetString() == park.Id).Select(l => l.GetRawText()).ToList();
        Assert.True(expected.Count >= 4);
        Assert.Equal(expected, json.GetProperty("links").EnumerateArray().Select(l => l.GetRawText()));

        var response = await _client.GetAsync($"/analysis/parks/{park.Id}/partners?f=csv");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var rows = ReadCsv(await response.Content.ReadAsByteArrayAsync());
        var header = rows[0];
        foreach (var link in json.GetProperty("links").EnumerateArray())
        {
            var id = link.GetProperty("link").GetProperty("id").GetString();
            var linkRows = rows.Skip(1).Where(r => r[header.IndexOf("link_id")] == id).ToList();
            var partners = link.GetProperty("partners").EnumerateArray().ToList();
            Assert.Equal(Math.Max(1, partners.Count), linkRows.Count);
            Assert.All(linkRows, r => Assert.Equal(link.GetProperty("status").GetString(), r[header.IndexOf("status")]));
            for (var i = 0; i < partners.Count; i++)
            {
                Assert.Equal(partners[i].GetProperty("id").GetString(), linkRows[i][header.IndexOf("partner_id")]);
                Assert.Equal(partners[i].GetProperty("distance_m").GetDouble(), double.Parse(linkRows[i][header.IndexOf("distance_m")], CultureInfo.InvariantCulture));
                Assert.Equal(partners[i].GetProperty("rank").GetProperty("worst").GetInt32().ToString(CultureInfo.InvariantCulture), linkRows[i][header.IndexOf("rank_worst")]);
            }
        }
    }

    [Fact]
    public async Task GetDistricts_CountsAndResearchBaseSums_EqualBruteForce()
    {
        double[] bands = [2000, 10000];
        var body = await (await _client.GetAsync("/analysis/districts?bands_m=2000,10000")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var universities = data.Institutions.Take(data.Institutions.Count / 2).ToList();
        var institutes = data.Institutions.Skip(data.Institutions.Count / 2).ToList();
        var all = data.Parks.Concat(data.Institutions).ToList();
        var expectedIds = data.Districts.Select(d => (string?)d.Id)
            .Concat(all.Select(AnalysisData.DistrictIdOf).OfType<string>().Where(id => data.Districts.All(d => d.Id != id)).Distinct().Order(StringComparer.Ordinal))
            .Append(null).ToList();
        var rows = body.GetProperty("districts").EnumerateArray().ToList();
        Assert.Equal(expectedIds, rows.Select(r => r.GetProperty("id").GetString()));
        Assert.Contains("district-2-1", expectedIds);
        Assert.Equal(JsonValueKind.Null, rows.Single(r => r.GetProperty("id").GetString() == "district-2-1").GetProperty("name_en").ValueKind);
        foreach (var row in rows)
        {
            var id = row.GetProperty("id").GetString();
            var parks = data.Parks.Where(p => AnalysisData.DistrictIdOf(p) == id).ToList();
            var counts = row.GetProperty("counts");
            Assert.Equal(parks.Count, counts.GetProperty("parks").GetInt32());
            Assert.Equal(universities.Count(u => AnalysisData.DistrictIdOf(u) == id), counts.GetProperty("universities").GetInt32());
            Assert.Equal(institutes.Count(u => AnalysisData.DistrictIdOf(u) == id), counts.GetProperty("institutes").GetInt32());
            var bySector = parks.GroupBy(p => p.Sector ?? "").ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(bySector.OrderBy(p => p.Key, StringComparer.Ordinal), row.GetProperty("parks_by_sector").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetInt32())));
            var summary = row.GetProperty("research_base").EnumerateArray().ToList();
            for (var b = 0; b < bands.Length; b++)
            {
                var expected = parks.Select(p => AnalysisData.BruteForce(p, data.Institutions, bands[b], ResearchBaseSettings.DefaultTierWeights)).ToList();
                Assert.Equal(expected.Sum(e => e.Estimated), summary[b].GetProperty("estimated").GetInt64());
                Assert.Equal(expected.Sum(e => e.Institutions.Certain), summary[b].GetProperty("certain").GetInt64());
                Assert.Equal(expected.Sum(e => e.Institutions.Possible), summary[b].GetProperty("possible").GetInt64());
                var fits = expected.Where(e => e.Fits is not null).ToList();
                double? Share(Func<AnalysisData.ExpectedBand, int> fit, Func<AnalysisData.ExpectedBand, int> not) =>
                    fits.Sum(fit) + fits.Sum(not) == 0 ? null : Math.Round((double)fits.Sum(fit) / (fits.Sum(fit) + fits.Sum(not)), 4);
                Assert.Equal(Share(e => e.Fits!.Value.Certain, e => e.DoesNotFit!.Value.Certain), Nullable(summary[b].GetProperty("fit_share_certain")));
                Assert.Equal(Share(e => e.Fits!.Value.AtMost, e => e.DoesNotFit!.Value.AtMost), Nullable(summary[b].GetProperty("fit_share_at_most")));
            }
        }

        Assert.Equal(data.Parks.Count, rows.Sum(r => r.GetProperty("counts").GetProperty("parks").GetInt32()));

        var csv = ReadCsv(await (await _client.GetAsync("/analysis/districts?bands_m=2000,10000&f=csv")).Content.ReadAsByteArrayAsync());
        Assert.Equal(1 + (rows.Count * bands.Length), csv.Count);
        var header = csv[0];
        foreach (var row in rows)
        {
            var line = csv.First(r => r[header.IndexOf("district_id")] == (row.GetProperty("id").GetString() ?? "") && r[header.IndexOf("radius_m")] == "10000");
            Assert.Equal(row.GetProperty("research_base")[1].GetProperty("possible").GetInt64().ToString(CultureInfo.InvariantCulture), line[header.IndexOf("possible")]);
            Assert.Equal(row.GetProperty("counts").GetProperty("universities").GetInt32().ToString(CultureInfo.InvariantCulture), line[header.IndexOf("universities")]);
        }
    }

    [Fact]
    public async Task GetSectors_MatrixAndInstitutionFit_EqualBruteForce()
    {
        var body = await (await _client.GetAsync("/analysis/sectors")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var districts = body.GetProperty("districts").EnumerateArray().Select(d => d.GetProperty("id").GetString()).ToList();
        var universities = data.Institutions.Take(data.Institutions.Count / 2).ToList();
        var sectors = body.GetProperty("sectors").EnumerateArray().ToList();
        var expectedSectors = data.Parks.Select(p => p.Sector).Distinct().OrderBy(s => s is null).ThenBy(s => s, StringComparer.Ordinal).ToList();
        Assert.Equal(expectedSectors, sectors.Select(s => s.GetProperty("sector").GetString()));
        foreach (var row in sectors)
        {
            var sector = row.GetProperty("sector").GetString();
            var parks = data.Parks.Where(p => p.Sector == sector).ToList();
            Assert.Equal(parks.Count, row.GetProperty("parks").GetInt32());
            Assert.Equal(districts.Select(d => parks.Count(p => AnalysisData.DistrictIdOf(p) == d)), row.GetProperty("parks_by_district").EnumerateArray().Select(c => c.GetInt32()));
            var fit = row.GetProperty("institutions_fit");
            if (AnalysisData.FitName(sector, universities[0]) is null)
            {
                Assert.Equal(JsonValueKind.Null, fit.ValueKind);
                continue;
            }

            foreach (var name in new[] { "fits", "does_not_fit", "unknown" })
            {
                Assert.Equal(universities.Count(u => AnalysisData.FitName(sector, u) == name), fit.GetProperty("universities").GetProperty(name).GetInt32());
            }
        }

        var csv = ReadCsv(await (await _client.GetAsync("/analysis/sectors?f=csv")).Content.ReadAsByteArrayAsync());
        Assert.Equal(1 + sectors.Count, csv.Count);
        Assert.Equal(["sector", "parks", .. districts.Select(d => d ?? "unassigned")], csv[0].Take(2 + districts.Count));
    }

    [Fact]
    public async Task LinkWrittenThroughTheWriteApi_IsMeasured()
    {
        var park = data.Parks[1];
        var partner = data.Institutions[^1];
        using var writer = factory.CreateClient();
        writer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await WritesApiTests.AddKeyAsync(factory, "analysis links"));
        var point = park.Geometry.Coordinate;
        var properties = $$"""{"park_id":"{{park.Id}}","institution_ids":["{{partner.Id}}"],"relation":"written in a test"}""";
        var posted = await writer.PostAsync("/collections/links/items", WritesApiTests.GeoJson(WritesApiTests.Point("link-written", point.X, point.Y, properties)));
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        try
        {
            var body = await (await _client.GetAsync($"/analysis/parks/{park.Id}/partners")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

            var link = body.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("link").GetProperty("id").GetString() == "link-written");
            Assert.Equal("measured", link.GetProperty("status").GetString());
            var expected = AnalysisData.BruteForcePartner(park, partner, data.Institutions);
            Assert.Equal(expected.Rank, Rank(link.GetProperty("partners")[0].GetProperty("rank")));
        }
        finally
        {
            Assert.Equal(HttpStatusCode.NoContent, (await writer.DeleteAsync("/collections/links/items/link-written")).StatusCode);
        }
    }

    private static (int, int, int, int) Rank(JsonElement rank) =>
        (rank.GetProperty("estimated").GetInt32(), rank.GetProperty("best").GetInt32(), rank.GetProperty("worst").GetInt32(), rank.GetProperty("of").GetInt32());

    private static double? Nullable(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();

    internal static List<List<string>> ReadCsv(byte[] bytes) =>
        [.. Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF').TrimEnd().Split('\n').Select(l => AnalysisApiTests.SplitCsv(l.TrimEnd('\r')))];
}

/// <summary>Partnerships and districts on the repository's own geodata, checked against the GeoJSON files read directly.</summary>
public sealed class ShippedLinksAndDistrictsTests : IDisposable
{
    private static readonly string _geodata = Path.Combine(ServiceProcess.RepositoryRoot(), "geodata");

    private readonly ClusterMapFactory _factory = ClusterMapFactory.With(_geodata);

    /// <summary>A shipped feature as its file holds it (every park, campus and institute is a point).</summary>
    private sealed record Shipped(string Id, Coordinate? Point, JsonElement Properties)
    {
        public double Uncertainty => Properties.TryGetProperty("location_uncertainty_m", out var u) && u.ValueKind == JsonValueKind.Number ? u.GetDouble() : 0;

        public string? Text(string name) => Properties.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    [Fact]
    public async Task Links_OnShippedData_MeasureEveryLinkWhoseInstitutionIsInTheLayers()
    {
        var client = _factory.CreateClient();
        var body = await (await client.GetAsync("/analysis/links")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var places = new[] { "parks", "universities", "institutes" }.SelectMany(ReadFeatures).ToDictionary(f => f.Id);
        var links = ReadFeatures("links");
        var answered = body.GetProperty("links").EnumerateArray().ToDictionary(l => l.GetProperty("link").GetProperty("id").GetString()!);
        Assert.Equal(links.Count, answered.Count);
        var measured = 0;
        foreach (var link in links)
        {
            var json = answered[link.Id];
            var ids = link.Properties.GetProperty("institution_ids").EnumerateArray().Select(e => e.GetString()!).ToList();
            if (ids.Count == 0)
            {
                Assert.Equal("institution_not_in_layers", json.GetProperty("status").GetString());
                continue;
            }

            Assert.Equal("measured", json.GetProperty("status").GetString());
            measured++;
            var park = places[link.Text("park_id")!];
            foreach (var partner in json.GetProperty("partners").EnumerateArray())
            {
                var institution = places[partner.GetProperty("id").GetString()!];
                var d = Geodesic.DistanceMeters(park.Point!, institution.Point!);
                Assert.InRange(partner.GetProperty("distance_m").GetDouble(), d - 0.001, d + 0.001);
                var slack = park.Uncertainty + institution.Uncertainty;
                Assert.InRange(partner.GetProperty("max_distance_m").GetDouble(), d + slack - 0.001, d + slack + 0.001);
                var rank = partner.GetProperty("rank");
                Assert.True(rank.GetProperty("best").GetInt32() <= rank.GetProperty("estimated").GetInt32() && rank.GetProperty("estimated").GetInt32() <= rank.GetProperty("worst").GetInt32());
                Assert.Equal(ReadFeatures("universities").Count + ReadFeatures("institutes").Count, rank.GetProperty("of").GetInt32());
            }

            Assert.Equal(ids.Order(StringComparer.Ordinal), json.GetProperty("partners").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        }

        Assert.True(measured >= 4, $"only {measured} shipped links measured");
    }

    [Fact]
    public async Task Districts_OnShippedData_CountEachFeatureInItsDistrict()
    {
        var client = _factory.CreateClient();
        var body = await (await client.GetAsync("/analysis/districts")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var districts = ReadFeatures("districts").Select(f => f.Id).ToList();
        var rows = body.GetProperty("districts").EnumerateArray().ToList();
        Assert.Equal(16, districts.Count);
        Assert.Equal(districts, rows.Select(r => r.GetProperty("id").GetString()));
        foreach (var collection in new[] { "parks", "universities", "institutes" })
        {
            var byDistrict = ReadFeatures(collection).GroupBy(f => f.Text("district_id")!).ToDictionary(g => g.Key, g => g.Count());
            foreach (var row in rows)
            {
                Assert.Equal(byDistrict.GetValueOrDefault(row.GetProperty("id").GetString()!), row.GetProperty("counts").GetProperty(collection).GetInt32());
            }
        }

        var sectors = await (await client.GetAsync("/analysis/sectors")).ReadJsonAsync(HttpStatusCode.OK, "application/json");
        Assert.Equal(ReadFeatures("parks").Count, sectors.GetProperty("sectors").EnumerateArray().Sum(s => s.GetProperty("parks_by_district").EnumerateArray().Sum(c => c.GetInt32())));
    }

    public void Dispose() => _factory.Dispose();

    private static List<Shipped> ReadFeatures(string collection)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(_geodata, collection + ".geojson")));
        return [.. document.RootElement.GetProperty("features").EnumerateArray().Select(f =>
        {
            var geometry = f.GetProperty("geometry");
            Coordinate? point = geometry.GetProperty("type").GetString() == "Point"
                ? new Coordinate(geometry.GetProperty("coordinates")[0].GetDouble(), geometry.GetProperty("coordinates")[1].GetDouble())
                : null;
            return new Shipped(f.GetProperty("id").GetString()!, point, f.GetProperty("properties").Clone());
        })];
    }
}
