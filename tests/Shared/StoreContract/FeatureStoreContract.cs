using ClusterMap.Core.Storage;

namespace ClusterMap.Storage.Contract;

/// <summary>
/// The store contract's tests, written once and run against every store (as Dapper runs its tests per provider):
/// each store's test project links this folder and derives a class that says how to make an empty store.
/// Reads and replacement live in FeatureStoreContract.Reads.cs, writes and API keys in FeatureStoreContract.Writes.cs.
/// </summary>
public abstract partial class FeatureStoreContract : IAsyncLifetime
{
    /// <summary>The store under test, initialised and empty.</summary>
    protected IFeatureStore Store { get; private set; } = null!;

    /// <summary>Creates a new, empty, initialised store that no other test shares.</summary>
    protected abstract Task<IFeatureStore> CreateEmptyStoreAsync();

    /// <summary>Releases what <see cref="CreateEmptyStoreAsync"/> made (files, databases).</summary>
    protected abstract Task DropStoreAsync();

    public async Task InitializeAsync() => Store = await CreateEmptyStoreAsync();

    public Task DisposeAsync() => DropStoreAsync();
}
