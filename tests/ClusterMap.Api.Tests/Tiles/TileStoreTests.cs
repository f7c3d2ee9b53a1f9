using System.Net;
using System.Net.Http.Headers;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Tiles;
using ClusterMap.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClusterMap.Api.Tests.Tiles;

public sealed class TileStoreSqliteTests : TileStoreTests
{
    protected override Task<Dictionary<string, string?>> CreateDatabaseAsync(string folder) =>
        Task.FromResult(new Dictionary<string, string?> { ["Storage:SqlitePath"] = Path.Combine(folder, "shared.db") });

    protected override async Task<long> CountTilesAsync(Dictionary<string, string?> database, string where)
    {
        await using var connection = new SqliteConnection($"Data Source={database["Storage:SqlitePath"]};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM map_tiles WHERE " + where;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    protected override Task DropDatabaseAsync(Dictionary<string, string?> database) => Task.CompletedTask;
}

public sealed class TileStorePostGisTests : TileStoreTests
{
    protected override async Task<Dictionary<string, string?>> CreateDatabaseAsync(string folder) => new()
    {
        ["Storage:Provider"] = "PostGis",
        ["ConnectionStrings:ClusterMap"] = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync(),
    };

    protected override async Task<long> CountTilesAsync(Dictionary<string, string?> database, string where)
    {
        await using var connection = new NpgsqlConnection(database["ConnectionStrings:ClusterMap"]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM map_tiles WHERE " + where, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    protected override async Task DropDatabaseAsync(Dictionary<string, string?> database)
    {
        NpgsqlConnection.ClearAllPools();
        await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(database["ConnectionStrings:ClusterMap"]!);
    }
}

/// <summary>
/// The tile store behind the in-memory cache (Maps:TileStore): two services on one database, as two replicas or a
/// restart, with draws counted by each service's cache. The second serves what the first drew without drawing it; a
/// write makes both draw again and prunes the old version's tiles; with the store off each draws its own. The same
/// tests on SQLite (a table in the database file) and PostGIS (a table in the database).
/// </summary>
public abstract class TileStoreTests : IAsyncLifetime
{
    private static readonly TileIndex _tile = TileIndex.Containing(MapAssertions.Park1, 12);

    private static readonly string[] _paths =
    [
        $"/tiles/default/{_tile.Z}/{_tile.X}/{_tile.Y}.png",
        $"/tiles/default/{_tile.Z}/{_tile.X}/{_tile.Y}@2x.png?lang=en",
        $"/tiles/parks/{_tile.Z}/{_tile.X}/{_tile.Y}.mvt",
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("clustermap-tilestore-").FullName;
    private readonly List<ClusterMapFactory> _services = [];
    private Dictionary<string, string?> _database = [];

    protected abstract Task<Dictionary<string, string?>> CreateDatabaseAsync(string folder);

    protected abstract Task<long> CountTilesAsync(Dictionary<string, string?> database, string where);

    protected abstract Task DropDatabaseAsync(Dictionary<string, string?> database);

    public async Task InitializeAsync() => _database = await CreateDatabaseAsync(_folder);

    public async Task DisposeAsync()
    {
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        await DropDatabaseAsync(_database);
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private ClusterMapFactory Service(bool tileStore = true)
    {
        var settings = new Dictionary<string, string?>(_database)
        {
            ["Maps:DataVersionCheckMilliseconds"] = "0",
            // The start-up tile would count as a draw.
            ["Maps:WarmUpAtStart"] = "false",
            ["Maps:TileStore"] = tileStore ? "true" : "false",
        };
        var service = ClusterMapFactory.With(MapTestFactory.MapGeodata, settings);
        // Every service on the one database (ClusterMapFactory gives each its own SQLite file by default).
        foreach (var (key, value) in settings)
        {
            service.Settings[key] = value;
        }

        _services.Add(service);
        return service;
    }

    private static TileCache Cache(ClusterMapFactory service) => service.Services.GetRequiredService<TileCache>();

    private static async Task<List<(string ETag, byte[] Bytes)>> GetAllAsync(ClusterMapFactory service)
    {
        var client = service.CreateClient();
        var tiles = new List<(string, byte[])>();
        foreach (var path in _paths)
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            tiles.Add((response.Headers.ETag!.Tag, await response.Content.ReadAsByteArrayAsync()));
        }

        return tiles;
    }

    [Fact]
    public async Task SecondService_ServesTheFirstsTilesFromTheStore_WithoutDrawing()
    {
        var first = Service();
        var drawn = await GetAllAsync(first);
        Assert.Equal(_paths.Length, Cache(first).Drawn);
        // Tiles are stored behind the responses.
        await Cache(first).FlushAsync();
        Assert.Equal(_paths.Length, await CountTilesAsync(_database, "true"));

        var second = Service();
        var served = await GetAllAsync(second);

        Assert.Equal(0, Cache(second).Drawn);
        Assert.Equal(_paths.Length, Cache(second).StoreHits);
        Assert.Equal(drawn.Select(t => t.Bytes), served.Select(t => t.Bytes));
        Assert.Equal(drawn.Select(t => t.ETag), served.Select(t => t.ETag));
        // Now in the second's memory: asked again, neither drawn nor read from the store.
        await GetAllAsync(second);
        Assert.Equal((0, _paths.Length), (Cache(second).Drawn, Cache(second).StoreHits));
    }

    [Fact]
    public async Task Write_MakesEveryServiceDrawAgain_AndPrunesTheOldVersionsTiles()
    {
        var first = Service();
        var before = await GetAllAsync(first);
        await Cache(first).FlushAsync();
        var second = Service();
        await GetAllAsync(second);
        var client = second.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Writes.WritesApiTests.AddKeyAsync(second, "tiles"));
        var oldVersion = await second.Services.GetRequiredService<IFeatureStore>().GetDataVersionAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/collections/parks/items/park-1")).StatusCode);
        var after = await GetAllAsync(second);
        await Cache(second).FlushAsync();

        Assert.Equal(_paths.Length, Cache(second).Drawn);
        Assert.All(before.Zip(after), pair => Assert.NotEqual(pair.First.ETag, pair.Second.ETag));
        Assert.Equal(0, await CountTilesAsync(_database, $"data_version <= {oldVersion}"));
        Assert.Equal(_paths.Length, await CountTilesAsync(_database, $"data_version > {oldVersion}"));
        // The first service drew before the write; it serves the new version's tiles from the store, not its memory.
        var firstAfter = await GetAllAsync(first);
        Assert.Equal(after.Select(t => t.ETag), firstAfter.Select(t => t.ETag));
        Assert.Equal(_paths.Length, Cache(first).Drawn);
    }

    [Fact]
    public async Task TileStoreOff_EachServiceDrawsItsOwn_AndNothingIsStored()
    {
        var first = Service(tileStore: false);
        await GetAllAsync(first);
        var second = Service(tileStore: false);
        await GetAllAsync(second);
        await Cache(first).FlushAsync();

        Assert.Equal((_paths.Length, _paths.Length), (Cache(first).Drawn, Cache(second).Drawn));
        Assert.Equal(0, Cache(second).StoreHits);
        Assert.Equal(0, await CountTilesAsync(_database, "true"));
    }
}
