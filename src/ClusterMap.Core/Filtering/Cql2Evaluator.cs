using System.Text.Json;
using ClusterMap.Core.Features;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Filtering;

/// <summary>A feature as the evaluator reads it: its geometry and its properties object.</summary>
public readonly record struct Cql2Feature(Geometry Geometry, JsonElement Properties);

/// <summary>
/// Evaluates a validated filter in memory, with SQL's three-valued logic so that it selects exactly what the stores'
/// SQL selects: a missing property, JSON null or a value of another JSON type than the queryable's is unknown, and
/// unknown is not selected (<c>NOT</c> of unknown stays unknown). Strings compare by code point (as SQLite's BINARY
/// and PostgreSQL's "C" collation do), instants to the millisecond, geometries planar in longitude/latitude.
/// </summary>
public static class Cql2Evaluator
{
    /// <summary>Compiles <paramref name="node"/> (validated against <paramref name="queryables"/>) to a predicate.</summary>
    public static Func<Cql2Feature, bool> Compile(Cql2Node node, Cql2Queryables queryables)
    {
        var predicate = new Compiler(queryables).Boolean(node);
        return feature => predicate(feature) == true;
    }

    /// <summary>Whether a stored feature matches; parses its properties on every call (for tests and small sets).</summary>
    public static bool Matches(Func<Cql2Feature, bool> predicate, FeatureRecord feature)
    {
        using var properties = JsonDocument.Parse(feature.PropertiesJson);
        return predicate(new Cql2Feature(feature.Geometry, properties.RootElement));
    }

    private sealed class Compiler(Cql2Queryables queryables)
    {
        public Func<Cql2Feature, bool?> Boolean(Cql2Node node)
        {
            switch (node)
            {
                case Cql2And and:
                    {
                        var args = and.Args.Select(Boolean).ToArray();
                        return f =>
                        {
                            bool? result = true;
                            foreach (var arg in args)
                            {
                                var value = arg(f);
                                if (value == false)
                                {
                                    return false;
                                }

                                result = value is null ? null : result;
                            }

                            return result;
                        };
                    }

                case Cql2Or or:
                    {
                        var args = or.Args.Select(Boolean).ToArray();
                        return f =>
                        {
                            bool? result = false;
                            foreach (var arg in args)
                            {
                                var value = arg(f);
                                if (value == true)
                                {
                                    return true;
                                }

                                result = value is null ? null : result;
                            }

                            return result;
                        };
                    }

                case Cql2Not not:
                    {
                        var arg = Boolean(not.Arg);
                        return f => !arg(f);
                    }

                case Cql2Boolean constant:
                    return _ => constant.Value;
                case Cql2Comparison comparison:
                    {
                        var left = Scalar(comparison.Left);
                        var right = Scalar(comparison.Right);
                        var op = comparison.Operator;
                        return f => Compare(left(f), right(f)) is { } order ? Holds(order, op) : null;
                    }

                case Cql2Like like:
                    {
                        var value = Scalar(like.Value);
                        var pattern = PatternText(like.Pattern);
                        return f => value(f) is string text ? Cql2LikePattern.IsMatch(text, pattern) : null;
                    }

                case Cql2Between between:
                    {
                        var value = Scalar(between.Value);
                        var low = Scalar(between.Low);
                        var high = Scalar(between.High);
                        return f => And(Compare(low(f), value(f)) is { } a ? a <= 0 : null, Compare(value(f), high(f)) is { } b ? b <= 0 : null);
                    }

                case Cql2In inList:
                    {
                        var value = Scalar(inList.Value);
                        var items = inList.List.Select(Scalar).ToArray();
                        return f =>
                        {
                            var v = value(f);
                            bool? result = false;
                            foreach (var item in items)
                            {
                                var order = Compare(v, item(f));
                                if (order == 0)
                                {
                                    return true;
                                }

                                result = order is null ? null : result;
                            }

                            return result;
                        };
                    }

                case Cql2IsNull isNull:
                    if (isNull.Value is Cql2Property property && queryables.TryGet(property.Name, out var type) && type != Cql2PropertyType.Geometry)
                    {
                        var name = property.Name;
                        return f => !f.Properties.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null;
                    }

                    return _ => false;
                case Cql2Spatial spatial:
                    {
                        var left = Geometry(spatial.Left);
                        var right = Geometry(spatial.Right);
                        var op = spatial.Operator;
                        return f => Relate(op, left(f), right(f));
                    }

                case Cql2Temporal temporal:
                    {
                        var terms = Cql2TemporalRelation.Terms(temporal.Operator);
                        var leftStart = Seconds(temporal.Left, end: false);
                        var leftEnd = Seconds(temporal.Left, end: true);
                        var rightStart = Seconds(temporal.Right, end: false);
                        var rightEnd = Seconds(temporal.Right, end: true);
                        return f =>
                        {
                            var ends = (LeftStart: leftStart(f), LeftEnd: leftEnd(f), RightStart: rightStart(f), RightEnd: rightEnd(f));
                            bool? any = false;
                            foreach (var conjunction in terms)
                            {
                                bool? all = true;
                                foreach (var term in conjunction)
                                {
                                    var a = term.LeftEnd ? ends.LeftEnd : ends.LeftStart;
                                    var b = term.RightEnd ? ends.RightEnd : ends.RightStart;
                                    all = And(all, a is { } x && b is { } y ? Holds(x.CompareTo(y), term.Operator) : null);
                                }

                                any = Or(any, all);
                            }

                            return any;
                        };
                    }

                default:
                    throw new ArgumentException($"Not a validated CQL2 predicate: {node.GetType().Name}", nameof(node));
            }
        }

        /// <summary>A value: string, double, bool or instant seconds (double), or null when unknown.</summary>
        private Func<Cql2Feature, object?> Scalar(Cql2Node node)
        {
            switch (node)
            {
                case Cql2String text:
                    return _ => text.Value;
                case Cql2Number number:
                    return _ => number.Value;
                case Cql2Boolean boolean:
                    return _ => boolean.Value;
                case Cql2Instant instant:
                    {
                        object seconds = Rfc3339.Seconds(instant.Value);
                        return _ => seconds;
                    }

                case Cql2CaseInsensitive casei:
                    {
                        var arg = Scalar(casei.Arg);
                        return f => arg(f) is string s ? Cql2LikePattern.Fold(s) : null;
                    }

                case Cql2Property property:
                    {
                        var name = property.Name;
                        queryables.TryGet(name, out var type);
                        return type switch
                        {
                            Cql2PropertyType.String => f => Member(f, name, JsonValueKind.String) is { } v ? v.GetString() : null,
                            Cql2PropertyType.Number or Cql2PropertyType.Integer => f => Member(f, name, JsonValueKind.Number) is { } v && v.TryGetDouble(out var d) ? d : null,
                            Cql2PropertyType.Boolean => f => f.Properties.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.ValueKind == JsonValueKind.True : null,
                            _ => f => Member(f, name, JsonValueKind.String) is { } v ? Rfc3339.SecondsOf(v.GetString()) : null,
                        };
                    }

                default:
                    throw new ArgumentException($"Not a validated CQL2 value: {node.GetType().Name}", nameof(node));
            }
        }

        private Func<Cql2Feature, double?> Seconds(Cql2Node operand, bool end)
        {
            var node = Cql2TemporalRelation.EndOf(operand, end);
            if (node is Cql2OpenEnd)
            {
                var open = Cql2TemporalRelation.OpenEndSeconds(end);
                return _ => open;
            }

            var value = Scalar(node);
            return f => value(f) as double?;
        }

        private static Func<Cql2Feature, Geometry> Geometry(Cql2Node node) => node switch
        {
            Cql2GeometryLiteral literal => _ => literal.Geometry,
            _ => f => f.Geometry,
        };

        private static JsonElement? Member(Cql2Feature feature, string name, JsonValueKind kind) =>
            feature.Properties.TryGetProperty(name, out var value) && value.ValueKind == kind ? value : null;
    }

    /// <summary>Whether <paramref name="a"/> stands in relation <paramref name="op"/> to <paramref name="b"/> (DE-9IM, planar).</summary>
    public static bool Relate(Cql2SpatialOperator op, Geometry a, Geometry b) => op switch
    {
        Cql2SpatialOperator.Intersects => a.Intersects(b),
        Cql2SpatialOperator.Equals => a.EqualsTopologically(b),
        Cql2SpatialOperator.Disjoint => a.Disjoint(b),
        Cql2SpatialOperator.Touches => a.Touches(b),
        Cql2SpatialOperator.Within => a.Within(b),
        Cql2SpatialOperator.Overlaps => a.Overlaps(b),
        Cql2SpatialOperator.Crosses => a.Crosses(b),
        _ => a.Contains(b),
    };

    /// <summary>Orders two values of the same type; null when either is unknown.</summary>
    internal static int? Compare(object? a, object? b) => (a, b) switch
    {
        (string x, string y) => CompareCodePoints(x, y),
        (double x, double y) => x.CompareTo(y),
        (bool x, bool y) => x.CompareTo(y),
        _ => null,
    };

    private static bool Holds(int order, Cql2ComparisonOperator op) => op switch
    {
        Cql2ComparisonOperator.Equal => order == 0,
        Cql2ComparisonOperator.NotEqual => order != 0,
        Cql2ComparisonOperator.Less => order < 0,
        Cql2ComparisonOperator.Greater => order > 0,
        Cql2ComparisonOperator.LessOrEqual => order <= 0,
        _ => order >= 0,
    };

    private static bool? And(bool? a, bool? b) => a == false || b == false ? false : a is null || b is null ? null : true;

    private static bool? Or(bool? a, bool? b) => a == true || b == true ? true : a is null || b is null ? null : false;

    // UTF-16 ordinal order differs from code point (and UTF-8 byte) order for characters above U+FFFF.
    private static int CompareCodePoints(string x, string y)
    {
        var a = x.EnumerateRunes();
        var b = y.EnumerateRunes();
        while (true)
        {
            var hasA = a.MoveNext();
            var hasB = b.MoveNext();
            if (!hasA || !hasB)
            {
                return hasA.CompareTo(hasB);
            }

            var order = a.Current.Value.CompareTo(b.Current.Value);
            if (order != 0)
            {
                return order;
            }
        }
    }

    /// <summary>Helper for LIKE's pattern: the literal pattern text, lowered when CASEI wraps it.</summary>
    internal static string PatternText(Cql2Node pattern) => pattern switch
    {
        Cql2CaseInsensitive casei => Cql2LikePattern.Fold(PatternText(casei.Arg)),
        Cql2String text => text.Value,
        _ => throw new ArgumentException("LIKE pattern must be a string literal", nameof(pattern)),
    };
}
