namespace ClusterMap.Api.Parameters;

/// <summary><c>f</c>: the output format, one of the endpoint's; the first is the default.</summary>
internal static class FormatParameter
{
    public const string Name = "f";

    public static readonly QueryParameter<string> Json = Of("json");

    public static QueryParameter<string> Of(params string[] formats) =>
        new(Name, string.Join(" or ", formats.Select((f, i) => i == 0 ? $"'{f}' (the default)" : $"'{f}'")), "The output format.",
            (string text, out string format) => formats.Contains(format = text))
        {
            Default = formats[0],
            Schema = ParameterSchema.OneOf(formats, formats[0]),
        };
}
