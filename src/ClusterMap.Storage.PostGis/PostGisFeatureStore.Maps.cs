using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using Dapper;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.PostGis;

/// <summary>Features near a box for maps: the GiST index's bounding-box test (<c>&amp;&amp;</c>) alone.</summary>
public sealed partial class PostGisFeatureStore : IFeatureBoxReader
{
    public async Task<IReadOnlyList<FeatureRecord>> GetItemsNearBoxAsync(string collectionId, Envelope boxLonLat, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<FeatureRow>(new CommandDefinition(
            $"SELECT {FeatureColumns} FROM features f WHERE f.collection_id = @collectionId AND f.geom && ST_MakeEnvelope(@minX, @minY, @maxX, @maxY, {Srid}) ORDER BY f.fid",
            new { collectionId, minX = boxLonLat.MinX, minY = boxLonLat.MinY, maxX = boxLonLat.MaxX, maxY = boxLonLat.MaxY },
            cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToRecord())];
    }
}
