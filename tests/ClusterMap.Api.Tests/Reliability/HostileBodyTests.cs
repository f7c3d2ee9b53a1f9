using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ClusterMap.Api.Tests.Writes;
using ClusterMap.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterMap.Api.Tests.Reliability;

/// <summary>
/// The write endpoints (POST items, PUT and DELETE an item) with a valid API key and hostile bodies and path segments:
/// every answer is a 4xx ProblemDetails (400, 404, 405, 413, 415), never a 5xx, and the store is exactly as before
/// each request (data version, and every collection's features compared whole).
/// </summary>
public sealed class HostileBodyTests : IAsyncLifetime
{
    private const string ValidPoint = """{"type":"Point","coordinates":[121.1,31.1]}""";

    private readonly ClusterMapFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _client = _factory.CreateClient();
        var key = await WritesApiTests.AddKeyAsync(_factory, "hostile");
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Feature(string geometry, string properties = """{"name":"hostile"}""", string id = "\"hostile-1\"") =>
        $$"""{"type":"Feature","id":{{id}},"geometry":{{geometry}},"properties":{{properties}}}""";

    private static string Collection(params string[] features) => $$"""{"type":"FeatureCollection","features":[{{string.Join(",", features)}}]}""";

    /// <summary>A valid feature's bytes with <paramref name="insert"/> spliced in before the closing brace of its properties.</summary>
    private static byte[] WithRawBytesInName(params byte[] insert) =>
        [.. Utf8("{\"type\":\"Feature\",\"id\":\"hostile-1\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[121.1,31.1]},\"properties\":{\"name\":\"a"), .. insert, .. Utf8("b\"}}")];

    /// <summary>Bodies no write endpoint may accept, each sent as application/geo+json unless it is about the media type.</summary>
    public static IEnumerable<(string Label, byte[] Body, string? ContentType)> Bodies()
    {
        const string geo = "application/geo+json";
        var valid = Feature(ValidPoint);
        var tenMegabytes = new string('x', 10 * 1024 * 1024);
        (string, byte[], string?)[] bodies =
        [
            ("empty", [], geo),
            ("whitespace", Utf8(" \r\n\t "), geo),
            ("not JSON", Utf8("hello, world"), geo),
            ("XML", Utf8("<Feature><id>1</id></Feature>"), geo),
            ("truncated JSON", Utf8(valid[..^12]), geo),
            ("a lone brace", Utf8("{"), geo),
            ("trailing garbage", Utf8(valid + "}"), geo),
            ("two documents", Utf8(valid + valid), geo),
            ("comment", Utf8("/* c */" + valid), geo),
            ("null", Utf8("null"), geo),
            ("a number", Utf8("42"), geo),
            ("a string", Utf8("\"Feature\""), geo),
            ("an array of features", Utf8($"[{valid}]"), geo),
            ("10,000 nested arrays", Utf8(new string('[', 10_000) + new string(']', 10_000)), geo),
            ("10,000 nested arrays as coordinates", Utf8(Feature($$"""{"type":"Point","coordinates":{{new string('[', 10_000)}}121,31{{new string(']', 10_000)}}}""")), geo),
            ("10,000 nested objects as properties", Utf8(Feature(ValidPoint, string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000))), geo),
            ("10 MB string as the id", Utf8(Feature(ValidPoint, id: $"\"{tenMegabytes}\"")), geo),
            ("10 MB string as the type", Utf8($$"""{"type":"{{tenMegabytes}}","geometry":{{ValidPoint}}}"""), geo),
            ("10 MB string property, no geometry", Utf8($$$"""{"type":"Feature","id":"hostile-1","properties":{"name":"{{{tenMegabytes}}}"}}"""), geo),
            ("10 MB string as a coordinate", Utf8(Feature($$"""{"type":"Point","coordinates":["{{tenMegabytes}}",31]}""")), geo),
            ("NaN coordinate", Utf8(Feature("""{"type":"Point","coordinates":[NaN,31.1]}""")), geo),
            ("Infinity coordinate", Utf8(Feature("""{"type":"Point","coordinates":[Infinity,31.1]}""")), geo),
            ("-Infinity coordinate", Utf8(Feature("""{"type":"Point","coordinates":[121.1,-Infinity]}""")), geo),
            ("1e400 coordinate", Utf8(Feature("""{"type":"Point","coordinates":[1e400,31.1]}""")), geo),
            ("NaN property", Utf8(Feature(ValidPoint, """{"rank":NaN}""")), geo),
            ("coordinates as strings", Utf8(Feature("""{"type":"Point","coordinates":["121.1","31.1"]}""")), geo),
            ("coordinates as one string", Utf8(Feature("""{"type":"Point","coordinates":"121.1,31.1"}""")), geo),
            ("coordinates as an object", Utf8(Feature("""{"type":"Point","coordinates":{"lon":121.1,"lat":31.1}}""")), geo),
            ("one coordinate", Utf8(Feature("""{"type":"Point","coordinates":[121.1]}""")), geo),
            ("no coordinates", Utf8(Feature("""{"type":"Point","coordinates":[]}""")), geo),
            ("null coordinates", Utf8(Feature("""{"type":"Point","coordinates":null}""")), geo),
            ("unknown geometry type", Utf8(Feature("""{"type":"Circle","coordinates":[121.1,31.1],"radius":5}""")), geo),
            ("geometry as a string", Utf8(Feature("\"POINT (121.1 31.1)\"")), geo),
            ("geometry as an array", Utf8(Feature("[121.1,31.1]")), geo),
            ("null geometry", Utf8(Feature("null")), geo),
            ("Feature as the geometry", Utf8(Feature(Feature(ValidPoint))), geo),
            ("LineString of one position", Utf8(Feature("""{"type":"LineString","coordinates":[[121.1,31.1]]}""")), geo),
            ("unclosed Polygon", Utf8(Feature("""{"type":"Polygon","coordinates":[[[121.1,31.1],[121.2,31.1],[121.2,31.2],[121.1,31.2]]]}""")), geo),
            ("Polygon given as a Point's coordinates", Utf8(Feature("""{"type":"Point","coordinates":[[[121.1,31.1],[121.2,31.1],[121.2,31.2],[121.1,31.1]]]}""")), geo),
            ("longitude 181", Utf8(Feature("""{"type":"Point","coordinates":[181,31.1]}""")), geo),
            ("longitude -180.5", Utf8(Feature("""{"type":"Point","coordinates":[-180.5,31.1]}""")), geo),
            ("latitude 91", Utf8(Feature("""{"type":"Point","coordinates":[121.1,91]}""")), geo),
            ("latitude -90.0001", Utf8(Feature("""{"type":"Point","coordinates":[121.1,-90.0001]}""")), geo),
            ("lat, lon order (31, 121 is latitude 121)", Utf8(Feature("""{"type":"Point","coordinates":[31.1,121.1]}""")), geo),
            ("1e308 coordinate", Utf8(Feature("""{"type":"Point","coordinates":[1e308,31.1]}""")), geo),
            ("projected coordinates (metres)", Utf8(Feature("""{"type":"Point","coordinates":[13480000,3640000]}""")), geo),
            ("invalid UTF-8 (FF FE)", WithRawBytesInName(0xFF, 0xFE), geo),
            ("invalid UTF-8 (C3 28)", WithRawBytesInName(0xC3, 0x28), geo),
            ("overlong UTF-8 slash (C0 AF)", WithRawBytesInName(0xC0, 0xAF), geo),
            ("UTF-8 encoded surrogate (ED A0 80)", WithRawBytesInName(0xED, 0xA0, 0x80), geo),
            ("truncated UTF-8 sequence (E4 B8)", WithRawBytesInName(0xE4, 0xB8), geo),
            ("escaped lone surrogate in a property", Utf8(Feature(ValidPoint, """{"name":"a\ud800b"}""")), geo),
            ("escaped lone surrogate in the id", Utf8(Feature(ValidPoint, id: "\"a\\udc00\"")), geo),
            ("escaped lone surrogate in the type", Utf8(Feature(ValidPoint).Replace("\"Feature\"", "\"Feature\\ud800\"", StringComparison.Ordinal)), geo),
            ("escaped lone surrogate in a crs name", Utf8($$$"""{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:\udfff"}},"features":[{{{valid}}}]}"""), geo),
            ("UTF-16 body", Encoding.Unicode.GetBytes(valid), geo),
            ("UTF-16 body with its BOM", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(valid)], geo),
            ("UTF-8 BOM before an invalid feature", [0xEF, 0xBB, 0xBF, .. Utf8(Feature("""{"type":"Point","coordinates":[181,31.1]}"""))], geo),
            ("duplicated id", Utf8($$$"""{"type":"Feature","id":"hostile-1","id":"site-01","geometry":{{{ValidPoint}}},"properties":{}}"""), geo),
            ("duplicated type", Utf8($$$"""{"type":"Feature","type":"FeatureCollection","id":"hostile-1","geometry":{{{ValidPoint}}},"properties":{}}"""), geo),
            ("duplicated geometry", Utf8($$$"""{"type":"Feature","id":"hostile-1","geometry":{{{ValidPoint}}},"geometry":{"type":"Point","coordinates":[181,91]},"properties":{}}"""), geo),
            ("duplicated coordinates member", Utf8(Feature("""{"type":"Point","coordinates":[121.1,31.1],"coordinates":[122,32]}""")), geo),
            ("duplicated property", Utf8(Feature(ValidPoint, """{"name":"a","name":"b"}""")), geo),
            ("raw NUL in a string", WithRawBytesInName(0x00), geo),
            ("raw NUL after the document", [.. Utf8(valid), 0x00], geo),
            ("raw control character in a string", WithRawBytesInName(0x01), geo),
            ("escaped NUL in the id", Utf8(Feature(ValidPoint, id: "\"a\\u0000b\"")), geo),
            ("newline in the id", Utf8(Feature(ValidPoint, id: "\"a\\nb\"")), geo),
            ("empty id", Utf8(Feature(ValidPoint, id: "\"\"")), geo),
            ("whitespace id", Utf8(Feature(ValidPoint, id: "\"   \"")), geo),
            ("257-character id", Utf8(Feature(ValidPoint, id: $"\"{new string('i', 257)}\"")), geo),
            ("object as the id", Utf8(Feature(ValidPoint, id: """{"$ne":null}""")), geo),
            ("array as the id", Utf8(Feature(ValidPoint, id: "[1,2]")), geo),
            ("true as the id", Utf8(Feature(ValidPoint, id: "true")), geo),
            ("properties as an array", Utf8(Feature(ValidPoint, "[1,2]")), geo),
            ("properties as a string", Utf8(Feature(ValidPoint, "\"name=x\"")), geo),
            ("type missing", Utf8($$$"""{"id":"hostile-1","geometry":{{{ValidPoint}}},"properties":{}}"""), geo),
            ("type in another case", Utf8($$$"""{"type":"feature","id":"hostile-1","geometry":{{{ValidPoint}}},"properties":{}}"""), geo),
            ("a bare geometry", Utf8(ValidPoint), geo),
            ("FeatureCollection without features", Utf8("""{"type":"FeatureCollection"}"""), geo),
            ("FeatureCollection whose features are an object", Utf8("""{"type":"FeatureCollection","features":{"0":{}}}"""), geo),
            ("FeatureCollection with one bad feature among good", Utf8(Collection(Feature(ValidPoint, id: "\"ok-1\""), Feature("""{"type":"Point","coordinates":[200,31]}""", id: "\"bad-1\""))), geo),
            ("FeatureCollection with a duplicated id", Utf8(Collection(Feature(ValidPoint, id: "\"twin\""), Feature(ValidPoint, id: "\"twin\""))), geo),
            ("FeatureCollection with a foreign crs", Utf8($$$"""{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:3857"}},"features":[{{{valid}}}]}"""), geo),
            ("a valid feature as text/plain", Utf8(valid), "text/plain"),
            ("a valid feature as application/xml", Utf8(valid), "application/xml"),
            ("a valid feature as form data", Utf8(valid), "application/x-www-form-urlencoded"),
            ("a valid feature as multipart", Utf8(valid), "multipart/form-data; boundary=x"),
            ("a valid feature labelled UTF-16", Utf8(valid), "application/geo+json; charset=utf-16"),
            ("a valid feature labelled Latin-1", Utf8(valid), "application/json; charset=iso-8859-1"),
            ("a valid feature with a malformed media type", Utf8(valid), "application/"),
            ("a valid feature without a media type", Utf8(valid), null),
        ];
        return bodies;
    }

    [Fact]
    public async Task Post_HostileBodies_Answer4xxProblemAndChangeNothing() =>
        await AssertAllRefusedAsync(Bodies().Select(b => ("POST /collections/sites/items: " + b.Label, Request(HttpMethod.Post, "/collections/sites/items", b.Body, b.ContentType))));

    [Fact]
    public async Task Put_HostileBodies_Answer4xxProblemAndChangeNothing() =>
        await AssertAllRefusedAsync(Bodies().Select(b => ("PUT /collections/sites/items/site-01: " + b.Label, Request(HttpMethod.Put, "/collections/sites/items/site-01", b.Body, b.ContentType))));

    /// <summary>
    /// Path segments, already percent-encoded, that name no collection or feature, or no id the store accepts. (%00 is
    /// not here: the in-process test server refuses to build such a request; RealServiceEdgeTests sends it to Kestrel.)
    /// </summary>
    private static readonly (string Label, string Encoded)[] _segments =
    [
        ("unknown", "nowhere"), ("dot dot", ".."), ("encoded dot dot", "%2E%2E"), ("encoded dot dot slash", "..%2F..%2F..%2Fetc%2Fpasswd"),
        ("encoded slash", "sites%2Fitems"), ("control character", "a%01b"),
        ("CR LF", "a%0D%0AX-Injected:%201"), ("tab", "%09"), ("spaces", "%20%20"), ("invalid UTF-8 (FF FE)", "%FF%FE"),
        ("overlong slash", "%C0%AF"), ("UTF-8 surrogate", "%ED%A0%80"), ("10,000 letters", new string('a', 10_000)),
        ("257 letters", new string('a', 257)), ("SQL quote", Uri.EscapeDataString("site-01' OR '1'='1")),
        ("SQL statement", Uri.EscapeDataString("x'; DROP TABLE features; --")), ("markup", Uri.EscapeDataString("<script>alert(1)</script>")),
        ("percent", "%25"), ("backslashes", Uri.EscapeDataString("..\\..\\windows\\win.ini")), ("right-to-left", Uri.EscapeDataString("\u202Eexe.txt")),
    ];

    [Fact]
    public async Task Writes_HostileCollectionIds_Answer4xxProblemAndChangeNothing()
    {
        var feature = Utf8(Feature(ValidPoint));
        await AssertAllRefusedAsync(_segments.SelectMany(s => new[]
        {
            ($"POST collection '{s.Label}'", Request(HttpMethod.Post, $"/collections/{s.Encoded}/items", feature, "application/geo+json")),
            ($"PUT collection '{s.Label}'", Request(HttpMethod.Put, $"/collections/{s.Encoded}/items/hostile-1", feature, "application/geo+json")),
            ($"DELETE collection '{s.Label}'", Request(HttpMethod.Delete, $"/collections/{s.Encoded}/items/site-01", null, null)),
        }));
    }

    [Fact]
    public async Task Writes_HostileFeatureIds_Answer4xxProblemAndChangeNothing()
    {
        // With a body id the path must equal it; without one the path is the id and must pass the same id rule.
        var withId = Utf8(Feature(ValidPoint, id: "\"site-01\""));
        var withoutId = Utf8($$$"""{"type":"Feature","geometry":{{{ValidPoint}}},"properties":{"name":"hostile"}}""");
        await AssertAllRefusedAsync(_segments.Where(s => s.Label != "unknown").SelectMany(s => new[]
        {
            ($"PUT feature '{s.Label}' with a body id", Request(HttpMethod.Put, $"/collections/sites/items/{s.Encoded}", withId, "application/geo+json")),
            ($"DELETE feature '{s.Label}'", Request(HttpMethod.Delete, $"/collections/sites/items/{s.Encoded}", null, null)),
        }).Concat(_segments.Where(s => s.Label is "control character" or "CR LF" or "tab" or "spaces" or "10,000 letters" or "257 letters")
            .Select(s => ($"PUT feature '{s.Label}' without a body id", Request(HttpMethod.Put, $"/collections/sites/items/{s.Encoded}", withoutId, "application/geo+json")))));
    }

    private static Func<HttpRequestMessage> Request(HttpMethod method, string path, byte[]? body, string? contentType) => () =>
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        return request;
    };

    /// <summary>Sends each request; collects every answer that is not a 4xx ProblemDetails or that changed the store, and fails listing them all.</summary>
    private async Task AssertAllRefusedAsync(IEnumerable<(string Label, Func<HttpRequestMessage> Request)> cases)
    {
        var before = await SnapshotAsync();
        var failures = new List<string>();
        var count = 0;
        foreach (var (label, makeRequest) in cases)
        {
            count++;
            using var request = makeRequest();
            using var response = await _client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            if (status is < 400 or >= 500)
            {
                failures.Add($"{label}: {status} {Excerpt(text)}");
            }
            else if (response.Content.Headers.ContentType?.MediaType != "application/problem+json" || !IsProblem(text, status))
            {
                failures.Add($"{label}: {status} is not a ProblemDetails ({response.Content.Headers.ContentType}): {Excerpt(text)}");
            }

            var after = await SnapshotAsync();
            if (after != before)
            {
                failures.Add($"{label}: the store changed ({status})");
                before = after;
            }
        }

        Assert.True(count > 10, "the corpus is empty");
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} hostile writes were not refused cleanly:\n" + string.Join("\n", failures));
    }

    private static bool IsProblem(string text, int status)
    {
        try
        {
            using var problem = JsonDocument.Parse(text);
            return problem.RootElement.GetProperty("status").GetInt32() == status
                && !string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("title").GetString());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string Excerpt(string text) => text.Length > 300 ? text[..300] + "…" : text;

    /// <summary>The store's data version and every collection's features, whole (each feature's JSON, ordered by id).</summary>
    private async Task<string> SnapshotAsync()
    {
        var store = _factory.Services.GetRequiredService<IFeatureStore>();
        var snapshot = new StringBuilder().Append(await store.GetDataVersionAsync()).Append('\n');
        foreach (var collection in (await store.GetCollectionsAsync()).OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            snapshot.Append(collection.Id).Append(' ').Append(collection.FeatureCount).Append('\n');
            foreach (var feature in (await store.GetAllItemsAsync(collection.Id)).OrderBy(f => f.Id, StringComparer.Ordinal))
            {
                snapshot.Append(feature.Id).Append(' ').Append(feature.Geometry.AsText()).Append(' ').Append(feature.PropertiesJson).Append('\n');
            }
        }

        return snapshot.ToString();
    }
}
