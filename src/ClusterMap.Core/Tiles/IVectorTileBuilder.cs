using ClusterMap.Core.Storage;

namespace ClusterMap.Core.Tiles;

/// <summary>
/// A store that builds a collection's Mapbox Vector Tile itself, next to the data (PostGIS: <c>ST_AsMVT</c> over
/// <c>ST_AsMVTGeom</c>), instead of sending the features to be encoded: one layer named after the collection, every
/// scalar property and the feature id as <c>id</c>.
/// </summary>
public interface IVectorTileBuilder
{
    /// <summary>The tile's bytes (empty when no feature is near it).</summary>
    /// <param name="collectionId">The collection, and the layer's name.</param>
    /// <param name="tile">The tile.</param>
    /// <param name="extent">Tile coordinate resolution (4096).</param>
    /// <param name="buffer">Units kept around the tile so shapes join across edges (64).</param>
    /// <param name="clusters">
    /// For a point layer, how to cluster it (<see cref="ClusterGrid"/>): a crowded cell is one point at its mean with
    /// <c>cluster</c> = true and <c>point_count</c>, its members left out. Null: every feature.
    /// </param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<byte[]> BuildVectorTileAsync(string collectionId, TileIndex tile, int extent, int buffer, ClusterQuery? clusters, CancellationToken cancellationToken = default);
}
