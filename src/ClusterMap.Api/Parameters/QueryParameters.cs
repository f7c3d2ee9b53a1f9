using ClusterMap.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClusterMap.Api.Parameters;

/// <summary>
/// The query string of one request, checked once at the edge: a parameter given twice or one the endpoint does
/// not know is an error, not something silently ignored (a typo like <c>?limt=5</c> must not return 10 items).
/// </summary>
internal sealed class QueryParameters(IQueryCollection query)
{
    private static readonly string[] _jsonOnly = ["json"];

    /// <summary><c>f</c> selects the output format; JSON (GeoJSON for features) is the only one so far.</summary>
    public const string FormatName = "f";

    public ProblemHttpResult? CheckNames(IReadOnlyCollection<string> accepted, Func<string, bool>? alsoAccepted = null, IReadOnlyCollection<string>? formats = null)
    {
        foreach (var (name, values) in query)
        {
            if (!accepted.Contains(name) && !(alsoAccepted?.Invoke(name) ?? false))
            {
                return ApiProblems.UnknownParameter(name, alsoAccepted is null
                    ? accepted
                    : accepted.Append("any property listed at /collections/{collectionId}/queryables"));
            }

            if (values.Count > 1)
            {
                return ApiProblems.RepeatedParameter(name);
            }
        }

        return CheckFormat(formats ?? _jsonOnly);
    }

    public string? Single(string name) => query.TryGetValue(name, out var values) ? values.ToString() : null;

    private ProblemHttpResult? CheckFormat(IReadOnlyCollection<string> formats) =>
        Single(FormatName) is { } format && !formats.Contains(format)
            ? ApiProblems.InvalidParameter(FormatName, string.Join(" or ", formats.Select((f, i) => i == 0 ? $"'{f}' (the default)" : $"'{f}'")))
            : null;


}
