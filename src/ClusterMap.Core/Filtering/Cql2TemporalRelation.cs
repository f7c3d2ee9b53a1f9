namespace ClusterMap.Core.Filtering;

/// <summary>One comparison between an end of the left operand and an end of the right one.</summary>
/// <param name="LeftEnd">False: the left operand's start; true: its end.</param>
/// <param name="Operator">How the two ends compare.</param>
/// <param name="RightEnd">False: the right operand's start; true: its end.</param>
internal readonly record struct Cql2TemporalTerm(bool LeftEnd, Cql2ComparisonOperator Operator, bool RightEnd);

/// <summary>
/// The temporal functions as comparisons of interval ends (an instant is an interval whose start is its end), as
/// CQL2's table of temporal operators defines them: one definition for the in-memory evaluator and every SQL dialect.
/// </summary>
internal static class Cql2TemporalRelation
{
    private const Cql2ComparisonOperator Eq = Cql2ComparisonOperator.Equal;
    private const Cql2ComparisonOperator Lt = Cql2ComparisonOperator.Less;
    private const Cql2ComparisonOperator Gt = Cql2ComparisonOperator.Greater;
    private const Cql2ComparisonOperator Le = Cql2ComparisonOperator.LessOrEqual;
    private const Cql2ComparisonOperator Ge = Cql2ComparisonOperator.GreaterOrEqual;
    private const bool Start = false;
    private const bool End = true;

    /// <summary>A disjunction of conjunctions of end comparisons.</summary>
    public static Cql2TemporalTerm[][] Terms(Cql2TemporalOperator op) => op switch
    {
        Cql2TemporalOperator.After => [[new(Start, Gt, End)]],
        Cql2TemporalOperator.Before => [[new(End, Lt, Start)]],
        Cql2TemporalOperator.Contains => [[new(Start, Lt, Start), new(End, Gt, End)]],
        Cql2TemporalOperator.Disjoint => [[new(End, Lt, Start)], [new(Start, Gt, End)]],
        Cql2TemporalOperator.During => [[new(Start, Gt, Start), new(End, Lt, End)]],
        Cql2TemporalOperator.Equals => [[new(Start, Eq, Start), new(End, Eq, End)]],
        Cql2TemporalOperator.FinishedBy => [[new(Start, Lt, Start), new(End, Eq, End)]],
        Cql2TemporalOperator.Finishes => [[new(Start, Gt, Start), new(End, Eq, End)]],
        Cql2TemporalOperator.Intersects => [[new(Start, Le, End), new(End, Ge, Start)]],
        Cql2TemporalOperator.Meets => [[new(End, Eq, Start)]],
        Cql2TemporalOperator.MetBy => [[new(Start, Eq, End)]],
        Cql2TemporalOperator.OverlappedBy => [[new(Start, Gt, Start), new(Start, Lt, End), new(End, Gt, End)]],
        Cql2TemporalOperator.Overlaps => [[new(Start, Lt, Start), new(End, Gt, Start), new(End, Lt, End)]],
        Cql2TemporalOperator.StartedBy => [[new(Start, Eq, Start), new(End, Gt, End)]],
        _ => [[new(Start, Eq, Start), new(End, Lt, End)]],
    };

    /// <summary>The start (<paramref name="end"/> false) or end of a temporal operand, as an instant node, an open end or a property.</summary>
    public static Cql2Node EndOf(Cql2Node operand, bool end) => operand switch
    {
        Cql2Interval interval => end ? interval.End : interval.Start,
        _ => operand,
    };

    /// <summary>Seconds of an open end: before or after every instant.</summary>
    public static double OpenEndSeconds(bool end) => end ? Rfc3339.OpenEndSeconds : -Rfc3339.OpenEndSeconds;
}
