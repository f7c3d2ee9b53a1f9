using System.Collections.Concurrent;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;

namespace ClusterMap.Core.Filtering;

/// <summary>
/// What a collection offers to filters: its typed queryables and its temporal property (what <c>datetime</c> and
/// <c>x-ogc-role: primary-instant</c> refer to) with the interval its values span (the collection's temporal extent).
/// </summary>
/// <param name="Properties">The queryables as <see cref="QueryablesSchema.Infer(IEnumerable{PropertyStatistics})"/> reads them from the features.</param>
/// <param name="TemporalProperty">The date or timestamp property that places a feature in time, or null when it has none.</param>
/// <param name="TemporalExtent">The first and last instant of that property over the features, or null when none has one.</param>
public sealed record CollectionQueryables(IReadOnlyList<QueryableProperty> Properties, string? TemporalProperty, (DateTimeOffset Start, DateTimeOffset End)? TemporalExtent)
{
    /// <summary>Every property name some feature has, scalar or not (what <c>properties</c> may select).</summary>
    public IReadOnlySet<string> PropertyNames { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The member of a collection's metadata that names its temporal property.</summary>
    public const string TemporalPropertyMember = "temporal_property";

    public Cql2Queryables Queryables { get; } = QueryablesSchema.ToQueryables(Properties);

    /// <summary>
    /// Reads the queryables from the features. The temporal property is the one the collection's metadata names in
    /// <c>temporal_property</c> when that is a date or timestamp queryable; otherwise the collection's only date or
    /// timestamp queryable; otherwise none (several candidates and no declaration leave the choice to the publisher).
    /// </summary>
    public static CollectionQueryables Of(CollectionDefinition definition, IReadOnlyList<FeatureRecord> features) =>
        Of(definition, PropertyStatistics.Of(features));

    /// <summary>The queryables of <see cref="Of(CollectionDefinition, IReadOnlyList{FeatureRecord})"/>, from the features' counted statistics.</summary>
    public static CollectionQueryables Of(CollectionDefinition definition, IReadOnlyCollection<PropertyStatistics> statistics)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(statistics);
        var properties = QueryablesSchema.Infer(statistics);
        static bool IsTemporal(QueryableProperty p) => p.Type is Cql2PropertyType.Date or Cql2PropertyType.Timestamp;
        var declared = DeclaredTemporalProperty(definition.MetadataJson);
        var temporal = properties.FirstOrDefault(p => p.Name == declared && IsTemporal(p))?.Name
            ?? (properties.Count(IsTemporal) == 1 ? properties.Single(IsTemporal).Name : null);
        // The values that read as instants, as a filter reads them (a date is midnight UTC); others are not in time.
        var extent = temporal is null ? null : statistics.First(s => s.Name == temporal).Instants;
        return new CollectionQueryables(properties, temporal, extent) { PropertyNames = statistics.Select(s => s.Name).ToHashSet(StringComparer.Ordinal) };
    }

    private static string? DeclaredTemporalProperty(string metadataJson)
    {
        using var metadata = JsonDocument.Parse(metadataJson);
        return metadata.RootElement.ValueKind == JsonValueKind.Object
            && metadata.RootElement.TryGetProperty(TemporalPropertyMember, out var member) && member.ValueKind == JsonValueKind.String
            ? member.GetString()
            : null;
    }
}

/// <summary>
/// <see cref="CollectionQueryables"/> per collection, counted once per change of the collection (its
/// <see cref="CollectionInfo.UpdatedAt"/> and count), so that requests that validate a filter read only the
/// collection's row. A store that counts <see cref="PropertyStatistics"/> itself (<see cref="IPropertyStatisticsReader"/>)
/// is asked for them; any other store's features are read whole and counted here. The filtering itself always runs in
/// the store.
/// </summary>
public sealed class CollectionQueryablesCache(IFeatureStore store)
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset UpdatedAt, long Count, Task<CollectionQueryables> Queryables)> _entries = new(StringComparer.Ordinal);

    public Task<CollectionQueryables> GetAsync(CollectionInfo collection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        var entry = _entries.AddOrUpdate(
            collection.Id,
            _ => Load(collection),
            (_, held) => held.UpdatedAt == collection.UpdatedAt && held.Count == collection.FeatureCount && !held.Queryables.IsFaulted && !held.Queryables.IsCanceled ? held : Load(collection));
        return entry.Queryables.WaitAsync(cancellationToken);
    }

    private (DateTimeOffset, long, Task<CollectionQueryables>) Load(CollectionInfo collection) =>
        (collection.UpdatedAt, collection.FeatureCount, LoadAsync(collection));

    // Not cancelled with the request that started it: other requests may be waiting for the same load.
    private async Task<CollectionQueryables> LoadAsync(CollectionInfo collection)
    {
        if (store is IPropertyStatisticsReader reader
            && await reader.GetPropertyStatisticsAsync(collection.Id, CancellationToken.None).ConfigureAwait(false) is { } statistics)
        {
            return CollectionQueryables.Of(collection.Definition, statistics);
        }

        return CollectionQueryables.Of(collection.Definition, await store.GetAllItemsAsync(collection.Id, CancellationToken.None).ConfigureAwait(false));
    }
}
