using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;

namespace ClusterMap.Rendering.VectorTiles;

/// <summary>The fields of a collection's vector tile layer, as TileJSON's and MBTiles' <c>vector_layers</c> list them.</summary>
public static class VectorLayerFields
{
    /// <summary>How many features are read to learn the type of each field.</summary>
    public const int FieldSample = 1000;

    /// <summary>
    /// Scalar properties of a layer's features with their MVT value type, as TileJSON's vector_layers lists them: the
    /// collection's queryables, typed from its first features (a queryable seen in none of them is listed as String).
    /// </summary>
    public static async Task<Dictionary<string, string>> OfAsync(IFeatureStore store, CollectionInfo collection, CancellationToken cancellationToken)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["id"] = "String" };
        var sample = await store.GetItemsAsync(new ItemsQuery(collection.Id, [], [], FieldSample, 0), cancellationToken);
        foreach (var feature in sample.Features)
        {
            using var document = JsonDocument.Parse(feature.PropertiesJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                var type = property.Value.ValueKind switch
                {
                    JsonValueKind.String => "String",
                    JsonValueKind.Number => "Number",
                    JsonValueKind.True or JsonValueKind.False => "Boolean",
                    _ => null,
                };
                if (type is not null)
                {
                    fields.TryAdd(property.Name, type);
                }
            }
        }

        foreach (var queryable in collection.Queryables)
        {
            fields.TryAdd(queryable, "String");
        }

        return new Dictionary<string, string>(fields, StringComparer.Ordinal);
    }
}
