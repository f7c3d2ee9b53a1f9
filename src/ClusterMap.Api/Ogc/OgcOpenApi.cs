using System.Globalization;
using ClusterMap.Api.Parameters;
using Microsoft.OpenApi;

namespace ClusterMap.Api.Ogc;

/// <summary>
/// Query parameters are parsed by hand (so every failure gets our own ProblemDetails), which hides them from the
/// generated document; they are described here instead, in the form OGC API – Features Part 1 gives them.
/// </summary>
internal static class OgcOpenApi
{
    public static RouteHandlerBuilder WithItemsParameters(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = BboxParameter.Name,
                In = ParameterLocation.Query,
                Description = "Only features that intersect this box: " + BboxParameter.AcceptedForm + ".",
                Style = ParameterStyle.Form,
                Explode = false,
                Schema = new OpenApiSchema { Type = JsonSchemaType.Array, MinItems = 4, MaxItems = 6, Items = new OpenApiSchema { Type = JsonSchemaType.Number } },
            });
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "limit",
                In = ParameterLocation.Query,
                Description = "Features per page, at least 1; values above the server's maximum (10,000 by default) are clamped to it. Default 10.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Default = System.Text.Json.Nodes.JsonValue.Create(10) },
            });
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "offset",
                In = ParameterLocation.Query,
                Description = "Number of matching features to skip (paging; the response's next and prev links carry it).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0", Default = System.Text.Json.Nodes.JsonValue.Create(0) },
            });
            operation.Parameters.Add(FormatParameter());
            operation.Description += string.Create(CultureInfo.InvariantCulture, $" Any property listed at /collections/{{collectionId}}/queryables filters by equality, e.g. ?sector=集成电路.");
            return Task.CompletedTask;
        });

    public static RouteHandlerBuilder WithFormatParameter(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(FormatParameter());
            return Task.CompletedTask;
        });

    private static OpenApiParameter FormatParameter() => new()
    {
        Name = QueryParameters.FormatName,
        In = ParameterLocation.Query,
        Description = "Output format: json (the default; GeoJSON for features).",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [System.Text.Json.Nodes.JsonValue.Create("json")] },
    };
}
