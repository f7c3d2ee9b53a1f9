using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Api.Tests.RealClients;

/// <summary>
/// The service as `make run` starts it, on the repository's own geodata/: every shipped collection is served
/// with the count its file holds, GDAL sees the same, and every feature carries its uncertainty.
/// </summary>
public sealed class ShippedDataTests : IAsyncLifetime
{
    private static readonly string _geodata = Path.Combine(ServiceProcess.RepositoryRoot(), "geodata");
    private ServiceProcess _service = null!;

    public async Task InitializeAsync() => _service = await ServiceProcess.StartAsync(_geodata);

    public async Task DisposeAsync() => await _service.DisposeAsync();

    /// <summary>Feature counts straight from the shipped files, independent of the service.</summary>
    private static Dictionary<string, int> ShippedCounts()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(_geodata, "collections.json")));
        return manifest.RootElement.GetProperty("collections").EnumerateArray().ToDictionary(
            c => c.GetProperty("id").GetString()!,
            c =>
            {
                using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(_geodata, c.GetProperty("file").GetString()!)));
                return file.RootElement.GetProperty("features").GetArrayLength();
            });
    }

    [Fact]
    public async Task Ogrinfo_ListsEveryShippedCollectionWithItsFileCount()
    {
        var start = new ProcessStartInfo("ogrinfo") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-ro", "-al", "-so", $"OAPIF:{_service.BaseAddress}" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        var counts = ShippedCounts();
        Assert.Contains("parks", counts.Keys);
        Assert.Contains("universities", counts.Keys);
        Assert.Contains("institutes", counts.Keys);
        foreach (var (id, count) in counts)
        {
            Assert.Matches($@"Layer name: {id}\n[\s\S]*?Feature Count: {count}\n", output);
        }
    }

    [Fact]
    public async Task EveryServedFeature_CarriesLocationUncertaintyAndSource()
    {
        using var client = new HttpClient { BaseAddress = _service.BaseAddress };
        foreach (var id in new[] { "parks", "universities", "institutes" })
        {
            var page = await (await client.GetAsync($"/collections/{id}/items?limit=10000")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
            var features = page.GetProperty("features").EnumerateArray().ToList();
            Assert.Equal(ShippedCounts()[id], features.Count);
            Assert.All(features, f =>
            {
                var properties = f.GetProperty("properties");
                Assert.True(properties.GetProperty("location_uncertainty_m").GetDouble() > 0, f.GetProperty("id").GetString());
                Assert.False(string.IsNullOrWhiteSpace(properties.GetProperty("source_url").GetString()), f.GetProperty("id").GetString());
            });
        }
    }

    [Fact]
    public async Task ParksCollection_SaysHowManyGazettedParksArePresent()
    {
        using var client = new HttpClient { BaseAddress = _service.BaseAddress };

        var parks = await (await client.GetAsync("/collections/parks")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var catalogue = parks.GetProperty("catalogue");
        Assert.Equal(53, catalogue.GetProperty("gazetted_total").GetInt32());
        Assert.Equal(parks.GetProperty("numberOfFeatures").GetInt32(), catalogue.GetProperty("present").GetInt32());
        Assert.Equal(53 - catalogue.GetProperty("present").GetInt32(), catalogue.GetProperty("not_identified").GetInt32());
    }

    [Fact]
    public async Task DistrictItem_LinksToTheParksCampusesAndInstitutesInside()
    {
        using var client = new HttpClient { BaseAddress = _service.BaseAddress };
        using var districts = JsonDocument.Parse(File.ReadAllText(Path.Combine(_geodata, "districts.geojson")));
        foreach (var district in districts.RootElement.GetProperty("features").EnumerateArray())
        {
            var id = district.GetProperty("id").GetString()!;
            var item = await (await client.GetAsync($"/collections/districts/items/{id}")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
            var related = item.GetProperty("links").EnumerateArray().Where(l => l.GetProperty("rel").GetString() == "related").ToList();

            // Inside, as the shipped files say (their district_id was computed from these polygons by the geodata build).
            foreach (var collection in new[] { "parks", "universities", "institutes" })
            {
                using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(_geodata, collection + ".geojson")));
                var expected = file.RootElement.GetProperty("features").EnumerateArray()
                    .Where(f => f.GetProperty("properties").GetProperty("district_id").GetString() == id)
                    .Select(f => f.GetProperty("id").GetString()).Order(StringComparer.Ordinal).ToList();
                var link = Assert.Single(related, l => new Uri(l.GetProperty("href").GetString()!).AbsolutePath == $"/collections/{collection}/items");
                var page = await (await client.GetAsync(new Uri(link.GetProperty("href").GetString()!).PathAndQuery + "&limit=10000"))
                    .ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
                Assert.Equal(expected, page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
            }
        }

        // Only district features carry these links.
        var park = await (await client.GetAsync("/collections/parks/items/park-ic-design-zhangjiang")).ReadJsonAsync(HttpStatusCode.OK, "application/geo+json");
        Assert.DoesNotContain(park.GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "related");
    }

    [Fact]
    public async Task Client_IsToldTheDistrictAndLinkRoles()
    {
        using var client = new HttpClient { BaseAddress = _service.BaseAddress };

        var config = await (await client.GetAsync("/client/config.json")).ReadJsonAsync(HttpStatusCode.OK, "application/json");

        var roles = config.GetProperty("layers").EnumerateArray().ToDictionary(l => l.GetProperty("id").GetString()!, l => l.GetProperty("role").GetString());
        Assert.Equal("district", roles["districts"]);
        Assert.Equal("link", roles["links"]);
    }
}
