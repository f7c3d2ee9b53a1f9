using System.Net;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Storage;
using ClusterMap.Rendering.Tiles;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ClusterMap.Api.Tests.Parameters;

/// <summary>
/// The OpenAPI document at /api and the service agree on query parameters: walking every operation of the
/// document, each parameter it lists is accepted with a value of its documented form (every value of an enumerated
/// one), and each name it does not list for that operation — among them the parameters of every other operation —
/// is refused with the 400 that names it.
/// </summary>
public sealed class OpenApiParametersTests : IClassFixture<OpenApiParametersTests.Factory>
{
    private static readonly (string Key, ApiKeyRecord Record) _apiKey = ApiKeys.Create("openapi walk", DateTimeOffset.UtcNow);

    /// <summary>Valid values on the map test data, by parameter name; path parameters included.</summary>
    private static readonly Dictionary<string, string> _valid = new(StringComparer.Ordinal)
    {
        ["collectionId"] = "parks",
        ["featureId"] = "park-1",
        ["format"] = "svg",
        ["style"] = MapStyles.Default,
        ["z"] = "10",
        ["x"] = "856",
        ["y"] = "418",
        ["tileMatrixSetId"] = "WebMercatorQuad",
        ["tileMatrix"] = "10",
        ["tileRow"] = "418",
        ["tileCol"] = "856",
        ["crsId"] = "GCJ-02",
        ["target"] = "universities",
        ["from"] = "parks",
        ["to"] = "universities",
        ["lon"] = "121.2",
        ["lat"] = "31.2",
        ["radius_m"] = "5000",
        ["k"] = "2",
        ["max_m"] = "50000",
        ["rings_m"] = "1000,5000",
        ["bbox"] = "121.0,31.0,121.5,31.5",
        ["bbox-crs"] = "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        ["crs"] = "http://www.opengis.net/def/crs/EPSG/0/4326",
        ["limit"] = "5",
        ["offset"] = "1",
        ["filter"] = "S_INTERSECTS(geometry, BBOX(121.0, 31.0, 121.5, 31.5))",
        ["filter-lang"] = "cql2-text",
        ["filter-crs"] = "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        ["from-filter"] = "S_INTERSECTS(geometry, BBOX(121.0, 31.0, 121.5, 31.5))",
        ["from-filter-crs"] = "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        ["datetime"] = "2020-01-01T00:00:00Z/..",
        ["sortby"] = "-name_en",
        ["properties"] = "name_en,name_zh",
        ["center"] = "121.2,31.2",
        ["zoom"] = "10",
        ["width"] = "300",
        ["height"] = "200",
        ["layers"] = "parks,universities",
        ["highlight"] = "parks/park-1",
        ["ids"] = "park-1",
        ["lang"] = "en",
        ["dpi"] = "192",
        ["title"] = "A title",
        ["nearest"] = "2",
        ["nearest_to"] = "universities",
        ["parks"] = "parks",
        ["institutions"] = "universities,institutes",
        ["bands_m"] = "2000,5000",
        ["tier_weights"] = "985:3,211:2",
        ["cell_m"] = "1000",
        ["min_institutions"] = "1",
        ["institution_radius_m"] = "2000",
        ["park_radius_m"] = "3000",
        ["links"] = "parks",
        ["alternatives"] = "2",
        ["districts"] = "land",
    };

    /// <summary>Parameters valid only with others (the static map's center and zoom, rings and lines from a highlighted feature).</summary>
    private static readonly Dictionary<string, Dictionary<string, string>> _companions = new(StringComparer.Ordinal)
    {
        ["/maps/static.{format}"] = new(StringComparer.Ordinal)
        {
            ["center"] = "zoom",
            ["zoom"] = "center",
            ["radius_m"] = "highlight",
            ["nearest"] = "highlight",
            ["nearest_to"] = "highlight,nearest",
        },
    };

    /// <summary>
    /// Parameters read and understood whose value selects nothing in the test data, which the operation then refuses for
    /// that reason (an atlas of no feature): the test data's parks have no temporal property, so no datetime selects one.
    /// </summary>
    private static readonly HashSet<(string Path, string Name)> _selectsNoneInTestData = [("/reports/{collectionId}.pdf", "datetime")];

    private readonly HttpClient _client;

    public OpenApiParametersTests(Factory factory)
    {
        _client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        _client.DefaultRequestHeaders.Authorization = new("Bearer", _apiKey.Key);
    }

    public sealed class Factory() : ClusterMapFactory(MapTestFactory.MapGeodata, new Dictionary<string, string?>
    {
        ["Writes:ApiKeys:0:KeyId"] = _apiKey.Record.KeyId,
        ["Writes:ApiKeys:0:Name"] = _apiKey.Record.Name,
        ["Writes:ApiKeys:0:SecretSha256"] = Convert.ToHexString(_apiKey.Record.SecretSha256),
    });

    private sealed record Operation(string Method, string Path, IReadOnlyList<Parameter> Parameters);

    private sealed record Parameter(string Name, bool InPath, bool Required, IReadOnlyList<string> Values);

    [Fact]
    public async Task EveryDocumentedParameter_IsAcceptedWithItsDocumentedForm()
    {
        var operations = await ReadOperationsAsync();
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var operation in operations)
        {
            var baseline = Baseline(operation);
            var (status, body) = await SendAsync(operation, baseline);
            if (status is not (HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.NoContent))
            {
                failures.Add($"{operation.Method} {operation.Path} with only its required parameters: {(int)status} {body}");
                continue;
            }

            foreach (var parameter in operation.Parameters.Where(p => !p.InPath))
            {
                foreach (var value in parameter.Values)
                {
                    var values = With(operation, baseline, parameter.Name, value);
                    (status, body) = await SendAsync(operation, values);
                    checkedCount++;
                    var selectsNone = status == HttpStatusCode.BadRequest && _selectsNoneInTestData.Contains((operation.Path, parameter.Name))
                        && body.Contains("selects none", StringComparison.Ordinal);
                    if (status is not (HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.NoContent) && !selectsNone)
                    {
                        failures.Add($"{operation.Method} {Url(operation, values)}: {(int)status} {body}");
                    }
                }
            }
        }

        Assert.True(operations.Count >= 20, $"the document lists only {operations.Count} operations");
        Assert.True(checkedCount >= 50, $"only {checkedCount} parameter values were tried");
        Assert.True(failures.Count == 0, $"{failures.Count} documented parameters were refused:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task EveryUndocumentedName_IsRefusedWithAProblemNamingIt()
    {
        var operations = await ReadOperationsAsync();
        var documented = operations.SelectMany(o => o.Parameters).Where(p => !p.InPath).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        // Proximity and items accept a queryable property of the collection as a filter: such names are not typos.
        var queryables = new HashSet<string>(StringComparer.Ordinal);
        foreach (var collection in new[] { "parks", "universities" })
        {
            var schema = await (await _client.GetAsync($"/collections/{collection}/queryables")).ReadJsonAsync(HttpStatusCode.OK, "application/schema+json");
            queryables.UnionWith(schema.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        }

        var failures = new List<string>();
        foreach (var operation in operations)
        {
            var baseline = Baseline(operation);
            var own = operation.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var name in documented.Where(n => !own.Contains(n) && !queryables.Contains(n)).Append("limt").Append("undocumented"))
            {
                var values = new Dictionary<string, string>(baseline, StringComparer.Ordinal) { [name] = _valid.GetValueOrDefault(name, "1") };
                var (status, body) = await SendAsync(operation, values);
                if (operation.Method == "HEAD")
                {
                    // HEAD answers as GET would, without the body that names the parameter.
                    if (status != HttpStatusCode.BadRequest || body.Length != 0)
                    {
                        failures.Add($"{operation.Method} {Url(operation, values)}: {(int)status} {body}");
                    }

                    continue;
                }

                using var problem = status == HttpStatusCode.BadRequest ? JsonDocument.Parse(body) : null;
                if (problem?.RootElement.GetProperty("title").GetString() != "Unknown query parameter"
                    || problem.RootElement.GetProperty("parameter").GetString() != name)
                {
                    failures.Add($"{operation.Method} {Url(operation, values)}: {(int)status} {body}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} undocumented parameters were not refused as unknown:\n" + string.Join("\n", failures));
    }

    private async Task<List<Operation>> ReadOperationsAsync()
    {
        using var document = JsonDocument.Parse(await _client.GetStringAsync("/api"));
        var operations = new List<Operation>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject())
            {
                var parameters = method.Value.TryGetProperty("parameters", out var list)
                    ? list.EnumerateArray().Select(p => new Parameter(
                        p.GetProperty("name").GetString()!,
                        p.GetProperty("in").GetString() == "path",
                        p.TryGetProperty("required", out var r) && r.GetBoolean(),
                        ValuesOf(p, IsCollectionItemsPath(path.Name)))).ToList()
                    : [];
                if (IsCollectionItemsPath(path.Name))
                {
                    // sortby and properties take the collection's own names: its first queryable, or no value where it has none.
                    var queryable = list.EnumerateArray().FirstOrDefault(p => p.GetProperty("description").GetString()!.Contains("(a queryable;", StringComparison.Ordinal));
                    var first = queryable.ValueKind == JsonValueKind.Undefined ? null : queryable.GetProperty("name").GetString();
                    parameters = [.. parameters.Select(p => p.Name switch
                    {
                        "sortby" => p with { Values = first is null ? [] : ["-" + first] },
                        "properties" => p with { Values = first is null ? [] : [first] },
                        _ => p,
                    })];
                }

                operations.Add(new Operation(method.Name.ToUpperInvariant(), path.Name, parameters));
            }
        }

        // A write that deletes or replaces the feature the walk reads is walked last.
        return [.. operations.OrderBy(o => o.Method switch { "GET" or "HEAD" => 0, "POST" => 1, "PUT" => 2, _ => 3 })];
    }

    /// <summary>
    /// Every value of an enumerated parameter; else the valid value for its name, which a parameter new to the document
    /// must get here. A collection's own items path also lists its queryables, whose names come from the data: any
    /// value of the documented type is valid for them (equality that may match nothing).
    /// </summary>
    private static List<string> ValuesOf(JsonElement parameter, bool collectionItemsPath)
    {
        var name = parameter.GetProperty("name").GetString()!;
        var hasSchema = parameter.TryGetProperty("schema", out var schema);
        if (hasSchema && schema.TryGetProperty("enum", out var values))
        {
            return [.. values.EnumerateArray().Select(v => v.GetString()!)];
        }

        if (_valid.TryGetValue(name, out var value))
        {
            return [value];
        }

        if (collectionItemsPath && hasSchema && schema.TryGetProperty("type", out var type))
        {
            var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
            return [(type.GetString(), format) switch
            {
                ("number" or "integer", _) => "1",
                ("boolean", _) => "true",
                (_, "date") => "2020-01-01",
                (_, "date-time") => "2020-01-01T00:00:00Z",
                _ => "a value",
            }];
        }

        throw new InvalidOperationException($"no valid value for '{name}': add one to _valid");
    }

    /// <summary>A collection's own items path (<c>/collections/parks/items</c>), not the generic one.</summary>
    private static bool IsCollectionItemsPath(string path) =>
        path.StartsWith("/collections/", StringComparison.Ordinal) && path.EndsWith("/items", StringComparison.Ordinal) && !path.Contains('{', StringComparison.Ordinal);

    /// <summary>Path parameters and required query parameters; an origin by lon and lat where the operation takes them.</summary>
    private static Dictionary<string, string> Baseline(Operation operation)
    {
        var values = operation.Parameters.Where(p => p.InPath || p.Required).ToDictionary(p => p.Name, p => _valid[p.Name], StringComparer.Ordinal);
        if (operation.Parameters.Any(p => p.Name == "lon"))
        {
            values["lon"] = _valid["lon"];
            values["lat"] = _valid["lat"];
        }

        return values;
    }

    /// <summary>The baseline with one parameter set, and what it needs: a feature origin instead of lon and lat; companions.</summary>
    private static Dictionary<string, string> With(Operation operation, Dictionary<string, string> baseline, string name, string value)
    {
        var values = new Dictionary<string, string>(baseline, StringComparer.Ordinal);
        if (name == "from" && values.Remove("lon") && values.Remove("lat"))
        {
            value = "parks/park-1";
        }

        foreach (var companion in _companions.GetValueOrDefault(operation.Path)?.GetValueOrDefault(name)?.Split(',') ?? [])
        {
            values[companion] = _valid[companion];
        }

        values[name] = value;
        return values;
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(Operation operation, Dictionary<string, string> values)
    {
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), Url(operation, values));
        if (operation.Method is "POST" or "PUT")
        {
            var id = operation.Method == "PUT" ? values["featureId"] : Guid.NewGuid().ToString();
            request.Content = new StringContent(
                $$$"""{"type":"Feature","id":"{{{id}}}","geometry":{"type":"Point","coordinates":[121.3,31.3]},"properties":{"name_en":"Walked"}}""",
                Encoding.UTF8, "application/geo+json");
        }

        using var response = await _client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Url(Operation operation, Dictionary<string, string> values)
    {
        var path = operation.Path;
        var query = new List<string>();
        foreach (var (name, value) in values)
        {
            if (path.Contains($"{{{name}}}", StringComparison.Ordinal))
            {
                path = path.Replace($"{{{name}}}", Uri.EscapeDataString(value), StringComparison.Ordinal);
            }
            else
            {
                query.Add($"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}");
            }
        }

        return query.Count == 0 ? path : $"{path}?{string.Join('&', query)}";
    }
}
