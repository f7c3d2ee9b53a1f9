using System.Text.Json;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Features;

/// <summary>
/// What a store derives from a collection's features: the common geometry type, the extent and the queryable
/// properties. Kept in Core so every store derives them the same way.
/// </summary>
public sealed record CollectionSummary(string GeometryType, Envelope? Extent, IReadOnlyList<string> Queryables)
{
    public const string MixedGeometryType = "Geometry";

    public static CollectionSummary Of(IReadOnlyList<FeatureRecord> features)
    {
        string? geometryType = null;
        Envelope? extent = null;
        var queryables = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var feature in features)
        {
            var type = feature.Geometry.GeometryType;
            geometryType = geometryType is null || geometryType == type ? type : MixedGeometryType;
            extent ??= new Envelope();
            extent.ExpandToInclude(feature.Geometry.EnvelopeInternal);
            using var properties = JsonDocument.Parse(feature.PropertiesJson);
            foreach (var property in properties.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                {
                    queryables.Add(property.Name);
                }
            }
        }

        return new CollectionSummary(geometryType ?? MixedGeometryType, extent, [.. queryables]);
    }
}
