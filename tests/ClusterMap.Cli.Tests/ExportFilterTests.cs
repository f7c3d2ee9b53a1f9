using System.Text.Json;
using System.Text.Json.Nodes;
using ClusterMap.Core.Filtering;
using ClusterMap.Tests.Shared;
using NetTopologySuite.IO.Converters;

namespace ClusterMap.Cli.Tests;

/// <summary>
/// <c>clustermap export --filter</c> through the real program: the features it writes are exactly those the real
/// service's <c>/collections/{id}/items?filter=</c> returns from the same store (and those the in-memory evaluator
/// selects); a bad filter exits 2 with the option and the position named, and writes no file.
/// </summary>
public sealed class ExportFilterTests() : ScratchFolder("export-filter")
{
    private const string Collection = Cql2BruteForceCases.CollectionId;

    private static readonly JsonSerializerOptions _geometry = new() { Converters = { new GeoJsonConverterFactory() } };

    private string PathOf(string name) => Path.Combine(Folder, name);

    private async Task<List<Core.Features.FeatureRecord>> ImportAsync()
    {
        var features = Cql2BruteForceCases.Features(300, seed: 5);
        var collection = new JsonObject
        {
            ["type"] = "FeatureCollection",
            ["features"] = new JsonArray([.. features.Select(f => (JsonNode)new JsonObject
            {
                ["type"] = "Feature",
                ["id"] = f.Id,
                ["geometry"] = JsonNode.Parse(JsonSerializer.Serialize(f.Geometry, _geometry)),
                ["properties"] = JsonNode.Parse(f.PropertiesJson),
            })]),
        };
        File.WriteAllText(PathOf("source.geojson"), collection.ToJsonString());
        var imported = await CliRunner.RunAsync(Folder, "import", PathOf("source.geojson"), "--collection", Collection, "--db", DatabasePath);
        Assert.True(imported.ExitCode == 0, imported.Error + imported.Output);
        return features;
    }

    private static List<string> Ids(string geoJsonPath) =>
        [.. JsonNode.Parse(File.ReadAllText(geoJsonPath))!["features"]!.AsArray().Select(f => f!["id"]!.GetValue<string>())];

    [Fact]
    public async Task ExportWithFilter_WritesExactlyTheFeaturesItemsFilterReturns()
    {
        var features = await ImportAsync();
        string[] filters =
        [
            "sector IN ('集成电路', '生物医药') AND floors > 10",
            "CASEI(name) LIKE CASEI('alpha%')",
            "S_INTERSECTS(geometry, POLYGON((121.2 31.0, 121.6 31.05, 121.45 31.4, 121.2 31.0)))",
            "T_AFTER(updated, TIMESTAMP('2015-01-01T00:00:00Z')) OR area_km2 IS NULL",
            """{"op":"in","args":[{"property":"sector"},["Logistics","新材料"]]}""",
        ];
        var exported = new List<List<string>>();
        for (var i = 0; i < filters.Length; i++)
        {
            string[] language = filters[i].StartsWith('{') ? ["--filter-lang", "cql2-json"] : [];
            var result = await CliRunner.RunAsync(Folder, ["export", "--collection", Collection, "--filter", filters[i], .. language, "--out", PathOf($"f{i}.geojson"), "--db", DatabasePath]);
            Assert.True(result.ExitCode == 0, result.Error + result.Output);
            exported.Add(Ids(PathOf($"f{i}.geojson")));
        }

        await using var service = await ServiceProcess.StartAsync(new ServiceProcessOptions
        {
            ApiDll = ServiceProcess.ApiDllInSourceTree(),
            GeodataPath = Path.Combine(Folder, "no-geodata"),
            Settings = new Dictionary<string, string> { ["Storage__SqlitePath"] = DatabasePath, ["Limits__RequestTimeoutSeconds"] = "0" },
        });
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        for (var i = 0; i < filters.Length; i++)
        {
            var language = filters[i].StartsWith('{') ? "cql2-json" : "cql2-text";
            using var items = JsonDocument.Parse(await client.GetStringAsync($"/collections/{Collection}/items?limit=10000&filter-lang={language}&filter={Uri.EscapeDataString(filters[i])}"));
            var served = items.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).ToList();
            var node = Cql2.Parse(filters[i], filters[i].StartsWith('{') ? Cql2Language.Json : Cql2Language.Text);

            Assert.Equal(served, exported[i]);
            Assert.Equal(Cql2BruteForceCases.BruteForce(node, features), exported[i]);
            Assert.InRange(exported[i].Count, 1, features.Count - 1);
        }
    }

    [Theory]
    [InlineData("sector = ", "--filter", "character 9")]
    [InlineData("nope = 1", "--filter", "character 0")]
    [InlineData("floors = 'many'", "--filter", "character")]
    [InlineData("{\"op\":\"=\",\"args\":[{\"property\":\"sector\"}]", "--filter", "character")]
    public async Task ExportWithBadFilter_Exits2NamingTheOptionAndPosition_AndWritesNoFile(string filter, string option, string position)
    {
        await ImportAsync();
        string[] language = filter.StartsWith('{') ? ["--filter-lang", "cql2-json"] : [];

        var result = await CliRunner.RunAsync(Folder, ["export", "--collection", Collection, "--filter", filter, .. language, "--out", PathOf("out.geojson"), "--db", DatabasePath]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(option + ":", result.Error, StringComparison.Ordinal);
        Assert.Contains(position, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("out.geojson")));
        Assert.Empty(Directory.GetFiles(Folder, "out.geojson*"));
    }

    [Fact]
    public async Task ExportWithBadFilterLanguage_Exits2NamingIt_AndWritesNoFile()
    {
        await ImportAsync();

        var result = await CliRunner.RunAsync(Folder, "export", "--collection", Collection, "--filter", "TRUE", "--filter-lang", "sql", "--out", PathOf("out.csv"), "--db", DatabasePath);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("--filter-lang:", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("out.csv")));
    }
}
