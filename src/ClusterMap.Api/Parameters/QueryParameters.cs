using System.Diagnostics.CodeAnalysis;
using ClusterMap.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClusterMap.Api.Parameters;

/// <summary>
/// The query string of one request, checked once at the edge against the parameters its route declares: a parameter
/// given twice or one the endpoint does not know is an error, not something silently ignored (a typo like
/// <c>?limt=5</c> must not return 10 items). Values are read through their definitions, so every failure is the
/// 400 that names the parameter and its accepted form.
/// </summary>
internal sealed class QueryParameters
{
    private readonly IQueryCollection _query;

    private QueryParameters(IQueryCollection query, OperationParameters operation)
    {
        _query = query;
        Operation = operation;
    }

    public OperationParameters Operation { get; }

    /// <summary>The query string of the request with the parameters its endpoint declares.</summary>
    public static QueryParameters Of(HttpRequest request)
    {
        var declared = request.HttpContext.GetEndpoint()?.Metadata.GetMetadata<OperationParametersMetadata>()
            ?? throw new InvalidOperationException($"The endpoint of {request.Path} declares no query parameters (WithQueryParameters).");
        return new QueryParameters(request.Query, declared.Resolve(request.HttpContext.RequestServices));
    }

    /// <summary>
    /// The first name that is unknown or repeated, then the output format; <paramref name="alsoAccepted"/> admits
    /// further names by rule (see <see cref="OperationParameters.OthersAccepted"/>).
    /// </summary>
    public ProblemHttpResult? CheckNames(Func<string, bool>? alsoAccepted = null)
    {
        foreach (var (name, values) in _query)
        {
            if (Operation.Find(name) is null && !(alsoAccepted?.Invoke(name) ?? false))
            {
                return ApiProblems.UnknownParameter(name, alsoAccepted is null || Operation.OthersAccepted is null
                    ? Operation.Names
                    : Operation.Names.Append(Operation.OthersAccepted));
            }

            if (values.Count > 1)
            {
                return ApiProblems.RepeatedParameter(name);
            }
        }

        return Operation.Find(FormatParameter.Name) is QueryParameter<string> format && !TryRead(format, out _, out var problem) ? problem : null;
    }

    /// <summary>The value as given, or null; for parameters whose check needs more than the text (the data, another parameter).</summary>
    public string? Text(QueryParameter parameter)
    {
        if (!Operation.Declares(parameter))
        {
            throw new InvalidOperationException($"Parameter '{parameter.Name}' is read but not declared for this endpoint.");
        }

        return _query.TryGetValue(parameter.Name, out var values) ? values.ToString() : null;
    }

    /// <summary>
    /// The parameter's value, or its default when absent; false with the 400 when it is required and absent
    /// (missing) or does not parse (invalid).
    /// </summary>
    public bool TryRead<T>(QueryParameter<T> parameter, out T value, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        var text = Text(parameter);
        problem = null;
        if (text is null || (parameter.EmptyIsMissing && text.Length == 0))
        {
            value = parameter.Default;
            problem = parameter.Required ? ApiProblems.MissingParameter(parameter.Name, parameter.AcceptedForm) : null;
            return problem is null;
        }

        if (parameter.TryParse(text, out value))
        {
            return true;
        }

        problem = ApiProblems.InvalidParameter(parameter.Name, parameter.AcceptedForm);
        return false;
    }

    /// <summary>Whether the request gives the parameter at all (for parameters that exclude or require each other).</summary>
    public bool Has(QueryParameter parameter) => Text(parameter) is not null;
}
