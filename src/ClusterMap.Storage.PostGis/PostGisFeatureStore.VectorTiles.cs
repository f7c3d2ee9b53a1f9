using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using Dapper;

namespace ClusterMap.Storage.PostGis;

/// <summary>Vector tiles built in the database, the way Martin and pg_tileserv build them.</summary>
public sealed partial class PostGisFeatureStore : IVectorTileBuilder
{
    public async Task<byte[]> BuildVectorTileAsync(string collectionId, TileIndex tile, int extent, int buffer, ClusterQuery? clusters, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        if (clusters is not null)
        {
            return await BuildClusteredVectorTileAsync(connection, collectionId, tile, extent, buffer, clusters, cancellationToken);
        }

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

    /// <summary>
    /// The tile of a clustered layer: the features the cluster CTEs read whole (<c>whole</c>), then each crowded cell
    /// (<c>crowded</c>) as a point at its mean (<see cref="ClusterGrid.Mean"/>) with <c>cluster</c> and
    /// <c>point_count</c>. At a pyramid level the crowded cells come from it, else from counting the rows.
    /// </summary>
    private static async Task<byte[]> BuildClusteredVectorTileAsync(
        Npgsql.NpgsqlConnection connection, string collectionId, TileIndex tile, int extent, int buffer, ClusterQuery clusters, CancellationToken cancellationToken)
    {
        string sources;
        DynamicParameters parameters;
        if (await ReadPyramidAsync(connection, collectionId, clusters, cancellationToken) is { } pyramid)
        {
            sources = """
                WITH whole AS (SELECT unnest(@fids::bigint[]) AS fid),
                crowded AS (
                    SELECT * FROM unnest(@mx::float8[], @my::float8[], @mn::bigint[], @mcy::bigint[], @mcx::bigint[]) AS c(x, y, n, cy, cx)
                )
                """;
            parameters = new DynamicParameters(new
            {
                collectionId,
                fids = pyramid.WholeFids,
                mx = pyramid.Clusters.Select(c => c.MeanMeters.X).ToArray(),
                my = pyramid.Clusters.Select(c => c.MeanMeters.Y).ToArray(),
                mn = pyramid.Clusters.Select(c => c.Count).ToArray(),
                mcy = pyramid.Clusters.Select(c => c.CellY).ToArray(),
                mcx = pyramid.Clusters.Select(c => c.CellX).ToArray(),
            });
        }
        else
        {
            sources = $"""
                {_clusterCte},
                crowded AS (
                    SELECT ((c.cx * @cell) - @half) + (c.sx / c.n) AS x, (@half - (c.cy * @cell)) - (c.sy / c.n) AS y, c.n, c.cy, c.cx
                    FROM cells c WHERE c.n > @max
                )
                """;
            parameters = ClusterParameters(collectionId, clusters);
        }

        parameters.AddDynamicParams(new { z = tile.Z, x = tile.X, y = tile.Y, extent, buffer });
        var bytes = await connection.ExecuteScalarAsync<byte[]?>(new CommandDefinition(
            $"""
            {sources},
            bounds AS (SELECT ST_TileEnvelope(@z, @x, @y) AS tile),
            drawn AS (
                SELECT ST_AsMVTGeom(ST_Transform(f.geom, 3857), b.tile, @extent, @buffer, true) AS geom,
                       f.feature_id AS id, f.properties::jsonb - 'id' AS properties, 1 AS part, f.fid AS o1, 0::bigint AS o2
                FROM features f, bounds b
                WHERE f.fid IN (SELECT fid FROM whole)
                UNION ALL
                SELECT ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(c.x, c.y), 3857), b.tile, @extent, @buffer, true),
                       NULL, jsonb_build_object('cluster', true, 'point_count', c.n), 2, c.cy, c.cx
                FROM crowded c, bounds b
            )
            SELECT ST_AsMVT(t, @collectionId, @extent, 'geom')
            FROM (SELECT geom, id, properties FROM drawn WHERE geom IS NOT NULL ORDER BY part, o1, o2) AS t
            """,
            parameters,
            cancellationToken: cancellationToken));
        return bytes ?? [];
    }
}
