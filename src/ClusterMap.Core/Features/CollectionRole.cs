using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClusterMap.Core.Features;

/// <summary>
/// What a collection is on a map: the <c>role</c> the geodata manifest gives each collection, stored in the collection's
/// metadata (<see cref="CollectionDefinition.MetadataJson"/>). Renderers and the browser client draw by role, never by
/// collection id, so a renamed or added collection is drawn as what it is. A collection without a role (e.g. one a user
/// imported) is <see cref="Context"/>.
/// </summary>
public static class CollectionRole
{
    /// <summary>The metadata member that holds the role.</summary>
    public const string MetadataMember = "role";

    public const string Park = "park";
    public const string University = "university";
    public const string Institute = "institute";
    public const string Context = "context";
    public const string Land = "land";
    public const string Water = "water";

    /// <summary>Administrative areas (districts): boundaries and names over the basemap, and the areas features lie in.</summary>
    public const string District = "district";

    /// <summary>Relations between features (a park and an institution), located at one of them; not drawn as places.</summary>
    public const string Link = "link";

    /// <summary>Every role, in drawing order from the bottom up.</summary>
    public static IReadOnlyList<string> All { get; } = [Land, Water, District, Context, Park, University, Institute, Link];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);

    /// <summary>The accepted values, as error messages name them.</summary>
    public static string AcceptedForm => string.Join(", ", All);

    /// <summary>
    /// <paramref name="metadataJson"/> with its role set to <paramref name="role"/> (a known role); every other member is
    /// kept as it was. Metadata that is not a JSON object is replaced by one holding only the role.
    /// </summary>
    public static string WithRole(string? metadataJson, string role)
    {
        if (!IsKnown(role))
        {
            throw new ArgumentException($"'{role}' is not one of {AcceptedForm}.", nameof(role));
        }

        var metadata = JsonNode.Parse(string.IsNullOrWhiteSpace(metadataJson) ? "{}" : metadataJson) as JsonObject ?? [];
        metadata[MetadataMember] = role;
        return metadata.ToJsonString();
    }

    /// <summary>The role stored in a definition's metadata; <see cref="Context"/> when none (or an unknown one) is stored.</summary>
    public static string Of(CollectionDefinition definition)
    {
        using var metadata = JsonDocument.Parse(string.IsNullOrWhiteSpace(definition.MetadataJson) ? "{}" : definition.MetadataJson);
        return metadata.RootElement.ValueKind == JsonValueKind.Object
            && metadata.RootElement.TryGetProperty(MetadataMember, out var role)
            && role.ValueKind == JsonValueKind.String
            && IsKnown(role.GetString())
            ? role.GetString()!
            : Context;
    }
}
