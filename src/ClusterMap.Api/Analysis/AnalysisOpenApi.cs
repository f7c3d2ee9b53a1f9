using Microsoft.OpenApi;

namespace ClusterMap.Api.Analysis;

/// <summary>The analysis endpoints' query parameters in the OpenAPI document (they are parsed by hand, in AnalysisParameters).</summary>
internal static class AnalysisOpenApi
{
    private static readonly Dictionary<string, (string Description, JsonSchemaType Type)> _parameters = new(StringComparer.Ordinal)
    {
        [AnalysisParameters.Parks] = ("Park collection(s); default: the collections whose role is park.", JsonSchemaType.String),
        [AnalysisParameters.Institutions] = ("Institution collections, comma-separated; default: every collection whose role is university or institute.", JsonSchemaType.String),
        [AnalysisParameters.BandsM] = ("Increasing band radii in metres, comma-separated (default 2000,5000,10000,20000).", JsonSchemaType.String),
        [AnalysisParameters.TierWeights] = ("tier:weight pairs, e.g. 985:3,211:2 (tiers national, 985, 211, double_first_class, other, unrated).", JsonSchemaType.String),
        [AnalysisParameters.CellM] = ("Grid cell side in metres on the equal-area plane, 100–100,000 (default 1000).", JsonSchemaType.Number),
        [AnalysisParameters.MinInstitutions] = ("N: at least this many institutions within institution_radius_m (default 3).", JsonSchemaType.Integer),
        [AnalysisParameters.InstitutionRadiusM] = ("R in metres, (0, 100,000] (default 2000).", JsonSchemaType.Number),
        [AnalysisParameters.ParkRadiusM] = ("R' in metres, (0, 100,000] (default 3000).", JsonSchemaType.Number),
        ["bbox"] = ("minLon,minLat,maxLon,maxLat of the grid (default: the institutions' extent).", JsonSchemaType.String),
        ["f"] = ("json (default) or csv (all-parks table only).", JsonSchemaType.String),
    };

    public static RouteHandlerBuilder WithAnalysisParameters(this RouteHandlerBuilder builder, params string[] names) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var name in names)
            {
                var (description, type) = _parameters[name];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Query,
                    Description = description,
                    Required = false,
                    Schema = new OpenApiSchema { Type = type },
                });
            }

            return Task.CompletedTask;
        });
}
