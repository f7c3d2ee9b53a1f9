using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterMap.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Cli.Tests;

/// <summary>
/// <c>clustermap import</c> with CSV files, declared CRSs and encodings, through the real program. GCJ-02 reference
/// points are People's Square from shared/geodata-sources/checks/gcj_offset.py (Projections.Tests' gcj_offsets.csv).
/// </summary>
public sealed class CsvImportTests() : ScratchFolder("csv")
{
    private const double PeoplesSquareLon = 121.4737;
    private const double PeoplesSquareLat = 31.2304;
    private const double PeoplesSquareGcjLon = 121.47822305927693;
    private const double PeoplesSquareGcjLat = 31.22845773757727;
    private const double PeoplesSquareBdLon = 121.484781468503;
    private const double PeoplesSquareBdLat = 31.234310593689997;

    private Task<CliRunner.Result> ImportAsync(params string[] arguments) =>
        CliRunner.RunAsync(Folder, ["import", .. arguments, "--db", DatabasePath]);

    private async Task<(double Lon, double Lat, JsonElement Properties)> ReadFeatureAsync(string id)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT min_x, min_y, properties FROM features WHERE feature_id = $id";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"feature {id} not stored");
        return (reader.GetDouble(0), reader.GetDouble(1), JsonDocument.Parse(reader.GetString(2)).RootElement.Clone());
    }

    [Fact]
    public async Task Import_Gcj02Csv_StoresWgs84WithinOneCentimetreAndRecordsTheConversion()
    {
        var file = WriteFile("firms.csv", string.Create(CultureInfo.InvariantCulture,
            $"id,name,lng,lat\nps,人民广场,{PeoplesSquareGcjLon:R},{PeoplesSquareGcjLat:R}\n"));

        var result = await ImportAsync(file, "--collection", "firms", "--crs", "gcj02");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("converted from GCJ-02 to WGS84", result.Output, StringComparison.Ordinal);
        var (lon, lat, properties) = await ReadFeatureAsync("ps");

        // 1e-7° ≈ 1 cm; the inverse is solved to under 0.01 mm.
        Assert.Equal(PeoplesSquareLon, lon, 1e-7);
        Assert.Equal(PeoplesSquareLat, lat, 1e-7);
        Assert.Equal("人民广场", properties.GetProperty("name").GetString());
        Assert.Equal("GCJ-02", properties.GetProperty("source_crs").GetString());
        Assert.StartsWith("GCJ-02 → WGS84", properties.GetProperty("crs_conversion").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_Bd09WktCsvInGb18030_DetectsEncodingAndConverts()
    {
        var file = WriteFile("baidu.csv", string.Create(CultureInfo.InvariantCulture,
            $"id,名称,wkt\nps,人民广场,\"POINT ({PeoplesSquareBdLon:R} {PeoplesSquareBdLat:R})\"\n"), Encoding.GetEncoding("gb18030"));

        var result = await ImportAsync(file, "--collection", "firms", "--crs", "bd09");

        Assert.True(result.ExitCode == 0, result.Error);
        var (lon, lat, properties) = await ReadFeatureAsync("ps");
        Assert.Equal(PeoplesSquareLon, lon, 1e-7);
        Assert.Equal(PeoplesSquareLat, lat, 1e-7);
        Assert.Equal("人民广场", properties.GetProperty("名称").GetString());
    }

    [Fact]
    public async Task Import_GbkFileDeclaredUtf8_RejectedNamingLineAndEncoding()
    {
        var file = WriteFile("gbk.csv", "id,name,lon,lat\na,ok,121.4,31.2\nb,上海,121.5,31.3\n", Encoding.GetEncoding("gbk"));

        var result = await ImportAsync(file, "--collection", "firms", "--encoding", "utf-8");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{file}: line 3: encoding: a byte sequence that is not valid utf-8", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task Import_UnknownEncodingOrCrs_SaysWhatIsAccepted()
    {
        var file = WriteFile("a.csv", "id,lon,lat\na,121.4,31.2\n");

        var encoding = await ImportAsync(file, "--collection", "firms", "--encoding", "latin-9");
        var crs = await ImportAsync(file, "--collection", "firms", "--crs", "EPSG:99999");

        Assert.Equal(1, encoding.ExitCode);
        Assert.Contains("encoding: unknown encoding 'latin-9': expected utf-8, gb18030 or gbk", encoding.Error, StringComparison.Ordinal);
        Assert.Equal(2, crs.ExitCode);
        Assert.Contains("--crs: 'EPSG:99999' is not a coordinate system ClusterMap can convert; expected wgs84, gcj02, bd09", crs.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_BadRows_ListsEveryProblemAndLeavesStoreByteForByte()
    {
        var good = WriteFile("good.csv", "id,lon,lat\nkeep,121.4,31.2\n");
        Assert.Equal(0, (await ImportAsync(good, "--collection", "firms")).ExitCode);
        SqliteConnection.ClearAllPools();
        var before = await File.ReadAllBytesAsync(DatabasePath);
        var bad = WriteFile("bad.csv", """
            id,name,lon,lat,wkt_note
            a,swapped,31.2304,121.4737,x
            b,nan,NaN,31.2,x
            a,duplicate,121.5,31.3,x
            ,no id,121.5,31.3,x
            c,text,121.5,abc,x
            d,short,121.5
            e,ok,121.6,31.1,x
            """);

        var result = await ImportAsync(bad, "--collection", "firms");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{bad}: line 2 (id 'a'): geometry: position [31.2304, 121.4737] is outside −180…180, −90…90; probable lat/lon swap", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{bad}: line 3 (id 'b'): lon: 'NaN' is not a finite number", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{bad}: line 4 (id 'a'): id: duplicate id: line 2 has the same id", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{bad}: line 5: id: missing or invalid id", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{bad}: line 6 (id 'c'): lat: 'abc' is not a finite number", result.Error, StringComparison.Ordinal);
        Assert.Contains($"{bad}: line 7: row: 3 cells where the header has 5", result.Error, StringComparison.Ordinal);
        Assert.Contains("(6 problems)", result.Error, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, await File.ReadAllBytesAsync(DatabasePath));
    }

    [Fact]
    public async Task Import_BowTieWkt_RejectedAsSelfIntersection()
    {
        var file = WriteFile("bowtie.csv", "id,wkt\nbow,\"POLYGON ((121 31, 122 32, 122 31, 121 32, 121 31))\"\n");

        var result = await ImportAsync(file, "--collection", "zones");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{file}: line 2 (id 'bow'): wkt: invalid Polygon: Self-intersection at [121.5, 31.5]", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_Gcj02PointOutsideMainlandChina_RejectedAsOutsideTheCrsArea()
    {
        var file = WriteFile("seoul.csv", "id,lon,lat\nseoul,126.978,37.5665\n");

        var result = await ImportAsync(file, "--collection", "firms", "--crs", "gcj02");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("line 2 (id 'seoul'): geometry: position [126.978, 37.5665] is outside the area where GCJ-02 is defined (mainland China", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_SkipInvalid_ImportsValidRowsAndWritesRejects()
    {
        var file = WriteFile("mixed.csv", "id,lon,lat\nok1,121.4,31.2\nbad,200,31.2\nok2,121.5,31.3\n");
        var rejects = Path.Combine(Folder, "rejects.csv");

        var result = await ImportAsync(file, "--collection", "firms", "--skip-invalid", "--rejects", rejects);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("Imported 2 features into 'firms'", result.Output, StringComparison.Ordinal);
        Assert.Contains($"Skipped 1 invalid feature; listed in {rejects}", result.Output, StringComparison.Ordinal);
        var lines = File.ReadAllLines(rejects);
        Assert.Equal("file,location,field,reason", lines[0].TrimStart('\uFEFF'));
        Assert.StartsWith($"{file},line 3 (id 'bad'),geometry,\"position [200, 31.2] is outside the range of OGC:CRS84", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public async Task Import_Utm51Csv_ConvertsToWgs84()
    {
        // People's Square in EPSG:32651 as GDAL computes it (Projections.Tests/Fixtures/gdal_projected.csv).
        var file = WriteFile("utm.csv", "id,x,y\nps,354633.6490,3456140.5296\n");

        var result = await ImportAsync(file, "--collection", "firms", "--crs", "EPSG:32651");

        Assert.True(result.ExitCode == 0, result.Error);
        var (lon, lat, _) = await ReadFeatureAsync("ps");
        Assert.Equal(PeoplesSquareLon, lon, 1e-7);
        Assert.Equal(PeoplesSquareLat, lat, 1e-7);
    }

    [Fact]
    public async Task Import_GarbageBytes_RejectedAsBinary()
    {
        var path = Path.Combine(Folder, "garbage.csv");
        var bytes = new byte[1_000_000];
        new Random(7).NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes);

        var result = await ImportAsync(path, "--collection", "firms");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{path}: line ", result.Error, StringComparison.Ordinal);
        Assert.Contains("encoding:", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(DatabasePath));
    }
}
