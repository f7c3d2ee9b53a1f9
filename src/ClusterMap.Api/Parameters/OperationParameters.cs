namespace ClusterMap.Api.Parameters;

/// <summary>
/// The query parameters of one operation: the only names it accepts (in the order a 400 lists them), each with its
/// definition. The route declares them once with <see cref="OperationParametersExtensions.WithQueryParameters(RouteHandlerBuilder, OperationParameters)"/>;
/// the handler checks the query string against them and the API document lists them.
/// </summary>
internal sealed record OperationParameters(IReadOnlyList<QueryParameter> Parameters)
{
    public static readonly OperationParameters None = new([]);

    /// <summary>Resources that are JSON only, and say so when asked for another format.</summary>
    public static readonly OperationParameters JsonOnly = new([FormatParameter.Json]);

    /// <summary>Names accepted besides the listed ones, by a rule (a queryable property), as a 400 describes them.</summary>
    public string? OthersAccepted { get; init; }

    public IEnumerable<string> Names => Parameters.Select(p => p.Name);

    public bool Declares(QueryParameter parameter) => Parameters.Contains(parameter);

    public QueryParameter? Find(string name) => Parameters.FirstOrDefault(p => p.Name == name);
}

/// <summary>The endpoint metadata that names an operation's parameters; resolved per request, since some depend on options.</summary>
internal sealed class OperationParametersMetadata(Func<IServiceProvider, OperationParameters> resolve)
{
    public OperationParameters Resolve(IServiceProvider services) => resolve(services);
}

internal static class OperationParametersExtensions
{
    /// <summary>Declares the operation's query parameters: accepted by <see cref="QueryParameters"/>, listed in the API document.</summary>
    public static RouteHandlerBuilder WithQueryParameters(this RouteHandlerBuilder builder, OperationParameters parameters) =>
        builder.WithQueryParameters(_ => parameters);

    /// <summary>As above, for parameters defined by a service (their ranges and defaults come from options).</summary>
    public static RouteHandlerBuilder WithQueryParameters<TDefinitions>(this RouteHandlerBuilder builder, Func<TDefinitions, OperationParameters> select)
        where TDefinitions : notnull =>
        builder.WithQueryParameters(services => select(services.GetRequiredService<TDefinitions>()));

    private static RouteHandlerBuilder WithQueryParameters(this RouteHandlerBuilder builder, Func<IServiceProvider, OperationParameters> resolve) =>
        builder
            .WithMetadata(new OperationParametersMetadata(resolve))
            .AddOpenApiOperationTransformer((operation, context, _) =>
            {
                operation.Parameters ??= [];
                foreach (var parameter in resolve(context.ApplicationServices).Parameters)
                {
                    operation.Parameters.Add(parameter.ToOpenApi());
                }

                return Task.CompletedTask;
            });
}
