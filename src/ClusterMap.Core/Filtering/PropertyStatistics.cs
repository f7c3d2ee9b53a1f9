using System.Text.Json;
using ClusterMap.Core.Features;

namespace ClusterMap.Core.Filtering;

/// <summary>
/// What a collection's features hold under one property name, as much as <see cref="QueryablesSchema.Infer(IEnumerable{PropertyStatistics})"/>
/// and <see cref="CollectionQueryables"/> need: how many values read as each type, the few distinct text values, and
/// the first and last instant. Counted from the features in memory (<see cref="Of"/>) or by a store in SQL
/// (<see cref="Storage.IPropertyStatisticsReader"/>); the queryables are decided from these counts alone, so both ways
/// answer alike when they count alike.
/// </summary>
/// <param name="Name">The property name.</param>
/// <param name="Votes">
/// How many values read as each of <see cref="Cql2PropertyType.String"/>, <see cref="Cql2PropertyType.Date"/>,
/// <see cref="Cql2PropertyType.Timestamp"/>, <see cref="Cql2PropertyType.Integer"/>, <see cref="Cql2PropertyType.Number"/>
/// and <see cref="Cql2PropertyType.Boolean"/> (types without a value may be missing); nulls, objects and arrays do not count.
/// </param>
/// <param name="Texts">
/// The distinct values counted as <see cref="Cql2PropertyType.String"/>, in code unit order, when there are at most
/// <see cref="QueryablesSchema.MaxEnumValues"/>; null when there are more.
/// </param>
/// <param name="Instants">The first and last instant of the values that read as RFC 3339 dates or date-times; null when none does.</param>
public sealed record PropertyStatistics(
    string Name,
    IReadOnlyDictionary<Cql2PropertyType, long> Votes,
    IReadOnlyList<string>? Texts,
    (DateTimeOffset Start, DateTimeOffset End)? Instants)
{
    /// <summary>
    /// The statistics of every property name some feature has (scalar or not), in code unit order of the names. Every
    /// member of a feature's properties counts, a repeated name as often as it appears.
    /// </summary>
    public static IReadOnlyList<PropertyStatistics> Of(IEnumerable<FeatureRecord> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var counters = new SortedDictionary<string, Counter>(StringComparer.Ordinal);
        foreach (var feature in features)
        {
            using var document = JsonDocument.Parse(feature.PropertiesJson);
            foreach (var member in document.RootElement.EnumerateObject())
            {
                var counter = counters.TryGetValue(member.Name, out var c) ? c : counters[member.Name] = new Counter();
                counter.Add(member.Value);
            }
        }

        return [.. counters.Select(pair => pair.Value.ToStatistics(pair.Key))];
    }

    /// <summary>How a text value reads: a date, a timestamp (with its instant) or plain text.</summary>
    public static Cql2PropertyType TextType(string value, out DateTimeOffset instant) =>
        Rfc3339.TryParse(value, out instant, out var isDate) ? (isDate ? Cql2PropertyType.Date : Cql2PropertyType.Timestamp) : Cql2PropertyType.String;

    private sealed class Counter
    {
        private readonly Dictionary<Cql2PropertyType, long> _votes = [];
        private readonly HashSet<string> _texts = new(StringComparer.Ordinal);
        private DateTimeOffset? _start;
        private DateTimeOffset? _end;

        public void Add(JsonElement value)
        {
            Cql2PropertyType? type = value.ValueKind switch
            {
                JsonValueKind.String => TextType(value.GetString()!, out var instant) switch
                {
                    Cql2PropertyType.String => Text(value.GetString()!),
                    var temporal => Instant(instant, temporal),
                },
                JsonValueKind.Number => value.TryGetInt64(out _) ? Cql2PropertyType.Integer : Cql2PropertyType.Number,
                JsonValueKind.True or JsonValueKind.False => Cql2PropertyType.Boolean,
                _ => null,
            };
            if (type is { } t)
            {
                _votes[t] = _votes.GetValueOrDefault(t) + 1;
            }
        }

        public PropertyStatistics ToStatistics(string name) => new(
            name,
            _votes,
            _texts.Count <= QueryablesSchema.MaxEnumValues ? [.. _texts.Order(StringComparer.Ordinal)] : null,
            _start is { } s && _end is { } e ? (s, e) : null);

        private Cql2PropertyType Text(string value)
        {
            // One more than the limit is enough to know that there are too many.
            if (_texts.Count <= QueryablesSchema.MaxEnumValues)
            {
                _texts.Add(value);
            }

            return Cql2PropertyType.String;
        }

        private Cql2PropertyType Instant(DateTimeOffset instant, Cql2PropertyType type)
        {
            _start = _start is null || instant < _start ? instant : _start;
            _end = _end is null || instant > _end ? instant : _end;
            return type;
        }
    }
}
