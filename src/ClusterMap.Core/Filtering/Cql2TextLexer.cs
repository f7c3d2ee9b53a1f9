using System.Globalization;
using System.Text;

namespace ClusterMap.Core.Filtering;

internal enum Cql2TokenKind
{
    Identifier,
    QuotedIdentifier,
    String,
    Number,
    Symbol,
    End,
}

/// <summary>One token of CQL2-text with its character offset; <see cref="Text"/> is a string's unescaped value.</summary>
internal readonly record struct Cql2Token(Cql2TokenKind Kind, string Text, int Position)
{
    public bool IsSymbol(string symbol) => Kind == Cql2TokenKind.Symbol && Text == symbol;

    public bool IsKeyword(string keyword) => Kind == Cql2TokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    public string Describe() => Kind switch
    {
        Cql2TokenKind.End => "the end of the filter",
        Cql2TokenKind.String => $"the string '{Text}'",
        Cql2TokenKind.QuotedIdentifier => $"\"{Text}\"",
        _ => $"'{Text}'",
    };
}

/// <summary>Splits CQL2-text into tokens following the standard's BNF (identifiers, 'strings', numbers, operators).</summary>
internal static class Cql2TextLexer
{
    public static List<Cql2Token> Tokenize(string text)
    {
        var tokens = new List<Cql2Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                tokens.Add(new Cql2Token(Cql2TokenKind.End, "", text.Length));
                return tokens;
            }

            var start = i;
            var c = text[i];
            if (c == '\'')
            {
                tokens.Add(new Cql2Token(Cql2TokenKind.String, ReadString(text, ref i), start));
            }
            else if (c == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0)
                {
                    throw Cql2Exception.At(start, "a closing \" after the property name", "the end of the filter");
                }

                var name = text[(i + 1)..end];
                if (name.Length == 0 || !IsIdentifierStart(name, 0) || !name.Skip(1).Select((_, k) => k + 1).All(k => IsIdentifierPart(name, k)))
                {
                    throw Cql2Exception.At(start + 1, "a property name (a letter, _ or : followed by letters, digits, _, : or .)", $"\"{name}\"");
                }

                tokens.Add(new Cql2Token(Cql2TokenKind.QuotedIdentifier, name, start));
                i = end + 1;
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                tokens.Add(new Cql2Token(Cql2TokenKind.Number, ReadNumber(text, ref i), start));
            }
            else if (IsIdentifierStart(text, i))
            {
                i += char.IsSurrogatePair(text, i) ? 2 : 1;
                while (i < text.Length && IsIdentifierPart(text, i))
                {
                    i += char.IsSurrogatePair(text, i) ? 2 : 1;
                }

                tokens.Add(new Cql2Token(Cql2TokenKind.Identifier, text[start..i], start));
            }
            else if (c is '<' or '>' && i + 1 < text.Length && (text[i + 1] == '=' || (c == '<' && text[i + 1] == '>')))
            {
                tokens.Add(new Cql2Token(Cql2TokenKind.Symbol, text.Substring(i, 2), start));
                i += 2;
            }
            else if ("=<>(),+-*/^%[]".Contains(c, StringComparison.Ordinal))
            {
                tokens.Add(new Cql2Token(Cql2TokenKind.Symbol, c.ToString(), start));
                i++;
            }
            else
            {
                throw Cql2Exception.At(start, "a property, a literal, an operator or a parenthesis", $"'{char.ConvertFromUtf32(char.ConvertToUtf32(text, i))}'");
            }
        }
    }

    // Strings quote with ' and escape it by doubling it or with a backslash, as the BNF's escapeQuote allows.
    private static string ReadString(string text, ref int i)
    {
        var start = i;
        var value = new StringBuilder();
        i++;
        while (true)
        {
            if (i >= text.Length)
            {
                throw Cql2Exception.At(start, "a closing ' to end the string started here", "the end of the filter");
            }

            var c = text[i];
            if (c == '\'' && i + 1 < text.Length && text[i + 1] == '\'')
            {
                value.Append('\'');
                i += 2;
            }
            else if (c == '\\' && i + 1 < text.Length && text[i + 1] == '\'')
            {
                value.Append('\'');
                i += 2;
            }
            else if (c == '\'')
            {
                i++;
                return value.ToString();
            }
            else
            {
                value.Append(c);
                i++;
            }
        }
    }

    private static string ReadNumber(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var exponent = i + 1;
            if (exponent < text.Length && text[exponent] is '+' or '-')
            {
                exponent++;
            }

            if (exponent < text.Length && char.IsAsciiDigit(text[exponent]))
            {
                i = exponent;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }
            }
            else
            {
                throw Cql2Exception.At(i + 1, "the digits of the exponent", exponent < text.Length ? $"'{text[exponent]}'" : "the end of the filter");
            }
        }

        return text[start..i];
    }

    public static double NumberValue(string token) => double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture);

    // identifierStart of the BNF: ':' '_' ASCII letters and the listed Unicode letter blocks, which char.IsLetter
    // covers (CJK included) along with characters outside the BMP.
    private static bool IsIdentifierStart(string text, int i)
    {
        var c = text[i];
        return c is ':' or '_' || char.IsAsciiLetter(c) || (c > 0x7F && (char.IsLetter(c) || char.IsSurrogatePair(text, i)));
    }

    private static bool IsIdentifierPart(string text, int i)
    {
        var c = text[i];
        return IsIdentifierStart(text, i) || c == '.' || char.IsAsciiDigit(c)
            || (c > 0x7F && CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation);
    }
}
