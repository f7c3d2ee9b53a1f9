using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Analysis;
using ClusterMap.Tests.Shared;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Tests.Analysis;

/// <summary>Generated parks and institutions written as a geodata folder and served by the real service on SQLite.</summary>
public sealed class AnalysisFixture : IDisposable
{
    public static readonly Envelope Area = new(121.3, 121.6, 31.1, 31.35);

    private readonly string _folder = Directory.CreateTempSubdirectory("clustermap-analysis-").FullName;

    public AnalysisFixture()
    {
        Data = AnalysisData.Generate(seed: 19, parks: 25, institutions: 700, Area, straddledParks: 4);
        Data.WriteGeodata(_folder);
        Factory = ClusterMapFactory.With(_folder);
    }

    public AnalysisData Data { get; }

    public ClusterMapFactory Factory { get; }

    public void Dispose()
    {
        Factory.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

public sealed class AnalysisApiSqliteTests(AnalysisFixture fixture) : AnalysisApiTests(fixture.Factory, fixture.Data), IClassFixture<AnalysisFixture>;

public sealed class AnalysisApiPostGisTests(PostGisAnalysisFixture fixture) : AnalysisApiTests(fixture.Factory, fixture.Data), IClassFixture<PostGisAnalysisFixture>;

/// <summary>
/// Research bases and white spots against a brute force over the generated data, their CSV, validators and errors:
/// the same tests on each store.
/// </summary>
public abstract class AnalysisApiTests(ClusterMapFactory factory, AnalysisData data)
{
    private readonly HttpClient _client = factory.CreateClient();

    private AnalysisData Data => data;

    [Fact]
    public async Task GetResearchBase_AllParks_EqualsBruteForce()
    {
        var body = await (await _client.GetAsync("/analysis/research-base")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var parks = body.GetProperty("parks").EnumerateArray().ToList();
        Assert.Equal(Data.Parks.Count, parks.Count);
        Assert.Equal(Data.Parks.Count, body.GetProperty("numberReturned").GetInt32());
        var possibleSeen = 0;
        foreach (var row in parks)
        {
            var park = Data.Parks.Single(p => p.Id == row.GetProperty("park").GetProperty("id").GetString());
            Assert.Equal(park.Sector, row.GetProperty("park").GetProperty("sector").GetString());
            var bands = row.GetProperty("bands").EnumerateArray().ToList();
            Assert.Equal(AnalysisData.Bands, bands.Select(b => b.GetProperty("radius_m").GetDouble()));
            for (var b = 0; b < bands.Count; b++)
            {
                AssertBand(AnalysisData.BruteForce(park, Data.Institutions, AnalysisData.Bands[b], ResearchBaseSettings.DefaultTierWeights), bands[b], $"{park.Id} {AnalysisData.Bands[b]}");
                possibleSeen += bands[b].GetProperty("possible").GetInt32();
            }
        }

        Assert.True(possibleSeen > 0);
        var madeWith = body.GetProperty("made_with");
        Assert.Equal("parks", madeWith.GetProperty("parks")[0].GetProperty("collection").GetString());
        Assert.Equal(["universities", "institutes"], madeWith.GetProperty("institutions").EnumerateArray().Select(i => i.GetProperty("collection").GetString()));
        Assert.Equal(Data.Institutions.Count, madeWith.GetProperty("institutions").EnumerateArray().Sum(i => i.GetProperty("kept_by_filters").GetInt32()));
        Assert.Equal(AnalysisData.Bands, madeWith.GetProperty("bands_m").EnumerateArray().Select(b => b.GetDouble()));
        Assert.Equal(JsonValueKind.Null, madeWith.GetProperty("fit_table").GetProperty("problem").ValueKind);
        Assert.Empty(madeWith.GetProperty("filters").EnumerateObject());
    }

    [Fact]
    public async Task GetParkResearchBase_WithBandsWeightsAndFilter_EqualsBruteForce()
    {
        var park = Data.Parks[0];
        var weights = new Dictionary<InstitutionTier, double>(ResearchBaseSettings.DefaultTierWeights) { [InstitutionTier.Project985] = 10 };
        var response = await _client.GetAsync($"/analysis/parks/{park.Id}/research-base?bands_m=1500,4000,12000&tier_weights=985:10&institutions=universities");

        var body = await response.ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var universities = Data.Institutions.Take(Data.Institutions.Count / 2).ToList();
        var bands = body.GetProperty("bands").EnumerateArray().ToList();
        double[] radii = [1500, 4000, 12000];
        for (var b = 0; b < radii.Length; b++)
        {
            AssertBand(AnalysisData.BruteForce(park, universities, radii[b], weights), bands[b], $"band {radii[b]}");
        }

        Assert.Equal(10, body.GetProperty("made_with").GetProperty("tier_weights").GetProperty("985").GetDouble());
        Assert.Single(body.GetProperty("made_with").GetProperty("institutions").EnumerateArray());

        // A property filter on the institutions: only those with is_985 = true count.
        var filtered = await (await _client.GetAsync($"/analysis/parks/{park.Id}/research-base?is_985=true")).ReadJsonAsync(HttpStatusCode.OK, "application/json");
        var kept = Data.Institutions.Where(i => i.PropertiesJson.Contains("\"is_985\":true", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(kept);
        var filteredBands = filtered.GetProperty("bands").EnumerateArray().ToList();
        for (var b = 0; b < AnalysisData.Bands.Count; b++)
        {
            AssertBand(AnalysisData.BruteForce(park, kept, AnalysisData.Bands[b], ResearchBaseSettings.DefaultTierWeights), filteredBands[b], $"filtered band {b}");
        }

        Assert.Equal("true", filtered.GetProperty("made_with").GetProperty("filters").GetProperty("is_985").GetString());
    }

    [Fact]
    public async Task GetResearchBase_Csv_HoldsTheJsonFigures()
    {
        var json = await (await _client.GetAsync("/analysis/research-base?bands_m=3000,9000")).ReadJsonAsync(HttpStatusCode.OK, "application/json");
        var response = await _client.GetAsync("/analysis/research-base?bands_m=3000,9000&f=csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF').TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var header = lines[0].Split(',').ToList();
        Assert.Equal(1 + (2 * Data.Parks.Count), lines.Count);

        var rows = lines.Skip(1).Select(l => SplitCsv(l)).ToList();
        foreach (var park in json.GetProperty("parks").EnumerateArray())
        {
            var id = park.GetProperty("park").GetProperty("id").GetString();
            foreach (var band in park.GetProperty("bands").EnumerateArray())
            {
                var radius = band.GetProperty("radius_m").GetDouble().ToString("R", CultureInfo.InvariantCulture);
                var row = rows.Single(r => r[header.IndexOf("park_id")] == id && r[header.IndexOf("radius_m")] == radius);
                Assert.Equal(band.GetProperty("certain").GetInt32().ToString(CultureInfo.InvariantCulture), row[header.IndexOf("certain")]);
                Assert.Equal(band.GetProperty("possible").GetInt32().ToString(CultureInfo.InvariantCulture), row[header.IndexOf("possible")]);
                Assert.Equal(band.GetProperty("tiers").GetProperty("985").GetProperty("possible").GetInt32().ToString(CultureInfo.InvariantCulture), row[header.IndexOf("tier_985_possible")]);
                var fit = band.GetProperty("fit");
                Assert.Equal(fit.ValueKind == JsonValueKind.Null ? "" : fit.GetProperty("unknown").GetProperty("certain").GetInt32().ToString(CultureInfo.InvariantCulture), row[header.IndexOf("fit_unknown_certain")]);
                Assert.Equal("universities;institutes", row[header.IndexOf("institutions")]);
            }
        }
    }

    [Fact]
    public async Task GetWhiteSpots_EqualsBruteForceOnTheSameGrid()
    {
        const string Bbox = "121.3,31.1,121.6,31.35";
        var response = await _client.GetAsync($"/analysis/white-spots?cell_m=2000&min_institutions=5&institution_radius_m=2500&park_radius_m=2000&bbox={Bbox}");
        var body = await response.ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

        var grid = EqualAreaGrid.Covering(AnalysisFixture.Area, 2000);
        var features = body.GetProperty("features").EnumerateArray().ToDictionary(
            f => (f.GetProperty("properties").GetProperty("column").GetInt32(), f.GetProperty("properties").GetProperty("row").GetInt32()));
        var expected = 0;
        for (var row = 0; row < grid.Rows; row++)
        {
            for (var column = 0; column < grid.Columns; column++)
            {
                var centre = grid.Centre(column, row);
                var institutions = AnalysisData.BruteForceCount(centre, Data.Institutions, 2500);
                var parks = AnalysisData.BruteForceCount(centre, Data.Parks, 2000);
                var status = institutions.Certain >= 5 && parks.AtMost == 0 ? "certain" : institutions.AtMost >= 5 && parks.Certain == 0 ? "possible" : null;
                if (status is null)
                {
                    Assert.False(features.ContainsKey((column, row)));
                    continue;
                }

                expected++;
                var properties = features[(column, row)].GetProperty("properties");
                Assert.Equal(status, properties.GetProperty("status").GetString());
                Assert.Equal(institutions.Certain, properties.GetProperty("institutions_certain").GetInt32());
                Assert.Equal(institutions.Possible, properties.GetProperty("institutions_possible").GetInt32());
                Assert.Equal(parks.Possible, properties.GetProperty("parks_possible").GetInt32());
                var ring = features[(column, row)].GetProperty("geometry").GetProperty("coordinates")[0].EnumerateArray().ToList();
                Assert.Equal(5, ring.Count);
                // Written to 7 decimals (about 1 cm).
                Assert.InRange(ring[0][0].GetDouble() - grid.Cell(column, row, new GeometryFactory()).Coordinates[0].X, -1e-7, 1e-7);
            }
        }

        Assert.Equal(expected, features.Count);
        Assert.Contains(features.Values, f => f.GetProperty("properties").GetProperty("status").GetString() == "certain");
        var madeWith = body.GetProperty("made_with");
        Assert.Equal(grid.CellCount, madeWith.GetProperty("grid").GetProperty("cells").GetInt64());
        Assert.Contains("equal-area", madeWith.GetProperty("grid").GetProperty("projection").GetString(), StringComparison.Ordinal);
        Assert.Equal(2500, madeWith.GetProperty("institution_radius_m").GetDouble());
    }

    [Fact]
    public async Task Answers_CarryETag_RevalidateWith304_AndAnswerHead()
    {
        foreach (var url in new[]
        {
            "/analysis/research-base?f=csv", $"/analysis/parks/{Data.Parks[1].Id}/research-base", "/analysis/white-spots?cell_m=3000",
            "/analysis/links", $"/analysis/parks/{Data.Parks[0].Id}/partners?f=csv", "/analysis/districts", "/analysis/sectors?f=csv",
        })
        {
            var first = await _client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var etag = first.Headers.ETag;
            Assert.NotNull(etag);
            Assert.False(etag.IsWeak);

            using var revalidate = new HttpRequestMessage(HttpMethod.Get, url);
            revalidate.Headers.IfNoneMatch.Add(etag);
            var notModified = await _client.SendAsync(revalidate);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

            var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(etag, head.Headers.ETag);
            Assert.Equal(first.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());

            var other = await _client.GetAsync(url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "institutions=institutes");
            Assert.NotEqual(etag, other.Headers.ETag);
        }
    }

    [Theory]
    [InlineData("/analysis/research-base?bands_m=5000,2000", "bands_m")]
    [InlineData("/analysis/research-base?bands_m=abc", "bands_m")]
    [InlineData("/analysis/research-base?bands_m=0", "bands_m")]
    [InlineData("/analysis/research-base?tier_weights=990:3", "tier_weights")]
    [InlineData("/analysis/research-base?tier_weights=985:-1", "tier_weights")]
    [InlineData("/analysis/research-base?tier_weights=985:1,985:2", "tier_weights")]
    [InlineData("/analysis/research-base?parks=nope", "parks")]
    [InlineData("/analysis/research-base?parks=parks,universities", "parks")]
    [InlineData("/analysis/research-base?institutions=universities,nope", "institutions")]
    [InlineData("/analysis/research-base?institutions=universities,universities", "institutions")]
    [InlineData("/analysis/research-base?f=xml", "f")]
    [InlineData("/analysis/research-base?radius_m=5000", "radius_m")]
    [InlineData("/analysis/research-base?bands_m=1000&bands_m=2000", "bands_m")]
    [InlineData("/analysis/parks/park-00000/research-base?f=csv", "f")]
    [InlineData("/analysis/white-spots?cell_m=10", "cell_m")]
    [InlineData("/analysis/white-spots?cell_m=100&bbox=120,30,123,33", "cell_m")]
    [InlineData("/analysis/white-spots?min_institutions=0", "min_institutions")]
    [InlineData("/analysis/white-spots?min_institutions=2.5", "min_institutions")]
    [InlineData("/analysis/white-spots?institution_radius_m=0", "institution_radius_m")]
    [InlineData("/analysis/white-spots?park_radius_m=1e9", "park_radius_m")]
    [InlineData("/analysis/white-spots?bbox=1,2,3", "bbox")]
    [InlineData("/analysis/white-spots?bbox=170,30,-170,31", "bbox")]
    [InlineData("/analysis/white-spots?bands_m=2000", "bands_m")]
    [InlineData("/analysis/links?alternatives=21", "alternatives")]
    [InlineData("/analysis/links?alternatives=-1", "alternatives")]
    [InlineData("/analysis/links?alternatives=two", "alternatives")]
    [InlineData("/analysis/links?links=nope", "links")]
    [InlineData("/analysis/links?links=links,links", "links")]
    [InlineData("/analysis/links?f=xml", "f")]
    [InlineData("/analysis/links?bands_m=2000", "bands_m")]
    [InlineData("/analysis/parks/park-00000/partners?institutions=nope", "institutions")]
    [InlineData("/analysis/parks/park-00000/partners?cell_m=1000", "cell_m")]
    [InlineData("/analysis/districts?districts=nope", "districts")]
    [InlineData("/analysis/districts?districts=districts,districts", "districts")]
    [InlineData("/analysis/districts?bands_m=3,2", "bands_m")]
    [InlineData("/analysis/districts?tier_weights=985", "tier_weights")]
    [InlineData("/analysis/districts?f=geojson", "f")]
    [InlineData("/analysis/sectors?bands_m=2000", "bands_m")]
    [InlineData("/analysis/sectors?parks=nope", "parks")]
    [InlineData("/analysis/sectors?alternatives=2", "alternatives")]
    public async Task BadParameters_Are400NamingTheParameter(string url, string parameter) =>
        await (await _client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.BadRequest, parameter);

    [Fact]
    public async Task UnknownPark_Is404()
    {
        await (await _client.GetAsync("/analysis/parks/no-such-park/research-base")).AssertProblemAsync(HttpStatusCode.NotFound, "featureId");
        await (await _client.GetAsync("/analysis/parks/no-such-park/partners")).AssertProblemAsync(HttpStatusCode.NotFound, "featureId");
    }

    private static void AssertBand(AnalysisData.ExpectedBand expected, JsonElement band, string where)
    {
        Assert.True(expected.Estimated == band.GetProperty("estimated").GetInt32(), where);
        Assert.True(expected.Institutions.Certain == band.GetProperty("certain").GetInt32(), where);
        Assert.True(expected.Institutions.Possible == band.GetProperty("possible").GetInt32(), where);
        foreach (var tier in InstitutionTiers.All)
        {
            var pair = band.GetProperty("tiers").GetProperty(InstitutionTiers.Name(tier));
            Assert.Equal(expected.Tiers[(int)tier], new CertainPossible(pair.GetProperty("certain").GetInt32(), pair.GetProperty("possible").GetInt32()));
        }

        Assert.Equal(expected.WeightedCertain, band.GetProperty("weighted").GetProperty("certain").GetDouble(), 9);
        Assert.Equal(expected.WeightedPossible, band.GetProperty("weighted").GetProperty("possible").GetDouble(), 9);
        var fit = band.GetProperty("fit");
        if (expected.Fits is null)
        {
            Assert.Equal(JsonValueKind.Null, fit.ValueKind);
            return;
        }

        foreach (var (name, value) in new[] { ("fits", expected.Fits), ("does_not_fit", expected.DoesNotFit), ("unknown", expected.Unknown) })
        {
            Assert.Equal(value!.Value.Certain, fit.GetProperty(name).GetProperty("certain").GetInt32());
            Assert.Equal(value.Value.Possible, fit.GetProperty(name).GetProperty("possible").GetInt32());
        }
    }

    internal static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}

/// <summary>The analyses on the repository's own geodata/ and its shipped fit tables.</summary>
public sealed class ShippedAnalysisTests : IDisposable
{
    private readonly ClusterMapFactory _factory = ClusterMapFactory.With(Path.Combine(ServiceProcess.RepositoryRoot(), "geodata"));

    [Fact]
    public async Task ResearchBase_OnShippedData_ReadsTheFitTableAndKeepsComprehensiveUniversitiesUnknown()
    {
        var client = _factory.CreateClient();
        var body = await (await client.GetAsync("/analysis/research-base")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var madeWith = body.GetProperty("made_with");
        Assert.Equal(JsonValueKind.Null, madeWith.GetProperty("fit_table").GetProperty("problem").ValueKind);
        Assert.Equal(["universities", "institutes"], madeWith.GetProperty("institutions").EnumerateArray().Select(i => i.GetProperty("collection").GetString()));
        var parks = body.GetProperty("parks").EnumerateArray().ToList();
        var shipped = await (await client.GetAsync("/collections/parks/items?limit=1")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
        Assert.Equal(shipped.GetProperty("numberMatched").GetInt32(), parks.Count);

        // Every park with a sector has a fit; at 20 km the unknown count includes the comprehensive (综合类) universities
        // and the institutes, whose data gives no disciplines.
        foreach (var park in parks.Where(p => p.GetProperty("park").GetProperty("sector").ValueKind == JsonValueKind.String))
        {
            var outer = park.GetProperty("bands")[3];
            Assert.NotEqual(JsonValueKind.Null, outer.GetProperty("fit").ValueKind);
            var fit = outer.GetProperty("fit");
            var total = new[] { "fits", "does_not_fit", "unknown" }.Sum(n => fit.GetProperty(n).GetProperty("certain").GetInt32() + fit.GetProperty(n).GetProperty("possible").GetInt32());
            Assert.Equal(outer.GetProperty("certain").GetInt32() + outer.GetProperty("possible").GetInt32(), total);
        }

        Assert.Contains(parks, p => p.GetProperty("bands")[3].GetProperty("fit") is { ValueKind: JsonValueKind.Object } fit && fit.GetProperty("unknown").GetProperty("certain").GetInt32() > 0);
        Assert.Contains(parks, p => p.GetProperty("bands")[3].GetProperty("tiers").GetProperty("985").GetProperty("possible").GetInt32() > 0);
    }

    public void Dispose() => _factory.Dispose();
}
