using System.Globalization;
using System.Net;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Data;
using ClusterMap.Storage.PostGis;
using ClusterMap.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Algorithm.Distance;
using NetTopologySuite.IO.VectorTiles;
using NetTopologySuite.IO.VectorTiles.Mapbox;

namespace ClusterMap.Api.Tests.Tiles;

/// <summary>
/// Vector tiles built by PostGIS (<c>ST_AsMVT</c>, Maps:VectorTilesInDatabase, the default on PostGIS) against the
/// service's own writer (the same service with the setting off) on one database of the shipped data: both decoded,
/// the same layer, the same features by id with the same properties, geometries within a tile unit or two.
/// </summary>
public sealed class PostGisVectorTileTests : IAsyncLifetime
{
    private static readonly string _geodata = Path.Combine(ServiceProcess.RepositoryRoot(), "geodata");

    private string _connectionString = "";
    private ClusterMapFactory _database = null!;
    private ClusterMapFactory _ours = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();
        _database = Service(inDatabase: true);
        // The first fills the database from the geodata; the second opens it.
        _ = _database.Services;
        _ours = Service(inDatabase: false);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        await _ours.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
        await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(_connectionString);
    }

    private ClusterMapFactory Service(bool inDatabase) => ClusterMapFactory.With(_geodata, new Dictionary<string, string?>
    {
        ["Storage:Provider"] = "PostGis",
        ["ConnectionStrings:ClusterMap"] = _connectionString,
        ["Maps:VectorTilesInDatabase"] = inDatabase ? "true" : "false",
        ["Maps:TileStore"] = "false",
        ["Maps:WarmUpAtStart"] = "false",
    });

    public static TheoryData<string, int, int, int> Tiles => new()
    {
        { "parks", 10, 857, 418 },
        { "parks", 12, 3431, 1673 },
        { "universities", 12, 3429, 1674 },
        { "metro-stations", 12, 3430, 1673 },
        { "metro-stations", 14, 13720, 6692 },
        { "districts", 10, 857, 418 },
        { "districts", 12, 3430, 1672 },
        { "districts", 9, 428, 209 },
        { "parks", 8, 214, 104 },
    };

    [Fact]
    public void OnPostGis_VectorTilesAreBuiltByTheDatabase_UnlessTurnedOff()
    {
        Assert.IsType<PostGisFeatureStore>(_database.Services.GetRequiredService<MapDataProvider>().VectorTileBuilder);
        Assert.Null(_ours.Services.GetRequiredService<MapDataProvider>().VectorTileBuilder);
    }

    [Fact]
    public async Task DatabaseTile_OfAnEmptyPlace_IsAnEmptyTile()
    {
        var bytes = await GetAsync(_database, "/tiles/parks/12/0/0.mvt");

        Assert.Empty(bytes);
        Assert.Empty(Decode(bytes, 12, 0, 0).Layers);
    }

    [Theory]
    [MemberData(nameof(Tiles))]
    public async Task DatabaseTile_HasOurFeatures_IdsPropertiesAndGeometryWithinATileUnit(string collection, int z, int x, int y)
    {
        var path = $"/tiles/{collection}/{z}/{x}/{y}.mvt";
        var theirs = Decode(await GetAsync(_database, path), z, x, y);
        var ours = Decode(await GetAsync(_ours, path), z, x, y);

        var oursById = Features(ours, collection);
        var theirsById = Features(theirs, collection);
        Assert.NotEmpty(oursById);
        Assert.Equal(oursById.Keys.Order(StringComparer.Ordinal), theirsById.Keys.Order(StringComparer.Ordinal));
        var unit = TileIndex.Create(z, x, y).BoundsLonLat.Width / 4096;
        foreach (var (id, feature) in oursById)
        {
            var other = theirsById[id];
            Assert.Equal(Attributes(feature), Attributes(other));
            Assert.Equal(feature.Geometry.Dimension, other.Geometry.Dimension);
            // Both snap to the 4096 grid; the clipping, simplification and rounding differ by a unit or two.
            var distance = DiscreteHausdorffDistance.Distance(feature.Geometry, other.Geometry);
            Assert.True(distance <= 2.5 * unit, $"{collection} {id} at {z}/{x}/{y}: the geometries are {distance / unit:F1} tile units apart");
        }
    }

    private static async Task<byte[]> GetAsync(ClusterMapFactory service, string path)
    {
        var response = await service.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static VectorTile Decode(byte[] bytes, int z, int x, int y) =>
        new MapboxTileReader().Read(new MemoryStream(bytes), new NetTopologySuite.IO.VectorTiles.Tiles.Tile(x, y, z));

    private static Dictionary<string, NetTopologySuite.Features.IFeature> Features(VectorTile tile, string layer) =>
        (tile.Layers.FirstOrDefault(l => l.Name == layer)?.Features ?? []).ToDictionary(f => (string)f.Attributes["id"]);

    private static string Attributes(NetTopologySuite.Features.IFeature feature) =>
        string.Join('|', feature.Attributes.GetNames().Order(StringComparer.Ordinal)
            .Select(n => $"{n}={Convert.ToString(feature.Attributes[n] is float or double ? Convert.ToDouble(feature.Attributes[n], CultureInfo.InvariantCulture) : feature.Attributes[n], CultureInfo.InvariantCulture)}"));
}
