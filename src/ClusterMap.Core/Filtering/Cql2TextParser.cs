using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Filtering;

/// <summary>
/// Recursive-descent parser of CQL2-text (OGC 21-065, Annex B): <c>booleanExpression = booleanTerm {OR booleanTerm}</c>,
/// <c>booleanTerm = booleanFactor {AND booleanFactor}</c>, <c>booleanFactor = [NOT] booleanPrimary</c>, then the
/// predicates. Keywords are case-insensitive; every error names the character offset and what was expected there.
/// </summary>
internal sealed class Cql2TextParser
{
    private static readonly string[] _reserved = ["AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL"];

    /// <summary>Deepest nesting of parentheses, NOT and function calls accepted, as CQL2-JSON's reader allows 64 levels.</summary>
    public const int MaxDepth = 64;

    private readonly List<Cql2Token> _tokens;
    private int _next;
    private int _depth;

    private Cql2TextParser(string text) => _tokens = Cql2TextLexer.Tokenize(text);

    public static Cql2Node Parse(string text)
    {
        var parser = new Cql2TextParser(text);
        var expression = parser.BooleanExpression(allowValue: false);
        var end = parser.Peek;
        if (end.Kind != Cql2TokenKind.End)
        {
            throw Cql2Exception.At(end.Position, "AND, OR or the end of the filter", end.Describe());
        }

        return expression;
    }

    private Cql2Token Peek => _tokens[_next];

    private Cql2Token PeekAt(int ahead) => _tokens[Math.Min(_next + ahead, _tokens.Count - 1)];

    private Cql2Token Take() => _tokens[_next < _tokens.Count - 1 ? _next++ : _next];

    private Cql2Token Expect(string symbol, string expected)
    {
        var token = Peek;
        if (!token.IsSymbol(symbol))
        {
            throw Cql2Exception.At(token.Position, expected, token.Describe());
        }

        return Take();
    }

    private Cql2Node BooleanExpression(bool allowValue)
    {
        var first = BooleanTerm(allowValue);
        if (!Peek.IsKeyword("OR"))
        {
            return first;
        }

        var args = new List<Cql2Node> { first };
        while (Peek.IsKeyword("OR"))
        {
            Take();
            args.Add(BooleanTerm(allowValue: false));
        }

        return new Cql2Or(args) { Position = first.Position };
    }

    private Cql2Node BooleanTerm(bool allowValue)
    {
        var first = BooleanFactor(allowValue);
        if (!Peek.IsKeyword("AND"))
        {
            return first;
        }

        var args = new List<Cql2Node> { first };
        while (Peek.IsKeyword("AND"))
        {
            Take();
            args.Add(BooleanFactor(allowValue: false));
        }

        return new Cql2And(args) { Position = first.Position };
    }

    private Cql2Node BooleanFactor(bool allowValue) => Nested(() =>
    {
        if (Peek.IsKeyword("NOT"))
        {
            var not = Take();
            return new Cql2Not(BooleanFactor(allowValue: false)) { Position = not.Position };
        }

        return BooleanPrimary(allowValue);
    });

    // Each level of nesting is a level of recursion here and in every walk of the tree: a bound keeps a hostile
    // filter from exhausting the stack.
    private T Nested<T>(Func<T> parse)
    {
        if (++_depth > MaxDepth)
        {
            throw Cql2Exception.At(Peek.Position, $"at most {MaxDepth} levels of nested parentheses, NOT, functions and geometry collections", "deeper nesting");
        }

        try
        {
            return parse();
        }
        finally
        {
            _depth--;
        }
    }

    private Cql2Node BooleanPrimary(bool allowValue)
    {
        if (Peek.IsSymbol("("))
        {
            Take();
            var inner = BooleanExpression(allowValue: false);
            Expect(")", "')' to close the parenthesis, AND or OR");
            return inner;
        }

        var left = Operand();
        var token = Peek;
        if (token.Kind == Cql2TokenKind.Symbol && token.Text is "=" or "<>" or "<" or ">" or "<=" or ">=")
        {
            Take();
            var op = token.Text switch
            {
                "=" => Cql2ComparisonOperator.Equal,
                "<>" => Cql2ComparisonOperator.NotEqual,
                "<" => Cql2ComparisonOperator.Less,
                ">" => Cql2ComparisonOperator.Greater,
                "<=" => Cql2ComparisonOperator.LessOrEqual,
                _ => Cql2ComparisonOperator.GreaterOrEqual,
            };
            return new Cql2Comparison(op, left, Operand()) { Position = left.Position };
        }

        var negated = false;
        if (token.IsKeyword("NOT") && (PeekAt(1).IsKeyword("LIKE") || PeekAt(1).IsKeyword("BETWEEN") || PeekAt(1).IsKeyword("IN")))
        {
            Take();
            negated = true;
            token = Peek;
        }

        Cql2Node? predicate = null;
        if (token.IsKeyword("LIKE"))
        {
            Take();
            predicate = new Cql2Like(left, Operand()) { Position = left.Position };
        }
        else if (token.IsKeyword("BETWEEN"))
        {
            Take();
            var low = Operand();
            if (!Peek.IsKeyword("AND"))
            {
                throw Cql2Exception.At(Peek.Position, "AND between the two ends of BETWEEN", Peek.Describe());
            }

            Take();
            predicate = new Cql2Between(left, low, Operand()) { Position = left.Position };
        }
        else if (token.IsKeyword("IN"))
        {
            Take();
            Expect("(", "'(' to open the IN list");
            var list = new List<Cql2Node> { Operand() };
            while (Peek.IsSymbol(","))
            {
                Take();
                list.Add(Operand());
            }

            Expect(")", "',' or ')' to close the IN list");
            predicate = new Cql2In(left, list) { Position = left.Position };
        }
        else if (token.IsKeyword("IS"))
        {
            Take();
            var isNot = false;
            if (Peek.IsKeyword("NOT"))
            {
                Take();
                isNot = true;
            }

            if (!Peek.IsKeyword("NULL"))
            {
                throw Cql2Exception.At(Peek.Position, isNot ? "NULL" : "NULL or NOT NULL", Peek.Describe());
            }

            Take();
            Cql2Node isNull = new Cql2IsNull(left) { Position = left.Position };
            return isNot ? new Cql2Not(isNull) { Position = left.Position } : isNull;
        }

        if (predicate is not null)
        {
            return negated ? new Cql2Not(predicate) { Position = left.Position } : predicate;
        }

        if (allowValue || left is Cql2Spatial or Cql2Temporal or Cql2Boolean or Cql2Function)
        {
            return left;
        }

        throw Cql2Exception.At(token.Position, "a comparison operator (=, <>, <, >, <=, >=), LIKE, BETWEEN, IN or IS NULL", token.Describe());
    }

    private Cql2Node Operand() => Nested(() =>
    {
        var token = Peek;
        switch (token.Kind)
        {
            case Cql2TokenKind.String:
                Take();
                return new Cql2String(token.Text) { Position = token.Position };
            case Cql2TokenKind.Number:
                Take();
                return new Cql2Number(Cql2TextLexer.NumberValue(token.Text)) { Position = token.Position };
            case Cql2TokenKind.QuotedIdentifier:
                Take();
                return new Cql2Property(token.Text) { Position = token.Position };
            case Cql2TokenKind.Symbol when token.Text is "-" or "+" && PeekAt(1).Kind == Cql2TokenKind.Number:
                Take();
                var number = Take();
                var value = Cql2TextLexer.NumberValue(number.Text);
                return new Cql2Number(token.Text == "-" ? -value : value) { Position = token.Position };
            case Cql2TokenKind.Identifier:
                return IdentifierOperand();
            default:
                throw Cql2Exception.At(token.Position, "a property, a literal or a function", token.Describe());
        }
    });

    private Cql2Node IdentifierOperand()
    {
        var token = Take();
        var name = token.Text.ToUpperInvariant();
        if (name is "TRUE" or "FALSE")
        {
            return new Cql2Boolean(name == "TRUE") { Position = token.Position };
        }

        if (_reserved.Contains(name))
        {
            throw Cql2Exception.At(token.Position, "a property, a literal or a function", $"the keyword {name}");
        }

        if (Cql2WktReader.IsGeometryKeyword(name) && (Peek.IsSymbol("(") || Peek.IsKeyword("Z") || Peek.IsKeyword("EMPTY")))
        {
            _next--;
            return new Cql2GeometryLiteral(new Cql2WktReader(this).Read()) { Position = token.Position };
        }

        if (!Peek.IsSymbol("("))
        {
            return new Cql2Property(token.Text) { Position = token.Position };
        }

        var open = Take();
        if (name == "CASEI")
        {
            var arg = Operand();
            Expect(")", "')' to close CASEI");
            return new Cql2CaseInsensitive(arg) { Position = token.Position };
        }

        if (name is "DATE" or "TIMESTAMP")
        {
            var literal = InstantString(date: name == "DATE");
            Expect(")", $"')' to close {name}");
            return literal with { Position = token.Position };
        }

        if (name == "INTERVAL")
        {
            var start = IntervalEnd();
            Expect(",", "',' between the two ends of INTERVAL");
            var end = IntervalEnd();
            Expect(")", "')' to close INTERVAL");
            return new Cql2Interval(start, end) { Position = token.Position };
        }

        if (name == "BBOX")
        {
            var numbers = new List<double> { SignedNumber() };
            while (Peek.IsSymbol(","))
            {
                Take();
                numbers.Add(SignedNumber());
            }

            if (numbers.Count is not (4 or 6))
            {
                throw Cql2Exception.At(Peek.Position, "4 or 6 numbers in BBOX (west, south, [min elevation,] east, north[, max elevation])", $"{numbers.Count} numbers");
            }

            Expect(")", "')' to close BBOX");
            return new Cql2GeometryLiteral(Cql2Bbox.ToGeometry(numbers, token.Position)) { Position = token.Position };
        }

        if (Cql2Names.TryGetSpatial(name, out var spatial))
        {
            var (left, right) = TwoArguments(name);
            return new Cql2Spatial(spatial, left, right) { Position = token.Position };
        }

        if (Cql2Names.TryGetTemporal(name, out var temporal))
        {
            var (left, right) = TwoArguments(name);
            return new Cql2Temporal(temporal, left, right) { Position = token.Position };
        }

        var args = new List<Cql2Node>();
        if (!Peek.IsSymbol(")"))
        {
            args.Add(BooleanExpression(allowValue: true));
            while (Peek.IsSymbol(","))
            {
                Take();
                args.Add(BooleanExpression(allowValue: true));
            }
        }

        Expect(")", $"',' or ')' to close the arguments of {token.Text} opened at character {open.Position}");
        // ACCENTI is a standard function whose CQL2-JSON name is lower case; other functions keep their spelling.
        return new Cql2Function(name == "ACCENTI" ? "accenti" : token.Text, args) { Position = token.Position };
    }

    private (Cql2Node Left, Cql2Node Right) TwoArguments(string name)
    {
        var left = Operand();
        Expect(",", $"',' between the two arguments of {name}");
        var right = Operand();
        Expect(")", $"')' to close {name}");
        return (left, right);
    }

    private Cql2Node IntervalEnd()
    {
        var token = Peek;
        if (token.Kind == Cql2TokenKind.String)
        {
            if (token.Text == "..")
            {
                Take();
                return new Cql2OpenEnd { Position = token.Position };
            }

            return InstantString(date: null);
        }

        if (token.Kind is Cql2TokenKind.Identifier or Cql2TokenKind.QuotedIdentifier)
        {
            return Operand();
        }

        throw Cql2Exception.At(token.Position, "an instant ('2017-06-10' or '2017-06-10T07:30:00Z'), '..' or a property", token.Describe());
    }

    // date: true for DATE(…), false for TIMESTAMP(…), null for an interval end that may be either.
    private Cql2Instant InstantString(bool? date)
    {
        var token = Peek;
        var expected = date switch
        {
            true => "a date in quotes, e.g. '2012-06-05'",
            false => "a timestamp in quotes, e.g. '2012-06-05T10:30:00Z'",
            null => "an instant in quotes, e.g. '2012-06-05' or '2012-06-05T10:30:00Z'",
        };
        if (token.Kind != Cql2TokenKind.String || !Rfc3339.TryParse(token.Text, out var instant, out var isDate) || (date is { } d && d != isDate))
        {
            throw Cql2Exception.At(token.Position, expected, token.Describe());
        }

        Take();
        return new Cql2Instant(instant, isDate) { Position = token.Position };
    }

    internal double SignedNumber()
    {
        var token = Peek;
        var sign = 1.0;
        if (token.IsSymbol("-") || token.IsSymbol("+"))
        {
            sign = token.Text == "-" ? -1 : 1;
            Take();
        }

        var number = Peek;
        if (number.Kind != Cql2TokenKind.Number)
        {
            throw Cql2Exception.At(number.Position, "a number", number.Describe());
        }

        Take();
        return sign * Cql2TextLexer.NumberValue(number.Text);
    }

    /// <summary>Well-known text inside a CQL2-text filter, read from the same tokens so that errors keep their offsets.</summary>
    private sealed class Cql2WktReader(Cql2TextParser parser)
    {
        private static readonly string[] _keywords = ["POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"];

        public static bool IsGeometryKeyword(string upper) => _keywords.Contains(upper);

        public Geometry Read() => parser.Nested(ReadTagged);

        private Geometry ReadTagged()
        {
            var tag = parser.Take();
            var name = tag.Text.ToUpperInvariant();
            if (!IsGeometryKeyword(name))
            {
                throw Cql2Exception.At(tag.Position, "a geometry (POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON or GEOMETRYCOLLECTION)", tag.Describe());
            }

            if (parser.Peek.IsKeyword("Z"))
            {
                parser.Take();
            }

            var factory = Cql2Bbox.Factory;
            if (parser.Peek.IsKeyword("EMPTY"))
            {
                parser.Take();
                return name switch
                {
                    "POINT" => factory.CreatePoint(),
                    "LINESTRING" => factory.CreateLineString(),
                    "POLYGON" => factory.CreatePolygon(),
                    "MULTIPOINT" => factory.CreateMultiPoint(),
                    "MULTILINESTRING" => factory.CreateMultiLineString(),
                    "MULTIPOLYGON" => factory.CreateMultiPolygon(),
                    _ => factory.CreateGeometryCollection(),
                };
            }

            return name switch
            {
                "POINT" => factory.CreatePoint(PointText()),
                "LINESTRING" => factory.CreateLineString(Sequence(minimum: 2)),
                "POLYGON" => PolygonText(),
                "MULTIPOINT" => factory.CreateMultiPoint(List(() => factory.CreatePoint(MultiPointMember()))),
                "MULTILINESTRING" => factory.CreateMultiLineString(List(() => factory.CreateLineString(Sequence(minimum: 2)))),
                "MULTIPOLYGON" => factory.CreateMultiPolygon(List(PolygonText)),
                _ => factory.CreateGeometryCollection(List(Read)),
            };
        }

        private T[] List<T>(Func<T> item)
        {
            parser.Expect("(", "'(' to open the geometry's list of parts");
            var items = new List<T> { item() };
            while (parser.Peek.IsSymbol(","))
            {
                parser.Take();
                items.Add(item());
            }

            parser.Expect(")", "',' or ')' in the geometry's list of parts");
            return [.. items];
        }

        private Coordinate PointText()
        {
            parser.Expect("(", "'(' before the point's coordinates");
            var point = Point();
            parser.Expect(")", "')' after the point's coordinates");
            return point;
        }

        // MULTIPOINT members are written ((1 2), (3 4)) by the BNF; the older (1 2, 3 4) is read too.
        private Coordinate MultiPointMember() => parser.Peek.IsSymbol("(") ? PointText() : Point();

        private Coordinate Point()
        {
            var x = parser.SignedNumber();
            var y = parser.SignedNumber();
            var token = parser.Peek;
            if (token.Kind == Cql2TokenKind.Number || token.IsSymbol("-") || token.IsSymbol("+"))
            {
                // A third (Z) coordinate is read and dropped: features are stored two-dimensional.
                parser.SignedNumber();
            }

            return new Coordinate(x, y);
        }

        private Coordinate[] Sequence(int minimum)
        {
            var open = parser.Expect("(", "'(' before a list of coordinates");
            var points = new List<Coordinate> { Point() };
            while (parser.Peek.IsSymbol(","))
            {
                parser.Take();
                points.Add(Point());
            }

            parser.Expect(")", "',' or ')' in a list of coordinates");
            if (points.Count < minimum)
            {
                throw Cql2Exception.At(open.Position, $"at least {minimum} points", $"{points.Count}");
            }

            return [.. points];
        }

        private Polygon PolygonText()
        {
            var rings = List(() =>
            {
                var open = parser.Peek.Position;
                var ring = Sequence(minimum: 4);
                if (!ring[0].Equals2D(ring[^1]))
                {
                    throw Cql2Exception.At(open, "a polygon ring that ends at its first point", "an open ring");
                }

                return Cql2Bbox.Factory.CreateLinearRing(ring);
            });
            return Cql2Bbox.Factory.CreatePolygon(rings[0], rings[1..]);
        }
    }
}
