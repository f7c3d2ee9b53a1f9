using ClusterMap.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Cli.Tests;

public sealed class ImportCommandTests() : ScratchFolder("cli")
{
    private const string TwoSites = """
        {"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[
          {"type":"Feature","properties":{"id":"s1","name":"One"},"geometry":{"type":"Point","coordinates":[121.1,31.1]}},
          {"type":"Feature","properties":{"id":"s2","name":"Two"},"geometry":{"type":"Point","coordinates":[121.2,31.2]}}]}
        """;

    [Fact]
    public async Task Import_GdalStyleFile_CreatesCollectionAndListsIt()
    {
        var file = WriteFile("sites.geojson", TwoSites);

        var import = await CliRunner.RunAsync(Folder, "import", file, "--collection", "sites", "--title", "Sites", "--db", DatabasePath);
        var list = await CliRunner.RunAsync(Folder, "collections", "--db", DatabasePath);

        Assert.True(import.ExitCode == 0, import.Error);
        Assert.Contains("Imported 2 features into 'sites' (new collection)", import.Output, StringComparison.Ordinal);
        Assert.Equal(0, list.ExitCode);
        var row = Assert.Single(list.Output.Split('\n'), line => line.StartsWith("sites ", StringComparison.Ordinal));
        Assert.Matches(@"^sites\s+2\s+Point\s+121\.1000,31\.1000,121\.2000,31\.2000\s+Sites$", row.TrimEnd());
    }

    [Fact]
    public async Task Import_FileWithOneBrokenFeature_LeavesDatabaseByteForByteAsItWas()
    {
        var good = WriteFile("sites.geojson", TwoSites);
        Assert.Equal(0, (await CliRunner.RunAsync(Folder, "import", good, "--collection", "sites", "--db", DatabasePath)).ExitCode);
        SqliteConnection.ClearAllPools();
        var before = await ReadStoreContentAsync();
        var fileBefore = await File.ReadAllBytesAsync(DatabasePath);
        var broken = WriteFile("broken.geojson", """
            {"type":"FeatureCollection","features":[
              {"type":"Feature","id":"ok","properties":{},"geometry":{"type":"Point","coordinates":[121.3,31.3]}},
              {"type":"Feature","id":"bowtie","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}
            """);

        var result = await CliRunner.RunAsync(Folder, "import", broken, "--collection", "sites", "--db", DatabasePath);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{broken}: feature 2 (id 'bowtie'): geometry: invalid Polygon: Self-intersection", result.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was imported", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, await ReadStoreContentAsync());
        Assert.Equal(fileBefore, await File.ReadAllBytesAsync(DatabasePath));
    }

    [Fact]
    public async Task Import_InvalidJson_NamesFileAndLine()
    {
        var file = WriteFile("cut.geojson", "{\"type\":\"FeatureCollection\",\n\"features\":[\n{");

        var result = await CliRunner.RunAsync(Folder, "import", file, "--collection", "sites", "--db", DatabasePath);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{file}: line 3: file: not valid JSON", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(DatabasePath));
    }

    [Theory]
    [InlineData("Bad_Id", "--collection: 'Bad_Id' is not")]
    [InlineData("sites", "no such file")]
    public async Task Import_BadArguments_SayWhatIsWrong(string collection, string message)
    {
        var result = await CliRunner.RunAsync(Folder, "import", Path.Combine(Folder, "missing.geojson"), "--collection", collection, "--db", DatabasePath);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collections_NoDatabase_SaysSo()
    {
        var result = await CliRunner.RunAsync(Folder, "collections", "--db", DatabasePath);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no such database", result.Error, StringComparison.Ordinal);
    }

    /// <summary>The database's logical content, row by row: what a user would see changed.</summary>
    private async Task<string> ReadStoreContentAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        var dump = new System.Text.StringBuilder();
        foreach (var table in new[] { "collections", "features", "features_rtree", "store_meta" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table} ORDER BY 1";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    dump.Append(value is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                }

                dump.AppendLine();
            }
        }

        return dump.ToString();
    }
}
