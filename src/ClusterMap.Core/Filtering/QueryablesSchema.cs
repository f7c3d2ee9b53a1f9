using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ClusterMap.Core.Features;

namespace ClusterMap.Core.Filtering;

/// <summary>One queryable as <c>/queryables</c> describes it: its type and, when its values are few, all of them.</summary>
public sealed record QueryableProperty(string Name, Cql2PropertyType Type, IReadOnlyList<string>? Enum);

/// <summary>
/// Queryables read from a collection's features, and their JSON Schema (2020-12) as OGC API – Features Part 3 serves
/// it: each scalar property with its <c>type</c> (and <c>format</c> for dates), <c>enum</c> when it has at most
/// <see cref="MaxEnumValues"/> distinct text values, and the geometry with <c>x-ogc-role: primary-geometry</c>.
/// </summary>
public static class QueryablesSchema
{
    /// <summary>The name filters use for the feature's geometry.</summary>
    public const string GeometryProperty = "geometry";

    public const int MaxEnumValues = 12;

    /// <summary>
    /// A property's type is the JSON type most of its values have (a value of another type then reads as unknown in a
    /// filter); strings that are all RFC 3339 dates or date-times are dates or timestamps. Nulls do not vote.
    /// </summary>
    public static IReadOnlyList<QueryableProperty> Infer(IEnumerable<FeatureRecord> features) => Infer(PropertyStatistics.Of(features));

    /// <summary>The queryables of <see cref="Infer(IEnumerable{FeatureRecord})"/>, from the features' counted statistics.</summary>
    public static IReadOnlyList<QueryableProperty> Infer(IEnumerable<PropertyStatistics> statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        var properties = new List<QueryableProperty> { new(GeometryProperty, Cql2PropertyType.Geometry, null) };
        foreach (var property in statistics.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            // The geometry's name wins: a property of that name cannot be filtered on. A property whose values are
            // all null, objects or arrays is not queryable.
            if (property.Name == GeometryProperty || !property.Votes.Values.Any(count => count > 0))
            {
                continue;
            }

            var type = Majority(property.Votes);
            properties.Add(new QueryableProperty(property.Name, type, type == Cql2PropertyType.String ? property.Texts : null));
        }

        return properties;
    }

    public static Cql2Queryables ToQueryables(IEnumerable<QueryableProperty> properties) =>
        new(properties.ToDictionary(p => p.Name, p => p.Type, StringComparer.Ordinal));

    /// <summary>
    /// The JSON Schema document of <c>/collections/{id}/queryables</c>; <paramref name="temporalProperty"/>, when given,
    /// carries <c>x-ogc-role: primary-instant</c> (what <c>datetime</c> selects on).
    /// </summary>
    public static string ToJsonSchema(IEnumerable<QueryableProperty> properties, string schemaId, string title, string? temporalProperty = null)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("$schema", "https://json-schema.org/draft/2020-12/schema");
            writer.WriteString("$id", schemaId);
            writer.WriteString("type", "object");
            writer.WriteString("title", title);
            writer.WriteStartObject("properties");
            foreach (var property in properties)
            {
                writer.WriteStartObject(property.Name);
                writer.WriteString("title", property.Name);
                switch (property.Type)
                {
                    case Cql2PropertyType.Geometry:
                        writer.WriteString("format", "geometry-any");
                        writer.WriteString("x-ogc-role", "primary-geometry");
                        break;
                    case Cql2PropertyType.Date or Cql2PropertyType.Timestamp:
                        writer.WriteString("type", "string");
                        writer.WriteString("format", property.Type == Cql2PropertyType.Date ? "date" : "date-time");
                        if (property.Name == temporalProperty)
                        {
                            writer.WriteString("x-ogc-role", "primary-instant");
                        }

                        break;
                    default:
                        writer.WriteString("type", property.Type.ToString().ToLowerInvariant());
                        break;
                }

                if (property.Enum is { } values)
                {
                    writer.WriteStartArray("enum");
                    values.ToList().ForEach(writer.WriteStringValue);
                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteBoolean("additionalProperties", false);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    // Integers are numbers too, and dates are timestamps: a property with both reads as the wider type. Otherwise
    // the most frequent type wins (ties to the first in declaration order, for a stable answer).
    private static Cql2PropertyType Majority(IReadOnlyDictionary<Cql2PropertyType, long> counts)
    {
        long Count(Cql2PropertyType t) => counts.GetValueOrDefault(t);
        var merged = new Dictionary<Cql2PropertyType, long>
        {
            [Cql2PropertyType.String] = Count(Cql2PropertyType.String),
            [Cql2PropertyType.Number] = Count(Cql2PropertyType.Number) + Count(Cql2PropertyType.Integer),
            [Cql2PropertyType.Boolean] = Count(Cql2PropertyType.Boolean),
            [Cql2PropertyType.Timestamp] = Count(Cql2PropertyType.Date) + Count(Cql2PropertyType.Timestamp),
        };
        var winner = merged.OrderByDescending(p => p.Value).ThenBy(p => p.Key).First().Key;
        return winner switch
        {
            Cql2PropertyType.Number when Count(Cql2PropertyType.Number) == 0 => Cql2PropertyType.Integer,
            Cql2PropertyType.Timestamp when Count(Cql2PropertyType.Timestamp) == 0 => Cql2PropertyType.Date,
            _ => winner,
        };
    }
}
