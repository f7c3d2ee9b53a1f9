using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClusterMap.Cli.Tests;

/// <summary>
/// <c>clustermap report</c> through the real CLI, against the real service on the same database: a brief and an atlas
/// with the service's words page for page (but for the render time), the permalinks of <c>--base-url</c>, bad options
/// refused with the option named, and no file left behind by a refusal.
/// </summary>
public sealed partial class ReportCommandTests(SeedStoreFixture fixture) : IClassFixture<SeedStoreFixture>
{
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")]
    private static partial Regex RenderTime();

    /// <summary>An atlas draws a few pages per park: more than HttpClient's default 100 s on a busy machine.</summary>
    private HttpClient Client => field ??= new HttpClient { BaseAddress = fixture.Service.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };

    private string Output(string name) => Path.Combine(fixture.Folder, name);

    private string BaseUrl => fixture.Service.BaseAddress.AbsoluteUri.TrimEnd('/');

    [Fact]
    public async Task ReportId_WritesTheServicesBrief_WordForWord()
    {
        var parkId = await FittingParkIdAsync();
        var path = Output("brief.pdf");

        var result = await CliRunner.RunAsync(fixture.Folder, "report", "--collection", "parks", "--id", parkId, "--base-url", BaseUrl, "--out", path, "--db", fixture.DatabasePath,
            "--geodata", Geodata.GeodataPaths.CommittedGeodata);

        Assert.True(result.ExitCode == 0, result.Error);
        var served = await DownloadAsync($"/reports/parks/{Uri.EscapeDataString(parkId)}.pdf", "served-brief.pdf");
        var written = await PagesAsync(path);
        Assert.Equal(await PagesAsync(served), written);
        // With the research base, its fit read from the same table as the service's.
        using var analysis = JsonDocument.Parse(await Client.GetStringAsync($"/analysis/parks/{Uri.EscapeDataString(parkId)}/research-base"));
        var fitVersion = analysis.RootElement.GetProperty("made_with").GetProperty("fit_table").GetProperty("version").GetString()!;
        Assert.Null(analysis.RootElement.GetProperty("made_with").GetProperty("fit_table").GetProperty("problem").GetString());
        Assert.Contains(written, page => page.Contains("Research base", StringComparison.Ordinal) && page.Contains(fitVersion, StringComparison.Ordinal));
        Assert.Contains(written, page => page.Contains($"{BaseUrl}/reports/parks/{parkId}.pdf", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReportFilter_WritesTheServicesAtlas_PageForPage()
    {
        const string Filter = "sector = '集成电路'";
        var path = Output("atlas.pdf");

        var result = await CliRunner.RunAsync(fixture.Folder, "report", "--collection", "parks", "--filter", Filter, "--base-url", BaseUrl, "--lang", "en", "--out", path, "--db", fixture.DatabasePath,
            "--geodata", Geodata.GeodataPaths.CommittedGeodata);

        Assert.True(result.ExitCode == 0, result.Error);
        var served = await DownloadAsync($"/reports/parks.pdf?filter={Uri.EscapeDataString(Filter)}&lang=en", "served-atlas.pdf");
        var written = await PagesAsync(path);
        Assert.Equal(await PagesAsync(served), written);
        // The cover names every park the items endpoint selects with the same filter, and its permalink is the atlas's.
        using var items = JsonDocument.Parse(await Client.GetStringAsync($"/collections/parks/items?filter={Uri.EscapeDataString(Filter)}&limit=1000"));
        var selected = items.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties").GetProperty("name_en").GetString()!).ToList();
        Assert.NotEmpty(selected);
        Assert.All(selected, name => Assert.Contains(name.Split(' ')[0], written[0], StringComparison.Ordinal));
        Assert.Contains($"{selected.Count} features of", written[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportId_WithoutAFitTable_SaysEveryFitIsUnknown()
    {
        var parkId = await FittingParkIdAsync();
        var path = Output("brief-no-fit.pdf");

        // The fixture's folder holds a database but no analysis/ folder.
        var result = await CliRunner.RunAsync(fixture.Folder, "report", "--collection", "parks", "--id", parkId, "--out", path, "--db", fixture.DatabasePath, "--geodata", fixture.Folder);

        Assert.True(result.ExitCode == 0, result.Error);
        var text = string.Join(" ", await PagesAsync(path));
        Assert.Contains("Research base", text, StringComparison.Ordinal);
        Assert.Contains("every fit is unknown", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--lang", "fr", "--lang: 'fr'")]
    [InlineData("--collection", "metro-stations", "--collection: 'metro-stations'")]
    [InlineData("--id", "no-such-park", "--id: 'no-such-park'")]
    [InlineData("--ids", "park-x,", "--ids: 'park-x'")]
    [InlineData("--filter", "sector = ", "--filter: At character")]
    [InlineData("--filter", "no_such_property = 1", "--filter:")]
    [InlineData("--base-url", "ftp://example.org", "--base-url: 'ftp://example.org'")]
    public async Task BadOption_IsRefusedNamingIt_AndWritesNothing(string option, string value, string message)
    {
        var path = Output($"refused-{Guid.NewGuid():N}.pdf");
        string[] arguments = option == "--collection"
            ? ["report", "--collection", value, "--out", path, "--db", fixture.DatabasePath]
            : ["report", "--collection", "parks", option, value, "--out", path, "--db", fixture.DatabasePath];

        var result = await CliRunner.RunAsync(fixture.Folder, arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public async Task IdWithFilter_IsRefused()
    {
        var result = await CliRunner.RunAsync(fixture.Folder, "report", "--collection", "parks", "--id", "a", "--filter", "sector = 'x'", "--out", Output("both.pdf"), "--db", fixture.DatabasePath);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--id, --ids, --filter", result.Error, StringComparison.Ordinal);
    }

    /// <summary>The first park whose research base has a fit to its sector (so the brief names the fit table's version).</summary>
    private async Task<string> FittingParkIdAsync()
    {
        using var table = JsonDocument.Parse(await Client.GetStringAsync("/analysis/research-base"));
        return table.RootElement.GetProperty("parks").EnumerateArray()
            .First(p => p.GetProperty("bands")[0].GetProperty("fit").ValueKind == JsonValueKind.Object)
            .GetProperty("park").GetProperty("id").GetString()!;
    }

    private async Task<string> DownloadAsync(string url, string name)
    {
        using var response = await Client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode}");
        var path = Output(name);
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
        return path;
    }

    /// <summary>Each page's words in reading order, without the render time (the only thing two renderings differ in).</summary>
    private static async Task<IReadOnlyList<string>> PagesAsync(string pdf)
    {
        var result = await CliRunner.RunProgramAsync(Path.GetTempPath(), "pdftotext", "-layout", pdf, "-");
        Assert.True(result.ExitCode == 0, result.Error);
        return [.. result.Output.Split('\f').Where(p => p.Trim().Length > 0)
            .Select(p => string.Join(' ', p.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Where(w => !RenderTime().IsMatch(w))))];
    }
}
