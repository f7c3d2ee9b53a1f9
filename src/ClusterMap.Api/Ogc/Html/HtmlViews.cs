using System.Diagnostics.CodeAnalysis;
using System.Text;
using ClusterMap.Api.Client;
using ClusterMap.Api.Parameters;
using ClusterMap.Rendering.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace ClusterMap.Api.Ogc.Html;

/// <summary>
/// Server-rendered HTML views of the OGC resources, for a browser: chosen by <c>f=html</c> or by an Accept header that
/// ranks text/html above JSON (<see cref="LandingApi.PrefersHtml"/>), in Chinese or English.
/// </summary>
internal static class HtmlViews
{
    /// <summary>The stylesheet of the views, served from wwwroot like the client's (the CSP allows no inline style).</summary>
    public const string Stylesheet = "/css/views.css";

    /// <summary>Whether to answer with HTML: <c>f=html</c>, or no <c>f</c> and a browser's Accept.</summary>
    public static bool Wanted(HttpRequest request, string? format) =>
        format == HtmlParameters.Html || (format is null && LandingApi.PrefersHtml(request));

    /// <summary>The language of a view: <c>lang</c>, else the first of zh and en in Accept-Language, else English.</summary>
    public static ViewText Language(HttpRequest request, MapLanguage lang)
    {
        if (lang != MapLanguage.Both)
        {
            return lang == MapLanguage.Zh ? ViewText.Chinese : ViewText.English;
        }

        var preferred = request.GetTypedHeaders().AcceptLanguage
            .OrderByDescending(l => l.Quality ?? 1.0)
            .Select(l => l.Value.Value ?? "")
            .FirstOrDefault(l => l.StartsWith("zh", StringComparison.OrdinalIgnoreCase) || l.StartsWith("en", StringComparison.OrdinalIgnoreCase));
        return preferred?.StartsWith("zh", StringComparison.OrdinalIgnoreCase) == true ? ViewText.Chinese : ViewText.English;
    }

    /// <summary>The view's context, or the 400 of a bad <c>lang</c>.</summary>
    public static bool TryContext(HttpRequest request, QueryParameters query, out ViewContext view, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        view = null!;
        if (!query.TryRead(HtmlParameters.Lang, out var lang, out problem))
        {
            return false;
        }

        view = new ViewContext(request, Language(request, lang), query.Text(HtmlParameters.Lang));
        return true;
    }
}

/// <summary>What every view needs: the absolute base URL, the labels, and how to link to other views.</summary>
internal sealed class ViewContext(HttpRequest request, ViewText text, string? chosenLang)
{
    public HttpRequest Request => request;

    public ViewText Text => text;

    public string Root { get; } = OgcLinks.BaseUrl(request);

    /// <summary>Another view: the path with <c>f=html</c>, and <c>lang</c> when the reader chose one.</summary>
    public string View(string path, params (string Name, string? Value)[] query) =>
        Url(Root + path, [.. query, ("f", HtmlParameters.Html), (LangParameter.Name, chosenLang)]);

    /// <summary>This resource in another format (<c>lang</c> dropped, as JSON ignores it).</summary>
    public string As(string format) => Here(("f", format), (LangParameter.Name, null));

    /// <summary>This URL with some parameters replaced (a null value removes one), the others kept in order.</summary>
    public string Here(params (string Name, string? Value)[] overrides)
    {
        var names = overrides.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var kept = request.Query.Where(p => !names.Contains(p.Key)).Select(p => (p.Key, (string?)p.Value.ToString()));
        return Url(Root + request.Path, [.. kept, .. overrides]);
    }

    public static string Url(string path, IEnumerable<(string Name, string? Value)> query)
    {
        var text = new StringBuilder(path);
        var separator = '?';
        foreach (var (name, value) in query.Where(q => q.Value is not null))
        {
            text.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value!));
            separator = '&';
        }

        return text.ToString();
    }
}

/// <summary>
/// One HTML page: the header (map client, collections, conformance, API, the language switch), breadcrumbs, the
/// content, and the same resource in its other formats, both as visible links and as <c>link rel=alternate</c>.
/// It adds no response metadata: the routes' 200 stays described by their JSON answer, and <c>f</c> lists html.
/// </summary>
internal sealed class HtmlPageResult(string html, int statusCode) : IResult
{
    public string Html => html;

    /// <summary>
    /// The page; <paramref name="links"/> are the JSON representation's links (other than self and alternate, which
    /// the formats line gives), listed as they are so that the page carries every link the JSON does.
    /// </summary>
    public static HtmlPageResult Of(
        ViewContext view, string title, IReadOnlyList<(string Label, string Href)> crumbs, IReadOnlyList<Link> alternates, IEnumerable<HtmlNode?> content,
        IReadOnlyList<Link>? links = null, int statusCode = StatusCodes.Status200OK)
    {
        var t = view.Text;
        var head = H.E("head",
            H.E("meta").Attr("charset", "utf-8"),
            H.E("meta").Attr("name", "viewport").Attr("content", "width=device-width, initial-scale=1"),
            H.E("title", $"{title} · ClusterMap"),
            H.E("link").Attr("rel", "stylesheet").Attr("href", view.Root + HtmlViews.Stylesheet),
            H.E("link").Attr("rel", "icon").Attr("href", view.Root + "/favicon.svg").Attr("type", "image/svg+xml"),
            H.Many(alternates.Select(a => H.E("link").Attr("rel", "alternate").Attr("type", a.Type).Attr("href", a.Href).Attr("title", a.Title))));
        var header = H.E("header",
            H.A(view.Root + "/?f=html", "ClusterMap").Class("brand"),
            H.E("nav",
                H.A(view.Root + "/?f=html", t.MapClient).Attr("id", "nav-client"),
                H.A(view.View("/collections"), t.Collections).Attr("id", "nav-collections"),
                H.A(view.View("/conformance"), t.Conformance).Attr("id", "nav-conformance"),
                H.A(view.Root + "/api-docs/", t.ApiDocs)).Attr("aria-label", "site"),
            H.E("nav",
                Switch(view, "zh", "中文"),
                Switch(view, "en", "English")).Class("lang").Attr("aria-label", "language"));
        var breadcrumbs = H.E("nav", H.E("ol", crumbs.Select((c, i) => H.E("li", i == crumbs.Count - 1 ? c.Label : H.A(c.Href, c.Label)))))
            .Class("crumbs").Attr("aria-label", "breadcrumbs");
        var formats = H.E("p", t.ThisPageAs + " ", H.Many(alternates.SelectMany((a, i) => new HtmlNode?[]
        {
            i > 0 ? " · " : null,
            H.A(a.Href, a.Title ?? a.Type ?? a.Href).Attr("type", a.Type).Attr("rel", "alternate"),
        }))).Class("formats");
        var related = links?.Where(l => l.Rel is not ("self" or "alternate")).ToList() is { Count: > 0 } shown
            ? H.E("section", H.E("h2", t.Links), LinkList(shown)).Class("links")
            : null;
        var body = H.E("body", header, H.E("main", breadcrumbs, H.E("h1", title), H.Many(content), related, formats));
        var document = H.Document(H.E("html", head, body).Attr("lang", t.Lang == "zh" ? "zh-CN" : "en"));
        return new HtmlPageResult(document, statusCode);
    }

    /// <summary>Links of a JSON representation as anchors, with their relation and media type.</summary>
    public static HtmlElement LinkList(IEnumerable<Link> links) =>
        H.E("ul", links.Select(l => H.E("li", H.A(l.Href, l.Title ?? l.Href).Attr("rel", l.Rel).Attr("type", l.Type), " ", H.E("code", l.Rel)))).Class("link-list");

    private static HtmlElement Switch(ViewContext view, string lang, string name) =>
        view.Text.Lang == lang
            ? H.E("strong", name).Attr("lang", lang)
            : H.A(view.Here((LangParameter.Name, lang), ("f", HtmlParameters.Html)), name).Attr("lang", lang).Attr("hreflang", lang);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        ClientFiles.AddPageHeaders(response, ClientFiles.ContentSecurityPolicy(httpContext));
        // The labels follow Accept-Language when lang is not given.
        response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptLanguage);
        await response.WriteAsync(html, Encoding.UTF8, httpContext.RequestAborted);
    }
}
