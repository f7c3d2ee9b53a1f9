using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ClusterMap.Architecture.Tests;

/// <summary>
/// Finds the dead relative links of Markdown files: a link to a file or folder that does not exist, and a
/// <c>#fragment</c> that no heading (or explicit HTML id) of the target page produces. Heading ids follow GitHub's
/// rules, so a link that passes here works on the repository's pages: the heading's text as rendered (code spans
/// keep their content, emphasis and link syntax drop out), lower-cased, every character that is not a letter, a
/// mark, a digit, a connector (<c>_</c>), a hyphen or a space removed, each space turned into a hyphen; a repeated
/// id gets <c>-1</c>, <c>-2</c>… Chinese text is made of letters and stays as it is.
/// </summary>
/// <remarks>
/// Links inside fenced code blocks and code spans are not links and are skipped, as are absolute URLs
/// (<c>https:</c>, <c>mailto:</c>…). Only ATX headings (<c># …</c>) are read; the project's pages use no other kind.
/// </remarks>
internal static partial class MarkdownLinks
{
    /// <summary>Every dead link of <paramref name="files"/>, as "file:line: link: reason", paths relative to <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> Problems(string root, IEnumerable<string> files)
    {
        var fullRoot = Path.GetFullPath(root);
        var anchorsByFile = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var file in files)
        {
            var source = Path.GetFullPath(file);
            var name = Path.GetRelativePath(fullRoot, source);
            foreach (var (line, destination) in Links(File.ReadAllText(source)))
            {
                var problem = Check(fullRoot, source, destination, anchorsByFile);
                if (problem is not null)
                {
                    problems.Add($"{name}:{line}: ({destination}): {problem}");
                }
            }
        }

        return problems;
    }

    /// <summary>The ids GitHub gives the headings of a Markdown text, plus any explicit <c>id</c> or <c>name</c> of HTML in it.</summary>
    public static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, text) in OutsideCodeBlocks(markdown))
        {
            var heading = AtxHeading().Match(text);
            if (heading.Success)
            {
                var slug = Slug(heading.Groups["text"].Value);
                var count = seen.GetValueOrDefault(slug);
                seen[slug] = count + 1;
                anchors.Add(count == 0 ? slug : $"{slug}-{count}");
            }

            foreach (Match id in HtmlId().Matches(text))
            {
                anchors.Add(id.Groups["id"].Value);
            }
        }

        return anchors;
    }

    /// <summary>The id GitHub gives a heading with this Markdown text.</summary>
    public static string Slug(string headingMarkdown)
    {
        var text = RenderedText(headingMarkdown).Trim().ToLowerInvariant();
        var slug = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (rune.Value == ' ')
            {
                slug.Append('-');
            }
            else if (rune.Value == '-' || category is UnicodeCategory.ConnectorPunctuation || Rune.IsLetterOrDigit(rune)
                || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                    or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber)
            {
                slug.Append(rune.ToString());
            }
        }

        return slug.ToString();
    }

    private static string? Check(string root, string source, string destination, Dictionary<string, HashSet<string>> anchorsByFile)
    {
        var hash = destination.IndexOf('#', StringComparison.Ordinal);
        var pathPart = Uri.UnescapeDataString(hash < 0 ? destination : destination[..hash]);
        var fragment = hash < 0 ? null : Uri.UnescapeDataString(destination[(hash + 1)..]);
        var target = pathPart.Length == 0 ? source : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, pathPart));
        if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && target != root)
        {
            return "points outside the repository";
        }

        if (Directory.Exists(target))
        {
            return fragment is null or "" ? null : "a #fragment on a folder";
        }

        if (!File.Exists(target))
        {
            return "no such file";
        }

        if (fragment is null or "" || !target.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!anchorsByFile.TryGetValue(target, out var anchors))
        {
            anchors = Anchors(File.ReadAllText(target));
            anchorsByFile[target] = anchors;
        }

        return anchors.Contains(fragment) ? null : $"no heading of {Path.GetRelativePath(root, target)} has the id '{fragment}'";
    }

    /// <summary>The relative destinations of the links and images of a Markdown text, with their line numbers.</summary>
    private static IEnumerable<(int Line, string Destination)> Links(string markdown)
    {
        foreach (var (line, text) in OutsideCodeBlocks(markdown))
        {
            var withoutCode = CodeSpan().Replace(text, m => new string(' ', m.Length));
            var destinations = InlineLink().Matches(withoutCode).Select(m => m.Groups["dest"].Value)
                .Concat(ReferenceDefinition().Matches(withoutCode).Select(m => m.Groups["dest"].Value))
                .Concat(HtmlLink().Matches(withoutCode).Select(m => m.Groups["dest"].Value));
            foreach (var raw in destinations)
            {
                var destination = raw.StartsWith('<') && raw.EndsWith('>') ? raw[1..^1] : raw;
                if (destination.Length > 0 && !UriScheme().IsMatch(destination) && !destination.StartsWith("//", StringComparison.Ordinal))
                {
                    yield return (line, destination);
                }
            }
        }
    }

    /// <summary>The lines of a Markdown text that lie outside fenced code blocks, numbered from 1.</summary>
    private static IEnumerable<(int Line, string Text)> OutsideCodeBlocks(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        string? fence = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var opening = Fence().Match(lines[i]);
            if (fence is null && opening.Success)
            {
                fence = opening.Groups["fence"].Value;
            }
            else if (fence is not null)
            {
                var closing = Fence().Match(lines[i]);
                if (closing.Success && closing.Groups["fence"].Value[0] == fence[0] && closing.Groups["fence"].Length >= fence.Length
                    && closing.Groups["info"].Value.Trim().Length == 0)
                {
                    fence = null;
                }
            }
            else
            {
                yield return (i + 1, lines[i]);
            }
        }
    }

    /// <summary>A heading's text as GitHub renders it: code spans keep their content, link and emphasis syntax drop out.</summary>
    private static string RenderedText(string markdown)
    {
        var spans = new List<string>();
        var text = CodeSpan().Replace(markdown, m =>
        {
            spans.Add(m.Groups["code"].Value.Trim());
            return $"\u0000{spans.Count - 1}\u0000";
        });
        text = InlineLinkWithText().Replace(text, m => m.Groups["text"].Value);
        text = HtmlTag().Replace(text, "");
        text = EmphasisMarker().Replace(text, "");
        return CodeSpanPlaceholder().Replace(text, m => spans[int.Parse(m.Groups["index"].Value, CultureInfo.InvariantCulture)]);
    }

    [GeneratedRegex(@"^ {0,3}#{1,6}[ \t]+(?<text>.*?)(?:[ \t]+#+)?[ \t]*$")]
    private static partial Regex AtxHeading();

    [GeneratedRegex(@"^ {0,3}(?<fence>`{3,}|~{3,})(?<info>.*)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"(?<ticks>`+)(?<code>.+?)\k<ticks>")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\u0000(?<index>\d+)\u0000")]
    private static partial Regex CodeSpanPlaceholder();

    [GeneratedRegex(@"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\((?<dest><[^>]*>|[^\s()]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"!?\[(?<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]\([^)]*\)")]
    private static partial Regex InlineLinkWithText();

    [GeneratedRegex(@"^ {0,3}\[[^\]]+\]:\s*(?<dest>\S+)")]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"<(?:a|img)\b[^>]*?\b(?:href|src)\s*=\s*""(?<dest>[^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlLink();

    [GeneratedRegex(@"<[^>]*\b(?:id|name)\s*=\s*""(?<id>[^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlId();

    [GeneratedRegex(@"</?[A-Za-z][^>]*>")]
    private static partial Regex HtmlTag();

    // * and ~ always delimit; _ only at a word's edge (snake_case keeps its underscores).
    [GeneratedRegex(@"\*+|~~|(?<![\p{L}\p{N}])_+|_+(?![\p{L}\p{N}])")]
    private static partial Regex EmphasisMarker();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:")]
    private static partial Regex UriScheme();
}
