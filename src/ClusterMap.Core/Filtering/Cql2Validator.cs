namespace ClusterMap.Core.Filtering;

/// <summary>
/// Checks a parsed filter against a collection's queryables: every property exists, both sides of each operator have
/// types that fit it, no function the service lacks is called, and geometry literals are valid. What passes here
/// can be evaluated in memory and translated to SQL without a runtime type error.
/// </summary>
public static class Cql2Validator
{
    /// <summary>Throws <see cref="Cql2Exception"/> with the position of the first problem.</summary>
    public static void Validate(Cql2Node node, Cql2Queryables queryables) => Boolean(node, queryables);

    internal static Cql2ValueType TypeOf(Cql2Node node, Cql2Queryables queryables) => node switch
    {
        Cql2Property property => PropertyType(property, queryables),
        Cql2String or Cql2CaseInsensitive => Cql2ValueType.String,
        Cql2Number => Cql2ValueType.Number,
        Cql2Boolean => Cql2ValueType.Boolean,
        Cql2Instant => Cql2ValueType.Instant,
        Cql2Interval => Cql2ValueType.Interval,
        Cql2GeometryLiteral => Cql2ValueType.Geometry,
        Cql2Function function => throw UnknownFunction(function),
        Cql2OpenEnd => throw Problem(node, "'..' only as an end of INTERVAL", "'..'"),
        _ => Cql2ValueType.Boolean,
    };

    private static void Boolean(Cql2Node node, Cql2Queryables queryables)
    {
        switch (node)
        {
            case Cql2And and:
                and.Args.ToList().ForEach(arg => Boolean(arg, queryables));
                break;
            case Cql2Or or:
                or.Args.ToList().ForEach(arg => Boolean(arg, queryables));
                break;
            case Cql2Not not:
                Boolean(not.Arg, queryables);
                break;
            case Cql2Boolean:
                break;
            case Cql2Comparison comparison:
                {
                    var type = Scalar(comparison.Left, queryables);
                    Same(comparison.Right, type, queryables, Cql2Names.Symbol(comparison.Operator));
                    if (type == Cql2ValueType.Boolean && comparison.Operator is not (Cql2ComparisonOperator.Equal or Cql2ComparisonOperator.NotEqual))
                    {
                        throw Problem(comparison, "= or <> between booleans", Cql2Names.Symbol(comparison.Operator));
                    }

                    break;
                }

            case Cql2Like like:
                Same(like.Value, Cql2ValueType.String, queryables, "LIKE");
                if (Unwrap(like.Pattern) is not Cql2String pattern)
                {
                    throw Problem(like.Pattern, "a string literal (or CASEI of one) as the LIKE pattern", Describe(like.Pattern));
                }

                if (Cql2LikePattern.EndsWithEscape(pattern.Value))
                {
                    throw Problem(like.Pattern, "a LIKE pattern that does not end with the escape character \\", $"'{pattern.Value}'");
                }

                break;
            case Cql2Between between:
                Same(between.Value, Cql2ValueType.Number, queryables, "BETWEEN");
                Same(between.Low, Cql2ValueType.Number, queryables, "BETWEEN");
                Same(between.High, Cql2ValueType.Number, queryables, "BETWEEN");
                break;
            case Cql2In inList:
                {
                    var type = Scalar(inList.Value, queryables);
                    foreach (var item in inList.List)
                    {
                        Same(item, type, queryables, "IN");
                    }

                    break;
                }

            case Cql2IsNull isNull:
                if (isNull.Value is not (Cql2Property or Cql2String or Cql2Number or Cql2Boolean or Cql2Instant or Cql2GeometryLiteral))
                {
                    throw Problem(isNull.Value, "a property or a literal before IS NULL", Describe(isNull.Value));
                }

                TypeOf(isNull.Value, queryables);
                break;
            case Cql2Spatial spatial:
                Geometry(spatial.Left, queryables, spatial);
                Geometry(spatial.Right, queryables, spatial);
                if (spatial.Left is Cql2Property && spatial.Right is Cql2Property)
                {
                    throw Problem(spatial, $"a geometry literal as one argument of {Cql2Names.Name(spatial.Operator)}", "two properties");
                }

                break;
            case Cql2Temporal temporal:
                Temporal(temporal.Left, queryables, temporal);
                Temporal(temporal.Right, queryables, temporal);
                // Only T_AFTER, T_BEFORE, T_DISJOINT, T_EQUALS and T_INTERSECTS take instants; the standard makes the
                // others a client error on anything but intervals.
                if (temporal.Operator is not (Cql2TemporalOperator.After or Cql2TemporalOperator.Before or Cql2TemporalOperator.Disjoint
                    or Cql2TemporalOperator.Equals or Cql2TemporalOperator.Intersects))
                {
                    foreach (var operand in new[] { temporal.Left, temporal.Right }.Where(o => o is not Cql2Interval))
                    {
                        throw Problem(operand, $"an interval (INTERVAL(start, end)) for {Cql2Names.Name(temporal.Operator)}, which compares intervals only", $"{Describe(operand)}, an instant");
                    }
                }

                break;
            case Cql2Function function:
                throw UnknownFunction(function);
            default:
                throw Problem(node, "a predicate (a comparison, LIKE, BETWEEN, IN, IS NULL, S_… or T_…) or TRUE/FALSE", Describe(node));
        }
    }

    private static Cql2ValueType Scalar(Cql2Node node, Cql2Queryables queryables)
    {
        if (node is Cql2CaseInsensitive casei)
        {
            Same(casei.Arg, Cql2ValueType.String, queryables, "CASEI");
            return Cql2ValueType.String;
        }

        if (node is not (Cql2Property or Cql2String or Cql2Number or Cql2Boolean or Cql2Instant))
        {
            if (node is Cql2Function function)
            {
                throw UnknownFunction(function);
            }

            throw Problem(node, "a property, a string, number, boolean, DATE or TIMESTAMP literal, or CASEI(…)", Describe(node));
        }

        return TypeOf(node, queryables);
    }

    private static void Same(Cql2Node node, Cql2ValueType expected, Cql2Queryables queryables, string op)
    {
        var type = Scalar(node, queryables);
        if (type != expected)
        {
            throw Problem(node, $"a {Name(expected)} for {op}", $"{Describe(node)}, a {Name(type)}");
        }
    }

    private static void Geometry(Cql2Node node, Cql2Queryables queryables, Cql2Spatial spatial)
    {
        var type = node is Cql2Property or Cql2GeometryLiteral ? TypeOf(node, queryables) : TypeOfOrFunction(node, queryables);
        if (type != Cql2ValueType.Geometry)
        {
            throw Problem(node, $"a geometry (the geometry property or a geometry literal) for {Cql2Names.Name(spatial.Operator)}", $"{Describe(node)}, a {Name(type)}");
        }

        if (node is Cql2GeometryLiteral literal && !literal.Geometry.IsValid)
        {
            var reason = new NetTopologySuite.Operation.Valid.IsValidOp(literal.Geometry).ValidationError;
            throw Problem(node, "a valid geometry (rings that do not cross themselves or each other)", $"an invalid geometry: {reason?.Message} at {reason?.Coordinate}");
        }
    }

    private static void Temporal(Cql2Node node, Cql2Queryables queryables, Cql2Temporal temporal)
    {
        if (node is Cql2Interval interval)
        {
            foreach (var end in new[] { interval.Start, interval.End })
            {
                if (end is Cql2OpenEnd)
                {
                    continue;
                }

                var endType = TypeOfOrFunction(end, queryables);
                if (endType != Cql2ValueType.Instant)
                {
                    throw Problem(end, "an instant, '..' or a date/timestamp property as an end of INTERVAL", $"{Describe(end)}, a {Name(endType)}");
                }
            }

            return;
        }

        var type = TypeOfOrFunction(node, queryables);
        if (type != Cql2ValueType.Instant)
        {
            throw Problem(node, $"an instant or interval (a date/timestamp property, DATE, TIMESTAMP or INTERVAL) for {Cql2Names.Name(temporal.Operator)}", $"{Describe(node)}, a {Name(type)}");
        }
    }

    private static Cql2ValueType TypeOfOrFunction(Cql2Node node, Cql2Queryables queryables) =>
        node is Cql2Function function ? throw UnknownFunction(function) : TypeOf(node, queryables);

    private static Cql2ValueType PropertyType(Cql2Property property, Cql2Queryables queryables)
    {
        if (!queryables.TryGet(property.Name, out var type))
        {
            var known = string.Join(", ", queryables.Properties.Keys.Order(StringComparer.Ordinal));
            throw new Cql2Exception(new Cql2Error(property.Position,
                $"At character {property.Position}: unknown property '{property.Name}'; expected one of the queryables: {known}.", $"one of the queryables: {known}"));
        }

        return type switch
        {
            Cql2PropertyType.String => Cql2ValueType.String,
            Cql2PropertyType.Number or Cql2PropertyType.Integer => Cql2ValueType.Number,
            Cql2PropertyType.Boolean => Cql2ValueType.Boolean,
            Cql2PropertyType.Date or Cql2PropertyType.Timestamp => Cql2ValueType.Instant,
            _ => Cql2ValueType.Geometry,
        };
    }

    private static Cql2Node Unwrap(Cql2Node node) => node is Cql2CaseInsensitive casei ? Unwrap(casei.Arg) : node;

    private static Cql2Exception UnknownFunction(Cql2Function function) =>
        new(new Cql2Error(function.Position,
            $"At character {function.Position}: unknown function '{function.Name}'; expected {KnownFunctions}.", KnownFunctions));

    private const string KnownFunctions = "CASEI, S_INTERSECTS, S_WITHIN, S_CONTAINS, S_DISJOINT, S_EQUALS, S_TOUCHES, S_CROSSES, S_OVERLAPS, BBOX or a T_ function (no others)";

    private static Cql2Exception Problem(Cql2Node node, string expected, string found) => Cql2Exception.At(node.Position, expected, found);

    private static string Name(Cql2ValueType type) => type switch
    {
        Cql2ValueType.String => "string",
        Cql2ValueType.Number => "number",
        Cql2ValueType.Boolean => "boolean",
        Cql2ValueType.Instant => "date or timestamp",
        Cql2ValueType.Interval => "interval",
        _ => "geometry",
    };

    private static string Describe(Cql2Node node) => node switch
    {
        Cql2Property property => $"property '{property.Name}'",
        Cql2String text => $"'{text.Value}'",
        Cql2Number number => number.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Cql2Boolean boolean => boolean.Value ? "TRUE" : "FALSE",
        Cql2Function function => $"function {function.Name}",
        Cql2GeometryLiteral geometry => $"a {geometry.Geometry.GeometryType}",
        _ => node.GetType().Name.Replace("Cql2", "", StringComparison.Ordinal),
    };
}
