namespace ClusterMap.Api.Hosting;

/// <summary>The write API (OGC API – Features Part 4) and the API keys that guard it.</summary>
public sealed class WritesOptions
{
    public const string Section = "Writes";

    /// <summary>
    /// Keys accepted besides those in the store, for deployments configured from the environment: each gives the
    /// key id and the SHA-256 of the secret in hex (<c>clustermap keys create --no-store</c> prints both), never
    /// the secret.
    /// </summary>
    public List<ConfiguredApiKey> ApiKeys { get; set; } = [];
}

/// <summary>A key accepted from configuration: its public id and the SHA-256 of its secret (checked at start-up).</summary>
public sealed class ConfiguredApiKey
{
    public string KeyId { get; set; } = "";

    public string Name { get; set; } = "";

    public string SecretSha256 { get; set; } = "";
}
