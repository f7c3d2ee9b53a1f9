using System.Net;
using System.Text.Json;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Api.Tests.Maps;

/// <summary>The service on the repository's own geodata/, for tests that read back every shipped figure.</summary>
public sealed class ShippedMapFactory() : ClusterMapFactory(Path.Combine(ServiceProcess.RepositoryRoot(), "geodata"), new Dictionary<string, string?>());

/// <summary>
/// Every shipped park's report (and every institute's, and a sample of campuses) and static map read back as a
/// reader's tools read them, with <c>pdftotext -bbox-layout</c>: no word covers another, the subject is named on its
/// own map, and a report's footer lies below everything else on each page.
/// </summary>
public sealed class ReportLayoutTests(ShippedMapFactory factory) : IClassFixture<ShippedMapFactory>
{
    // Every eighth campus by id: the 89 campuses lie in few dense clusters, and a sample covers them without
    // rendering each.
    private const int CampusSampleStep = 8;

    [Fact]
    public async Task EveryShippedReport_HasNoOverlappingWords_NamesItsSubjectOnTheMap_AndEndsWithTheFooter()
    {
        var client = factory.CreateClient();
        var subjects = new List<(string Collection, JsonElement Feature)>();
        subjects.AddRange((await ItemsAsync(client, "parks")).Select(f => ("parks", f)));
        subjects.AddRange((await ItemsAsync(client, "institutes")).Select(f => ("institutes", f)));
        subjects.AddRange((await ItemsAsync(client, "universities")).Where((_, i) => i % CampusSampleStep == 0).Select(f => ("universities", f)));
        Assert.True(subjects.Count(s => s.Collection == "parks") >= 28, "the shipped parks were not all found");

        var failures = new List<string>();
        foreach (var (collection, feature) in subjects)
        {
            var id = feature.GetProperty("id").GetString()!;
            var response = await client.GetAsync($"/reports/{collection}/{Uri.EscapeDataString(id)}.pdf");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var words = await PdfWords.ReadAsync(await response.Content.ReadAsByteArrayAsync());
            failures.AddRange(LayoutFailures(words, id, Name(feature)).Select(f => $"{collection}/{id}: {f}"));
        }

        Assert.True(failures.Count == 0, $"{failures.Count} layout failures in {subjects.Count} reports:\n{string.Join("\n", failures)}");
    }

    [Fact]
    public async Task EveryShippedParkStaticMap_HasNoOverlappingWords_AndLabelsItsSubject()
    {
        var client = factory.CreateClient();
        var parks = await ItemsAsync(client, "parks");
        var failures = new List<string>();
        foreach (var park in parks)
        {
            var id = park.GetProperty("id").GetString()!;
            // A title of its own, so the park's name on the figure can only be its label.
            var response = await client.GetAsync($"/maps/static.pdf?highlight=parks/{Uri.EscapeDataString(id)}&nearest=3&title=Figure");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var words = await PdfWords.ReadAsync(await response.Content.ReadAsByteArrayAsync());
            failures.AddRange(PdfWords.Overlapping(words).Select(o => $"parks/{id}: {o.A} overlaps {o.B}"));
            if (!PdfWords.Lines(words).Any(l => PdfWords.ContainsName(l.Text, Name(park))))
            {
                failures.Add($"parks/{id}: '{Name(park)}' is not written on the map");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} layout failures in {parks.Count} static maps:\n{string.Join("\n", failures)}");
    }

    /// <summary>What a reader would find wrong on one report page.</summary>
    internal static IEnumerable<string> LayoutFailures(IReadOnlyList<PdfWord> words, string featureId, string name)
    {
        foreach (var (a, b) in PdfWords.Overlapping(words))
        {
            yield return $"{a} overlaps {b}";
        }

        // The map lies between the subtitle (which ends with the feature's id) and the nearest table's heading.
        var subtitle = words.FirstOrDefault(w => w.Text.EndsWith(featureId, StringComparison.Ordinal));
        var table = words.FirstOrDefault(w => w.Text == "Nearest" && (subtitle is null || w.YMin > subtitle.YMax));
        if (subtitle is null || table is null)
        {
            yield return "subtitle or table heading not found";
            yield break;
        }

        var onMap = PdfWords.Lines(words.Where(w => w.Page == subtitle.Page && w.YMin > subtitle.YMax && w.YMax < table.YMin))
            .Any(l => PdfWords.ContainsName(l.Text, name));
        if (!onMap)
        {
            yield return $"'{name}' is not written on the map (between y {subtitle.YMax:0.0} and {table.YMin:0.0})";
        }

        // Every page ends with its footer band (the footer, then the stamp): nothing else reaches into it.
        foreach (var page in words.GroupBy(w => w.Page))
        {
            var footerLine = PdfWords.Lines(page).FirstOrDefault(l => l.Text.StartsWith("ClusterMap·distances", StringComparison.Ordinal));
            if (footerLine.Words is null)
            {
                yield return $"footer not found on page {page.Key}";
                continue;
            }

            var footerBlock = footerLine.Words[0].Block;
            var footerTop = page.Where(w => w.Block == footerBlock).Min(w => w.YMin);
            foreach (var above in page.Where(w => w.Block != footerBlock && w.YMax > footerTop))
            {
                yield return $"{above} reaches into the footer (top {footerTop:0.0})";
            }
        }
    }

    /// <summary>The name the map's label writes first: the Chinese name, else the English one.</summary>
    private static string Name(JsonElement feature)
    {
        var properties = feature.GetProperty("properties");
        return properties.TryGetProperty("name_zh", out var zh) && zh.ValueKind == JsonValueKind.String
            ? zh.GetString()!
            : properties.GetProperty("name_en").GetString()!;
    }

    private static async Task<List<JsonElement>> ItemsAsync(HttpClient client, string collection)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync($"/collections/{collection}/items?limit=1000"));
        return [.. document.RootElement.GetProperty("features").EnumerateArray().Select(f => f.Clone()).OrderBy(f => f.GetProperty("id").GetString(), StringComparer.Ordinal)];
    }
}
