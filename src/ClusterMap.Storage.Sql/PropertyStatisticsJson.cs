using System.Text.Json;
using ClusterMap.Core.Filtering;

namespace ClusterMap.Storage.Sql;

/// <summary>
/// A collection's <see cref="PropertyStatistics"/> as the store keeps them in <c>collections.property_statistics</c>,
/// stamped with the collection's <c>updated_at</c> and count when they were counted: they hold only while both are
/// unchanged, so every replica and every restart reads them from the row until the collection changes again.
/// </summary>
public static class PropertyStatisticsJson
{
    public static string Write(string updatedAt, long featureCount, IReadOnlyList<PropertyStatistics> statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        return JsonSerializer.Serialize(new Stamped(updatedAt, featureCount, [.. statistics.Select(s => new Entry(
            s.Name,
            s.Votes.ToDictionary(v => v.Key.ToString(), v => v.Value, StringComparer.Ordinal),
            s.Texts,
            s.Instants?.Start.UtcTicks,
            s.Instants?.End.UtcTicks))]));
    }

    /// <summary>The statistics, or null when there are none or they were counted at another state of the collection.</summary>
    public static IReadOnlyList<PropertyStatistics>? Read(string? json, string updatedAt, long featureCount)
    {
        if (string.IsNullOrEmpty(json) || JsonSerializer.Deserialize<Stamped>(json) is not { } stamped
            || stamped.UpdatedAt != updatedAt || stamped.FeatureCount != featureCount)
        {
            return null;
        }

        return [.. stamped.Properties.Select(e => new PropertyStatistics(
            e.Name,
            e.Votes.ToDictionary(v => Enum.Parse<Cql2PropertyType>(v.Key), v => v.Value),
            e.Texts,
            e.First is { } first && e.Last is { } last ? (new DateTimeOffset(first, TimeSpan.Zero), new DateTimeOffset(last, TimeSpan.Zero)) : null))];
    }

    private sealed record Stamped(string UpdatedAt, long FeatureCount, List<Entry> Properties);

    private sealed record Entry(string Name, Dictionary<string, long> Votes, IReadOnlyList<string>? Texts, long? First, long? Last);
}
