using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Contract;

/// <summary>The tile store: drawn tiles kept by style, address, scale, format and data version; older versions pruned.</summary>
public abstract partial class FeatureStoreContract
{
    private ITileStore Tiles => Assert.IsAssignableFrom<ITileStore>(Store);

    [Fact]
    public async Task TileStore_GetsWhatWasPut_ByEveryPartOfTheKey()
    {
        var key = new TileKey("default:both|abc", 12, 3430, 1672, 1, "png", 7);
        byte[] bytes = [1, 2, 3, 0, 255];

        await Tiles.PutTilesAsync([(key, bytes)]);

        Assert.Equal(bytes, await Tiles.GetTileAsync(key));
        // Any other part of the key is another tile.
        TileKey[] others =
        [
            key with { Style = "clusters:both|abc" }, key with { Z = 13 }, key with { X = 3431 }, key with { Y = 1671 },
            key with { Scale = 2 }, key with { Format = "mvt" }, key with { DataVersion = 8 },
        ];
        foreach (var other in others)
        {
            Assert.Null(await Tiles.GetTileAsync(other));
        }

        byte[] redrawn = [9, 9];
        await Tiles.PutTilesAsync([(key, redrawn)]);
        Assert.Equal(redrawn, await Tiles.GetTileAsync(key));
    }

    [Fact]
    public async Task TileStore_Prune_DeletesOnlyOlderDataVersions()
    {
        var old = new TileKey("default:both", 10, 857, 418, 1, "png", 3);
        var current = old with { DataVersion = 4 };
        await Tiles.PutTilesAsync([(old, [1]), (current, [2])]);

        var pruned = await Tiles.PruneTilesAsync(4);

        Assert.Equal(1, pruned);
        Assert.Null(await Tiles.GetTileAsync(old));
        Assert.Equal([2], await Tiles.GetTileAsync(current));
    }

    [Fact]
    public async Task TileStore_WritingTiles_LeavesTheDataVersionAlone()
    {
        await Store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition("sites", "Sites", ""), [new FeatureRecord("a", new GeometryFactory().CreatePoint(new Coordinate(121.4, 31.2)), "{}")])]);
        var version = await Store.GetDataVersionAsync();

        await Tiles.PutTilesAsync([(new TileKey("default:both", 0, 0, 0, 1, "png", version), [1])]);
        await Tiles.PruneTilesAsync(version);

        Assert.Equal(version, await Store.GetDataVersionAsync());
    }
}
