using ClusterMap.Rendering.Model;

namespace ClusterMap.Api.Parameters;

/// <summary>
/// The parameters of the HTML views (<c>f=html</c>, or a browser's Accept): the language of their labels. JSON and
/// CSV answers accept <c>lang</c> too, so a page's links can carry it, and ignore it.
/// </summary>
internal static class HtmlParameters
{
    public const string Html = "html";

    public static readonly QueryParameter<MapLanguage> Lang = new(LangParameter.Name,
        "'zh' or 'en' (default: the first of them in Accept-Language, else English)",
        "The language of the HTML view's labels (f=html); other formats ignore it.",
        (string text, out MapLanguage language) => LangParameter.TryParse(text, out language) && language != MapLanguage.Both)
    {
        Default = MapLanguage.Both,
        Schema = ParameterSchema.OneOf(["zh", "en"]),
    };

    /// <summary><c>f=json|html</c>.</summary>
    public static readonly QueryParameter<string> Format = FormatParameter.Of("json", Html);

    /// <summary>Resources that are JSON, or HTML for a browser: <c>f=json|html</c> and <c>lang</c>.</summary>
    public static readonly OperationParameters JsonOrHtml = new([Format, Lang]);
}
