using Microsoft.OpenApi;

namespace ClusterMap.Api.Proximity;

/// <summary>The proximity endpoints' query parameters in the OpenAPI document (they are parsed by hand).</summary>
internal static class ProximityOpenApi
{
    private static readonly Dictionary<string, (string Description, JsonSchemaType Type, bool Required)> _parameters = new(StringComparer.Ordinal)
    {
        ["target"] = ("Collection to search, e.g. parks.", JsonSchemaType.String, true),
        ["from"] = ("within/nearest: the origin feature as {collectionId}/{featureId}; matrix/rings: the origin collection.", JsonSchemaType.String, false),
        ["to"] = ("Collection of the targets, e.g. universities.", JsonSchemaType.String, true),
        ["lon"] = ("Origin longitude (WGS84 degrees), with lat, instead of from.", JsonSchemaType.Number, false),
        ["lat"] = ("Origin latitude (WGS84 degrees), with lon, instead of from.", JsonSchemaType.Number, false),
        ["radius_m"] = ("Radius in metres, > 0 and ≤ 20,000,000.", JsonSchemaType.Number, true),
        ["k"] = ("How many nearest targets, 1–1000.", JsonSchemaType.Integer, true),
        ["max_m"] = ("Only targets within this many metres.", JsonSchemaType.Number, false),
        ["rings_m"] = ("Increasing ring radii in metres, comma-separated (default 1000,3000,5000,10000).", JsonSchemaType.String, false),
        ["f"] = ("json (default) or csv.", JsonSchemaType.String, false),
    };

    public static RouteHandlerBuilder WithProximityParameters(this RouteHandlerBuilder builder, params string[] names) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var name in names)
            {
                var (description, type, required) = _parameters[name];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Query,
                    Description = description,
                    Required = required,
                    Schema = new OpenApiSchema { Type = type },
                });
            }

            return Task.CompletedTask;
        });
}
