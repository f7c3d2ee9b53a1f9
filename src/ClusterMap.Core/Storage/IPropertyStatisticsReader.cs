using ClusterMap.Core.Filtering;

namespace ClusterMap.Core.Storage;

/// <summary>
/// An optional capability of a store, next to <see cref="IFeatureBoxReader"/>: the <see cref="PropertyStatistics"/> of
/// one collection counted where the features are kept, so that its queryables (<see cref="CollectionQueryables"/>) are
/// known without reading every feature into the service. A store without it is read whole instead.
/// </summary>
public interface IPropertyStatisticsReader
{
    /// <summary>
    /// What <see cref="PropertyStatistics.Of"/> counts from every feature of the collection, equal to it; null when the
    /// store cannot count this collection exactly (the caller then reads the features and counts them itself).
    /// </summary>
    Task<IReadOnlyList<PropertyStatistics>?> GetPropertyStatisticsAsync(string collectionId, CancellationToken cancellationToken = default);
}
