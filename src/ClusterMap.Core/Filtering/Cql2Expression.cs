using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Filtering;

/// <summary>
/// A node of a parsed CQL2 filter. CQL2-text and CQL2-JSON parse to the same tree; <see cref="Position"/> is the
/// character offset in the source it came from (for errors found after parsing, e.g. an unknown property), and
/// takes no part in comparing trees: <see cref="Cql2Json.Write(Cql2Node)"/> gives the canonical form that does.
/// </summary>
public abstract record Cql2Node
{
    /// <summary>Character offset of the node in the filter text, or -1 for a node built in code.</summary>
    public int Position { get; init; } = -1;
}

/// <summary>Binary comparison operators of Basic CQL2.</summary>
public enum Cql2ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    Greater,
    LessOrEqual,
    GreaterOrEqual,
}

/// <summary>The spatial comparison functions (Basic Spatial Functions: S_INTERSECTS; Spatial Functions: the rest).</summary>
public enum Cql2SpatialOperator
{
    Intersects,
    Equals,
    Disjoint,
    Touches,
    Within,
    Overlaps,
    Crosses,
    Contains,
}

/// <summary>The temporal comparison functions, Allen's interval relations as CQL2 names them.</summary>
public enum Cql2TemporalOperator
{
    After,
    Before,
    Contains,
    Disjoint,
    During,
    Equals,
    FinishedBy,
    Finishes,
    Intersects,
    Meets,
    MetBy,
    OverlappedBy,
    Overlaps,
    StartedBy,
    Starts,
}

/// <summary><c>a AND b AND …</c> (two or more).</summary>
public sealed record Cql2And(IReadOnlyList<Cql2Node> Args) : Cql2Node;

/// <summary><c>a OR b OR …</c> (two or more).</summary>
public sealed record Cql2Or(IReadOnlyList<Cql2Node> Args) : Cql2Node;

/// <summary><c>NOT a</c>; <c>x NOT LIKE p</c>, <c>NOT BETWEEN</c>, <c>NOT IN</c> and <c>IS NOT NULL</c> parse to it too.</summary>
public sealed record Cql2Not(Cql2Node Arg) : Cql2Node;

/// <summary><c>left op right</c>.</summary>
public sealed record Cql2Comparison(Cql2ComparisonOperator Operator, Cql2Node Left, Cql2Node Right) : Cql2Node;

/// <summary><c>value LIKE pattern</c>: <c>%</c> any run of characters, <c>_</c> one character, <c>\</c> escapes.</summary>
public sealed record Cql2Like(Cql2Node Value, Cql2Node Pattern) : Cql2Node;

/// <summary><c>value BETWEEN low AND high</c>, both ends included.</summary>
public sealed record Cql2Between(Cql2Node Value, Cql2Node Low, Cql2Node High) : Cql2Node;

/// <summary><c>value IN (a, b, …)</c>.</summary>
public sealed record Cql2In(Cql2Node Value, IReadOnlyList<Cql2Node> List) : Cql2Node;

/// <summary><c>value IS NULL</c>: the property is absent or JSON null.</summary>
public sealed record Cql2IsNull(Cql2Node Value) : Cql2Node;

/// <summary><c>S_…(left, right)</c>, planar on longitude and latitude as the standard defines it.</summary>
public sealed record Cql2Spatial(Cql2SpatialOperator Operator, Cql2Node Left, Cql2Node Right) : Cql2Node;

/// <summary><c>T_…(left, right)</c> on instants and intervals.</summary>
public sealed record Cql2Temporal(Cql2TemporalOperator Operator, Cql2Node Left, Cql2Node Right) : Cql2Node;

/// <summary>A function call that is not one of CQL2's operators; validation rejects the ones the service lacks.</summary>
public sealed record Cql2Function(string Name, IReadOnlyList<Cql2Node> Args) : Cql2Node;

/// <summary><c>CASEI(x)</c>: compare without regard to case (scripts without case, e.g. Chinese, compare as stored).</summary>
public sealed record Cql2CaseInsensitive(Cql2Node Arg) : Cql2Node;

/// <summary>A feature property (a queryable), by name.</summary>
public sealed record Cql2Property(string Name) : Cql2Node;

/// <summary>A character string literal.</summary>
public sealed record Cql2String(string Value) : Cql2Node;

/// <summary>A numeric literal.</summary>
public sealed record Cql2Number(double Value) : Cql2Node;

/// <summary><c>TRUE</c> or <c>FALSE</c>.</summary>
public sealed record Cql2Boolean(bool Value) : Cql2Node;

/// <summary>A geometry literal (WKT, GeoJSON or BBOX), in CRS84 longitude/latitude unless filter-crs says otherwise.</summary>
public sealed record Cql2GeometryLiteral(Geometry Geometry) : Cql2Node;

/// <summary><c>DATE('…')</c> (midnight UTC of that day, <see cref="IsDate"/>) or <c>TIMESTAMP('…')</c>.</summary>
public sealed record Cql2Instant(DateTimeOffset Value, bool IsDate) : Cql2Node;

/// <summary>The open end <c>'..'</c> of an interval.</summary>
public sealed record Cql2OpenEnd : Cql2Node;

/// <summary><c>INTERVAL(start, end)</c>: each end an instant, <see cref="Cql2OpenEnd"/>, or a property.</summary>
public sealed record Cql2Interval(Cql2Node Start, Cql2Node End) : Cql2Node;
