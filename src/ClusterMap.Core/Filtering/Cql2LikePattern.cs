using System.Text;

namespace ClusterMap.Core.Filtering;

/// <summary>
/// CQL2 LIKE: <c>%</c> matches any run of characters, <c>_</c> exactly one character (a Unicode code point, as
/// PostgreSQL counts), <c>\</c> makes the next character literal. Case-sensitive; CASEI lowers both sides first.
/// </summary>
public static class Cql2LikePattern
{
    /// <summary>True when the pattern ends with an escape that escapes nothing (PostgreSQL rejects such patterns).</summary>
    public static bool EndsWithEscape(string pattern)
    {
        var escaped = false;
        foreach (var c in pattern)
        {
            escaped = !escaped && c == '\\';
        }

        return escaped;
    }

    public static bool IsMatch(string value, string pattern)
    {
        var text = value.EnumerateRunes().ToArray();
        var tokens = new List<(Rune Rune, bool Literal)>();
        var runes = pattern.EnumerateRunes().ToArray();
        for (var i = 0; i < runes.Length; i++)
        {
            if (runes[i].Value == '\\' && i + 1 < runes.Length)
            {
                tokens.Add((runes[++i], true));
            }
            else
            {
                tokens.Add((runes[i], false));
            }
        }

        // Greedy wildcard matching with backtracking to the last %: linear in practice, quadratic at worst.
        int t = 0, p = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < tokens.Count && !tokens[p].Literal && tokens[p].Rune.Value == '%')
            {
                star = p++;
                resume = t;
            }
            else if (p < tokens.Count && ((!tokens[p].Literal && tokens[p].Rune.Value == '_') || tokens[p].Rune == text[t]))
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < tokens.Count && !tokens[p].Literal && tokens[p].Rune.Value == '%')
        {
            p++;
        }

        return p == tokens.Count;
    }

    /// <summary>CASEI's folding: lower case by Unicode's invariant rules; text without case (Chinese) is unchanged.</summary>
    public static string Fold(string value) => value.ToLowerInvariant();
}
