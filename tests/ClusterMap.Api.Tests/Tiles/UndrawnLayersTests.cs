using ClusterMap.Core.Tiles;
using ClusterMap.Rendering;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Generalization;
using ClusterMap.Rendering.Labels;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Tiles;
using ClusterMap.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;
using SkiaSharp;

namespace ClusterMap.Api.Tests.Tiles;

/// <summary>
/// A tile does not read the layers its style does not draw at its zoom (campuses below z9, context points below z12,
/// links never: <see cref="MapGeneralization.DrawsNothingOf"/>), and is the same tile, pixel for pixel, as one drawn
/// from every layer read: on the shipped data, from memory and from the store (Maps:InMemoryMaxFeatures = 0).
/// </summary>
public sealed class UndrawnLayersTests : IDisposable
{
    private static readonly string _geodata = Path.Combine(ServiceProcess.RepositoryRoot(), "geodata");

    // Central Shanghai: campuses, stations and parks crowd every zoom's tile here.
    private static readonly Coordinate _centre = new(121.47, 31.23);

    private readonly ClusterMapFactory _memory = ClusterMapFactory.With(_geodata, Settings());
    private readonly ClusterMapFactory _stored = ClusterMapFactory.With(_geodata, Settings(("Maps:InMemoryMaxFeatures", "0")));

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Maps:WarmUpAtStart"] = "false", ["Maps:TileStore"] = "false" };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task DefaultTiles_WithoutTheUndrawnLayers_AreThePixelsOfTilesDrawnFromEveryLayer()
    {
        var skippedWithFeatures = new HashSet<(string Source, int Z, string Layer)>();
        foreach (var (name, factory) in new[] { ("memory", _memory), ("store", _stored) })
        {
            var provider = factory.Services.GetRequiredService<MapDataProvider>();
            var renderer = factory.Services.GetRequiredService<MapRenderer>();
            var catalog = await provider.GetCatalogAsync(CancellationToken.None);
            for (var z = 8; z <= 13; z++)
            {
                var centre = TileIndex.Containing(_centre, z);
                foreach (var tile in new[] { centre, TileIndex.Create(z, centre.X + 1, centre.Y), TileIndex.Create(z, centre.X, centre.Y + 1) })
                {
                    var (drawn, _) = await TileDrawing.GetOrRenderRasterTileAsync(MapStyles.Default, tile, 1, MapLanguage.Both, provider,
                        new TileCache(0), new TileLabelCache(), renderer, OwnBasemap.Instance, CancellationToken.None);
                    var (everyLayer, read) = await DrawnFromEveryLayerAsync(provider, renderer, catalog, tile);
                    AssertSamePixels(everyLayer, drawn.Bytes, $"{name}: tile {tile}");
                    foreach (var layer in read.Layers.Where(l => (l.Features.Count > 0 || l.Clusters?.Cells.Count > 0)
                        && MapGeneralization.DrawsNothingOf(l.Kind, catalog.Collection(l.Id)!.GeometryType, z)))
                    {
                        skippedWithFeatures.Add((name, z, layer.Id));
                    }
                }
            }
        }

        // The comparison means something: below z9 campuses, below z12 stations, at every zoom links were in the tiles
        // and left unread, from both sources.
        foreach (var source in new[] { "memory", "store" })
        {
            Assert.Contains((source, 8, "universities"), skippedWithFeatures);
            Assert.Contains((source, 11, "metro-stations"), skippedWithFeatures);
            Assert.Contains((source, 13, "links"), skippedWithFeatures);
            Assert.DoesNotContain((source, 9, "universities"), skippedWithFeatures);
            Assert.DoesNotContain((source, 12, "metro-stations"), skippedWithFeatures);
        }
    }

    /// <summary>The tile as <see cref="TileDrawing"/> draws it, from every layer of the style read (no layer skipped).</summary>
    private static async Task<(byte[] Png, MapData Read)> DrawnFromEveryLayerAsync(MapDataProvider provider, MapRenderer renderer, MapCatalog catalog, TileIndex tile)
    {
        var layers = MapStyles.Layers(MapStyles.Default, catalog.Skeleton);
        var mpp = WebMercator.MetersPerPixel(tile.Z);
        var (_, _, meta) = TileLabelLayout.MetaTile(tile);
        var metaData = await provider.GetNearAsync(catalog, meta, mpp, MapGeneralization.ReadMarginPixels, layers, NearRead.Clustered, CancellationToken.None);
        var labels = renderer.PlaceTileLabels(metaData, tile, layers, MapLanguage.Both);
        var data = await provider.GetNearAsync(catalog, tile.BoundsMeters, mpp, MapGeneralization.ReadMarginPixels, layers, NearRead.Clustered, CancellationToken.None);
        return (renderer.RenderPng(data, MapRequest.ForTile(tile, 1, layers, MapLanguage.Both) with { TileLabels = labels }), data);
    }

    private static void AssertSamePixels(byte[] expectedPng, byte[] actualPng, string what)
    {
        using var expected = SKBitmap.Decode(expectedPng);
        using var actual = SKBitmap.Decode(actualPng);
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        var differing = 0;
        for (var y = 0; y < expected.Height; y++)
        {
            for (var x = 0; x < expected.Width; x++)
            {
                differing += expected.GetPixel(x, y) == actual.GetPixel(x, y) ? 0 : 1;
            }
        }

        Assert.True(differing == 0, $"{what}: {differing} pixels differ from the tile drawn from every layer");
    }

    public void Dispose()
    {
        _memory.Dispose();
        _stored.Dispose();
    }
}
