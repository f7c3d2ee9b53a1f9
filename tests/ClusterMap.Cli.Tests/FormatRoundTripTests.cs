using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterMap.Tests.Shared;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace ClusterMap.Cli.Tests;

/// <summary>
/// <c>clustermap export</c> and the GeoPackage and Shapefile importers through the real program, with GDAL making
/// and reading the files on the other side.
/// </summary>
public sealed class FormatRoundTripTests() : ScratchFolder("formats")
{
    // Point, polygon with a hole, multipolygon and line; properties of every JSON type, Chinese text, nulls, arrays.
    private const string Source = """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","id":"ps","geometry":{"type":"Point","coordinates":[121.4737,31.2304]},
           "properties":{"name":"人民广场","rank":1,"area_km2":0.14,"listed":true,"lines":[1,2,8],"note":null}},
          {"type":"Feature","id":"zj","geometry":{"type":"Polygon","coordinates":[[[121.58,31.19],[121.62,31.19],[121.62,31.22],[121.58,31.22],[121.58,31.19]],[[121.59,31.2],[121.59,31.21],[121.6,31.21],[121.6,31.2],[121.59,31.2]]]},
           "properties":{"name":"张江","rank":2,"area_km2":79.7,"listed":false,"lines":[],"note":"hole: a lake"}},
          {"type":"Feature","id":"islands","geometry":{"type":"MultiPolygon","coordinates":[[[[121.3,31.1],[121.31,31.1],[121.31,31.11],[121.3,31.1]]],[[[121.35,31.15],[121.36,31.15],[121.36,31.16],[121.35,31.15]]]]},
           "properties":{"name":"岛","rank":3,"area_km2":1,"listed":true,"lines":["a"],"note":"two parts"}},
          {"type":"Feature","id":"road","geometry":{"type":"LineString","coordinates":[[121.4,31.2],[121.45,31.25],[121.5,31.2]]},
           "properties":{"name":"路","rank":4,"area_km2":0,"listed":false,"lines":[3],"note":""}}
        ]}
        """;

    private static readonly JsonSerializerOptions _geometry = new() { Converters = { new GeoJsonConverterFactory() } };

    private string PathOf(string name) => Path.Combine(Folder, name);

    private async Task RunAsync(params string[] arguments)
    {
        var result = await CliRunner.RunAsync(Folder, [.. arguments, "--db", DatabasePath]);
        Assert.True(result.ExitCode == 0, result.Error + result.Output);
    }

    private static Dictionary<string, (Geometry Geometry, JsonObject Properties)> Features(string geoJsonPath)
    {
        var root = JsonNode.Parse(File.ReadAllText(geoJsonPath))!;
        return root["features"]!.AsArray().ToDictionary(
            f => f!["id"]!.GetValue<string>(),
            f => (JsonSerializer.Deserialize<Geometry>(f!["geometry"]!.ToJsonString(), _geometry)!, f!["properties"]!.AsObject()));
    }

    [Fact]
    public async Task GeoJsonToStoreToGeoPackageToStoreToGeoJson_LeavesGeometriesAndPropertiesEqual()
    {
        File.WriteAllText(PathOf("source.geojson"), Source);
        await RunAsync("import", PathOf("source.geojson"), "--collection", "sites");
        await RunAsync("export", "--collection", "sites", "--out", PathOf("sites.gpkg"));
        await RunAsync("import", PathOf("sites.gpkg"), "--collection", "sites-again");
        await RunAsync("export", "--collection", "sites-again", "--out", PathOf("final.geojson"));

        var source = Features(PathOf("source.geojson"));
        var final = Features(PathOf("final.geojson"));
        Assert.Equal(source.Keys.Order(), final.Keys.Order());
        foreach (var (id, (geometry, properties)) in source)
        {
            // Exact equality: no coordinate may move. Ring orientation is RFC 7946's both times, so compare as sets of points.
            Assert.True(geometry.EqualsExact(final[id].Geometry) || geometry.EqualsTopologically(final[id].Geometry) && geometry.Coordinates.ToHashSet().SetEquals(final[id].Geometry.Coordinates),
                $"{id}: {geometry} became {final[id].Geometry}");
            foreach (var (name, value) in properties)
            {
                Assert.True(JsonNode.DeepEquals(value, final[id].Properties[name]), $"{id}.{name}: {value?.ToJsonString()} became {final[id].Properties[name]?.ToJsonString()}");
            }

            // The first import recorded where the coordinates came from; the round trip keeps that record.
            Assert.Equal("OGC:CRS84", final[id].Properties["source_crs"]!.GetValue<string>());
            Assert.Equal("none: WGS84 as given", final[id].Properties["crs_conversion"]!.GetValue<string>());
        }

        await BadFileSuiteTests.GdalAsync("ogrinfo", "-ro", "-so", PathOf("sites.gpkg"), "sites");
    }

    [Fact]
    public async Task ImportGeoPackageInUtm51_ByOgr2ogr_HonoursTheSrsAndLandsWhereItWas()
    {
        File.WriteAllText(PathOf("source.geojson"), Source);
        await BadFileSuiteTests.GdalAsync("ogr2ogr", "-f", "GPKG", PathOf("utm.gpkg"), PathOf("source.geojson"), "-s_srs", "EPSG:4326", "-t_srs", "EPSG:32651", "-nln", "sites");

        var result = await CliRunner.RunAsync(Folder, "import", PathOf("utm.gpkg"), "--collection", "sites", "--db", DatabasePath);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("converted from EPSG:32651 to WGS84 (CRS from the layer's srs: EPSG:32651)", result.Output, StringComparison.Ordinal);
        await RunAsync("export", "--collection", "sites", "--out", PathOf("back.geojson"));
        AssertSamePositions(PathOf("source.geojson"), PathOf("back.geojson"));
    }

    [Fact]
    public async Task ImportShapefileWithEsriPrj_ByOgr2ogr_HonoursThePrjAndLandsWhereItWas()
    {
        File.WriteAllText(PathOf("source.geojson"), Source);
        // A shapefile holds one geometry type: the polygons.
        await BadFileSuiteTests.GdalAsync("ogr2ogr", "-f", "ESRI Shapefile", PathOf("zones.shp"), PathOf("source.geojson"),
            "-s_srs", "EPSG:4326", "-t_srs", "EPSG:32651", "-where", "name IN ('张江', '岛')", "-nlt", "MULTIPOLYGON", "-lco", "ENCODING=UTF-8");
        Assert.DoesNotContain("AUTHORITY", File.ReadAllText(PathOf("zones.prj")), StringComparison.Ordinal);

        var result = await CliRunner.RunAsync(Folder, "import", PathOf("zones.shp"), "--collection", "zones", "--db", DatabasePath);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("(CRS from the .prj: WGS_1984_UTM_Zone_51N)", result.Output, StringComparison.Ordinal);
        await RunAsync("export", "--collection", "zones", "--out", PathOf("back.geojson"));
        AssertSamePositions(PathOf("source.geojson"), PathOf("back.geojson"));
        Assert.Equal("张江", Features(PathOf("back.geojson"))["zj"].Properties["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task ExportCsvInGcj02_ReimportedAsGcj02_ReturnsWithinOneCentimetre()
    {
        File.WriteAllText(PathOf("source.geojson"), Source);
        await RunAsync("import", PathOf("source.geojson"), "--collection", "sites");
        await RunAsync("export", "--collection", "sites", "--format", "csv", "--crs", "gcj02", "--out", PathOf("sites.csv"));
        var header = File.ReadLines(PathOf("sites.csv")).First().TrimStart('\uFEFF');
        Assert.Equal("id,wkt,name,rank,area_km2,listed,lines,note,source_crs,crs_conversion", header);

        await RunAsync("import", PathOf("sites.csv"), "--collection", "back", "--crs", "gcj02");
        await RunAsync("export", "--collection", "back", "--out", PathOf("back.geojson"));

        AssertSamePositions(PathOf("source.geojson"), PathOf("back.geojson"));
    }

    /// <summary>Every vertex within 1e-7° (about 1 cm): the tolerance of the GCJ-02 inverse and of ProjNet's UTM.</summary>
    private static void AssertSamePositions(string expectedPath, string actualPath)
    {
        var expected = Features(expectedPath);
        var actual = Features(actualPath);
        foreach (var (id, feature) in actual)
        {
            var want = expected[id].Geometry.Coordinates.Select(c => (c.X, c.Y)).ToHashSet();
            foreach (var c in feature.Geometry.Coordinates)
            {
                Assert.True(want.Any(w => Math.Abs(w.X - c.X) < 1e-7 && Math.Abs(w.Y - c.Y) < 1e-7), $"{id}: [{c.X}, {c.Y}] is not a source vertex");
            }
        }
    }
}
