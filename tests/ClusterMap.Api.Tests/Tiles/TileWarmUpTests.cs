using System.Net;
using System.Text.Json;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Tiles;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Tests.Tiles;

/// <summary>
/// The service draws one tile as it starts, and is not ready before: the first visitor's tile does not pay the
/// renderer's first use.
/// </summary>
public sealed class TileWarmUpTests
{
    [Fact]
    public async Task FirstRequestForTheDataCentreTile_IsServedFromTheTileDrawnAtStart()
    {
        await using var factory = ClusterMapFactory.With(MapTestFactory.MapGeodata);
        var client = factory.CreateClient();
        await WaitUntilReadyAsync(client);
        var cache = factory.Services.GetRequiredService<TileCache>();
        Assert.Equal(1, cache.Count);

        // The centre of every collection's extent, as /collections reports them.
        using var collections = JsonDocument.Parse(await client.GetStringAsync("/collections"));
        Envelope? all = null;
        foreach (var collection in collections.RootElement.GetProperty("collections").EnumerateArray())
        {
            if (collection.TryGetProperty("extent", out var extent) && extent.TryGetProperty("spatial", out var spatial))
            {
                var box = spatial.GetProperty("bbox")[0].EnumerateArray().Select(v => v.GetDouble()).ToArray();
                var envelope = new Envelope(box[0], box[2], box[1], box[3]);
                all ??= new Envelope(envelope);
                all.ExpandToInclude(envelope);
            }
        }

        Assert.NotNull(all);
        var tile = TileIndex.Containing(all.Centre, 12);
        var hits = cache.Hits;
        var response = await client.GetAsync($"/tiles/default/{tile.Z}/{tile.X}/{tile.Y}.png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(hits + 1, cache.Hits);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task WithWarmUpOff_NoTileIsDrawnAtStart()
    {
        await using var factory = ClusterMapFactory.With(MapTestFactory.MapGeodata, new Dictionary<string, string?> { ["Maps:WarmUpAtStart"] = "false" });
        await WaitUntilReadyAsync(factory.CreateClient());

        Assert.Equal(0, factory.Services.GetRequiredService<TileCache>().Count);
    }

    private static async Task WaitUntilReadyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await client.GetAsync("/readyz")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "the service did not become ready");
            await Task.Delay(50);
        }
    }
}
