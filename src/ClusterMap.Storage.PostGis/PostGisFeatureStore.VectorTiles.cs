using ClusterMap.Core.Tiles;
using Dapper;

namespace ClusterMap.Storage.PostGis;

/// <summary>Vector tiles built in the database, the way Martin and pg_tileserv build them.</summary>
public sealed partial class PostGisFeatureStore : IVectorTileBuilder
{
    public async Task<byte[]> BuildVectorTileAsync(string collectionId, TileIndex tile, int extent, int buffer, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // The GiST index finds the features near the tile widened by the buffer (in WGS84: the tile's envelope
        // transformed, which holds the Mercator square); ST_AsMVTGeom clips to the buffer and snaps to the grid.
        // Properties come from the stored JSON as jsonb, whose scalar members ST_AsMVT writes as attributes; the
        // feature id is the attribute id, as the service's own writer has it.
        var bytes = await connection.ExecuteScalarAsync<byte[]?>(new CommandDefinition(
            $"""
            WITH bounds AS (
                SELECT ST_TileEnvelope(@z, @x, @y) AS tile,
                       ST_TileEnvelope(@z, @x, @y, margin => @margin) AS widened
            ),
            near AS (
                SELECT ST_AsMVTGeom(ST_Transform(f.geom, 3857), b.tile, @extent, @buffer, true) AS geom,
                       f.feature_id AS id,
                       f.properties::jsonb - 'id' AS properties,
                       f.fid
                FROM features f, bounds b
                WHERE f.collection_id = @collectionId AND f.geom && ST_Transform(b.widened, {Srid})
            )
            SELECT ST_AsMVT(t, @collectionId, @extent, 'geom')
            FROM (SELECT geom, id, properties FROM near WHERE geom IS NOT NULL ORDER BY fid) AS t
            """,
            new { collectionId, z = tile.Z, x = tile.X, y = tile.Y, extent, buffer, margin = (double)buffer / extent },
            cancellationToken: cancellationToken));
        return bytes ?? [];
    }
}
