using System.Net;
using System.Text.RegularExpressions;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Api.Tests.Scaling;

/// <summary>
/// The shipped data served from PostGIS answers byte for byte as it does from SQLite: one service process on each
/// store, the same requests, bodies compared after blanking timestamps (each store records when it was filled).
/// </summary>
public sealed partial class PostGisParityTests(PostGisParityTests.Services services) : IClassFixture<PostGisParityTests.Services>
{
    /// <summary>One SQLite and one PostGIS service for all the requests of this class.</summary>
    public sealed class Services : IAsyncLifetime
    {
        private static readonly string _geodata = Path.Combine(ServiceProcess.RepositoryRoot(), "geodata");

        private string _connectionString = "";

        public ServiceProcess Sqlite { get; private set; } = null!;

        public ServiceProcess PostGis { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _connectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();
            var started = await Task.WhenAll(
                ServiceProcess.StartAsync(_geodata),
                // The service's own vector tiles, byte for byte; the tiles PostGIS builds with ST_AsMVT are compared
                // feature by feature with these in PostGisVectorTileTests.
                ServiceProcess.StartAsync(_geodata, new Dictionary<string, string>(PostGisReplicaTests.PostGisSettings(_connectionString)) { ["Maps__VectorTilesInDatabase"] = "false" }));
            (Sqlite, PostGis) = (started[0], started[1]);
        }

        public async Task DisposeAsync()
        {
            await Sqlite.DisposeAsync();
            await PostGis.DisposeAsync();
            await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(_connectionString);
        }
    }

    public static TheoryData<string> Requests() =>
    [
        "/collections",
        "/collections/parks",
        "/collections/universities/queryables",
        "/collections/universities/items?limit=100",
        "/collections/metro-stations/items?limit=40&offset=250",
        "/collections/metro-stations/items?bbox=121.40,31.15,121.55,31.30&limit=1000",
        "/collections/universities/items?bbox=121.3,31.0,121.7,31.4&is_211=true",
        "/collections/universities/items?school_type=%E6%9C%AC%E7%A7%91",
        "/collections/parks/items?batch=1&limit=1000",
        "/collections/parks/items?bbox=170,-10,-170,10",
        "/collections/universities/items/aurora",
        "/collections/parks/items/park-auto-new-energy-port",
        "/collections/land/items?limit=5",
        "/proximity/matrix?from=parks&to=universities&k=3&f=csv",
        "/collections/metro-stations/items?bbox=13490000,3620000,13520000,3650000&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3857&crs=http://www.opengis.net/def/crs/EPSG/0/3857",
        "/proximity/within?target=universities&radius_m=5000&lon=121.47&lat=31.23",
        "/proximity/nearest?target=metro-stations&k=5&lon=121.47&lat=31.23",
        "/proximity/within?target=parks&radius_m=5000&from=universities/aurora",
        "/tiles/default/10/857/418.png",
        "/tiles/universities/10/857/418.mvt",
        "/maps/static.png?bbox=121.3,31.1,121.6,31.3&width=400&height=300",
        "/analysis/links",
        "/analysis/districts?f=csv",
        "/analysis/sectors",
    ];

    /// <summary>
    /// Both services are asked under one host name, so a figure's permalink (and its QR code) is the same from both.
    /// </summary>
    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = "clustermap.test";
        return await client.SendAsync(request);
    }

    [GeneratedRegex("""\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)""")]
    private static partial Regex Timestamp();

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task ShippedData_FromPostGis_AnswersByteForByteAsFromSqlite(string path)
    {
        using var sqliteClient = new HttpClient { BaseAddress = services.Sqlite.BaseAddress };
        using var postgisClient = new HttpClient { BaseAddress = services.PostGis.BaseAddress };
        var (fromSqlite, fromPostGis) = (await GetAsync(sqliteClient, path), await GetAsync(postgisClient, path));
        var expected = await fromSqlite.Content.ReadAsByteArrayAsync();
        var actual = await fromPostGis.Content.ReadAsByteArrayAsync();
        // A figure's stamp prints the second it was rendered: a pair that straddles a second is asked for again, both
        // at once (on a busy machine one retry in sequence can straddle the next second too).
        for (var attempt = 0; attempt < 5 && path.StartsWith("/maps/static", StringComparison.Ordinal) && !expected.SequenceEqual(actual); attempt++)
        {
            var (sqliteAgain, postgisAgain) = (GetAsync(sqliteClient, path), GetAsync(postgisClient, path));
            (fromSqlite, fromPostGis) = (await sqliteAgain, await postgisAgain);
            (expected, actual) = (await fromSqlite.Content.ReadAsByteArrayAsync(), await fromPostGis.Content.ReadAsByteArrayAsync());
        }

        Assert.True(fromSqlite.StatusCode == HttpStatusCode.OK, $"{path}: SQLite answered {fromSqlite.StatusCode}: {System.Text.Encoding.UTF8.GetString(expected)}");
        Assert.Equal(fromSqlite.StatusCode, fromPostGis.StatusCode);
        Assert.Equal(fromSqlite.Content.Headers.ContentType, fromPostGis.Content.Headers.ContentType);
        var text = fromSqlite.Content.Headers.ContentType?.MediaType is { } type && (type.Contains("json", StringComparison.Ordinal) || type.StartsWith("text/", StringComparison.Ordinal));
        if (text)
        {
            // Links name the host that was asked; both services were asked as clustermap.test.
            string Normalize(byte[] body, Uri origin) =>
                Timestamp().Replace(System.Text.Encoding.UTF8.GetString(body), "<time>").Replace(origin.ToString().TrimEnd('/'), "<origin>", StringComparison.Ordinal);
            Assert.Equal(Normalize(expected, services.Sqlite.BaseAddress), Normalize(actual, services.PostGis.BaseAddress));
        }
        else
        {
            Assert.Equal(expected, actual);
        }
    }
}
