using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ClusterMap.Storage.Sqlite;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Api.Tests.Reliability;

/// <summary>Health endpoints, request ids and JSON logs, and graceful shutdown of a real process on SIGTERM.</summary>
public sealed class OperabilityTests(ClusterMapFactory factory) : IClassFixture<ClusterMapFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Healthz_ProcessUp_Answers200()
    {
        var response = await _client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_StoreWithData_Answers200()
    {
        var response = await _client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_StoreWithoutFeatures_Answers503WhileHealthzStays200()
    {
        using var empty = new ClusterMapFactory();
        // An existing database file is opened as it is, never rebuilt: this one holds no collection.
        await new SqliteFeatureStore(empty.DatabasePath).InitializeAsync();
        using var client = empty.CreateClient();

        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Theory]
    [InlineData("7d9f1c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f")]
    [InlineData("req_42.retry:1")]
    public async Task RequestId_SaneIncoming_IsEchoed(string requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/collections");
        request.Headers.Add("X-Request-Id", requestId);
        var response = await _client.SendAsync(request);
        Assert.Equal(requestId, Assert.Single(response.Headers.GetValues("X-Request-Id")));
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("a b")]
    [InlineData("")]
    public async Task RequestId_UnsafeOrMissingIncoming_IsReplacedByTheServersOwn(string requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/collections/nowhere");
        request.Headers.TryAddWithoutValidation("X-Request-Id", requestId);
        var response = await _client.SendAsync(request);
        var echoed = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        Assert.NotEqual(requestId, echoed);
        Assert.Matches("^[A-Za-z0-9:._-]+$", echoed);

        var other = Assert.Single((await _client.GetAsync("/collections")).Headers.GetValues("X-Request-Id"));
        Assert.NotEqual(echoed, other);
    }

    [Fact]
    public async Task RequestId_LongerThan128Characters_IsReplaced()
    {
        var tooLong = new string('a', 129);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/collections");
        request.Headers.Add("X-Request-Id", tooLong);
        var response = await _client.SendAsync(request);
        Assert.NotEqual(tooLong, Assert.Single(response.Headers.GetValues("X-Request-Id")));
    }

    [Fact]
    public async Task Logs_RealProcess_AreJsonLinesCarryingTheRequestIdAndNoSecret()
    {
        const string secret = "s3cr3t-key-that-must-not-be-logged";
        await using var service = await ServiceProcess.StartAsync(ClusterMapFactory.TestGeodata);
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/collections/sites/items?api_key={secret}&token={secret}");
        request.Headers.Add("X-Request-Id", "log-check-1");
        request.Headers.Add("X-Api-Key", secret);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + secret);
        request.Headers.Add("Cookie", "session=" + secret);
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);   // unknown parameters, logged all the same

        var lines = await WaitForLogAsync(service, "log-check-1");
        var logged = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(logged, l => Assert.True(l.TryGetProperty("LogLevel", out _) && l.TryGetProperty("Category", out _) && l.TryGetProperty("Timestamp", out _), l.ToString()));
        var requestLine = Assert.Single(logged, l => l.GetProperty("Scopes").EnumerateArray()
            .Any(s => s.TryGetProperty("RequestId", out var id) && id.GetString() == "log-check-1"));
        Assert.Equal(400, requestLine.GetProperty("State").GetProperty("StatusCode").GetInt32());
        Assert.Equal("/collections/sites/items", requestLine.GetProperty("State").GetProperty("Path").GetString());
        Assert.DoesNotContain(secret, service.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_RealProcessInATerminal_AreThePlainConsoleFormat()
    {
        await using var service = await ServiceProcess.StartAsync(new ServiceProcessOptions { GeodataPath = ClusterMapFactory.TestGeodata, InTerminal = true });
        var lines = await SendMarkedRequestAsync(service, "terminal-check-1");

        Assert.Contains(lines, l => l.Contains("Now listening on: " + service.BaseAddress.ToString().TrimEnd('/'), StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("terminal-check-1", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith('{'));
    }

    [Fact]
    public async Task Logs_RealProcessInATerminal_FormatterSetToJson_AreJsonLines()
    {
        await using var service = await ServiceProcess.StartAsync(new ServiceProcessOptions
        {
            GeodataPath = ClusterMapFactory.TestGeodata,
            InTerminal = true,
            Settings = new Dictionary<string, string> { ["Logging__Console__FormatterName"] = "json" },
        });
        var lines = await SendMarkedRequestAsync(service, "terminal-check-2");

        var requestLine = Assert.Single(lines, l => l.Contains("terminal-check-2", StringComparison.Ordinal));
        Assert.Equal(400, JsonDocument.Parse(requestLine).RootElement.GetProperty("State").GetProperty("StatusCode").GetInt32());
    }

    private static async Task<List<string>> SendMarkedRequestAsync(ServiceProcess service, string requestId)
    {
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/collections/sites/items?unknown=1");
        request.Headers.Add("X-Request-Id", requestId);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(request)).StatusCode);
        return await WaitForLogAsync(service, requestId);
    }

    /// <summary>Every non-empty line of the service's output, once a line containing <paramref name="marker"/> is there.</summary>
    private static async Task<List<string>> WaitForLogAsync(ServiceProcess service, string marker)
    {
        var deadline = Stopwatch.StartNew();
        while (!service.Log.Contains(marker, StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        return [.. service.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    [Fact]
    public async Task SigTerm_DuringALongRequest_FinishesItRefusesNewOnesAndExitsZero()
    {
        // The host logs each request as it starts: SIGTERM goes out as soon as the request is in the service's hands.
        await using var service = await ServiceProcess.StartAsync(new ServiceProcessOptions
        {
            GeodataPath = ClusterMapFactory.TestGeodata,
            Settings = new Dictionary<string, string> { ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information" },
        });
        using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        // The largest static map the defaults allow takes hundreds of milliseconds to draw and encode, the first one
        // more: long enough to be in flight when the signal follows its start at once.
        var inFlight = client.GetAsync("/maps/static.png?width=4096&height=4096&center=121.2,31.2&zoom=12");
        var started = Stopwatch.StartNew();
        while (!service.Log.Contains("GET " + service.BaseAddress.ToString().TrimEnd('/') + "/maps/static.png?width=4096", StringComparison.Ordinal)
            && started.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(5);
        }

        Assert.False(inFlight.IsCompleted, "the request ended before SIGTERM; the test needs a slower one");

        await service.SendSigTermAsync();
        var exitCode = service.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var png = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(0, await exitCode);
        Assert.Contains("Application is shutting down", service.Log, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync("/healthz"));
    }
}
