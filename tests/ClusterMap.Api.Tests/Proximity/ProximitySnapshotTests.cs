using System.Net;
using System.Text.Json;
using ClusterMap.Core.Import;
using ClusterMap.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterMap.Api.Tests.Proximity;

/// <summary>
/// What the proximity endpoints answer from: the per-version collection snapshot (its data version trusted for
/// Proximity:DataVersionCheckMilliseconds, and read again after any request that may write) and the feature JSON
/// serialised once per snapshot.
/// </summary>
public sealed class ProximitySnapshotTests
{
    private const string WithinAll = "/proximity/within?target=sites&radius_m=100000&lon=121.2&lat=31.2";

    [Fact]
    public async Task Within_FeaturesCarryTheStoredGeometryAndPropertiesAsItemsServesThem()
    {
        await using var factory = new ClusterMapFactory();
        var client = factory.CreateClient();

        var features = (await GetJsonAsync(client, WithinAll)).GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(25, features.Count);
        foreach (var feature in features)
        {
            var id = feature.GetProperty("id").GetString();
            var item = await GetJsonAsync(client, $"/collections/sites/items/{id}");
            Assert.Equal("Feature", feature.GetProperty("type").GetString());
            Assert.Equal(item.GetProperty("geometry").GetRawText(), feature.GetProperty("geometry").GetRawText());
            var answered = feature.GetProperty("properties");
            foreach (var stored in item.GetProperty("properties").EnumerateObject().Where(p => p.Name != "rank"))
            {
                Assert.Equal(stored.Value.GetRawText(), answered.GetProperty(stored.Name).GetRawText());
            }

            Assert.True(answered.GetProperty("distance_m").GetDouble() >= 0);
        }
    }

    [Fact]
    public async Task Within_AfterAnyRequestThatMayWrite_ReadsTheDataVersionAgain()
    {
        // A version window far longer than the test: only the refresh after a write-method request can make the change seen.
        await using var factory = ClusterMapFactory.With(ClusterMapFactory.TestGeodata, new Dictionary<string, string?> { ["Proximity:DataVersionCheckMilliseconds"] = "60000" });
        var client = factory.CreateClient();
        Assert.Equal(25, await CountAsync(client));

        // Another process (here: the store object directly) drops two sites: within the window the answer is unchanged.
        var store = factory.Services.GetRequiredService<IFeatureStore>();
        var sites = GeodataManifest.ReadAll(ClusterMapFactory.TestGeodata).Single(c => c.Definition.Id == "sites");
        await store.ReplaceCollectionsAsync([new CollectionImport(sites.Definition, [.. sites.Features.Where(f => f.Id is not "site-00" and not "site-01")])]);
        Assert.Equal(25, await CountAsync(client));

        // Any request with a method that may write (whatever its outcome) makes the next one read the version again.
        using var post = await client.PostAsync(WithinAll, new StringContent("{}"));
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(23, await CountAsync(client));
    }

    [Fact]
    public async Task Within_WithNoVersionWindow_SeesAnotherProcessWriteAtOnce()
    {
        await using var factory = ClusterMapFactory.With(ClusterMapFactory.TestGeodata, new Dictionary<string, string?> { ["Proximity:DataVersionCheckMilliseconds"] = "0" });
        var client = factory.CreateClient();
        Assert.Equal(25, await CountAsync(client));

        var store = factory.Services.GetRequiredService<IFeatureStore>();
        var sites = GeodataManifest.ReadAll(ClusterMapFactory.TestGeodata).Single(c => c.Definition.Id == "sites");
        await store.ReplaceCollectionsAsync([new CollectionImport(sites.Definition, [.. sites.Features.Where(f => f.Id != "site-00")])]);
        Assert.Equal(24, await CountAsync(client));
    }

    private static async Task<int> CountAsync(HttpClient client) => (await GetJsonAsync(client, WithinAll)).GetProperty("numberReturned").GetInt32();

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
