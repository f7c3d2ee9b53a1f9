using ClusterMap.Api.Client;

namespace ClusterMap.Api.Hosting;

/// <summary>Composition of the browser client's options, checked at start-up so a bad basemap URL fails loudly.</summary>
internal static class ClientSetup
{
    public static IServiceCollection AddClusterMapClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClientOptions>().Bind(configuration.GetSection(ClientOptions.Section))
            .Validate(o => string.IsNullOrWhiteSpace(o.ExternalBasemapUrl)
                    || (ClientConfig.ExternalOrigin(o) is not null && new[] { "{z}", "{x}", "{y}" }.All(p => o.ExternalBasemapUrl.Contains(p, StringComparison.Ordinal))),
                "Client:ExternalBasemapUrl must be an http(s) XYZ template containing {z}, {x} and {y}, e.g. https://tile.example.org/{z}/{x}/{y}.png")
            .Validate(o => string.IsNullOrWhiteSpace(o.ExternalBasemapCrs) || ClientConfig.Datum(o.ExternalBasemapCrs) is not null,
                "Client:ExternalBasemapCrs must be WGS84, CGCS2000, GCJ-02 or BD-09 (or empty to guess from the host)")
            .ValidateOnStart();
        return services;
    }
}
