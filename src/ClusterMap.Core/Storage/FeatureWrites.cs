namespace ClusterMap.Core.Storage;

/// <summary>How features written into an existing collection meet the features already there.</summary>
public enum FeatureWriteMode
{
    /// <summary>Every id must be new (import <c>--mode append</c>, <c>POST …/items</c>).</summary>
    Insert,

    /// <summary>New ids are inserted, existing ids replaced whole (import <c>--mode upsert</c>, <c>PUT …/items/{id}</c>).</summary>
    Upsert,
}

/// <summary>What a write did: how many features were inserted and how many replaced, and the data version after it.</summary>
public sealed record FeatureWriteResult(int Inserted, int Replaced, long DataVersion);

/// <summary>A write named a collection that is not stored.</summary>
public sealed class CollectionNotFoundException(string collectionId)
    : InvalidOperationException($"Collection '{collectionId}' does not exist.")
{
    public string CollectionId { get; } = collectionId;
}

/// <summary>An insert named ids that are already stored, or repeated ids within one write.</summary>
public sealed class FeatureConflictException(string collectionId, IReadOnlyList<string> featureIds)
    : InvalidOperationException($"Collection '{collectionId}' already holds, or the write repeats, feature id(s): {string.Join(", ", featureIds.Take(10))}{(featureIds.Count > 10 ? ", …" : "")}.")
{
    public string CollectionId { get; } = collectionId;

    public IReadOnlyList<string> FeatureIds { get; } = featureIds;
}

/// <summary>
/// An API key as stored: the public key id (the part of the key before the secret, used to look it up), a name
/// for people, and the SHA-256 hash of the secret — never the secret itself. Keys are random, so an unsalted hash
/// is enough; the secret's hash is compared in constant time.
/// </summary>
public sealed record ApiKeyRecord(string KeyId, string Name, byte[] SecretSha256, DateTimeOffset CreatedAt);
