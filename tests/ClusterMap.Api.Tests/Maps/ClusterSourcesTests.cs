using System.Globalization;
using System.Net;
using System.Text;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Generalization;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.VectorTiles;
using ClusterMap.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.VectorTiles.Mapbox;

namespace ClusterMap.Api.Tests.Maps;

/// <summary>
/// One clustering rule, three sources: the in-memory R-tree (small collections), the SQLite store's SQL and the PostGIS
/// store's SQL (Maps:InMemoryMaxFeatures = 0) give the same clusters (cell, count, mean within 1e-6 m) and the same
/// features read whole, on generated dense data at z8–z14: blobs of points, one centred on a tile corner so crowded
/// cells sit on both sides of tile edges, and squares a hair under and over the cell size (the largest shape anchored) at several zooms (a
/// store deciding from its float32 index boxes, which are rounded outward by up to a metre, would get them wrong).
/// </summary>
public sealed class ClusterSourcesTests : IAsyncLifetime
{
    private const string Points = "dense-points";
    private const string Parks = "dense-parks";

    // Where the generated data sits (synthetic, no real place is named), and the z10 tile corner one blob is centred on.
    private static readonly Coordinate _centre = new(121.45, 31.22);
    private static readonly Lazy<(string Folder, int PointCount)> _data = new(Generate);

    private ClusterMapFactory _memory = null!;
    private ClusterMapFactory _stored = null!;
    private ClusterMapFactory _postGis = null!;
    private ClusterMapFactory _postGisTiles = null!;
    private string _connectionString = "";

    private static Coordinate TileCorner
    {
        get
        {
            var tile = TileIndex.Containing(_centre, 10);
            return WebMercator.ToLonLat(new Coordinate(tile.BoundsMeters.MinX, tile.BoundsMeters.MaxY));
        }
    }

    public async Task InitializeAsync()
    {
        var folder = _data.Value.Folder;
        _memory = ClusterMapFactory.With(folder, Settings());
        _stored = ClusterMapFactory.With(folder, Settings(("Maps:InMemoryMaxFeatures", "0")));
        _connectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();
        _postGis = ClusterMapFactory.With(folder, Settings(
            ("Maps:InMemoryMaxFeatures", "0"),
            ("Storage:Provider", "PostGis"),
            ("ConnectionStrings:ClusterMap", _connectionString),
            ("Maps:VectorTilesInDatabase", "false")));
        // The first fills the database from the geodata; the second, building vector tiles in it, opens it.
        _ = _postGis.Services;
        _postGisTiles = ClusterMapFactory.With(folder, Settings(
            ("Maps:InMemoryMaxFeatures", "0"),
            ("Storage:Provider", "PostGis"),
            ("ConnectionStrings:ClusterMap", _connectionString)));
    }

    public async Task DisposeAsync()
    {
        await _memory.DisposeAsync();
        await _stored.DisposeAsync();
        await _postGis.DisposeAsync();
        await _postGisTiles.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
        await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(_connectionString);
    }

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Maps:WarmUpAtStart"] = "false",
            ["Maps:TileStore"] = "false",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The views compared: the four tiles meeting at the blob's tile corner at every zoom, and a figure-like view off the grid.</summary>
    public static IEnumerable<(Envelope View, double MetersPerPixel)> Views()
    {
        var corner = WebMercator.FromLonLat(TileCorner);
        for (var z = 8; z <= 14; z++)
        {
            var tile = TileIndex.Containing(WebMercator.ToLonLat(new Coordinate(corner.X + 1, corner.Y - 1)), z);
            for (var dx = -1; dx <= 0; dx++)
            {
                for (var dy = -1; dy <= 0; dy++)
                {
                    yield return (TileIndex.Create(z, tile.X + dx, tile.Y + dy).BoundsMeters, WebMercator.MetersPerPixel(z));
                }
            }

            // A figure's view: not aligned with the grid, at a fractional zoom.
            var mpp = WebMercator.MetersPerPixel(z + 0.37);
            yield return (new Envelope(corner.X - (217.3 * mpp), corner.X + (183.9 * mpp), corner.Y - (151.1 * mpp), corner.Y + (122.7 * mpp)), mpp);
        }
    }

    [Fact]
    public async Task StoredSources_GiveTheInMemoryClustersAndFeatures_AtEveryZoom()
    {
        var compared = (Clusters: 0, Features: 0, ThresholdWhole: 0);
        foreach (var (view, mpp) in Views())
        {
            var standOut = new NearRead([new FeatureRef(Points, "p-7"), new FeatureRef(Parks, "park-3")], _ => false);
            foreach (var read in new[] { NearRead.Clustered, standOut })
            {
                var expected = await NearAsync(_memory, view, mpp, read);
                foreach (var (name, source) in new[] { ("SQLite", _stored), ("PostGIS", _postGis) })
                {
                    var actual = await NearAsync(source, view, mpp, read);
                    foreach (var id in new[] { Points, Parks })
                    {
                        var what = $"{name}, {id}, view {view} at {mpp:F3} m/px";
                        var e = expected.Layer(id)!;
                        var a = actual.Layer(id)!;
                        Assert.NotNull(e.Clusters);
                        Assert.NotNull(a.Clusters);
                        Assert.Equal(e.Clusters.Cells.Select(c => (c.CellX, c.CellY, c.Count)), a.Clusters.Cells.Select(c => (c.CellX, c.CellY, c.Count)));
                        foreach (var (ec, ac) in e.Clusters.Cells.Zip(a.Clusters.Cells))
                        {
                            // Offsets from the cell's corner are summed in another order by each database: far below 1e-6 m.
                            Assert.True(Math.Abs(ec.MeanMeters.X - ac.MeanMeters.X) < 1e-6 && Math.Abs(ec.MeanMeters.Y - ac.MeanMeters.Y) < 1e-6, $"{what}: mean {ac.MeanMeters} vs {ec.MeanMeters}");
                        }

                        Assert.Equal(e.Features.Select(f => f.Id), a.Features.Select(f => f.Id));
                        compared = (compared.Clusters + e.Clusters.Cells.Count, compared.Features + e.Features.Count, compared.ThresholdWhole + e.Features.Count(f => f.Id.StartsWith("edge-", StringComparison.Ordinal)));
                    }
                }
            }
        }

        // The data exercises every branch: clusters, features drawn one by one, squares at the threshold read whole.
        Assert.True(compared.Clusters > 100, $"{compared}");
        Assert.True(compared.Features > 100, $"{compared}");
        Assert.True(compared.ThresholdWhole > 0, $"{compared}");
    }

    [Fact]
    public void GeneratedSquares_AtTheCellSize_FallOnBothSidesOfIt()
    {
        foreach (var z in new[] { 9, 11, 13, 14 })
        {
            var cell = MapGeneralization.CellMeters(WebMercator.MetersPerPixel(z));
            var (under, over) = ThresholdSquare(_centre, z);
            Assert.NotNull(ClusterGrid.Anchor(under, cell));
            Assert.Null(ClusterGrid.Anchor(over, cell));
        }
    }

    [Fact]
    public async Task RasterTiles_FromMemoryAndFromEitherStore_ArePixelIdentical()
    {
        foreach (var (view, mpp) in Views())
        {
            var z = (int)Math.Round(WebMercator.ZoomFor(mpp));
            if (Math.Abs(WebMercator.ZoomFor(mpp) - z) > 1e-9)
            {
                continue;
            }

            var tile = TileIndex.Containing(WebMercator.ToLonLat(view.Centre), z);
            var path = $"/tiles/default/{z}/{tile.X}/{tile.Y}.png";
            using var expected = MapAssertions.DecodePng(await GetAsync(_memory, path));
            foreach (var source in new[] { _stored, _postGis })
            {
                using var actual = MapAssertions.DecodePng(await GetAsync(source, path));
                Assert.True(expected.Bytes.SequenceEqual(actual.Bytes), $"{path} differs");
            }
        }
    }

    [Fact]
    public async Task CrowdedTile_ReadsCellsFromTheStore_NotEveryFeature()
    {
        var service = StoreSpy.Around(_stored);
        try
        {
            var tile = TileIndex.Containing(_centre, 10);
            service.Spy.Reset();

            var response = await service.Factory.CreateClient().GetAsync($"/tiles/default/{tile.Z}/{tile.X}/{tile.Y}.png");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(service.Spy.BoxReads, r => r.CollectionId is Points or Parks);
            var reads = service.Spy.ClusterReads.Where(r => r.CollectionId == Points).ToList();
            Assert.NotEmpty(reads);
            Assert.All(reads, read =>
            {
                Assert.True(read.Clusters > 0, $"{read}");
                // Most features near a crowded tile are in its clusters and never read as rows.
                Assert.True(read.Clustered > 4 * read.Returned, $"{read}");
            });
        }
        finally
        {
            service.Factory.Dispose();
        }
    }

    [Fact]
    public async Task VectorTile_AtLowZoom_PointCountsAndFeaturesAddUpToTheCollection()
    {
        var tile = TileIndex.Containing(_centre, 8);
        var bytes = await GetAsync(_stored, $"/tiles/{Points}/8/{tile.X}/{tile.Y}.mvt");

        var layer = Assert.Single(new MapboxTileReader().Read(new MemoryStream(bytes), new NetTopologySuite.IO.VectorTiles.Tiles.Tile(tile.X, tile.Y, tile.Z)).Layers);
        var clusters = layer.Features.Where(f => f.Attributes.Exists(MvtTileWriter.ClusterAttribute)).ToList();
        var single = layer.Features.Count - clusters.Count;
        Assert.NotEmpty(clusters);
        Assert.All(clusters, c => Assert.True(Convert.ToInt64(c.Attributes[MvtTileWriter.PointCountAttribute], CultureInfo.InvariantCulture) > MapGeneralization.MaxPointsPerCell));
        var counted = clusters.Sum(c => Convert.ToInt64(c.Attributes[MvtTileWriter.PointCountAttribute], CultureInfo.InvariantCulture));
        Assert.Equal(_data.Value.PointCount, counted + single);
        Assert.True(single < layer.Features.Count * 10, "mostly clusters at z8");
    }

    [Theory]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(12)]
    public async Task VectorTile_BuiltByPostGis_HasTheServiceWritersClustersAndFeatures(int z)
    {
        var tile = TileIndex.Containing(TileCorner, z);
        foreach (var id in new[] { Points, Parks })
        {
            var path = $"/tiles/{id}/{z}/{tile.X}/{tile.Y}.mvt";
            var ours = Summary(await GetAsync(_stored, path), tile);
            var database = Summary(await GetAsync(_postGisTiles, path), tile);

            Assert.Equal(ours.PointCounts, database.PointCounts);
            if (id == Points)
            {
                // Polygons of a unit or two are dropped by each encoder by its own rule (PostGisVectorTileTests
                // compares shapes); points are kept or dropped by the clustering alone.
                Assert.Equal(ours.Ids, database.Ids);
            }
            Assert.True(ours.PointCounts.Count > 0 || z == 12, $"{path}: no cluster");
        }
    }

    /// <summary>A decoded tile's cluster point counts (sorted) and its features' ids (sorted).</summary>
    private static (List<long> PointCounts, List<string> Ids) Summary(byte[] bytes, TileIndex tile)
    {
        var layers = new MapboxTileReader().Read(new MemoryStream(bytes), new NetTopologySuite.IO.VectorTiles.Tiles.Tile(tile.X, tile.Y, tile.Z)).Layers;
        var features = layers.SelectMany(l => l.Features).ToList();
        return (
            [.. features.Where(f => f.Attributes.Exists(MvtTileWriter.ClusterAttribute)).Select(f => Convert.ToInt64(f.Attributes[MvtTileWriter.PointCountAttribute], CultureInfo.InvariantCulture)).Order()],
            [.. features.Where(f => !f.Attributes.Exists(MvtTileWriter.ClusterAttribute)).Select(f => (string)f.Attributes["id"]).Order(StringComparer.Ordinal)]);
    }

    private static async Task<MapData> NearAsync(ClusterMapFactory service, Envelope view, double mpp, NearRead read)
    {
        var provider = service.Services.GetRequiredService<MapDataProvider>();
        var catalog = await provider.GetCatalogAsync(CancellationToken.None);
        return await provider.GetNearAsync(catalog, view, mpp, MapGeneralization.ReadMarginPixels, null, read, CancellationToken.None);
    }

    private static async Task<byte[]> GetAsync(ClusterMapFactory service, string path)
    {
        var response = await service.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Two squares centred on a point, a hair (1e-4 of the side) under and over the cell size at zoom <paramref name="z"/>.</summary>
    private static (Polygon Under, Polygon Over) ThresholdSquare(Coordinate lonLat, int z)
    {
        var side = MapGeneralization.CellMeters(WebMercator.MetersPerPixel(z));
        return (Square(lonLat, side * (1 - 1e-4)), Square(lonLat, side * (1 + 1e-4)));
    }

    private static Polygon Square(Coordinate lonLat, double sideMeters)
    {
        var c = WebMercator.FromLonLat(lonLat);
        var h = sideMeters / 2;
        Coordinate At(double dx, double dy) => WebMercator.ToLonLat(new Coordinate(c.X + dx, c.Y + dy));
        return new GeometryFactory().CreatePolygon([At(-h, -h), At(h, -h), At(h, h), At(-h, h), At(-h, -h)]);
    }

    /// <summary>Writes the generated geodata folder (seeded, so every run draws the same data).</summary>
    private static (string Folder, int PointCount) Generate()
    {
        var random = new Random(16);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var corner = TileCorner;
        Coordinate[] blobs = [corner, new(121.38, 31.28), new(121.52, 31.15)];
        var points = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var at = i % 5 < 3
                ? new Coordinate(blobs[i % 3].X + (Gaussian() * 0.012), blobs[i % 3].Y + (Gaussian() * 0.010))
                : new Coordinate(121.30 + (random.NextDouble() * 0.30), 31.08 + (random.NextDouble() * 0.27));
            var uncertainty = i % 97 == 0 ? ", \"location_uncertainty_m\": 300" : "";
            points.Add(Feature($"p-{i}", $"{{\"type\":\"Point\",\"coordinates\":{Position(at)}}}", $"{{\"name_en\":\"Generated point {i}\"{uncertainty}}}"));
        }

        points.Add(Feature("multi-1", $"{{\"type\":\"MultiPoint\",\"coordinates\":[{Position(corner)},{Position(new Coordinate(corner.X + 0.001, corner.Y))}]}}", "{\"name_en\":\"Generated multipoint\"}"));

        var parks = new List<string>();
        for (var i = 0; i < 600; i++)
        {
            var at = i % 2 == 0
                ? new Coordinate(blobs[i % 3].X + (Gaussian() * 0.015), blobs[i % 3].Y + (Gaussian() * 0.012))
                : new Coordinate(121.30 + (random.NextDouble() * 0.30), 31.08 + (random.NextDouble() * 0.27));
            var side = Math.Exp(Math.Log(5) + (random.NextDouble() * Math.Log(3000.0 / 5)));
            parks.Add(Feature($"park-{i}", PolygonJson(Square(at, side)), $"{{\"name_en\":\"Generated park {i}\",\"sector\":\"biomedicine\"}}"));
        }

        var edge = 0;
        foreach (var z in new[] { 9, 11, 13, 14 })
        {
            for (var i = 0; i < 12; i++)
            {
                var at = i % 2 == 0
                    ? new Coordinate(corner.X + (Gaussian() * 0.004), corner.Y + (Gaussian() * 0.004))
                    : new Coordinate(121.30 + (random.NextDouble() * 0.30), 31.08 + (random.NextDouble() * 0.27));
                var (under, over) = ThresholdSquare(at, z);
                parks.Add(Feature($"edge-{edge++}", PolygonJson(under), "{\"name_en\":\"Generated square under the cell size\"}"));
                parks.Add(Feature($"edge-{edge++}", PolygonJson(over), "{\"name_en\":\"Generated square over the cell size\"}"));
            }
        }

        var folder = Directory.CreateTempSubdirectory("clustermap-dense-").FullName;
        // Shared by every test of the class (each test has its own services), so removed when the test run ends.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        File.WriteAllText(Path.Combine(folder, "points.geojson"), Collection(points));
        File.WriteAllText(Path.Combine(folder, "parks.geojson"), Collection(parks));
        File.WriteAllText(Path.Combine(folder, "collections.json"), $$"""
            {
              "collections": [
                { "id": "{{Points}}", "title": "Generated points", "description": "Seeded random points (test data only)", "file": "points.geojson", "attribution": "ClusterMap tests", "license": "CC0-1.0", "role": "institute" },
                { "id": "{{Parks}}", "title": "Generated parks", "description": "Seeded random squares (test data only)", "file": "parks.geojson", "attribution": "ClusterMap tests", "license": "CC0-1.0", "role": "park" }
              ]
            }
            """);
        return (folder, points.Count);
    }

    private static string Position(Coordinate c) => string.Create(CultureInfo.InvariantCulture, $"[{c.X:R},{c.Y:R}]");

    private static string PolygonJson(Polygon polygon) =>
        $"{{\"type\":\"Polygon\",\"coordinates\":[[{string.Join(',', polygon.ExteriorRing.Coordinates.Select(Position))}]]}}";

    private static string Feature(string id, string geometry, string properties) =>
        $"{{\"type\":\"Feature\",\"id\":\"{id}\",\"geometry\":{geometry},\"properties\":{properties}}}";

    private static string Collection(IEnumerable<string> features)
    {
        var text = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[\n");
        text.AppendJoin(",\n", features);
        return text.Append("\n]}\n").ToString();
    }
}
