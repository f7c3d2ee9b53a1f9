using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Storage.Sql;
using Dapper;

namespace ClusterMap.Storage.PostGis;

/// <summary>
/// Clusters counted in PostGIS (<see cref="ClusterGrid"/> in SQL): the GiST index selects the rows near the box's
/// cells, a GROUP BY on the floor of each anchor's Web Mercator coordinates counts the cells, and only the uncrowded
/// cells' features are read whole. Anchors use the closed-form Mercator on ln and tan (<see cref="ClusterSql"/>), not ST_Transform: PROJ writes
/// y another way (asinh of tan) and differs from <see cref="WebMercator"/> in the last bits, which is enough to move
/// an anchor on a cell's edge into the next cell; the same formula on the same doubles does not. Bounds are the
/// geometry's exact ones (ST_XMin etc. compute them from the shape), never the index's float boxes.
/// </summary>
public sealed partial class PostGisFeatureStore : IFeatureClusterReader
{
    private static readonly string _mercatorX0 = ClusterSql.MercatorX("n.min_x");
    private static readonly string _mercatorX1 = ClusterSql.MercatorX("n.max_x");
    private static readonly string _mercatorY0 = ClusterSql.MercatorY("n.min_y", "greatest", "least");
    private static readonly string _mercatorY1 = ClusterSql.MercatorY("n.max_y", "greatest", "least");

    // Here, after the expressions they are built from: static fields of one partial class in several files are
    // initialised in no defined order between the files.
    private static readonly string _pyramidWholeCte = PyramidWholeCte(withWide: true);

    private static readonly string _pyramidSymbolsCte = PyramidWholeCte(withWide: false);

    /// <summary>
    /// The rule in SQL, as common table expressions: <c>near</c> (the rows the GiST index finds near the box's cells,
    /// with their exact bounds), <c>anchored</c> (each anchor's Mercator position and cell, and whether it is under the
    /// symbol size of a symbols-only read) and <c>cells</c> (count and
    /// offset sums per cell), <c>whole</c> (the features read whole). Parameters from <see cref="ClusterParameters"/>.
    /// </summary>
    private static readonly string _clusterCte = $"""
        WITH near AS MATERIALIZED (
            SELECT f.fid, f.feature_id = ANY(@standOut) AS stand_out, ST_GeometryType(f.geom) AS type,
                   ST_XMin(f.geom) AS min_x, ST_YMin(f.geom) AS min_y, ST_XMax(f.geom) AS max_x, ST_YMax(f.geom) AS max_y
            FROM features f
            WHERE f.collection_id = @collectionId AND f.geom && ST_MakeEnvelope(@minX, @minY, @maxX, @maxY, {Srid})
        ),
        projected AS (
            SELECT n.fid, n.stand_out, n.type, n.min_x, n.min_y, n.max_x, n.max_y,
                   {_mercatorX0} AS x0, {_mercatorY0} AS y0,
                   CASE WHEN n.type = 'ST_Point' THEN {_mercatorX0} ELSE {_mercatorX1} END AS x1,
                   CASE WHEN n.type = 'ST_Point' THEN {_mercatorY0} ELSE {_mercatorY1} END AS y1
            FROM near n
        ),
        anchored AS MATERIALIZED (
            SELECT fid, ax, ay, floor((ax + @half) / @cell)::bigint AS cx, floor((@half - ay) / @cell)::bigint AS cy, small
            FROM (
                SELECT fid, x1 - x0 < @symbol AND y1 - y0 < @symbol AS small,
                       CASE WHEN type = 'ST_Point' THEN x0 ELSE (x0 + x1) / 2 END AS ax,
                       CASE WHEN type = 'ST_Point' THEN y0 ELSE (y0 + y1) / 2 END AS ay
                FROM projected
                WHERE NOT stand_out AND min_x IS NOT NULL
                  AND (type = 'ST_Point' OR (type <> 'ST_MultiPoint' AND x1 - x0 < @cell AND y1 - y0 < @cell))
            ) a
        ),
        cells AS MATERIALIZED (
            SELECT cx, cy, count(*) AS n, sum((ax + @half) - (cx * @cell)) AS sx, sum((@half - ay) - (cy * @cell)) AS sy
            FROM anchored
            WHERE cx BETWEEN @cx0 AND @cx1 AND cy BETWEEN @cy0 AND @cy1
            GROUP BY cx, cy
        ),
        whole AS (
            SELECT a.fid FROM anchored a JOIN cells c ON c.cx = a.cx AND c.cy = a.cy WHERE c.n <= @max AND (@wide OR a.small)
            UNION ALL
            SELECT fid FROM near
            WHERE (@wide OR stand_out) AND fid NOT IN (SELECT fid FROM anchored)
              AND max_x >= @bminX AND min_x <= @bmaxX AND max_y >= @bminY AND min_y <= @bmaxY
        )
        """;

    public async Task<ClusteredFeatures> GetClusteredNearBoxAsync(string collectionId, ClusterQuery query, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        if (await ReadPyramidAsync(connection, collectionId, query, cancellationToken) is { } pyramid)
        {
            var whole = await connection.QueryAsync<ClusterRow>(new CommandDefinition(
                """
                SELECT NULL::bigint AS cellx, NULL::bigint AS celly, 0::bigint AS count, 0::float8 AS sumx, 0::float8 AS sumy,
                       f.feature_id AS id, ST_AsBinary(f.geom, 'NDR') AS wkb, f.properties::text AS properties, f.fid
                FROM features f
                WHERE f.fid = ANY(@fids)
                """,
                new { fids = pyramid.WholeFids },
                cancellationToken: cancellationToken));
            return new ClusteredFeatures(pyramid.Clusters, ClusterRow.ToResult(whole, query.CellMeters).Features);
        }

        var rows = await connection.QueryAsync<ClusterRow>(new CommandDefinition(
            $"""
            {_clusterCte}
            SELECT cellx, celly, count, sumx, sumy, id, wkb, properties, fid FROM (
                SELECT cx AS cellx, cy AS celly, n AS count, sx AS sumx, sy AS sumy,
                       NULL::text AS id, NULL::bytea AS wkb, NULL::text AS properties, 0::bigint AS fid
                FROM cells WHERE n > @max
                UNION ALL
                SELECT NULL, NULL, 0, 0, 0, f.feature_id, ST_AsBinary(f.geom, 'NDR'), f.properties::text, f.fid
                FROM features f
                WHERE f.fid IN (SELECT fid FROM whole)
            ) t
            """,
            ClusterParameters(collectionId, query),
            cancellationToken: cancellationToken));
        return ClusterRow.ToResult(rows, query.CellMeters);
    }

    internal static DynamicParameters ClusterParameters(string collectionId, ClusterQuery query)
    {
        var cells = query.CellsLonLat();
        var parameters = new DynamicParameters(new
        {
            collectionId,
            standOut = query.StandOutIds.ToArray(),
            minX = cells.MinX,
            minY = cells.MinY,
            maxX = cells.MaxX,
            maxY = cells.MaxY,
        });
        parameters.AddDynamicParams(ClusterSql.Parameters(query));
        return parameters;
    }
}
