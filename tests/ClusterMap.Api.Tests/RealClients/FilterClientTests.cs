using System.Diagnostics;
using System.Text.Json;
using ClusterMap.Tests.Shared;

namespace ClusterMap.Api.Tests.RealClients;

/// <summary>
/// Real OGC API clients filtering the shipped data on a running service: GDAL's OAPIF driver turns an OGR attribute
/// filter into a CQL2 text filter sent to the server, and OWSLib (Debian's python3-owslib) lists the collections and
/// reads items with datetime and filter and the queryables. Expected answers come from the shipped GeoJSON files.
/// The service counts numberMatched only up to 1, so a page with features after it omits it and the clients page by
/// the next links. Both tools are test prerequisites (`make test` installs gdal-bin and python3-owslib); a missing one fails.
/// </summary>
public sealed class FilterClientTests : IAsyncLifetime
{
    private const string Sector = "集成电路";

    private static readonly string _geodata = Path.Combine(ServiceProcess.RepositoryRoot(), "geodata");

    private ServiceProcess _service = null!;

    public async Task InitializeAsync() => _service = await ServiceProcess.StartAsync(_geodata, new Dictionary<string, string>
    {
        // ASP.NET Core's request-start line carries the query string: the log then shows what the client sent.
        ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        // A page with features after it then omits numberMatched: the clients must page by the next links.
        ["Features__MaxExactCount"] = "1",
    });

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task GdalOapif_PushesTheAttributeFilterToTheServerAsCql2_AndCountsAgree()
    {
        var expected = ShippedFeatures("parks").Count(p => p.TryGetProperty("sector", out var s) && s.GetString() == Sector);

        var (output, debug) = await RunAsync("ogrinfo", ["-ro", "-al", "-so", $"OAPIF:{_service.BaseAddress}", "parks", "-where", $"sector = '{Sector}'", "--debug", "on"]);

        Assert.Matches($@"Feature Count: {expected}\b", output);
        // GDAL says when it filters on its side instead; here the server did it all.
        Assert.DoesNotContain("evaluated on client side", debug, StringComparison.Ordinal);
        var encoded = "filter=sector%20%3D%20'" + string.Concat(System.Text.Encoding.UTF8.GetBytes(Sector).Select(b => $"%{b:X2}")) + "'";
        Assert.Contains(encoded, debug, StringComparison.Ordinal);
        Assert.Contains(ItemsQueryStrings("parks"), q => q.Contains(encoded, StringComparison.Ordinal) && q.Contains("filter-lang=cql-text", StringComparison.Ordinal));
        Assert.InRange(expected, 1, ShippedFeatures("parks").Count - 1);
    }

    [Fact]
    public async Task GdalOapif_PagesWithoutNumberMatched_CountsByFollowingTheNextLinks()
    {
        var expected = ShippedFeatures("parks").Count(p => p.TryGetProperty("sector", out var s) && s.GetString() == Sector);
        Assert.InRange(expected, 3, 100);
        var filter = "filter=" + Uri.EscapeDataString($"sector = '{Sector}'");
        using var client = new HttpClient { BaseAddress = _service.BaseAddress };
        using var first = JsonDocument.Parse(await client.GetStringAsync($"/collections/parks/items?limit=2&{filter}"));
        Assert.False(first.RootElement.TryGetProperty("numberMatched", out _));

        var (output, _) = await RunAsync("ogrinfo", ["-ro", "-al", "-so", "-oo", "PAGE_SIZE=2", $"OAPIF:{_service.BaseAddress}", "parks", "-where", $"sector = '{Sector}'"]);

        Assert.Matches($@"Feature Count: {expected}\b", output);
        Assert.Contains(ItemsQueryStrings("parks"), q => q.Contains("limit=2&offset=2", StringComparison.Ordinal) && q.Contains("filter=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Owslib_ListsCollections_ReadsItemsWithDatetimeAndFilter_AndQueryables()
    {
        const string script = """
            import json, sys
            from owslib.ogcapi.features import Features
            api = Features(sys.argv[1])
            dated = api.collection_items('links', datetime='2020-01-01T00:00:00Z/2020-12-31T23:59:59Z', limit=100)
            filtered = api.collection_items('parks', filter="sector = '集成电路' AND S_INTERSECTS(geometry, BBOX(120.8, 30.6, 122.2, 31.9))", limit=100)
            queryables = api.collection_queryables('links')
            print(json.dumps({
                'collections': [c['id'] for c in api.collections()['collections']],
                'dated': sorted(f['id'] for f in dated['features']),
                'dated_matched': dated['numberMatched'],
                'filtered': sorted(f['id'] for f in filtered['features']),
                'queryables': sorted(queryables['properties']),
                'date_role': queryables['properties']['date'].get('x-ogc-role'),
            }, ensure_ascii=False))
            """;

        var (output, _) = await RunAsync("/usr/bin/python3", ["-c", script, _service.BaseAddress.ToString()]);
        using var answer = JsonDocument.Parse(output);
        var root = answer.RootElement;

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(_geodata, "collections.json")));
        Assert.Equal(manifest.RootElement.GetProperty("collections").EnumerateArray().Select(c => c.GetProperty("id").GetString()), root.GetProperty("collections").EnumerateArray().Select(c => c.GetString()));

        var in2020 = ShippedFeatureIds("links", p => p.TryGetProperty("date", out var d) && d.ValueKind == JsonValueKind.String && d.GetString()!.StartsWith("2020-", StringComparison.Ordinal));
        Assert.Equal(in2020, Strings(root.GetProperty("dated")));
        Assert.Equal(in2020.Count, root.GetProperty("dated_matched").GetInt32());
        Assert.InRange(in2020.Count, 1, ShippedFeatures("links").Count - 1);

        var inSector = ShippedFeatureIds("parks", p => p.TryGetProperty("sector", out var s) && s.GetString() == Sector);
        Assert.Equal(inSector, Strings(root.GetProperty("filtered")));
        Assert.NotEmpty(inSector);

        Assert.Contains("date", Strings(root.GetProperty("queryables")));
        Assert.Contains("geometry", Strings(root.GetProperty("queryables")));
        Assert.Equal("primary-instant", root.GetProperty("date_role").GetString());
    }

    /// <summary>The query strings of the requests for a collection's items, as the service logged them.</summary>
    private List<string> ItemsQueryStrings(string collection)
    {
        var queries = new List<string>();
        foreach (var line in _service.Log.Split('\n').Where(l => l.StartsWith('{')))
        {
            using var entry = JsonDocument.Parse(line);
            if (entry.RootElement.TryGetProperty("State", out var state) && state.ValueKind == JsonValueKind.Object
                && state.TryGetProperty("Path", out var path) && path.GetString() == $"/collections/{collection}/items"
                && state.TryGetProperty("QueryString", out var query) && query.ValueKind == JsonValueKind.String)
            {
                queries.Add(query.GetString()!);
            }
        }

        return queries;
    }

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static List<JsonElement> ShippedFeatures(string collection) =>
        [.. Features(collection).Select(f => f.GetProperty("properties"))];

    private static List<string> ShippedFeatureIds(string collection, Func<JsonElement, bool> predicate) =>
        [.. Features(collection).Where(f => predicate(f.GetProperty("properties"))).Select(f => f.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];

    private static List<JsonElement> Features(string collection)
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(_geodata, collection + ".geojson")));
        return [.. file.RootElement.GetProperty("features").EnumerateArray().Select(f => f.Clone())];
    }

    private async Task<(string Output, string Error)> RunAsync(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GDAL_HTTP_TIMEOUT"] = "60";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
        Assert.True(process.ExitCode == 0, $"{tool} exited {process.ExitCode}:\n{await error}\n--- service log ---\n{_service.Log}");
        return (await output, await error);
    }
}
