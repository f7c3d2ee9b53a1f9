namespace ClusterMap.Api.Hosting;

/// <summary>The OpenAPI 3.0 document at /api (OGC "oas30" conformance) and interactive docs at /api-docs/.</summary>
internal static class OpenApiSetup
{
    public static IServiceCollection AddClusterMapOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.OpenApiVersion = Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_0;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "ClusterMap";
                document.Info.Description = "OGC API – Features for Shanghai's industrial parks, universities and research institutes, with exact geodesic proximity.";
                return Task.CompletedTask;
            });
            Writes.WritesOpenApi.AddWriteSecuritySchemes(options);
            Ogc.CollectionsOpenApi.AddCollectionItemsPaths(options);
        });

    public static void MapClusterMapOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/api").WithName("getApiDefinition").WithTags("Capabilities")
            .AddEndpointFilter(async (context, next) =>
            {
                // A browser (or f=html) asking for the API definition is sent to its HTML rendering, the Swagger UI.
                var request = context.HttpContext.Request;
                context.HttpContext.Response.Headers.Vary = Microsoft.Net.Http.Headers.HeaderNames.Accept;
                return request.Query["f"] == "html" || (request.Query["f"].Count == 0 && Ogc.LandingApi.PrefersHtml(request))
                    ? Results.Redirect($"{request.PathBase}/api-docs/")
                    : await next(context);
            });
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "api-docs";
            options.SwaggerEndpoint("/api", "ClusterMap");
            options.DocumentTitle = "ClusterMap API";
        });
    }
}
