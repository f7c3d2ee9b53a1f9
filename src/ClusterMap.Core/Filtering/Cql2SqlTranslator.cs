using System.Text;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Filtering;

/// <summary>A WHERE-clause fragment and the values of its parameters (named without the <c>@</c> the SQL uses).</summary>
public sealed record Cql2Sql(string Where, IReadOnlyList<KeyValuePair<string, object?>> Parameters);

/// <summary>
/// The SQL shared by every store's CQL2 translation: boolean structure, comparisons, BETWEEN, IN and the temporal
/// relations (written once, from <see cref="Cql2TemporalRelation"/>). A store's dialect supplies how a property is
/// read from its JSON column with the queryable's type (NULL for any other JSON type, as the evaluator reads it),
/// LIKE, CASEI's folding and the spatial test. Every value from the filter is a bound parameter; the SQL text holds
/// only the translator's own fragments. Input must have passed <see cref="Cql2Validator"/>.
/// </summary>
public abstract class Cql2SqlTranslator(Cql2Queryables queryables, string parameterPrefix)
{
    private readonly List<KeyValuePair<string, object?>> _parameters = [];

    // Inside an odd number of NOTs a pre-filter would turn the exact test's NULL (no value of the type) into false,
    // and NOT false into true: pre-filters are added only where the filter is not negated.
    private bool _negated;

    protected Cql2Queryables Queryables { get; } = queryables;

    /// <summary>Translates a validated filter to a condition on the store's features table (aliased <c>f</c>).</summary>
    public Cql2Sql Translate(Cql2Node node)
    {
        _parameters.Clear();
        _negated = false;
        var where = Boolean(node);
        return new Cql2Sql(where, [.. _parameters]);
    }

    /// <summary>
    /// The value of a scalar queryable to order features by: text in code point order, numbers, booleans and instants
    /// as the filter compares them; NULL when the feature has no value of the queryable's type.
    /// </summary>
    public Cql2Sql SortKey(string property)
    {
        _parameters.Clear();
        var key = Ordered(new Cql2Property(property));
        return new Cql2Sql(key, [.. _parameters]);
    }

    /// <summary>Adds a parameter and returns its placeholder.</summary>
    protected string Bind(object? value)
    {
        var name = $"{parameterPrefix}{_parameters.Count}";
        _parameters.Add(new(name, value));
        return "@" + name;
    }

    /// <summary>A string property's value, NULL when absent or not a JSON string.</summary>
    protected abstract string PropertyText(string name);

    /// <summary>A number property's value, NULL when absent or not a JSON number.</summary>
    protected abstract string PropertyNumber(string name);

    /// <summary>A boolean property's value as the dialect compares booleans, NULL when not a JSON boolean.</summary>
    protected abstract string PropertyBoolean(string name);

    /// <summary>A date/timestamp property's instant in the dialect's seconds (see <see cref="SecondsParameter"/>), NULL when not RFC 3339.</summary>
    protected abstract string PropertySeconds(string name);

    /// <summary>True when the property is absent or JSON null.</summary>
    protected abstract string PropertyIsNull(string name);

    protected abstract string NumberParameter(double value);

    protected abstract string BooleanParameter(bool value);

    /// <summary>An instant (seconds since 1970 to the millisecond, <see cref="Rfc3339.Seconds"/>) in the type <see cref="PropertySeconds"/> yields.</summary>
    protected abstract string SecondsParameter(double seconds);

    /// <summary>A text expression ordered by code point (the evaluator's order).</summary>
    protected virtual string Ordered(string textSql) => textSql;

    /// <summary>CASEI's folding of a text expression.</summary>
    protected abstract string Fold(string textSql);

    /// <summary>CQL2 LIKE (<c>%</c>, <c>_</c>, <c>\</c> escapes) of a text expression against a pattern parameter.</summary>
    protected abstract string Like(string textSql, string patternParameter);

    /// <summary>The feature's geometry in relation <paramref name="op"/> to <paramref name="literal"/> (feature first).</summary>
    protected abstract string Spatial(Cql2SpatialOperator op, Geometry literal);

    /// <summary>
    /// A condition that every feature whose property equals one of <paramref name="values"/> meets, written so that an
    /// index can answer it; it is ANDed to the exact comparison, which alone decides, so it may let through more
    /// features but never fewer. Each value is a string or finite number literal of the property's declared type (no
    /// CASEI, no instants). Null (the default) when the dialect has no such index.
    /// </summary>
    protected virtual string? EqualityPrefilter(string property, IReadOnlyList<Cql2Node> values) => null;

    private string Boolean(Cql2Node node) => node switch
    {
        Cql2And and => "(" + string.Join(" AND ", and.Args.Select(Boolean)) + ")",
        Cql2Or or => "(" + string.Join(" OR ", or.Args.Select(Boolean)) + ")",
        Cql2Not not => Negation(not.Arg),
        Cql2Boolean constant => constant.Value ? "(1 = 1)" : "(1 = 0)",
        Cql2Comparison comparison => Comparison(comparison),
        Cql2Like like => Like(Text(like.Value), Bind(Cql2Evaluator.PatternText(like.Pattern))),
        Cql2Between between => $"({Scalar(between.Value)} BETWEEN {Scalar(between.Low)} AND {Scalar(between.High)})",
        Cql2In inList => WithPrefilter($"({Ordered(inList.Value)} IN ({string.Join(", ", inList.List.Select(Ordered))}))", inList.Value, inList.List),
        Cql2IsNull { Value: Cql2Property property } when Queryables.TryGet(property.Name, out var type) && type != Cql2PropertyType.Geometry => PropertyIsNull(property.Name),
        Cql2IsNull => "(1 = 0)",
        Cql2Spatial spatial => Spatial(spatial),
        Cql2Temporal temporal => Temporal(temporal),
        _ => throw new ArgumentException($"Not a validated CQL2 predicate: {node.GetType().Name}", nameof(node)),
    };

    private string Negation(Cql2Node arg)
    {
        _negated = !_negated;
        var sql = "(NOT " + Boolean(arg) + ")";
        _negated = !_negated;
        return sql;
    }

    private string Comparison(Cql2Comparison comparison)
    {
        var sql = $"({Ordered(comparison.Left)} {Cql2Names.Symbol(comparison.Operator)} {Ordered(comparison.Right)})";
        return comparison.Operator != Cql2ComparisonOperator.Equal ? sql
            : comparison.Left is Cql2Property ? WithPrefilter(sql, comparison.Left, [comparison.Right])
            : WithPrefilter(sql, comparison.Right, [comparison.Left]);
    }

    // The exact test, and the dialect's index-usable pre-filter when the test is "property = literal" or "property IN
    // (literals)" with string or number literals of the property's own type, outside any NOT. Booleans get none: one
    // of two values matches a large share of a collection, where the pre-filter would cost more than it saves (it is
    // evaluated again on every feature it lets through).
    private string WithPrefilter(string exactSql, Cql2Node value, IReadOnlyList<Cql2Node> literals)
    {
        if (_negated || value is not Cql2Property property || !Queryables.TryGet(property.Name, out var type)
            || !literals.All(literal => (type, literal) switch
            {
                (Cql2PropertyType.String, Cql2String text) => IsUnicode(text.Value),
                (Cql2PropertyType.Number or Cql2PropertyType.Integer, Cql2Number number) => double.IsFinite(number.Value),
                _ => false,
            }))
        {
            return exactSql;
        }

        return EqualityPrefilter(property.Name, literals) is { } prefilter ? $"({exactSql} AND {prefilter})" : exactSql;
    }

    // A lone surrogate has no UTF-8 form for a JSON document to hold.
    private static bool IsUnicode(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    // Text compares in code point order; other types as they are.
    private string Ordered(Cql2Node node) =>
        Cql2Validator.TypeOf(node, Queryables) == Cql2ValueType.String ? Ordered(Text(node)) : Scalar(node);

    private string Text(Cql2Node node) => node switch
    {
        Cql2CaseInsensitive casei => Fold(Text(casei.Arg)),
        Cql2String text => Bind(text.Value),
        Cql2Property property => PropertyText(property.Name),
        _ => throw new ArgumentException($"Not a text value: {node.GetType().Name}", nameof(node)),
    };

    private string Scalar(Cql2Node node) => node switch
    {
        Cql2String or Cql2CaseInsensitive => Text(node),
        Cql2Number number => NumberParameter(number.Value),
        Cql2Boolean boolean => BooleanParameter(boolean.Value),
        Cql2Instant instant => SecondsParameter(Rfc3339.Seconds(instant.Value)),
        Cql2Property property when Queryables.TryGet(property.Name, out var type) => type switch
        {
            Cql2PropertyType.String => PropertyText(property.Name),
            Cql2PropertyType.Number or Cql2PropertyType.Integer => PropertyNumber(property.Name),
            Cql2PropertyType.Boolean => PropertyBoolean(property.Name),
            Cql2PropertyType.Date or Cql2PropertyType.Timestamp => PropertySeconds(property.Name),
            _ => throw new ArgumentException($"Not a scalar property: {property.Name}", nameof(node)),
        },
        _ => throw new ArgumentException($"Not a validated CQL2 value: {node.GetType().Name}", nameof(node)),
    };

    private string Spatial(Cql2Spatial spatial)
    {
        // The feature's geometry goes first: a literal on the left swaps within and contains (the other relations
        // are symmetric); two literals need no database.
        return (spatial.Left, spatial.Right) switch
        {
            (Cql2GeometryLiteral a, Cql2GeometryLiteral b) => Cql2Evaluator.Relate(spatial.Operator, a.Geometry, b.Geometry) ? "(1 = 1)" : "(1 = 0)",
            (Cql2GeometryLiteral a, _) => Spatial(spatial.Operator switch
            {
                Cql2SpatialOperator.Within => Cql2SpatialOperator.Contains,
                Cql2SpatialOperator.Contains => Cql2SpatialOperator.Within,
                var symmetric => symmetric,
            }, a.Geometry),
            (_, Cql2GeometryLiteral b) => Spatial(spatial.Operator, b.Geometry),
            _ => throw new ArgumentException("A spatial predicate needs a geometry literal", nameof(spatial)),
        };
    }

    private string Temporal(Cql2Temporal temporal)
    {
        string End(Cql2Node operand, bool end) => Cql2TemporalRelation.EndOf(operand, end) switch
        {
            Cql2OpenEnd => SecondsParameter(Cql2TemporalRelation.OpenEndSeconds(end)),
            var node => Scalar(node),
        };

        // Each end is read once per predicate; a conjunction refers to it by its SQL.
        var ends = new Dictionary<(bool Left, bool End), string>
        {
            [(true, false)] = End(temporal.Left, end: false),
            [(true, true)] = End(temporal.Left, end: true),
            [(false, false)] = End(temporal.Right, end: false),
            [(false, true)] = End(temporal.Right, end: true),
        };
        var sql = new StringBuilder("(");
        var terms = Cql2TemporalRelation.Terms(temporal.Operator);
        for (var i = 0; i < terms.Length; i++)
        {
            sql.Append(i > 0 ? " OR (" : "(");
            sql.AppendJoin(" AND ", terms[i].Select(t => $"{ends[(true, t.LeftEnd)]} {Cql2Names.Symbol(t.Operator)} {ends[(false, t.RightEnd)]}"));
            sql.Append(')');
        }

        return sql.Append(')').ToString();
    }
}
