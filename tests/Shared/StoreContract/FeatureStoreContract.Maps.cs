using System.Globalization;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Contract;

/// <summary>What maps read: features near a box through the spatial index alone, and the largest location uncertainty.</summary>
public abstract partial class FeatureStoreContract
{
    private IFeatureBoxReader BoxReader => Assert.IsAssignableFrom<IFeatureBoxReader>(Store);

    /// <summary>Random points and small squares over Shanghai (seeded), in two collections so one never answers for the other.</summary>
    private async Task<List<FeatureRecord>> SeedRandomSitesAsync()
    {
        var random = new Random(16);
        var factory = new GeometryFactory();
        var sites = new List<FeatureRecord>();
        for (var i = 0; i < 400; i++)
        {
            var x = 121.0 + (random.NextDouble() * 0.8);
            var y = 30.9 + (random.NextDouble() * 0.6);
            Geometry geometry = i % 3 == 0
                ? factory.ToGeometry(new Envelope(x, x + (random.NextDouble() * 0.02), y, y + (random.NextDouble() * 0.02)))
                : factory.CreatePoint(new Coordinate(x, y));
            sites.Add(new FeatureRecord($"s{i:D3}", geometry, string.Create(CultureInfo.InvariantCulture, $$"""{"location_uncertainty_m":{{i % 7 * 100}}}""")));
        }

        await Store.ReplaceCollectionsAsync(
        [
            new CollectionImport(new CollectionDefinition("sites", "Sites", "Random sites"), sites),
            new CollectionImport(new CollectionDefinition("others", "Others", "Same places, other collection"), [.. sites.Select(s => s with { Id = "o" + s.Id })]),
        ]);
        return sites;
    }

    [Fact]
    public async Task GetItemsNearBox_ReturnsEveryFeatureWhoseEnvelopeMeetsTheBox_InStoreOrder()
    {
        var sites = await SeedRandomSitesAsync();
        var random = new Random(61);
        for (var q = 0; q < 40; q++)
        {
            var x = 121.0 + (random.NextDouble() * 0.8);
            var y = 30.9 + (random.NextDouble() * 0.6);
            var box = new Envelope(x, x + (random.NextDouble() * 0.2), y, y + (random.NextDouble() * 0.2));

            var near = await BoxReader.GetItemsNearBoxAsync("sites", box);

            // Brute force over the envelopes: the index may add features that only come close (float32 boxes), never drop one.
            var expected = sites.Where(s => s.Geometry.EnvelopeInternal.Intersects(box)).Select(s => s.Id).ToList();
            var ids = near.Select(f => f.Id).ToList();
            Assert.Empty(expected.Except(ids));
            Assert.All(near, f => Assert.StartsWith("s", f.Id, StringComparison.Ordinal));
            var widened = new Envelope(box);
            widened.ExpandBy(1e-4);
            Assert.All(near, f => Assert.True(f.Geometry.EnvelopeInternal.Intersects(widened), $"{f.Id} is far from {box}"));
            Assert.Equal(ids.OrderBy(id => sites.FindIndex(s => s.Id == id)), ids);
        }
    }

    [Fact]
    public async Task GetItemsNearBox_FarFromEveryFeature_IsEmpty()
    {
        await SeedRandomSitesAsync();

        Assert.Empty(await BoxReader.GetItemsNearBoxAsync("sites", new Envelope(0, 0.1, 0, 0.1)));
        Assert.Empty(await BoxReader.GetItemsNearBoxAsync("missing", new Envelope(121, 122, 30, 32)));
    }

    [Fact]
    public async Task GetMaxUncertainty_IsTheLargestLocationUncertainty()
    {
        await SeedRandomSitesAsync();
        await Store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition("plain", "Plain", "No uncertainty"), [Feature("p", "POINT (121 31)", """{"location_uncertainty_m":"far"}""")])]);

        Assert.Equal(600, await BoxReader.GetMaxUncertaintyMetersAsync("sites"));
        Assert.Equal(0, await BoxReader.GetMaxUncertaintyMetersAsync("plain"));
    }
}
