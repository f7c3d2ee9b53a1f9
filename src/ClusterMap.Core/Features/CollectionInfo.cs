using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Features;

/// <summary>What describes a collection before its features are known: supplied by whoever imports it.</summary>
/// <param name="Id">Kebab-case id, see <see cref="CollectionId"/>.</param>
/// <param name="Title">Human title shown in listings.</param>
/// <param name="Description">One or two sentences on what the collection holds.</param>
/// <param name="Attribution">Who must be credited when the data is shown (may be empty).</param>
/// <param name="License">Licence of the data (SPDX id or a short phrase; may be empty).</param>
/// <param name="MetadataJson">
/// A JSON object of further descriptive members served with the collection as they are, e.g. the parks'
/// <c>catalogue</c> (how many of the gazetted parks are present and which are not yet identified).
/// </param>
public sealed record CollectionDefinition(string Id, string Title, string Description, string Attribution = "", string License = "", string MetadataJson = "{}");

/// <summary>A stored collection: its definition plus what the store derived from its features.</summary>
/// <param name="Definition">What the importer said about the collection.</param>
/// <param name="GeometryType">The common OGC geometry type of its features (<c>Point</c>, <c>Polygon</c>…), or <c>Geometry</c> when mixed.</param>
/// <param name="Extent">Bounding box of all features in WGS84 lon/lat; null for an empty collection.</param>
/// <param name="FeatureCount">Number of features.</param>
/// <param name="Queryables">Properties with scalar values that items can be filtered on by equality, sorted.</param>
/// <param name="UpdatedAt">When the collection's content last changed.</param>
public sealed record CollectionInfo(
    CollectionDefinition Definition,
    string GeometryType,
    Envelope? Extent,
    long FeatureCount,
    IReadOnlyList<string> Queryables,
    DateTimeOffset UpdatedAt)
{
    public string Id => Definition.Id;
}
