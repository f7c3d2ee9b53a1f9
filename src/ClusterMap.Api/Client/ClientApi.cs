using System.Text.Json.Serialization;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Parameters;
using ClusterMap.Core.Features;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Tiles;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ClusterMap.Api.Client;

/// <summary>What the browser client needs to know that the OGC API does not say: its basemaps and the sector palette.</summary>
internal static class ClientApi
{
    public static IEndpointRouteBuilder MapClientApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/client/config.json", GetConfig).WithTags("Client").WithName("getClientConfig")
            .WithSummary("The browser client's configuration: basemaps, the park sector palette, each park's sector family and each collection's role")
            .WithQueryParameters(OperationParameters.None).WithDataVersionETag();
        return routes;
    }

    public static async Task<Results<Ok<ClientConfig>, ProblemHttpResult>> GetConfig(
        HttpRequest request, IOptions<ClientOptions> options, IOptions<MapsOptions> maps, MapDataProvider provider, CancellationToken cancellationToken)
    {
        if (QueryParameters.Of(request).CheckNames() is { } problem)
        {
            return problem;
        }

        // Sector families of the parks held in memory; larger park collections are drawn from tiles, the client's
        // default colour standing in for them.
        var catalog = await provider.GetCatalogAsync(cancellationToken);
        var data = await provider.GetInMemoryAsync(catalog, l => l.Kind == MapLayerKind.Parks, cancellationToken);
        var families = data.Layers.Where(l => l.Kind == MapLayerKind.Parks)
            .SelectMany(l => l.Features)
            .ToDictionary(f => f.Id, f => f.Sector.ToString(), StringComparer.Ordinal);
        var palette = SectorPalette.Entries
            .Select(e => new ClientConfig.Sector(e.Family.ToString(), $"#{e.Color.Red:x2}{e.Color.Green:x2}{e.Color.Blue:x2}", e.NameZh, e.NameEn))
            .ToList();
        return TypedResults.Ok(new ClientConfig(
            new ClientConfig.Basemap("/tiles/" + MapStyles.Basemap + "/{z}/{x}/{y}.png", "ClusterMap", "WGS84",
                data.Layers.Where(l => l.Kind is MapLayerKind.Land or MapLayerKind.Water).Select(l => l.Attribution).Distinct().FirstOrDefault() ?? ""),
            ClientConfig.External(options.Value),
            palette,
            families,
            [.. data.Layers.Select(l => new ClientConfig.Layer(l.Id, RoleOf(l.Kind), l.Title))],
            new ClientConfig.DensityLayer(
                "/tiles/" + MapStyles.Density + "/{z}/{x}/{y}.png", maps.Value.DensityBandwidthMeters,
                [.. DensityRaster.Ramp.Select(c => new ClientConfig.DensityClass(c.MinPerSquareKilometre, $"#{c.Color.Red:x2}{c.Color.Green:x2}{c.Color.Blue:x2}", Math.Round(c.Color.Alpha / 255.0, 3)))])));
    }

    private static string RoleOf(MapLayerKind kind) => kind switch
    {
        MapLayerKind.Land => CollectionRole.Land,
        MapLayerKind.Water => CollectionRole.Water,
        MapLayerKind.Districts => CollectionRole.District,
        MapLayerKind.Links => CollectionRole.Link,
        MapLayerKind.Parks => CollectionRole.Park,
        MapLayerKind.Universities => CollectionRole.University,
        MapLayerKind.Institutes => CollectionRole.Institute,
        _ => CollectionRole.Context,
    };
}

/// <summary>The answer of <c>/client/config.json</c>.</summary>
internal sealed record ClientConfig(
    [property: JsonPropertyName("basemap")] ClientConfig.Basemap OwnBasemap,
    [property: JsonPropertyName("external_basemap")] ClientConfig.Basemap? ExternalBasemap,
    [property: JsonPropertyName("sectors")] IReadOnlyList<ClientConfig.Sector> Sectors,
    [property: JsonPropertyName("park_sector_family")] IReadOnlyDictionary<string, string> ParkSectorFamily,
    [property: JsonPropertyName("layers")] IReadOnlyList<ClientConfig.Layer> Layers,
    [property: JsonPropertyName("density")] ClientConfig.DensityLayer Density)
{
    /// <summary>The institution-density overlay: its tiles, its kernel bandwidth and its fixed ramp (the legend).</summary>
    public sealed record DensityLayer(
        [property: JsonPropertyName("url")] string Url,
        [property: JsonPropertyName("bandwidth_m")] double BandwidthMeters,
        [property: JsonPropertyName("classes")] IReadOnlyList<DensityClass> Classes);

    /// <summary>A ramp class: from this many institutions per km² up to the next class, in this colour and opacity.</summary>
    public sealed record DensityClass(
        [property: JsonPropertyName("min_per_km2")] double MinPerSquareKilometre,
        [property: JsonPropertyName("color")] string Color,
        [property: JsonPropertyName("opacity")] double Opacity);

    /// <summary>A collection and its stored role (park, university, institute, context, land, water, district, link): how the client draws it.</summary>
    public sealed record Layer(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("role")] string Role,
        [property: JsonPropertyName("title")] string Title);

    public const string Gcj02 = "GCJ-02";
    public const string Bd09 = "BD-09";
    public const string Wgs84 = "WGS84";
    public const string Cgcs2000 = "CGCS2000";

    // Providers whose Chinese tiles are drawn in GCJ-02, the obfuscated datum Chinese law requires of them.
    private static readonly string[] _gcj02Hosts = ["amap.com", "autonavi.com", "qq.com", "gtimg.com", "tencent.com"];

    public sealed record Basemap(
        [property: JsonPropertyName("url")] string Url,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("crs")] string Crs,
        [property: JsonPropertyName("attribution")] string Attribution);

    public sealed record Sector(
        [property: JsonPropertyName("family")] string Family,
        [property: JsonPropertyName("color")] string Color,
        [property: JsonPropertyName("name_zh")] string NameZh,
        [property: JsonPropertyName("name_en")] string NameEn);

    public static Basemap? External(ClientOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ExternalBasemapUrl) || ExternalOrigin(options) is not { } origin)
        {
            return null;
        }

        var crs = string.IsNullOrWhiteSpace(options.ExternalBasemapCrs)
            ? (_gcj02Hosts.Any(h => origin.EndsWith("." + h, StringComparison.OrdinalIgnoreCase) || origin.EndsWith("/" + h, StringComparison.OrdinalIgnoreCase)) ? Gcj02 : Wgs84)
            : Datum(options.ExternalBasemapCrs) ?? Wgs84;
        return new Basemap(options.ExternalBasemapUrl.Trim(), origin, crs, options.ExternalBasemapAttribution ?? "");
    }

    /// <summary>The datum a configured name means (<c>gcj02</c> is GCJ-02), or null for one the client cannot draw in.</summary>
    public static string? Datum(string name) => name.Trim().ToUpperInvariant() switch
    {
        Wgs84 => Wgs84,
        Cgcs2000 => Cgcs2000,
        Gcj02 or "GCJ02" => Gcj02,
        Bd09 or "BD09" => Bd09,
        _ => null,
    };

    /// <summary>The scheme and host the external tiles come from (with a wildcard for a {s} subdomain), for the CSP.</summary>
    public static string? ExternalOrigin(ClientOptions options)
    {
        var template = options.ExternalBasemapUrl?.Trim();
        if (string.IsNullOrEmpty(template))
        {
            return null;
        }

        var probe = template.Replace("{s}", "a", StringComparison.Ordinal).Replace("{z}", "0", StringComparison.Ordinal)
            .Replace("{x}", "0", StringComparison.Ordinal).Replace("{y}", "0", StringComparison.Ordinal).Replace("{r}", "", StringComparison.Ordinal);
        if (!Uri.TryCreate(probe, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            return null;
        }

        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        if (template.Contains("{s}.", StringComparison.Ordinal))
        {
            var dot = host.IndexOf('.', StringComparison.Ordinal);
            host = "*" + host[dot..];
        }

        return $"{uri.Scheme}://{host}";
    }
}
