using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ClusterMap.Api.Writes;

/// <summary>
/// The write endpoints read their body and key by hand (so every failure gets our own ProblemDetails), which hides
/// both from the generated document: the body, the error answers and the API-key security schemes are described here.
/// </summary>
internal static class WritesOpenApi
{
    public const string BearerScheme = "ApiKeyBearer";
    public const string HeaderScheme = "ApiKeyHeader";

    private static readonly (string Status, string Description)[] _errors =
    [
        ("400", "The body or a parameter is invalid; 'problems' lists every problem (location, field, reason). Nothing was written."),
        ("401", "No API key was sent (WWW-Authenticate: Bearer)."),
        ("403", "The API key is unknown, revoked or malformed."),
        ("404", "No such collection (or, for DELETE, no such feature)."),
        ("409", "mode=insert with ids the collection already holds (listed in 'featureIds'). Nothing was written."),
        ("413", "The body is larger than Limits:MaxRequestBodyBytes."),
        ("415", "The body is not application/geo+json or application/json (UTF-8)."),
    ];

    /// <summary>Adds the API-key schemes to the document: a Bearer token, or the same key in X-API-Key.</summary>
    public static OpenApiOptions AddWriteSecuritySchemes(this OpenApiOptions options) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "cm_<key id>_<secret>",
                Description = "An API key made with `clustermap keys create --name …`, sent as `Authorization: Bearer cm_…`. Only writes need one.",
            };
            document.Components.SecuritySchemes[HeaderScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyFilter.HeaderName,
                Description = "The same API key in the X-API-Key header, for clients that cannot set Authorization.",
            };
            return Task.CompletedTask;
        });

    public static RouteHandlerBuilder WithWriteDocs(this RouteHandlerBuilder builder, string? bodyForm) =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            if (bodyForm is not null)
            {
                var schema = new OpenApiSchema { Type = JsonSchemaType.Object, Description = bodyForm };
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = bodyForm + ".",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/geo+json"] = new() { Schema = schema },
                        ["application/json"] = new() { Schema = schema },
                    },
                };
            }

            operation.Responses ??= [];
            foreach (var (status, description) in _errors)
            {
                operation.Responses[status] = new OpenApiResponse
                {
                    Description = description,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
                };
            }

            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(HeaderScheme, context.Document)] = [] });
            return Task.CompletedTask;
        });
}
