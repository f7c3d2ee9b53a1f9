using System.Net;
using System.Text.Json;

namespace ClusterMap.Api.Tests;

internal static class HttpAssertions
{
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected, string mediaType)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem whose detail names the parameter at fault.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode expected, string? parameter = null)
    {
        var problem = await response.ReadJsonAsync(expected, "application/problem+json");
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        if (parameter is not null)
        {
            Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
            Assert.Contains($"'{parameter}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        return problem;
    }

    public static string Href(this JsonElement links, string rel) =>
        links.EnumerateArray().Single(l => l.GetProperty("rel").GetString() == rel).GetProperty("href").GetString()!;

    public static bool HasLink(this JsonElement links, string rel) =>
        links.EnumerateArray().Any(l => l.GetProperty("rel").GetString() == rel);
}
