using ClusterMap.Api.Hosting;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Storage;
using Microsoft.Extensions.Options;

namespace ClusterMap.Api.Writes;

/// <summary>
/// Guards the write endpoints: the request must carry a valid API key in <c>Authorization: Bearer …</c> or
/// <c>X-API-Key</c>. No key → 401 with <c>WWW-Authenticate</c>; a key that is malformed, unknown or revoked → 403.
/// Keys are never logged, and the secret is only ever hashed and compared in constant time.
/// </summary>
internal sealed class ApiKeyFilter(IFeatureStore store, IOptions<WritesOptions> options) : IEndpointFilter
{
    public const string HeaderName = "X-API-Key";
    public const string SchemeName = "ApiKey";

    // Compared against when the key id is unknown, so that an unknown id costs the same hash and comparison.
    private static readonly ApiKeyRecord _nobody = new("", "", new byte[32], DateTimeOffset.UnixEpoch);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var presented = PresentedKey(http.Request);
        if (presented is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"ClusterMap\"";
            return ApiProblems.MissingApiKey();
        }

        if (!await IsValidAsync(presented, http.RequestAborted))
        {
            return ApiProblems.WrongApiKey();
        }

        return await next(context);
    }

    /// <summary>The key from <c>Authorization: Bearer</c>, else from <c>X-API-Key</c>; null when neither is sent.</summary>
    private static string? PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        var header = request.Headers[HeaderName].ToString();
        return header.Length > 0 ? header.Trim() : null;
    }

    private async Task<bool> IsValidAsync(string presented, CancellationToken cancellationToken)
    {
        if (!ApiKeys.TryParse(presented, out var keyId, out var secret))
        {
            return false;
        }

        var record = Configured(keyId) ?? await store.GetApiKeyAsync(keyId, cancellationToken);
        // Evaluate both operands always: the comparison runs whether or not the id was found.
        return ApiKeys.Matches(record ?? _nobody, secret) & record is not null;
    }

    private ApiKeyRecord? Configured(string keyId) =>
        options.Value.ApiKeys.FirstOrDefault(k => k.KeyId == keyId) is { } key
            ? new ApiKeyRecord(key.KeyId, key.Name, Convert.FromHexString(key.SecretSha256), DateTimeOffset.UnixEpoch)
            : null;
}
