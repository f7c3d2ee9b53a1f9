using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Api.Tests.Maps;

/// <summary>
/// The research base in every shipped park's brief, read back as a reader reads it (<c>pdftotext -bbox-layout</c>):
/// each band's figures, number by number, are those <c>/analysis/parks/{id}/research-base</c> answers; its chart
/// states the same counts and is drawn as vector shapes (the PDF holds no image); the notes name the collections,
/// bands, fit table and data version of the endpoint's <c>made_with</c>. Briefs on campuses and institutes have none.
/// </summary>
public sealed partial class ReportResearchBaseTests(ShippedMapFactory factory) : IClassFixture<ShippedMapFactory>
{
    [GeneratedRegex(@"\d+(?:\.\d+)?")]
    private static partial Regex NumberPattern();

    [Fact]
    public async Task EveryShippedParkBrief_StatesTheResearchBaseOfTheAnalysisEndpoint_NumberByNumber()
    {
        var client = factory.CreateClient();
        using var items = JsonDocument.Parse(await client.GetStringAsync("/collections/parks/items?limit=1000"));
        var parks = items.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).ToList();
        Assert.True(parks.Count >= 28, "the shipped parks were not all found");

        var failures = new List<string>();
        var withFit = 0;
        foreach (var id in parks)
        {
            var (parkFailures, hasFit) = await CompareBriefAsync(client, id);
            failures.AddRange(parkFailures);
            withFit += hasFit ? 1 : 0;
        }

        // The shipped parks include sectors with a fit and parks without one: both kinds of row were read.
        Assert.InRange(withFit, 1, parks.Count - 1);
        Assert.True(failures.Count == 0, $"{failures.Count} failures in {parks.Count} briefs:\n{string.Join("\n", failures)}");
    }

    /// <summary>
    /// Generated parks (points and polygons, some with ranges straddling every band, sectors with and without a fit) and
    /// institutions: each brief states the endpoint's figures; and a changed fit table changes the brief, its ETag
    /// (a revalidation with the old one gets the new brief, not 304) and the version its notes name.
    /// </summary>
    [Fact]
    public async Task GeneratedParks_BriefsStateTheEndpointsFigures_AndAChangedFitTableChangesTheBriefAndItsETag()
    {
        var folder = Directory.CreateTempSubdirectory("clustermap-report-research-").FullName;
        try
        {
            var data = AnalysisData.Generate(seed: 23, parks: 8, institutions: 300, Analysis.AnalysisFixture.Area, straddledParks: 3);
            data.WriteGeodata(folder);
            using var service = ClusterMapFactory.With(folder);
            var client = service.CreateClient();
            var failures = new List<string>();
            foreach (var park in data.Parks)
            {
                failures.AddRange((await CompareBriefAsync(client, park.Id)).Failures);
            }

            Assert.True(failures.Count == 0, $"{failures.Count} failures in {data.Parks.Count} briefs:\n{string.Join("\n", failures)}");

            var subject = data.Parks.First(p => p.Sector is not null);
            var path = $"/reports/parks/{Uri.EscapeDataString(subject.Id)}.pdf";
            var before = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            var fitFile = Path.Combine(folder, "analysis", "sector-discipline-fit.csv");
            await File.AppendAllTextAsync(fitFile, $"\n{subject.Sector},13,added by the test\n");
            File.SetLastWriteTimeUtc(fitFile, DateTime.UtcNow.AddMinutes(1));

            using var revalidate = new HttpRequestMessage(HttpMethod.Get, path);
            revalidate.Headers.IfNoneMatch.Add(before.Headers.ETag!);
            var after = await client.SendAsync(revalidate);
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
            Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
            var (afterFailures, hasFit) = await CompareBriefAsync(client, subject.Id);
            Assert.True(afterFailures.Count == 0, string.Join("\n", afterFailures));
            Assert.True(hasFit, $"{subject.Id} ({subject.Sector}) has no fit after its sector was added to the table");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>One park's brief against the endpoint: what differs, and whether the park's sector has a fit.</summary>
    private static async Task<(List<string> Failures, bool HasFit)> CompareBriefAsync(HttpClient client, string id)
    {
        var failures = new List<string>();
        using var analysis = JsonDocument.Parse(await client.GetStringAsync($"/analysis/parks/{Uri.EscapeDataString(id)}/research-base"));
        var response = await client.GetAsync($"/reports/parks/{Uri.EscapeDataString(id)}.pdf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var pdf = await response.Content.ReadAsByteArrayAsync();
        var rows = Rows(await PdfWords.ReadAsync(pdf));
        var heading = rows.FindIndex(r => r.Count > 1 && r[0] == "Research" && r[1] == "base");
        if (heading < 0)
        {
            failures.Add($"{id}: no research base heading");
            return (failures, false);
        }

        var bands = analysis.RootElement.GetProperty("bands").EnumerateArray().ToList();
        var at = heading;
        foreach (var band in bands)
        {
            var km = Km(band.GetProperty("radius_m").GetDouble());
            var tableRow = rows.FindIndex(at + 1, r => r.Count > 2 && r[0] == km && r[1] == "km");
            var chartRow = rows.FindIndex(heading + 1, r => r.Count > 3 && r[0] == "≤" && r[1] == km && r[2] == "km");
            if (tableRow < 0 || chartRow < 0)
            {
                failures.Add($"{id}: band {km} km not found in the table or the chart");
                continue;
            }

            at = tableRow;
            Compare(failures, $"{id}, {km} km, table", TableFigures(band), Numbers(rows[tableRow]));
            Compare(failures, $"{id}, {km} km, chart", ChartFigures(band), Numbers(rows[chartRow]));
        }

        // What made it, as the endpoint's made_with says.
        var madeWith = analysis.RootElement.GetProperty("made_with");
        var notes = string.Join(" ", rows.Skip(heading).TakeWhile(r => r[0] != "Provenance").Select(r => string.Join(" ", r)));
        var expected = new List<string>();
        foreach (var parkCollection in madeWith.GetProperty("parks").EnumerateArray())
        {
            expected.Add($"parks {parkCollection.GetProperty("collection").GetString()} ({parkCollection.GetProperty("features").GetInt32()} features)");
        }

        expected.Add("institutions " + string.Join(", ", madeWith.GetProperty("institutions").EnumerateArray().Select(i =>
            $"{i.GetProperty("collection").GetString()} ({i.GetProperty("kept_by_filters").GetInt32()} of {i.GetProperty("features").GetInt32()} features)")));
        expected.Add("bands " + string.Join(", ", madeWith.GetProperty("bands_m").EnumerateArray().Select(b => Km(b.GetDouble()) + " km")));
        expected.Add($"data version {madeWith.GetProperty("data_version").GetInt64()}");
        expected.Add($"GET /analysis/parks/{id}/research-base");
        if (bands.Any(b => b.GetProperty("fit").ValueKind == JsonValueKind.Object))
        {
            expected.Add($"version {madeWith.GetProperty("fit_table").GetProperty("version").GetString()}");
        }

        failures.AddRange(expected.Where(e => !notes.Contains(e, StringComparison.Ordinal)).Select(e => $"{id}: the notes do not say '{e}'"));

        // The chart is drawn, not pasted: the page holds no image at all.
        var images = await ImagesAsync(pdf);
        if (images.Count > 0)
        {
            failures.Add($"{id}: {images.Count} images in the PDF: {string.Join("; ", images)}");
        }

        return (failures, bands.Any(b => b.GetProperty("fit").ValueKind == JsonValueKind.Object));
    }

    [Fact]
    public async Task CampusAndInstituteBriefs_HaveNoResearchBase()
    {
        var client = factory.CreateClient();
        foreach (var collection in new[] { "universities", "institutes" })
        {
            using var items = JsonDocument.Parse(await client.GetStringAsync($"/collections/{collection}/items?limit=1"));
            var id = items.RootElement.GetProperty("features")[0].GetProperty("id").GetString()!;
            var words = await PdfWords.ReadAsync(await client.GetByteArrayAsync($"/reports/{collection}/{Uri.EscapeDataString(id)}.pdf"));
            Assert.Contains(words, w => w.Text == "Nearest");
            Assert.DoesNotContain(words, w => w.Text.StartsWith("研究基础", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// A table row read back: certain, possible, estimated, weighted certain and possible, then (when the park's sector
    /// has a fit) fits of known certain with the share in whole percent, the same at most, and unknown at most.
    /// </summary>
    private static List<double> TableFigures(JsonElement band)
    {
        var figures = new List<double>
        {
            band.GetProperty("radius_m").GetDouble() / 1000,
            band.GetProperty("certain").GetInt32(),
            band.GetProperty("possible").GetInt32(),
            band.GetProperty("estimated").GetInt32(),
            band.GetProperty("weighted").GetProperty("certain").GetDouble(),
            band.GetProperty("weighted").GetProperty("possible").GetDouble(),
        };
        if (band.GetProperty("fit") is { ValueKind: JsonValueKind.Object } fit)
        {
            int Of(string name, string part) => fit.GetProperty(name).GetProperty(part).GetInt32();
            void Share(int fits, int known)
            {
                figures.Add(fits);
                figures.Add(known);
                if (known > 0)
                {
                    figures.Add(Math.Round(100.0 * fits / known, MidpointRounding.AwayFromZero));
                }
            }

            Share(Of("fits", "certain"), Of("fits", "certain") + Of("does_not_fit", "certain"));
            Share(Of("fits", "certain") + Of("fits", "possible"),
                Of("fits", "certain") + Of("fits", "possible") + Of("does_not_fit", "certain") + Of("does_not_fit", "possible"));
            figures.Add(Of("unknown", "certain") + Of("unknown", "possible"));
        }

        return figures;
    }

    /// <summary>A chart row read back: the band, then certain + possible.</summary>
    private static List<double> ChartFigures(JsonElement band) =>
        [band.GetProperty("radius_m").GetDouble() / 1000, band.GetProperty("certain").GetInt32(), band.GetProperty("possible").GetInt32()];

    private static void Compare(List<string> failures, string what, IReadOnlyList<double> expected, IReadOnlyList<double> read)
    {
        // The weights are multiples of a half and the counts whole: printed exactly, so a thousandth is rounding only.
        if (expected.Count != read.Count || expected.Zip(read).Any(p => Math.Abs(p.First - p.Second) > 1e-3))
        {
            failures.Add($"{what}: read {string.Join(" ", read)}, the endpoint says {string.Join(" ", expected)}");
        }
    }

    private static List<double> Numbers(IReadOnlyList<string> row) =>
        [.. NumberPattern().Matches(string.Join(" ", row)).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture))];

    private static string Km(double meters) => (meters / 1000).ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>
    /// The words in reading order, grouped into rows by their baseline (page by page, top to bottom, left to right):
    /// a table's cells, however pdftotext splits them into blocks, come back as one row. Footer bands are left out.
    /// </summary>
    private static List<List<string>> Rows(IReadOnlyList<PdfWord> words)
    {
        var rows = new List<List<string>>();
        foreach (var page in words.GroupBy(w => w.Page).OrderBy(g => g.Key))
        {
            var pageStart = rows.Count;
            var ordered = page.OrderBy(w => w.YMax).ThenBy(w => w.XMin).ToList();
            var current = new List<PdfWord>();
            foreach (var word in ordered)
            {
                if (current.Count > 0 && Math.Abs(word.YMax - current[0].YMax) > 1)
                {
                    rows.Add([.. current.OrderBy(w => w.XMin).Select(w => w.Text)]);
                    current.Clear();
                }

                current.Add(word);
            }

            if (current.Count > 0)
            {
                rows.Add([.. current.OrderBy(w => w.XMin).Select(w => w.Text)]);
            }

            // The page's footer band (footer, stamp) ends it: text continued on the next page reads on after it.
            var footer = rows.FindIndex(pageStart, r => r.Count > 1 && r[0] == "ClusterMap" && r[1] == "·");
            if (footer >= 0)
            {
                rows.RemoveRange(footer, rows.Count - footer);
            }
        }

        return rows;
    }

    /// <summary>The images <c>pdfimages -list</c> (poppler-utils) finds, one line each.</summary>
    private static async Task<List<string>> ImagesAsync(byte[] pdf)
    {
        var directory = Directory.CreateTempSubdirectory("clustermap-pdfimages-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, "brief.pdf"), pdf);
            var list = await MapAssertions.RunAsync("pdfimages", directory, "-list", "brief.pdf");
            // Two lines of heading, then one line per image.
            return [.. list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2)];
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
