using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Storage;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Api.Tests.Reliability;

/// <summary>
/// One real service process (Kestrel, not the in-process test server) with tight limits — 64 KiB bodies, 1 s per
/// request — and an API key from configuration, spoken to byte for byte over sockets.
/// </summary>
public sealed class RealServiceFixture : IAsyncLifetime
{
    public const int MaxBodyBytes = 64 * 1024;
    public const int TimeoutSeconds = 1;

    public ServiceProcess Service { get; private set; } = null!;

    public string Key { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var (key, record) = ApiKeys.Create("edge tests", DateTimeOffset.UtcNow);
        Key = key;
        Service = await ServiceProcess.StartAsync(ClusterMapFactory.TestGeodata, new Dictionary<string, string>
        {
            ["Limits__MaxRequestBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Limits__RequestTimeoutSeconds"] = TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Writes__ApiKeys__0__KeyId"] = record.KeyId,
            ["Writes__ApiKeys__0__Name"] = record.Name,
            ["Writes__ApiKeys__0__SecretSha256"] = Convert.ToHexStringLower(record.SecretSha256),
            ["Logging__LogLevel__ClusterMap.Requests"] = "Warning",
        });
    }

    public async Task DisposeAsync() => await Service.DisposeAsync();
}

/// <summary>
/// Raw bytes at the real Kestrel (hostile request lines and headers, path traversal), a chunked body over the cap,
/// and a request that outlives the timeout: each a 4xx or 503 answer, never a file outside wwwroot, never a hang,
/// nothing written, and the process serving afterwards.
/// </summary>
public sealed class RealServiceEdgeTests(RealServiceFixture fixture) : IClassFixture<RealServiceFixture>
{
    private Uri Server => fixture.Service.BaseAddress;

    private static byte[] Get(string target, string extraHeaders = "") =>
        RawHttp.Ascii($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extraHeaders}Connection: close\r\n\r\n");

    /// <summary>Request bytes no HTTP library would send; each must get a 4xx and never the contents of a file outside wwwroot.</summary>
    public static TheoryData<string, byte[]> HostileRequests() => new()
    {
        { "%00 in the path", Get("/collections%00") },
        { "%00 in the query", Get("/collections/sites/items?bbox=%00") },
        { "raw NUL in the path", [.. RawHttp.Ascii("GET /coll"), 0x00, .. RawHttp.Ascii("ections HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")] },
        { "raw NUL in a header", [.. RawHttp.Ascii("GET /collections HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Test: a"), 0x00, .. RawHttp.Ascii("b\r\nConnection: close\r\n\r\n")] },
        { "/../../etc/passwd", Get("/../../etc/passwd") },
        { "/%2e%2e/%2e%2e/etc/passwd", Get("/%2e%2e/%2e%2e/etc/passwd") },
        { "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", Get("/%2e%2e%2f%2e%2e%2fetc%2fpasswd") },
        { "/..%2f..%2f..%2fetc%2fpasswd", Get("/..%2f..%2f..%2fetc%2fpasswd") },
        { "/index.html/../../../../etc/passwd", Get("/index.html/../../../../etc/passwd") },
        { "/..%5c..%5c..%5cetc%5cpasswd", Get("/..%5c..%5c..%5cetc%5cpasswd") },
        { "/%252e%252e/%252e%252e/etc/passwd", Get("/%252e%252e/%252e%252e/etc/passwd") },
        { "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", Get("/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd") },
        { "//etc/passwd", Get("//etc/passwd") },
        { "absolute-form file:///etc/passwd", Get("file:///etc/passwd") },
        { "absolute-form http://127.0.0.1/../../etc/passwd", Get("http://127.0.0.1/../../etc/passwd") },
        { "request line over Kestrel's 8 KiB limit", Get("/collections/sites/items?title=" + new string('a', 9 * 1024)) },
        { "path over Kestrel's 8 KiB limit", Get("/" + new string('a', 9 * 1024)) },
        { "a header with non-ASCII bytes", [.. RawHttp.Ascii("GET /collections HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Test: "), 0xFF, 0xFE, 0xC3, 0x28, .. RawHttp.Ascii("\r\nConnection: close\r\n\r\n")] },
        { "a header name with a space", Get("/collections", "X Test: a\r\n") },
        { "a header line without a colon", Get("/collections", "XTest\r\n") },
        { "a header folded over two lines", Get("/collections", "X-Test: a\r\n b\r\n") },
        { "a bare LF inside a header value", Get("/collections", "X-Test: a\nb\r\n") },
        { "1000 headers", Get("/collections", string.Concat(Enumerable.Range(0, 1000).Select(i => $"X-H{i}: {i}\r\n"))) },
        { "one 40 KiB header", Get("/collections", "X-Big: " + new string('b', 40 * 1024) + "\r\n") },
        { "no Host header", RawHttp.Ascii("GET /collections HTTP/1.1\r\nConnection: close\r\n\r\n") },
        { "two Host headers", Get("/collections", "Host: evil.example\r\n") },
        { "a control byte in the method", RawHttp.Ascii("G\u0001T /collections HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n") },
        { "a target without a leading slash", Get("collections") },
        { "a space inside the target", Get("/collections /sites") },
        { "Content-Length and chunked together", RawHttp.Ascii("POST /collections/sites/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n") },
        { "two different Content-Lengths", RawHttp.Ascii("POST /collections/sites/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde") },
        { "a negative Content-Length", RawHttp.Ascii("POST /collections/sites/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\nConnection: close\r\n\r\n") },
        { "a bad chunk size", RawHttp.Ascii("POST /collections/sites/items HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n") },
    };

    [Theory]
    [MemberData(nameof(HostileRequests))]
    public async Task RawRequest_Hostile_Gets4xxNoFileOutsideWwwrootAndTheServiceKeepsServing(string label, byte[] request)
    {
        var response = await RawHttp.SendAsync(Server, request);

        Assert.True(response.Status is >= 400 and < 500, $"{label}: {response}");
        Assert.DoesNotContain("root:", response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("/bin/", response.Text, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task RawRequest_TraversalTargets_NeverServeAFileOutsideWwwroot()
    {
        // The same targets with the service's own files as the bait: a file that exists above wwwroot (the service's
        // own assembly and its settings) is never served, whatever the encoding of the dot segments.
        foreach (var target in new[] { "/../ClusterMap.Api.dll", "/%2e%2e/ClusterMap.Api.dll", "/..%2fClusterMap.Api.dll", "/%2e%2e/appsettings.json", "/..%5cappsettings.json", "/%2e%2e%2fappsettings.json" })
        {
            var response = await RawHttp.SendAsync(Server, Get(target));
            Assert.True(response.Status is >= 400 and < 500, $"{target}: {response}");
            Assert.DoesNotContain("MZ", response.Text[..Math.Min(2, response.Text.Length)], StringComparison.Ordinal);
            Assert.DoesNotContain("\"Storage\"", response.Text, StringComparison.Ordinal);
        }

        await AssertStillServingAsync();
    }

    [Fact]
    public async Task ChunkedBody_OverTheCap_Is413ProblemNothingWrittenAndTheServiceKeepsServing()
    {
        var before = await FeaturesAsync();
        var head = RawHttp.Ascii(
            $"POST /collections/sites/items HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {fixture.Key}\r\nContent-Type: application/geo+json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        var sentBytes = 0L;

        // Valid GeoJSON throughout, so only its size can be what is refused: four times the cap, in 8 KiB chunks, no Content-Length.
        var response = await RawHttp.SendAsync(Server, head, async (stream, cancellationToken) =>
        {
            var body = BulkFeatureCollection(4 * RealServiceFixture.MaxBodyBytes);
            for (var offset = 0; offset < body.Length; offset += 8192)
            {
                var chunk = body.AsMemory(offset, Math.Min(8192, body.Length - offset));
                await RawHttp.WriteChunkAsync(stream, chunk, cancellationToken);
                sentBytes += chunk.Length;
            }

            await stream.WriteAsync(RawHttp.Ascii("0\r\n\r\n"), cancellationToken);
        });

        Assert.True(response.Status == 413, response.ToString());
        Assert.StartsWith("application/problem+json", response.Header("Content-Type"), StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Equal(413, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("Limits:MaxRequestBodyBytes", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(sentBytes > RealServiceFixture.MaxBodyBytes, $"only {sentBytes} bytes were sent");
        Assert.Equal(before, await FeaturesAsync());
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task ChunkedBody_UnderTheCap_IsWritten()
    {
        // The same path with a body under the cap is accepted: the 413 above is the cap, not the chunked framing.
        var id = "chunked-" + Guid.NewGuid().ToString("N");
        var body = Encoding.UTF8.GetBytes($$$"""{"type":"Feature","id":"{{{id}}}","geometry":{"type":"Point","coordinates":[121.3,31.3]},"properties":{"name":"chunked"}}""");
        var head = RawHttp.Ascii(
            $"POST /collections/sites/items HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {fixture.Key}\r\nContent-Type: application/geo+json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        var response = await RawHttp.SendAsync(Server, head, async (stream, cancellationToken) =>
        {
            await RawHttp.WriteChunkAsync(stream, body.AsMemory(0, 20), cancellationToken);
            await RawHttp.WriteChunkAsync(stream, body.AsMemory(20), cancellationToken);
            await stream.WriteAsync(RawHttp.Ascii("0\r\n\r\n"), cancellationToken);
        });

        Assert.True(response.Status == 201, response.ToString());
        using var client = new HttpClient { BaseAddress = Server };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/collections/sites/items/{id}")).StatusCode);
    }

    [Fact]
    public async Task SlowBody_PastTheRequestTimeout_Is503ProblemNotAHang()
    {
        Assert.False(Debugger.IsAttached, "the framework's request timeouts are off while a debugger is attached; run this test without one");
        var before = await FeaturesAsync();
        // A body declared at 60,000 bytes (under the cap) and sent at 1 KiB/s: fast enough for Kestrel's minimum data
        // rate (240 B/s), so only the 1 s request timeout can end it; the whole body would take a minute. The handler
        // is waiting for it, observing the request's cancellation.
        var head = RawHttp.Ascii(
            $"POST /collections/sites/items HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {fixture.Key}\r\nContent-Type: application/geo+json\r\nContent-Length: 60000\r\nConnection: close\r\n\r\n");
        var clock = Stopwatch.StartNew();
        var response = await RawHttp.SendAsync(Server, head, async (stream, cancellationToken) =>
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes("""{"type":"FeatureCollection","features":["""), cancellationToken);
            var padding = Encoding.UTF8.GetBytes(new string(' ', 256));
            while (true)
            {
                await stream.WriteAsync(padding, cancellationToken);
                await Task.Delay(250, cancellationToken);
            }
        }, TimeSpan.FromSeconds(60));

        Assert.True(response.Status == 503, response.ToString());
        Assert.StartsWith("application/problem+json", response.Header("Content-Type"), StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("Limits:RequestTimeoutSeconds", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(RealServiceFixture.TimeoutSeconds), $"answered after {clock.Elapsed}, before the timeout");
        Assert.Equal(before, await FeaturesAsync());
        await AssertStillServingAsync();
    }

    /// <summary>A FeatureCollection of generated points (ids bulk-0…, not real places) at least <paramref name="bytes"/> long.</summary>
    internal static byte[] BulkFeatureCollection(long bytes, string idPrefix = "bulk-")
    {
        var text = new StringBuilder("""{"type":"FeatureCollection","features":[""");
        for (var i = 0; text.Length < bytes; i++)
        {
            var lon = 121.0 + (i % 1000 * 0.0008);
            var lat = 30.8 + (i / 1000 * 0.0008);
            text.Append(i == 0 ? "" : ",").Append(System.Globalization.CultureInfo.InvariantCulture,
                $$$"""{"type":"Feature","id":"{{{idPrefix}}}{{{i}}}","geometry":{"type":"Point","coordinates":[{{{lon:0.######}}},{{{lat:0.######}}}]},"properties":{"name":"Generated point {{{i}}}"}}""");
        }

        return Encoding.UTF8.GetBytes(text.Append("]}").ToString());
    }

    private async Task<string> FeaturesAsync()
    {
        using var client = new HttpClient { BaseAddress = Server };
        var page = JsonDocument.Parse(await client.GetStringAsync("/collections/sites/items?limit=10000"));
        var ids = page.RootElement.GetProperty("features").EnumerateArray()
            .Where(f => !f.GetProperty("id").GetString()!.StartsWith("chunked-", StringComparison.Ordinal))
            .Select(f => f.GetRawText());
        return string.Join("\n", ids);
    }

    private async Task AssertStillServingAsync()
    {
        var response = await RawHttp.SendAsync(Server, Get("/collections/sites/items?limit=1"));
        Assert.True(response.Status == 200, "the service stopped serving: " + response);
    }
}
