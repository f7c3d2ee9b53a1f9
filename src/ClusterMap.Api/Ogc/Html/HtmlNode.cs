using System.Text;

namespace ClusterMap.Api.Ogc.Html;

/// <summary>
/// A small HTML tree that encodes by construction: text and attribute values are only ever written escaped, tag
/// and attribute names are checked to be plain lowercase names, and there is no way to add markup as a string. Every
/// value the data holds (a property can contain <c>&lt;script&gt;</c>) therefore reaches the page as text.
/// </summary>
internal abstract class HtmlNode
{
    public abstract void WriteTo(StringBuilder output);

    /// <summary>Text, escaped when written; null is no text.</summary>
    public static implicit operator HtmlNode(string? text) => new HtmlText(text ?? "");

    /// <summary>
    /// The escaping of both text and double-quoted attribute values: these five characters are the only ones that
    /// can end a text run or an attribute; everything else (Chinese included) is written as is, in UTF-8.
    /// </summary>
    public static void Escape(StringBuilder output, string text)
    {
        foreach (var c in text)
        {
            _ = c switch
            {
                '&' => output.Append("&amp;"),
                '<' => output.Append("&lt;"),
                '>' => output.Append("&gt;"),
                '"' => output.Append("&quot;"),
                '\'' => output.Append("&#39;"),
                _ => output.Append(c),
            };
        }
    }
}

/// <summary>A run of text.</summary>
internal sealed class HtmlText(string text) : HtmlNode
{
    public override void WriteTo(StringBuilder output) => Escape(output, text);
}

/// <summary>Several nodes side by side, without an element of their own; taken at once, as elements take theirs.</summary>
internal sealed class HtmlFragment(IEnumerable<HtmlNode?> children) : HtmlNode
{
    private readonly List<HtmlNode> _children = [.. children.OfType<HtmlNode>()];

    public override void WriteTo(StringBuilder output)
    {
        foreach (var child in _children)
        {
            child.WriteTo(output);
        }
    }
}

/// <summary>An element with attributes and children, built fluently: <c>H.E("a", "JSON").Attr("href", url)</c>.</summary>
internal sealed class HtmlElement : HtmlNode
{
    // Elements that HTML writes without an end tag.
    private static readonly HashSet<string> _void = ["br", "hr", "img", "input", "link", "meta"];

    private readonly string _tag;
    private readonly List<(string Name, string Value)> _attributes = [];
    private readonly List<HtmlNode> _children = [];

    public HtmlElement(string tag)
    {
        _tag = CheckName(tag);
    }

    /// <summary>Sets an attribute; a null value leaves it out (optional attributes without an if).</summary>
    public HtmlElement Attr(string name, string? value)
    {
        if (value is not null)
        {
            _attributes.Add((CheckName(name), value));
        }

        return this;
    }

    /// <summary>A boolean attribute such as <c>selected</c>, present when <paramref name="on"/>.</summary>
    public HtmlElement Flag(string name, bool on = true) => on ? Attr(name, "") : this;

    public HtmlElement Class(string? names) => Attr("class", names);

    public HtmlElement Add(params HtmlNode?[] children) => Add((IEnumerable<HtmlNode?>)children);

    public HtmlElement Add(IEnumerable<HtmlNode?> children)
    {
        _children.AddRange(children.OfType<HtmlNode>());
        if (_children.Count > 0 && _void.Contains(_tag))
        {
            throw new InvalidOperationException($"<{_tag}> has no content.");
        }

        return this;
    }

    public override void WriteTo(StringBuilder output)
    {
        output.Append('<').Append(_tag);
        foreach (var (name, value) in _attributes)
        {
            output.Append(' ').Append(name).Append("=\"");
            Escape(output, value);
            output.Append('"');
        }

        output.Append('>');
        if (_void.Contains(_tag))
        {
            return;
        }

        foreach (var child in _children)
        {
            child.WriteTo(output);
        }

        output.Append("</").Append(_tag).Append('>');
    }

    // Names come from code, never from data; checked anyway so that a mistake cannot open an injection.
    private static string CheckName(string name) =>
        name.Length > 0 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') && name[0] is >= 'a' and <= 'z'
            ? name
            : throw new ArgumentException($"'{name}' is not a plain HTML name.", nameof(name));
}

/// <summary>Short constructors for <see cref="HtmlElement"/> trees.</summary>
internal static class H
{
    public static HtmlElement E(string tag, params HtmlNode?[] children) => new HtmlElement(tag).Add(children);

    public static HtmlElement E(string tag, IEnumerable<HtmlNode?> children) => new HtmlElement(tag).Add(children);

    public static HtmlElement A(string href, HtmlNode text) => E("a", text).Attr("href", href);

    public static HtmlFragment Many(IEnumerable<HtmlNode?> nodes) => new(nodes);

    /// <summary>The whole document: the doctype, then the tree.</summary>
    public static string Document(HtmlElement html)
    {
        var output = new StringBuilder("<!DOCTYPE html>\n");
        html.WriteTo(output);
        return output.ToString();
    }
}
