using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ClusterMap.Core.Storage;
using ClusterMap.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Api.Tests.Reliability;

/// <summary>The real service killed with SIGKILL in the middle of an HTTP bulk write: the write is all or nothing.</summary>
public sealed class WriteFaultTests() : ScratchFolder("write-fault")
{
    [Fact]
    public async Task BulkPost_SigKilledWhileWriting_RestartedServiceHoldsExactlyTheFeaturesFromBefore()
    {
        var (key, record) = ApiKeys.Create("fault test", DateTimeOffset.UtcNow);
        var settings = new Dictionary<string, string>
        {
            ["Writes__ApiKeys__0__KeyId"] = record.KeyId,
            ["Writes__ApiKeys__0__Name"] = record.Name,
            ["Writes__ApiKeys__0__SecretSha256"] = Convert.ToHexStringLower(record.SecretSha256),
            // A loaded machine must not turn the long write into a timeout: the kill is the only thing that ends it.
            ["Limits__RequestTimeoutSeconds"] = "0",
            ["Logging__LogLevel__ClusterMap.Requests"] = "Warning",
        };
        // 200,000 generated points, about 26 MB: under the 32 MiB default body cap, seconds of writing.
        var body = RealServiceEdgeTests.BulkFeatureCollection(26_000_000);

        List<string> before;
        await using (var service = await ServiceProcess.StartAsync(new ServiceProcessOptions { GeodataPath = ClusterMapFactory.TestGeodata, DatabasePath = DatabasePath, Settings = settings }))
        {
            using var client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            before = await SiteIdsAsync(client);
            Assert.NotEmpty(before);

            var wal = new FileInfo(DatabasePath + "-wal");
            wal.Refresh();
            var walBefore = wal.Exists ? wal.Length : 0;
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/geo+json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/collections/sites/items") { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var posting = client.SendAsync(request);

            // Kill once the write transaction has put a megabyte into the write-ahead log: the whole body has been
            // received and parsed, and the store is mid-write — not before, not after.
            var clock = Stopwatch.StartNew();
            while (!posting.IsCompleted && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                wal.Refresh();
                if (wal.Exists && wal.Length > walBefore + (1024 * 1024))
                {
                    break;
                }

                await Task.Delay(5);
            }

            Assert.False(posting.IsCompleted, "the write ended before it could be killed; it needs a larger body");
            Assert.True(wal.Length > walBefore + (1024 * 1024), "the write-ahead log never grew: the write did not start");
            using (var process = Process.GetProcessById(service.ProcessId))
            {
                process.Kill();   // SIGKILL: no shutdown, no rollback, no checkpoint
                await process.WaitForExitAsync();
            }

            await Assert.ThrowsAnyAsync<HttpRequestException>(() => posting);
        }

        // The service restarts on the same file: it recovers the log, is ready, and holds exactly the features from before.
        SqliteConnection.ClearAllPools();
        await using (var restarted = await ServiceProcess.StartAsync(new ServiceProcessOptions { DatabasePath = DatabasePath, Settings = settings }))
        {
            using var client = new HttpClient { BaseAddress = restarted.BaseAddress };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
            Assert.Equal(before, await SiteIdsAsync(client));
            var collection = JsonDocument.Parse(await client.GetStringAsync("/collections/sites")).RootElement;
            Assert.Equal(before.Count, collection.GetProperty("numberOfFeatures").GetInt64());
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/collections/sites/items/bulk-0")).StatusCode);
        }

        SqliteConnection.ClearAllPools();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", check.ExecuteScalar() as string);
    }

    private static async Task<List<string>> SiteIdsAsync(HttpClient client)
    {
        var page = JsonDocument.Parse(await client.GetStringAsync("/collections/sites/items?limit=10000")).RootElement;
        return [.. page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];
    }
}
