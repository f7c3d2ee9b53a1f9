using System.Text.RegularExpressions;

namespace ClusterMap.Api.Hosting;

/// <summary>Composition of the write API's options; configured keys are checked at start-up.</summary>
internal static partial class WritesSetup
{
    public static IServiceCollection AddClusterMapWrites(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WritesOptions>().Bind(configuration.GetSection(WritesOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.ApiKeys.All(k => KeyId().IsMatch(k.KeyId) && Sha256Hex().IsMatch(k.SecretSha256)),
                "Writes:ApiKeys:n:KeyId must be the 12 hex digits after cm_ in the key, and Writes:ApiKeys:n:SecretSha256 the 64 hex digits that `clustermap keys create --no-store` prints.")
            .ValidateOnStart();
        return services;
    }

    [GeneratedRegex("^[0-9a-f]{12}$")]
    private static partial Regex KeyId();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();
}
