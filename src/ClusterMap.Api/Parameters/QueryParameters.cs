using ClusterMap.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClusterMap.Api.Parameters;

/// <summary>
/// The query string of one request, checked once at the edge: a parameter given twice or one the endpoint does
/// not know is an error, not something silently ignored (a typo like <c>?limt=5</c> must not return 10 items).
/// </summary>
internal sealed class QueryParameters(IQueryCollection query)
{
    /// <summary><c>f</c> selects the output format; JSON (GeoJSON for features) is the only one so far.</summary>
    public const string FormatName = "f";

    public ProblemHttpResult? CheckNames(IReadOnlyCollection<string> accepted, Func<string, bool>? alsoAccepted = null)
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

        return CheckFormat();
    }

    public string? Single(string name) => query.TryGetValue(name, out var values) ? values.ToString() : null;

    private ProblemHttpResult? CheckFormat() =>
        Single(FormatName) is { } format && format is not ("json" or "geojson")
            ? ApiProblems.InvalidParameter(FormatName, "'json' (the default)")
            : null;
}
