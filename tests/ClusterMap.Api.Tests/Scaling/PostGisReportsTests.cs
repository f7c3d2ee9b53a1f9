using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClusterMap.Api.Tests.Maps;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Api.Tests.Scaling;

/// <summary>
/// Briefs and atlases on PostGIS with every collection above Maps:InMemoryMaxFeatures (0): their nearest tables and
/// research bases come from the candidates PostGIS selects (a spy over the store records every read), no collection is
/// read whole, and every word of every page is the word the same report states with every collection in memory (a
/// second service on the same database, at the default threshold), read back with <c>pdftotext -bbox-layout</c>.
/// </summary>
public sealed partial class PostGisReportsTests(PostGisReportsTests.Services services) : IClassFixture<PostGisReportsTests.Services>
{
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")]
    private static partial Regex RenderTime();

    public sealed class Services : IAsyncLifetime
    {
        private static readonly string _geodata = Path.Combine(ServiceProcess.RepositoryRoot(), "geodata");

        private string _connectionString = "";
        private ClusterMapFactory _storedFactory = null!;

        /// <summary>Every collection held in memory (the default threshold): the answers to compare with.</summary>
        public ClusterMapFactory InMemory { get; private set; } = null!;

        /// <summary>Every collection above the threshold, its store spied on.</summary>
        internal WebApplicationFactoryWithSpy Stored { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _connectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();
            var settings = new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "PostGis",
                ["ConnectionStrings:ClusterMap"] = _connectionString,
                ["Maps:DataVersionCheckMilliseconds"] = "0",
                ["Proximity:DataVersionCheckMilliseconds"] = "0",
                // The warm-up tile would land in the spy's record of the first report.
                ["Maps:WarmUpAtStart"] = "false",
            };
            InMemory = ClusterMapFactory.With(_geodata, settings);
            // The first service seeds the empty database; the second starts on the seeded one.
            _ = InMemory.CreateClient();
            _storedFactory = ClusterMapFactory.With(_geodata, new Dictionary<string, string?>(settings) { ["Maps:InMemoryMaxFeatures"] = "0" });
            Stored = StoreSpy.Around(_storedFactory, store => new PushDownStoreSpy(store));
        }

        public async Task DisposeAsync()
        {
            await Stored.Factory.DisposeAsync();
            await _storedFactory.DisposeAsync();
            await InMemory.DisposeAsync();
            await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(_connectionString);
        }
    }

    private PushDownStoreSpy Spy => (PushDownStoreSpy)services.Stored.Spy;

    [Fact]
    public async Task EveryParkBrief_AboveTheThreshold_StatesTheInMemoryBriefWordForWord_AndReadsNoCollectionWhole()
    {
        var parks = await IdsAsync("parks");
        Assert.True(parks.Count >= 28, "the shipped parks were not all found");
        var failures = new List<string>();
        foreach (var id in parks)
        {
            failures.AddRange(await CompareAsync($"/reports/parks/{Uri.EscapeDataString(id)}.pdf?lang=en"));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // The comparison means something: the research bases and nearest tables were selected by PostGIS.
        Assert.Contains(Spy.CandidateReads, r => r.CollectionId == "universities" && r.Returned > 0);
        Assert.Contains(Spy.CandidateReads, r => r.CollectionId == "institutes" && r.Returned > 0);
    }

    [Theory]
    [InlineData("/reports/universities/aurora.pdf")]
    [InlineData("/reports/institutes/inst-cas-sioc.pdf?lang=zh")]
    [InlineData("/reports/parks.pdf?ids=park-baowu-carbon-neutral,park-auto-new-energy-port")]
    [InlineData("/reports/universities.pdf?filter=is_985%3Dtrue&lang=en")]
    [InlineData("/reports/institutes.pdf")]
    public async Task BriefOrAtlas_AboveTheThreshold_StatesTheInMemoryWordsWordForWord_AndReadsNoCollectionWhole(string path)
    {
        // A filter is validated against the collection's queryables, which the items endpoint infers from every
        // feature once per change of the collection (CollectionQueryablesCache), not per request: read them first.
        if (Regex.Match(path, @"^/reports/([a-z-]+)\.pdf\?filter=([^&]+)") is { Success: true } filtered)
        {
            using var items = await services.Stored.Factory.CreateClient().GetAsync($"/collections/{filtered.Groups[1].Value}/items?limit=1&filter={filtered.Groups[2].Value}");
            Assert.Equal(HttpStatusCode.OK, items.StatusCode);
        }

        var failures = await CompareAsync(path);

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Contains(Spy.CandidateReads, r => r.CollectionId == "parks" || r.CollectionId == "universities");
    }

    /// <summary>The report of the path from both services: every word but the render time, and no whole read above the threshold.</summary>
    private async Task<List<string>> CompareAsync(string path)
    {
        var expected = await WordsAsync(services.InMemory.CreateClient(), path);
        Spy.Reset();
        var actual = await WordsAsync(services.Stored.Factory.CreateClient(), path);
        var failures = new List<string>();
        if (!Spy.WholeReads.IsEmpty)
        {
            failures.Add($"{path}: read whole: {string.Join(", ", Spy.WholeReads)}");
        }

        if (!expected.SequenceEqual(actual))
        {
            var at = expected.Zip(actual).TakeWhile(p => p.First == p.Second).Count();
            failures.Add($"{path}: word {at} differs: expected '{string.Join(" ", expected.Skip(at).Take(12))}', found '{string.Join(" ", actual.Skip(at).Take(12))}'");
        }

        return failures;
    }

    private static async Task<List<string>> WordsAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var words = await PdfWords.ReadAsync(await response.Content.ReadAsByteArrayAsync());
        return [.. words.Select(w => w.Text).Where(t => !RenderTime().IsMatch(t))];
    }

    private async Task<List<string>> IdsAsync(string collectionId)
    {
        using var items = JsonDocument.Parse(await services.InMemory.CreateClient().GetStringAsync($"/collections/{collectionId}/items?limit=1000"));
        return [.. items.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!)];
    }
}
