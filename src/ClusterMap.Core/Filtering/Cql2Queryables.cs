namespace ClusterMap.Core.Filtering;

/// <summary>The type of a queryable property, as its JSON Schema in <c>/queryables</c> declares it.</summary>
public enum Cql2PropertyType
{
    /// <summary>A JSON string (<c>"type": "string"</c>).</summary>
    String,

    /// <summary>A JSON number (<c>"type": "number"</c>).</summary>
    Number,

    /// <summary>A JSON number without fraction (<c>"type": "integer"</c>); compares as a number.</summary>
    Integer,

    /// <summary>A JSON <c>true</c>/<c>false</c>.</summary>
    Boolean,

    /// <summary>An RFC 3339 full-date string (<c>"format": "date"</c>), an instant at midnight UTC.</summary>
    Date,

    /// <summary>An RFC 3339 date-time string (<c>"format": "date-time"</c>).</summary>
    Timestamp,

    /// <summary>The feature's geometry (<c>"x-ogc-role": "primary-geometry"</c>), not a member of its properties.</summary>
    Geometry,
}

/// <summary>What a filter may name: each queryable property and its type. Names are case-sensitive.</summary>
public sealed class Cql2Queryables(IReadOnlyDictionary<string, Cql2PropertyType> properties)
{
    public IReadOnlyDictionary<string, Cql2PropertyType> Properties { get; } = properties;

    public bool TryGet(string name, out Cql2PropertyType type) => Properties.TryGetValue(name, out type);
}

/// <summary>The type of a value in a filter, after properties are looked up in the queryables.</summary>
internal enum Cql2ValueType
{
    String,
    Number,
    Boolean,
    Instant,
    Interval,
    Geometry,
}
