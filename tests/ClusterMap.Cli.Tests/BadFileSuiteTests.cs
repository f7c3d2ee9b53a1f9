using System.Diagnostics;
using System.Text;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Cli.Tests;

/// <summary>
/// Issue 7's suite of bad files, through the real <c>clustermap import</c>: each is rejected with its precise error
/// (file, row or feature, field, reason), and the store file is byte-for-byte what it was before the attempt.
/// </summary>
public sealed class BadFileSuiteTests() : ScratchFolder("bad")
{
    private const string GoodGeoJson = """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","id":"ps","geometry":{"type":"Point","coordinates":[121.4737,31.2304]},"properties":{"name":"人民广场"}},
          {"type":"Feature","id":"zj","geometry":{"type":"Polygon","coordinates":[[[121.58,31.19],[121.62,31.19],[121.62,31.22],[121.58,31.22],[121.58,31.19]]]},"properties":{"name":"张江"}}
        ]}
        """;

    /// <summary>Imports a good file first, then the bad one into the same collection; returns the bad run's stderr.</summary>
    private async Task<string> RejectedAsync(string badFile, params string[] options)
    {
        var good = WriteFile("good.geojson", GoodGeoJson);
        var first = await CliRunner.RunAsync(Folder, "import", good, "--collection", "sites", "--db", DatabasePath);
        Assert.True(first.ExitCode == 0, first.Error);
        var before = await File.ReadAllBytesAsync(DatabasePath);

        var result = await CliRunner.RunAsync(Folder, ["import", badFile, "--collection", "sites", "--db", DatabasePath, .. options]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{badFile}: rejected, nothing was imported", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(DatabasePath));
        return result.Error;
    }

    [Fact]
    public async Task TruncatedJson_RejectedWithLineAndStoreUnchanged()
    {
        var file = WriteFile("truncated.geojson", GoodGeoJson[..(GoodGeoJson.IndexOf("张江", StringComparison.Ordinal) - 20)]);

        var error = await RejectedAsync(file);

        Assert.Contains($"{file}: line 3: file: not valid JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GbkGeoJson_RejectedAsNotUtf8AndStoreUnchanged()
    {
        var file = WriteFile("gbk.geojson", GoodGeoJson, Encoding.GetEncoding("gbk"));

        var error = await RejectedAsync(file);

        Assert.Contains($"{file}: line 2: encoding: byte ", error, StringComparison.Ordinal);
        Assert.Contains("is not valid UTF-8; GeoJSON must be UTF-8 (RFC 7946 §11)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GbkCsvDeclaredUtf8_RejectedWithLineAndStoreUnchanged()
    {
        var file = WriteFile("gbk.csv", "id,name,lon,lat\na,ok,121.4,31.2\nb,上海,121.5,31.3\n", Encoding.GetEncoding("gbk"));

        var error = await RejectedAsync(file, "--encoding", "utf-8");

        Assert.Contains($"{file}: line 3: encoding: a byte sequence that is not valid utf-8; name the file's encoding with --encoding", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BowTiePolygon_RejectedNamingFeatureAndStoreUnchanged()
    {
        var file = WriteFile("bowtie.geojson", """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","id":"bow","geometry":{"type":"Polygon","coordinates":[[[121.4,31.2],[121.5,31.3],[121.5,31.2],[121.4,31.3],[121.4,31.2]]]},"properties":{}}
            ]}
            """);

        var error = await RejectedAsync(file);

        Assert.Contains($"{file}: feature 1 (id 'bow'): geometry: invalid Polygon: Self-intersection at [121.45, 31.25]", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnclosedRing_RejectedNamingFeatureAndStoreUnchanged()
    {
        var file = WriteFile("unclosed.geojson", """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","id":"open","geometry":{"type":"Polygon","coordinates":[[[121.4,31.2],[121.5,31.2],[121.5,31.3],[121.4,31.3]]]},"properties":{}}
            ]}
            """);

        var error = await RejectedAsync(file);

        Assert.Contains($"{file}: feature 1 (id 'open'): geometry: not a valid GeoJSON geometry", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LatLonSwapped_RejectedAsProbableSwapAndStoreUnchanged()
    {
        var file = WriteFile("swapped.geojson", """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","id":"ps","geometry":{"type":"Point","coordinates":[31.2304,121.4737]},"properties":{}}
            ]}
            """);

        var error = await RejectedAsync(file);

        Assert.Contains($"{file}: feature 1 (id 'ps'): geometry: position [31.2304, 121.4737] is outside WGS84 range: longitude −180…180 first, then latitude −90…90; probable lat/lon swap", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NaNInCsvAndGeoJson_RejectedWithRowFieldAndStoreUnchanged()
    {
        var csv = WriteFile("nan.csv", "id,name,lon,lat\na,ok,121.4,31.2\nb,bad,NaN,31.3\n");
        var json = WriteFile("nan.geojson", """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","id":"n","geometry":{"type":"Point","coordinates":[NaN,31.2]},"properties":{}}
            ]}
            """);

        var csvError = await RejectedAsync(csv);
        var jsonError = await RejectedAsync(json);

        Assert.Contains($"{csv}: line 3 (id 'b'): lon: 'NaN' is not a finite number", csvError, StringComparison.Ordinal);
        Assert.Contains($"{json}: line 2: file: not valid JSON ('N' is an invalid start of a value", jsonError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DuplicateIds_RejectedNamingBothFeaturesAndStoreUnchanged()
    {
        var file = WriteFile("duplicates.geojson", """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[121.4,31.2]},"properties":{}},
              {"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[121.5,31.3]},"properties":{}}
            ]}
            """);

        var error = await RejectedAsync(file);

        Assert.Contains($"{file}: feature 2 (id 'a'): id: duplicate id: feature 1 has the same id", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingRequiredPropertyAndWrongType_RejectedNamingFieldAndStoreUnchanged()
    {
        var file = WriteFile("typed.csv", "id,name,area_km2,lon,lat\na,张江,12.5,121.6,31.2\nb,,3,121.5,31.3\nc,漕河泾,about 5,121.4,31.17\n");

        var error = await RejectedAsync(file, "--require", "name", "--types", "area_km2=number");

        Assert.Contains($"{file}: line 3 (id 'b'): properties.name: missing: --require demands a non-empty value", error, StringComparison.Ordinal);
        Assert.Contains($"{file}: line 4 (id 'c'): properties.area_km2: 'about 5' is not a finite number", error, StringComparison.Ordinal);
        Assert.Contains("(2 problems)", error, StringComparison.Ordinal);
    }

    private async Task<string> GarbageAsync(string name)
    {
        var file = Path.Combine(Folder, name);
        var random = new Random(7);
        var chunk = new byte[1024 * 1024];
        await using var stream = File.Create(file);
        for (var i = 0; i < 100; i++)
        {
            random.NextBytes(chunk);
            await stream.WriteAsync(chunk);
        }

        return file;
    }

    [Fact]
    public async Task HundredMegabytesOfGarbageCsv_RejectedAtTheFirstBadByteWithoutReadingItAll()
    {
        var file = await GarbageAsync("garbage.csv");

        var error = await RejectedAsync(file);

        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(file)}: line [0-9]+: encoding: (contains a NUL byte|a byte sequence that is not valid gb18030)", error);
    }

    [Fact]
    public async Task HundredMegabytesOfGarbageGeoJson_RejectedFromItsFirstBytes()
    {
        var file = await GarbageAsync("garbage.geojson");

        var error = await RejectedAsync(file);

        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(file)}: line [0-9]+: file: not JSON: starts with byte 0x[0-9A-F]{{2}} where a GeoJSON FeatureCollection starts with '{{'", error);
    }

    [Fact]
    public async Task HundredMegabytesWithoutALineBreak_RejectedAtTheRecordLimit()
    {
        var file = Path.Combine(Folder, "one-line.csv");
        var line = Encoding.ASCII.GetBytes(new string('x', 1024 * 1024));
        await using (var stream = File.Create(file))
        {
            await stream.WriteAsync("\"id,lon,lat\n"u8.ToArray());
            for (var i = 0; i < 100; i++)
            {
                await stream.WriteAsync(line);
            }
        }

        var error = await RejectedAsync(file);

        Assert.Contains($"{file}: line 1: file: a record longer than 16777216 characters inside a quoted field that is never closed", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShapefileWithBowTie_RejectedNamingRecordAndStoreUnchanged()
    {
        var source = WriteFile("bowtie-src.geojson", """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"id":"ok"},"geometry":{"type":"Polygon","coordinates":[[[121.4,31.2],[121.5,31.2],[121.5,31.3],[121.4,31.3],[121.4,31.2]]]}},
              {"type":"Feature","properties":{"id":"bow"},"geometry":{"type":"Polygon","coordinates":[[[121.4,31.2],[121.5,31.3],[121.5,31.2],[121.4,31.3],[121.4,31.2]]]}}
            ]}
            """);
        var shapefile = Path.Combine(Folder, "bowtie.shp");
        await GdalAsync("ogr2ogr", "-f", "ESRI Shapefile", shapefile, source);

        var error = await RejectedAsync(shapefile);

        Assert.Contains($"{shapefile}: record 2 (id 'bow'): geometry: invalid", error, StringComparison.Ordinal);
    }

    internal static async Task GdalAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {error}{await output}");
    }
}
