using System.Net;
using System.Text.Json;
using ClusterMap.Api.Tests.Ogc;
using ClusterMap.Tests.Shared;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Tests.Filtering;

/// <summary>
/// Items pages under <c>Features:MaxExactCount</c> (here <see cref="Cap"/>), on every store: a page over more matches
/// than the cap has no <c>numberMatched</c> but a next link, the next links reach every match exactly once (brute force
/// over the stored features), the last page and any selection within the cap keep the exact count, and the HTML view
/// says "more than" in both languages.
/// </summary>
public abstract class BoundedCountContract(FilterService service)
{
    public const int Cap = 40;

    private const string Items = $"/collections/{Cql2BruteForceCases.CollectionId}/items";
    private const string Bbox = "121.2,31.0,121.6,31.4";

    private HttpClient Client => service.Client;

    private List<string> InBbox() =>
        [.. service.Features.Where(f => new GeometryFactory().ToGeometry(new Envelope(121.2, 121.6, 31.0, 31.4)).Intersects(f.Geometry)).Select(f => f.Id)];

    private async Task<JsonElement> GetPageAsync(string url) =>
        await (await Client.GetAsync(url)).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");

    [Fact]
    public async Task GetItems_BboxOverMoreThanTheCap_OmitsNumberMatched_AndNextLinksReachEveryMatchOnce()
    {
        var expected = InBbox();
        Assert.InRange(expected.Count, (2 * Cap) + 1, service.Features.Count - 1);

        var ids = new List<string>();
        string? next = $"{Items}?bbox={Bbox}&limit=25";
        while (next is not null)
        {
            var page = await GetPageAsync(next);
            var returned = page.GetProperty("numberReturned").GetInt32();
            ids.AddRange(page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!));
            var last = ids.Count == expected.Count;
            // Only the last page knows the count without counting past the cap: it is where the matches end.
            Assert.Equal(last, page.TryGetProperty("numberMatched", out var matched));
            if (last)
            {
                Assert.Equal(expected.Count, matched.GetInt64());
            }
            else
            {
                Assert.Equal(25, returned);
            }

            Assert.Equal(!last, page.GetProperty("links").HasLink("next"));
            next = page.GetProperty("links").HasLink("next") ? page.GetProperty("links").Href("next") : null;
            Assert.True(ids.Count <= expected.Count, $"paging went past the {expected.Count} matches at {next}");
        }

        Assert.Equal(expected, ids);
    }

    [Fact]
    public async Task GetItems_SelectionWithinTheCap_KeepsTheExactCount()
    {
        const string filter = "S_INTERSECTS(geometry, BBOX(121.40, 31.10, 121.50, 31.20))";
        var expected = Cql2BruteForceCases.BruteForce(Cql2BruteForceCases.All().Single(c => c.Label == filter).Filter, service.Features);
        Assert.InRange(expected.Count, 3, Cap);

        var page = await GetPageAsync($"{Items}?filter={Uri.EscapeDataString(filter)}&limit=2");

        Assert.Equal(expected.Count, page.GetProperty("numberMatched").GetInt64());
        Assert.Equal(expected.Take(2), page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task GetItems_WholeCollection_KeepsItsExactCount()
    {
        var page = await GetPageAsync($"{Items}?limit=5");

        Assert.Equal(service.Features.Count, page.GetProperty("numberMatched").GetInt64());
    }

    [Fact]
    public async Task GetItemsCsv_OverMoreThanTheCap_CarriesTheNextPageInItsLinkHeader()
    {
        using var response = await Client.GetAsync($"{Items}?bbox={Bbox}&limit=25&f=csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("offset=25", string.Join(",", response.Headers.GetValues("Link")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", 0, "More than 40 features match; showing 1–25.", 40)]
    [InlineData("zh", 0, "超过 40 个要素符合条件，显示第 1–25 个。", 40)]
    [InlineData("en", 50, "More than 75 features match; showing 51–75.", 75)]
    public async Task ItemsHtml_OverMoreThanTheCap_SaysMoreThan_AndLinksTheNextPage(string lang, int offset, string wording, int moreThan)
    {
        var html = await HtmlViewsTests.GetHtmlAsync(Client, $"{Items}?bbox={Bbox}&limit=25&offset={offset}&lang={lang}");

        Assert.Contains(wording, WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains($"data-matched-more-than=\"{moreThan}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-matched=", html, StringComparison.Ordinal);
        Assert.Contains($"offset={offset + 25}", HtmlViewsTests.LinkRel(html, "next") ?? "", StringComparison.Ordinal);
    }
}

public sealed class SqliteCappedFilterService : FilterService
{
    protected override Task<ClusterMapFactory> CreateFactoryAsync() =>
        Task.FromResult(ClusterMapFactory.With(ClusterMapFactory.TestGeodata, new Dictionary<string, string?> { ["Features:MaxExactCount"] = $"{BoundedCountContract.Cap}" }));
}

public sealed class SqliteBoundedCountTests(SqliteCappedFilterService service) : BoundedCountContract(service), IClassFixture<SqliteCappedFilterService>;

public sealed class PostGisCappedFilterService : PostGisFilterService
{
    protected override IReadOnlyDictionary<string, string?> MoreSettings { get; } = new Dictionary<string, string?> { ["Features:MaxExactCount"] = $"{BoundedCountContract.Cap}" };
}

public sealed class PostGisBoundedCountTests(PostGisCappedFilterService service) : BoundedCountContract(service), IClassFixture<PostGisCappedFilterService>;
