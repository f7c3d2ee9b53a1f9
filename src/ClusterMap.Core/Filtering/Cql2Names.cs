using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Filtering;

/// <summary>The operator names of CQL2 (text: upper case, JSON: lower case; both read case-insensitively).</summary>
internal static class Cql2Names
{
    private static readonly Dictionary<string, Cql2SpatialOperator> _spatial = new(StringComparer.OrdinalIgnoreCase)
    {
        ["S_INTERSECTS"] = Cql2SpatialOperator.Intersects,
        ["S_EQUALS"] = Cql2SpatialOperator.Equals,
        ["S_DISJOINT"] = Cql2SpatialOperator.Disjoint,
        ["S_TOUCHES"] = Cql2SpatialOperator.Touches,
        ["S_WITHIN"] = Cql2SpatialOperator.Within,
        ["S_OVERLAPS"] = Cql2SpatialOperator.Overlaps,
        ["S_CROSSES"] = Cql2SpatialOperator.Crosses,
        ["S_CONTAINS"] = Cql2SpatialOperator.Contains,
    };

    private static readonly Dictionary<string, Cql2TemporalOperator> _temporal = new(StringComparer.OrdinalIgnoreCase)
    {
        ["T_AFTER"] = Cql2TemporalOperator.After,
        ["T_BEFORE"] = Cql2TemporalOperator.Before,
        ["T_CONTAINS"] = Cql2TemporalOperator.Contains,
        ["T_DISJOINT"] = Cql2TemporalOperator.Disjoint,
        ["T_DURING"] = Cql2TemporalOperator.During,
        ["T_EQUALS"] = Cql2TemporalOperator.Equals,
        ["T_FINISHEDBY"] = Cql2TemporalOperator.FinishedBy,
        ["T_FINISHES"] = Cql2TemporalOperator.Finishes,
        ["T_INTERSECTS"] = Cql2TemporalOperator.Intersects,
        ["T_MEETS"] = Cql2TemporalOperator.Meets,
        ["T_METBY"] = Cql2TemporalOperator.MetBy,
        ["T_OVERLAPPEDBY"] = Cql2TemporalOperator.OverlappedBy,
        ["T_OVERLAPS"] = Cql2TemporalOperator.Overlaps,
        ["T_STARTEDBY"] = Cql2TemporalOperator.StartedBy,
        ["T_STARTS"] = Cql2TemporalOperator.Starts,
    };

    public static bool TryGetSpatial(string name, out Cql2SpatialOperator op) => _spatial.TryGetValue(name, out op);

    public static bool TryGetTemporal(string name, out Cql2TemporalOperator op) => _temporal.TryGetValue(name, out op);

    public static string Name(Cql2SpatialOperator op) => _spatial.First(pair => pair.Value == op).Key;

    public static string Name(Cql2TemporalOperator op) => _temporal.First(pair => pair.Value == op).Key;

    public static string Symbol(Cql2ComparisonOperator op) => op switch
    {
        Cql2ComparisonOperator.Equal => "=",
        Cql2ComparisonOperator.NotEqual => "<>",
        Cql2ComparisonOperator.Less => "<",
        Cql2ComparisonOperator.Greater => ">",
        Cql2ComparisonOperator.LessOrEqual => "<=",
        _ => ">=",
    };

    public static bool TryGetComparison(string symbol, out Cql2ComparisonOperator op)
    {
        (var known, op) = symbol switch
        {
            "=" => (true, Cql2ComparisonOperator.Equal),
            "<>" => (true, Cql2ComparisonOperator.NotEqual),
            "<" => (true, Cql2ComparisonOperator.Less),
            ">" => (true, Cql2ComparisonOperator.Greater),
            "<=" => (true, Cql2ComparisonOperator.LessOrEqual),
            ">=" => (true, Cql2ComparisonOperator.GreaterOrEqual),
            _ => (false, default),
        };
        return known;
    }
}

/// <summary>BBOX literals as geometries: a box crossing the antimeridian (west &gt; east) becomes two boxes.</summary>
internal static class Cql2Bbox
{
    public static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    public static Geometry ToGeometry(IReadOnlyList<double> numbers, int position)
    {
        var (west, south, east, north) = numbers.Count == 6
            ? (numbers[0], numbers[1], numbers[3], numbers[4])
            : (numbers[0], numbers[1], numbers[2], numbers[3]);
        if (!(south <= north) || new[] { west, south, east, north }.Any(n => !double.IsFinite(n)))
        {
            throw Cql2Exception.At(position, "a BBOX whose south is not above its north", $"south {south}, north {north}");
        }

        if (west <= east)
        {
            return Factory.ToGeometry(new Envelope(west, east, south, north));
        }

        return Factory.CreateMultiPolygon(
        [
            (Polygon)Factory.ToGeometry(new Envelope(west, 180, south, north)),
            (Polygon)Factory.ToGeometry(new Envelope(-180, east, south, north)),
        ]);
    }
}
