using ClusterMap.Api.Parameters;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ClusterMap.Api.Ogc;

/// <summary>
/// Each collection's items as a path of its own in the API document (<c>/collections/parks/items</c>), as pygeoapi
/// publishes them: the generic operation's parameters plus one per scalar queryable, typed as the queryables say
/// (OGC API – Features Part 3, queryables as query parameters). Clients read a collection's filterable properties
/// from it; GDAL's OAPIF driver pushes an attribute filter to the server only for the properties it finds there.
/// </summary>
internal static class CollectionsOpenApi
{
    private const string GenericItemsPath = "/collections/{collectionId}/items";

    public static OpenApiOptions AddCollectionItemsPaths(this OpenApiOptions options) =>
        options.AddDocumentTransformer(async (document, context, cancellationToken) =>
        {
            if (document.Paths?.GetValueOrDefault(GenericItemsPath)?.Operations?.GetValueOrDefault(HttpMethod.Get) is not OpenApiOperation generic)
            {
                return;
            }

            var store = context.ApplicationServices.GetRequiredService<IFeatureStore>();
            var queryables = context.ApplicationServices.GetRequiredService<CollectionQueryablesCache>();
            foreach (var collection in await store.GetCollectionsAsync(cancellationToken))
            {
                var offered = await queryables.GetAsync(collection, cancellationToken);
                var operation = new OpenApiOperation(generic)
                {
                    OperationId = $"{generic.OperationId}.{collection.Id}",
                    Summary = $"Features of {collection.Definition.Title}",
                    Parameters = [.. generic.Parameters?.Where(p => p.In != ParameterLocation.Path) ?? [], .. offered.Properties.Where(p => p.Type != Cql2PropertyType.Geometry).Select(Parameter)],
                };
                var path = new OpenApiPathItem();
                path.AddOperation(HttpMethod.Get, operation);
                document.Paths[$"/collections/{OgcLinks.Escape(collection.Id)}/items"] = path;
            }
        });

    private static OpenApiParameter Parameter(QueryableProperty property) => new()
    {
        Name = property.Name,
        In = ParameterLocation.Query,
        Description = $"Only features whose {property.Name} equals this value (a queryable; text compares as text, numbers numerically).",
        Schema = property.Type switch
        {
            Cql2PropertyType.Number => new OpenApiSchema { Type = JsonSchemaType.Number },
            Cql2PropertyType.Integer => new OpenApiSchema { Type = JsonSchemaType.Integer },
            Cql2PropertyType.Boolean => new OpenApiSchema { Type = JsonSchemaType.Boolean },
            Cql2PropertyType.Date => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" },
            Cql2PropertyType.Timestamp => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
            _ => property.Enum is { } values ? ParameterSchema.OneOf(values)() : ParameterSchema.String(),
        },
    };
}
