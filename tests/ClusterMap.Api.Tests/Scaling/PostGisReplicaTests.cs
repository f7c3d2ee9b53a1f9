using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Storage;
using ClusterMap.Storage.PostGis;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Api.Tests.Scaling;

/// <summary>
/// Two real API processes on one PostGIS database, as behind a load balancer: a write through one (the write API,
/// with a key stored in the shared database) is seen through the other (items, proximity, tiles), and a delete
/// through the other is seen through the first, because every cache keys on the database's data version.
/// </summary>
public sealed class PostGisReplicaTests : IAsyncLifetime
{
    private static readonly string _geodata = Path.Combine(ServiceProcess.RepositoryRoot(), "geodata");

    // Tile 10/857/418 holds central Shanghai; the new campus goes at its centre.
    private const string TilePath = "/tiles/default/10/857/418.png";

    private string _connectionString = "";
    private ServiceProcess _replicaA = null!;
    private ServiceProcess _replicaB = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();
        var settings = PostGisSettings(_connectionString);
        // Started together on an empty database: they race to migrate and seed, and must agree on one result.
        var started = await Task.WhenAll(ServiceProcess.StartAsync(_geodata, settings), ServiceProcess.StartAsync(_geodata, settings));
        (_replicaA, _replicaB) = (started[0], started[1]);
    }

    public async Task DisposeAsync()
    {
        await _replicaA.DisposeAsync();
        await _replicaB.DisposeAsync();
        await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(_connectionString);
    }

    internal static Dictionary<string, string> PostGisSettings(string connectionString) => new()
    {
        ["Storage__Provider"] = "PostGis",
        ["ConnectionStrings__ClusterMap"] = connectionString,
        // Check the data version on every request: the test then needs no sleep (the default 250 ms bounds staleness).
        ["Maps__DataVersionCheckMilliseconds"] = "0",
        ["Proximity__DataVersionCheckMilliseconds"] = "0",
    };

    private static (double Lon, double Lat) TileCentre(int z, int x, int y)
    {
        var n = Math.Pow(2, z);
        var lon = (x + 0.5) / n * 360 - 180;
        var lat = Math.Atan(Math.Sinh(Math.PI * (1 - 2 * (y + 0.5) / n))) * 180 / Math.PI;
        return (lon, lat);
    }

    private static async Task<(HttpStatusCode Status, string Body, string? ETag)> GetAsync(ServiceProcess service, string path)
    {
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        using var response = await client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.ETag?.Tag);
    }

    private static string[] FeatureIds(string geoJson)
    {
        using var document = JsonDocument.Parse(geoJson);
        return [.. document.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!)];
    }

    [Fact]
    public async Task WriteThroughOneReplica_IsReadThroughTheOther()
    {
        var (lon, lat) = TileCentre(10, 857, 418);
        var point = string.Create(CultureInfo.InvariantCulture, $"lon={lon}&lat={lat}");
        var bbox = string.Create(CultureInfo.InvariantCulture, $"bbox={lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}");
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(_replicaB, "/collections/universities/items/replica-test")).Status);
        Assert.DoesNotContain("replica-test", FeatureIds((await GetAsync(_replicaB, $"/proximity/within?target=universities&radius_m=50&{point}")).Body));
        var tileBefore = await GetAsync(_replicaB, TilePath);
        Assert.Equal(tileBefore.ETag, (await GetAsync(_replicaA, TilePath)).ETag);

        // A key stored once in the shared database is accepted by every replica; the write goes through replica A.
        var store = new PostGisFeatureStore(_connectionString);
        var (key, record) = ApiKeys.Create("replica test", DateTimeOffset.UtcNow);
        await store.AddApiKeyAsync(record);
        using var writer = new HttpClient { BaseAddress = _replicaA.BaseAddress };
        writer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var feature = string.Create(CultureInfo.InvariantCulture,
            $$$"""{"type":"Feature","id":"replica-test","geometry":{"type":"Point","coordinates":[{{{lon}}},{{{lat}}}]},"properties":{"name_en":"Replica Test Campus","location_uncertainty_m":10}}""");
        using var posted = await writer.PostAsync("/collections/universities/items", new StringContent(feature, Encoding.UTF8, "application/geo+json"));
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);

        var item = await GetAsync(_replicaB, "/collections/universities/items/replica-test");
        Assert.Equal(HttpStatusCode.OK, item.Status);
        Assert.Contains("Replica Test Campus", item.Body, StringComparison.Ordinal);
        Assert.Contains("replica-test", FeatureIds((await GetAsync(_replicaB, $"/collections/universities/items?{bbox}")).Body));
        Assert.Contains("replica-test", FeatureIds((await GetAsync(_replicaB, $"/proximity/within?target=universities&radius_m=50&{point}")).Body));
        var tileAfterB = await GetAsync(_replicaB, TilePath);
        Assert.NotEqual(tileBefore.ETag, tileAfterB.ETag);
        // Both replicas render the same bytes for the same data, so a CDN or client sees one ETag whichever answers.
        Assert.Equal(tileAfterB.ETag, (await GetAsync(_replicaA, TilePath)).ETag);

        using var deleter = new HttpClient { BaseAddress = _replicaB.BaseAddress };
        deleter.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var deleted = await deleter.DeleteAsync("/collections/universities/items/replica-test");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(_replicaA, "/collections/universities/items/replica-test")).Status);
        Assert.DoesNotContain("replica-test", FeatureIds((await GetAsync(_replicaA, $"/proximity/within?target=universities&radius_m=50&{point}")).Body));
        Assert.Equal(tileBefore.ETag, (await GetAsync(_replicaA, TilePath)).ETag);
        Assert.Equal(tileBefore.ETag, (await GetAsync(_replicaB, TilePath)).ETag);
    }
}
