using System.Globalization;
using System.Net;
using ClusterMap.Core.Features;
using ClusterMap.Core.Import;
using ClusterMap.Core.Storage;
using ClusterMap.Storage.PostGis;
using ClusterMap.Tests.Shared;
using NetTopologySuite.Geometries;
using Npgsql;

namespace ClusterMap.Api.Tests.Scaling;

/// <summary>
/// Proximity pushed down to PostGIS answers exactly as the in-memory engine: two service processes on one database,
/// one holding every collection in memory (the default threshold) and one forced to push every query down
/// (Proximity:InMemoryMaxFeatures = 0); the same within/nearest/matrix/rings requests must give the same bytes.
/// Besides the shipped data (all points), the database holds a generated collection of polygons, lines and points
/// with location uncertainties, so polygon and line origins and targets, filters and "possible" answers are covered.
/// </summary>
public sealed class PostGisPushDownTests(PostGisPushDownTests.Services services) : IClassFixture<PostGisPushDownTests.Services>
{
    private const string Shapes = "test-shapes";
    private const string Ring = "test-ring";
    private const double RingLon = 121.3;
    private const double RingLat = 31.0;
    private const string RingOrigin = "lon=121.3&lat=31.0";

    public sealed class Services : IAsyncLifetime
    {
        private static readonly string _geodata = Path.Combine(ServiceProcess.RepositoryRoot(), "geodata");

        public string ConnectionString { get; private set; } = "";

        public ServiceProcess InMemory { get; private set; } = null!;

        public ServiceProcess PushedDown { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            ConnectionString = await (await PostGisCluster.SharedAsync()).CreateDatabaseAsync();
            await using (var store = new PostGisFeatureStore(ConnectionString))
            {
                await store.InitializeAsync();
                await store.ReplaceCollectionsAsync(
                [
                    .. GeodataManifest.ReadAll(_geodata),
                    new CollectionImport(new CollectionDefinition(Shapes, "Test shapes", "Generated polygons, lines and points for the push-down test."), ShapeFeatures()),
                    new CollectionImport(new CollectionDefinition(Ring, "Ring", "Points equidistant on PostGIS's sphere, not on the ellipsoid."), RingFeatures()),
                    new CollectionImport(new CollectionDefinition("test-probe", "Probe", "One point the probe test moves."), [new FeatureRecord("probe", new GeometryFactory(new PrecisionModel(), 4326).CreatePoint(new Coordinate(121.5, 31.2)), "{}")]),
                ]);
            }

            var settings = PostGisReplicaTests.PostGisSettings(ConnectionString);
            var forced = new Dictionary<string, string>(settings) { ["Proximity__InMemoryMaxFeatures"] = "0" };
            var started = await Task.WhenAll(ServiceProcess.StartAsync(_geodata, settings), ServiceProcess.StartAsync(_geodata, forced));
            (InMemory, PushedDown) = (started[0], started[1]);
        }

        public async Task DisposeAsync()
        {
            await InMemory.DisposeAsync();
            await PushedDown.DisposeAsync();
            await (await PostGisCluster.SharedAsync()).DropDatabaseAsync(ConnectionString);
        }

        /// <summary>
        /// 99 points east of <see cref="RingLon"/>, <see cref="RingLat"/> at sphere distances 10,000 to 10,009.8 m (about
        /// 0.19 % more on the ellipsoid there), and one due north at 10,015 m on the sphere (0.31 % less on the ellipsoid):
        /// last in PostGIS's KNN order, first in the exact one. The first batch of nearest candidates leaves it out; only
        /// the stop rule (fetch on while a left-out feature could still be nearer) finds it.
        /// </summary>
        private static List<FeatureRecord> RingFeatures()
        {
            var factory = new GeometryFactory(new PrecisionModel(), 4326);
            var features = new List<FeatureRecord>();
            for (var i = 0; i <= 99; i++)
            {
                var (distance, azimuth) = i < 99 ? (10_000 + (i * 0.1), 80 + (i * 0.2)) : (10_015.0, 0.0);
                var (lon, lat) = SphereDestination(RingLon, RingLat, distance, azimuth);
                features.Add(new FeatureRecord($"ring-{i:D3}", factory.CreatePoint(new Coordinate(lon, lat)), "{}"));
            }

            return features;
        }

        /// <summary>The great-circle destination on PostGIS's sphere (radius (2a + b)/3 of WGS84).</summary>
        private static (double Lon, double Lat) SphereDestination(double lon, double lat, double meters, double azimuthDegrees)
        {
            const double R = 6_371_008.771415;
            double Rad(double d) => d * Math.PI / 180;
            var (phi, lambda, theta, delta) = (Rad(lat), Rad(lon), Rad(azimuthDegrees), meters / R);
            var phi2 = Math.Asin((Math.Sin(phi) * Math.Cos(delta)) + (Math.Cos(phi) * Math.Sin(delta) * Math.Cos(theta)));
            var lambda2 = lambda + Math.Atan2(Math.Sin(theta) * Math.Sin(delta) * Math.Cos(phi), Math.Cos(delta) - (Math.Sin(phi) * Math.Sin(phi2)));
            return (lambda2 * 180 / Math.PI, phi2 * 180 / Math.PI);
        }

        /// <summary>
        /// 240 features around Shanghai from a fixed seed: squares and triangles of 50 m to 3 km, lines of up to 4 km,
        /// multipolygons and points; a third carry a location uncertainty; sector a/b/c to filter on.
        /// </summary>
        private static List<FeatureRecord> ShapeFeatures()
        {
            var random = new Random(8);
            var factory = new GeometryFactory(new PrecisionModel(), 4326);
            var features = new List<FeatureRecord>();
            for (var i = 0; i < 240; i++)
            {
                var lon = 121.2 + (random.NextDouble() * 0.6);
                var lat = 30.9 + (random.NextDouble() * 0.5);
                var size = 0.0005 + (random.NextDouble() * 0.03);
                Polygon Square(double x, double y) => factory.CreatePolygon([new(x, y), new(x + size, y), new(x + size, y + size), new(x, y + size), new(x, y)]);
                Geometry geometry = (i % 5) switch
                {
                    0 => Square(lon, lat),
                    1 => factory.CreatePolygon([new(lon, lat), new(lon + size, lat + (size / 3)), new(lon + (size / 2), lat + size), new(lon, lat)]),
                    2 => factory.CreateLineString([new(lon, lat), new(lon + size, lat + (size / 2)), new(lon + (size * 1.3), lat - (size / 2))]),
                    3 => factory.CreateMultiPolygon([Square(lon, lat), Square(lon + (3 * size), lat + size)]),
                    _ => factory.CreatePoint(new Coordinate(lon, lat)),
                };
                var sector = "abc"[random.Next(3)];
                var uncertainty = i % 3 == 0 ? string.Create(CultureInfo.InvariantCulture, $",\"location_uncertainty_m\":{random.Next(10, 800)}") : "";
                features.Add(new FeatureRecord($"shape-{i:D3}", geometry, $"{{\"name_en\":\"Shape {i}\",\"sector\":\"{sector}\"{uncertainty}}}"));
            }

            return features;
        }
    }

    public static TheoryData<string> Requests() =>
    [
        "/proximity/within?target=universities&radius_m=5000&lon=121.47&lat=31.23",
        "/proximity/within?target=universities&radius_m=8000&lon=121.47&lat=31.23&is_211=true&f=csv",
        "/proximity/within?target=metro-stations&radius_m=1500&from=universities/aurora",
        "/proximity/within?target=universities&radius_m=20000&from=universities/aurora",
        "/proximity/within?target=parks&radius_m=5000&from=universities/aurora",
        $"/proximity/within?target={Shapes}&radius_m=3000&lon=121.47&lat=31.23",
        $"/proximity/within?target={Shapes}&radius_m=2500&from={Shapes}/shape-000",
        $"/proximity/within?target={Shapes}&radius_m=4000&from={Shapes}/shape-002&sector=b",
        $"/proximity/within?target={Shapes}&radius_m=6000&from={Shapes}/shape-003&crs=http://www.opengis.net/def/crs/EPSG/0/3857",
        $"/proximity/within?target=metro-stations&radius_m=2000&from={Shapes}/shape-006",
        "/proximity/within?target=land&radius_m=1000&lon=121.47&lat=31.23",
        "/proximity/nearest?target=metro-stations&k=5&lon=121.47&lat=31.23",
        "/proximity/nearest?target=metro-stations&k=40&max_m=3000&from=universities/aurora",
        "/proximity/nearest?target=universities&k=5&lon=100&lat=40&is_985=true",
        "/proximity/nearest?target=universities&k=3&from=universities/bangde",
        $"/proximity/nearest?target={Shapes}&k=7&from={Shapes}/shape-002",
        $"/proximity/nearest?target={Shapes}&k=4&lon=121.5&lat=31.1&sector=c&f=csv",
        $"/proximity/nearest?target={Shapes}&k=300&lon=121.5&lat=31.1",
        $"/proximity/nearest?target={Shapes}&k=2&max_m=500&from={Shapes}/shape-001",
        $"/proximity/nearest?target={Ring}&k=1&{RingOrigin}",
        $"/proximity/nearest?target={Ring}&k=3&max_m=10005&{RingOrigin}",
        $"/proximity/within?target={Ring}&radius_m=9995&{RingOrigin}",
        $"/proximity/rings?from=parks&to={Ring}&rings_m=1000",
        "/proximity/matrix?from=parks&to=universities&k=3",
        "/proximity/matrix?from=parks&to=universities&k=3&f=csv",
        "/proximity/matrix?from=universities&to=universities&k=2&max_m=5000",
        $"/proximity/matrix?from=parks&to={Shapes}&k=3&sector=a",
        $"/proximity/matrix?from={Shapes}&to={Shapes}&k=2",
        "/proximity/rings?from=parks&to=metro-stations&rings_m=500,1000,3000",
        "/proximity/rings?from=universities&to=universities&f=csv",
        $"/proximity/rings?from=institutes&to={Shapes}&rings_m=1000,5000&sector=b",
        $"/proximity/rings?from={Shapes}&to={Shapes}&rings_m=250,2500",
    ];

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task ProximityPushedDown_AnswersByteForByteAsInMemory(string path)
    {
        var (expectedStatus, expected) = await GetAsync(services.InMemory, path);
        var (actualStatus, actual) = await GetAsync(services.PushedDown, path);

        Assert.True(expectedStatus == HttpStatusCode.OK, $"{path}: in memory answered {expectedStatus}: {expected}");
        Assert.Equal(expectedStatus, actualStatus);
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// A static map's nearest lines are measured by the proximity engine, so the service that pushes proximity down
    /// draws them from PostGIS's candidates (never a whole collection) and labels them with the same distances.
    /// </summary>
    [Theory]
    [InlineData($"highlight={Shapes}/shape-002&nearest=3&nearest_to={Shapes},metro-stations")]
    [InlineData($"highlight={Shapes}/shape-001&nearest=2&nearest_to=universities,{Shapes}")]
    [InlineData("highlight=parks/park-caohejing-yuanchuang-future&nearest=2")]
    public async Task StaticMapNearestLines_PushedDown_AreLabelledAsInMemory(string query)
    {
        var path = $"/maps/static.svg?lang=en&width=800&height=600&{query}";
        var expected = await SvgTextsAsync(services.InMemory, path);
        var actual = await SvgTextsAsync(services.PushedDown, path);

        Assert.Contains(expected, text => text.EndsWith(" km", StringComparison.Ordinal) || text.EndsWith(" m", StringComparison.Ordinal));
        Assert.Equal(expected, actual);
    }

    /// <summary>The figure's texts (<see cref="MapAssertions.SvgTextsWithoutStamp"/>).</summary>
    private static async Task<List<string>> SvgTextsAsync(ServiceProcess service, string path)
    {
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}: {body}");
        return MapAssertions.SvgTextsWithoutStamp(body);
    }

    [Fact]
    public async Task Answers_CoverPossibleHitsAndPolygonTargets_SoTheComparisonMeansSomething()
    {
        var (_, possible) = await GetAsync(services.PushedDown, $"/proximity/within?target={Shapes}&radius_m=3000&lon=121.47&lat=31.23");
        Assert.Contains("\"within\":\"possible\"", possible, StringComparison.Ordinal);
        Assert.Contains("\"within\":\"certain\"", possible, StringComparison.Ordinal);
        Assert.Contains("\"Polygon\"", possible, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RingNearest_IsTheLastInSphereOrder_SoTheStopRuleIsExercised()
    {
        var (_, body) = await GetAsync(services.PushedDown, $"/proximity/nearest?target={Ring}&k=1&{RingOrigin}");
        Assert.Contains("\"id\":\"ring-099\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForcedService_ReadsTheDatabasePerQuery_InMemoryServiceItsSnapshot()
    {
        // A probe of where answers come from: the probe feature is moved behind both services' backs (no data version
        // bump, which no real writer would do). The in-memory service keeps its snapshot; the forced one queries PostGIS.
        const string Nearest = "/proximity/nearest?target=test-probe&k=1&lon=121.5&lat=31.2";
        Assert.Contains("\"distance_m\":0,", (await GetAsync(services.InMemory, Nearest)).Body, StringComparison.Ordinal);
        Assert.Contains("\"distance_m\":0,", (await GetAsync(services.PushedDown, Nearest)).Body, StringComparison.Ordinal);

        await using (var connection = new NpgsqlConnection(services.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE features SET geom = ST_SetSRID(ST_MakePoint(121.6, 31.2), 4326) WHERE collection_id = 'test-probe'", connection);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        Assert.Contains("\"distance_m\":0,", (await GetAsync(services.InMemory, Nearest)).Body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"distance_m\":0,", (await GetAsync(services.PushedDown, Nearest)).Body, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(ServiceProcess service, string path)
    {
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        using var response = await client.GetAsync(path);
        // Links name the host that answered; the two services differ only in their port.
        var body = (await response.Content.ReadAsStringAsync()).Replace(service.BaseAddress.ToString().TrimEnd('/'), "<origin>", StringComparison.Ordinal);
        return (response.StatusCode, body);
    }
}
