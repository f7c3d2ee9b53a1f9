using System.Text.Json.Serialization;

namespace ClusterMap.Api.Ogc;

/// <summary>A web link as OGC API – Features writes it (RFC 8288 relation, media type, optional title).</summary>
public sealed record Link(
    [property: JsonPropertyName("href")] string Href,
    [property: JsonPropertyName("rel")] string Rel,
    [property: JsonPropertyName("type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Type = null,
    [property: JsonPropertyName("title")] string? Title = null);

/// <summary>Media types and absolute URLs; links are absolute so clients such as GDAL can follow them as given.</summary>
internal static class OgcLinks
{
    public const string Json = "application/json";
    public const string GeoJson = "application/geo+json";
    public const string OpenApiJson = "application/vnd.oai.openapi+json;version=3.0";
    public const string Html = "text/html";

    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    public static string Escape(string segment) => Uri.EscapeDataString(segment);
}
