using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace ClusterMap.Core.Storage;

/// <summary>
/// The API key format, <c>cm_&lt;key id&gt;_&lt;secret&gt;</c>: a public key id (12 hex digits) to find the stored record,
/// and a 256-bit random secret (base64url) of which only the SHA-256 is stored. The prefix makes a leaked key easy
/// to recognise (secret scanners, logs).
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "cm_";

    private const int KeyIdBytes = 6;
    private const int SecretBytes = 32;

    /// <summary>A new key: the text to hand out once, and the record to store (without the secret).</summary>
    public static (string Key, ApiKeyRecord Record) Create(string name, DateTimeOffset createdAt)
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyIdBytes));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));
        return ($"{Prefix}{keyId}_{secret}", new ApiKeyRecord(keyId, name, HashSecret(secret), createdAt));
    }

    /// <summary>Splits a presented key into its id and secret; false when it does not have the key's shape.</summary>
    public static bool TryParse(string? key, [NotNullWhen(true)] out string? keyId, [NotNullWhen(true)] out string? secret)
    {
        keyId = null;
        secret = null;
        if (key is null || !key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length > 200)
        {
            return false;
        }

        // The id is hex, so the first underscore after the prefix ends it; the secret may itself contain '_'.
        var separator = key.IndexOf('_', Prefix.Length);
        if (separator != Prefix.Length + (KeyIdBytes * 2) || separator == key.Length - 1)
        {
            return false;
        }

        keyId = key[Prefix.Length..separator];
        secret = key[(separator + 1)..];
        return keyId.All(char.IsAsciiHexDigitLower);
    }

    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Whether the secret is the stored key's, compared in constant time so timing reveals nothing of the hash.</summary>
    public static bool Matches(ApiKeyRecord record, string secret) =>
        CryptographicOperations.FixedTimeEquals(HashSecret(secret), record.SecretSha256);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
