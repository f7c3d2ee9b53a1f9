using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Storage.Sql;
using Dapper;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Sqlite;

/// <summary>
/// Clusters counted in SQLite (<see cref="ClusterGrid"/> in SQL): the R*Tree selects the rows near the box's cells, each
/// anchor is projected with SQLite's own ln and tan (the bundled SQLite has its math functions) from the exact double
/// bounds kept beside the float32 R*Tree, and a GROUP BY counts the cells. Only the uncrowded cells' features are read
/// whole, so a crowded tile costs a pass over small rows and no geometry or JSON.
/// </summary>
public sealed partial class SqliteFeatureStore : IFeatureClusterReader
{
    private static readonly string _mercatorX0 = ClusterSql.MercatorX("f.min_x");
    private static readonly string _mercatorX1 = ClusterSql.MercatorX("f.max_x");
    private static readonly string _mercatorY0 = ClusterSql.MercatorY("f.min_y", "max", "min");
    private static readonly string _mercatorY1 = ClusterSql.MercatorY("f.max_y", "max", "min");

    /// <summary>
    /// Up to this many rows near a box's cells are read whole and clustered by <see cref="ClusterGrid"/> itself (the
    /// rule the SQL mirrors): reading a few hundred rows costs less than the counting statement's fixed cost and its
    /// second pass; beyond that the database counts.
    /// </summary>
    private const int SparseRows = 256;

    public async Task<ClusteredFeatures> GetClusteredNearBoxAsync(string collectionId, ClusterQuery query, CancellationToken cancellationToken = default)
    {
        var cells = query.CellsLonLat();
        await using var connection = await OpenAsync(cancellationToken);
        if (await FewNearAsync(connection, collectionId, cells, Math.Max(SparseRows, query.MaxAnchorsPerCell) + 1, cancellationToken) is { } few)
        {
            // Few rows: the rule applied to them is the answer, cheaper than the statement that counts in SQL.
            var (clusters, whole) = ClusterGrid.Group([.. few.Select(f => f.Geometry)], [.. few.Select(f => f.Id)], query);
            return new ClusteredFeatures(clusters, [.. whole.Select(i => few[i])]);
        }

        if (await ReadPyramidAsync(connection, collectionId, query, cancellationToken) is { } counted)
        {
            return counted;
        }

        var parameters = NearBoxParameters(collectionId, cells);
        parameters.AddDynamicParams(new { standOut = JsonSerializer.Serialize(query.StandOutIds), standOutCount = query.StandOutIds.Count });
        parameters.AddDynamicParams(ClusterSql.Parameters(query));
        var rows = await connection.QueryAsync<ClusterRow>(new CommandDefinition(
            // Each row near the cells is projected once (near, materialized); a point's far corner is its near one. A
            // multipoint has no anchor: its WKB type (bytes 2-5, little-endian) is read only for shapes small enough to
            // collapse.
            $"""
            WITH near AS MATERIALIZED (
                SELECT f.fid AS fid, f.min_x AS min_x, f.min_y AS min_y, f.max_x AS max_x, f.max_y AS max_y, f.is_point AS is_point,
                       CASE WHEN @standOutCount = 0 THEN 0 ELSE f.feature_id IN (SELECT value FROM json_each(@standOut)) END AS stand_out,
                       {_mercatorX0} AS x0, {_mercatorY0} AS y0,
                       CASE WHEN f.is_point = 1 THEN NULL ELSE {_mercatorX1} END AS x1,
                       CASE WHEN f.is_point = 1 THEN NULL ELSE {_mercatorY1} END AS y1
                {NearBoxFrom}
            ),
            classified AS MATERIALIZED (
                SELECT fid, min_x, min_y, max_x, max_y, stand_out, anchored, small, ax, ay,
                       CAST(floor((ax + @half) / @cell) AS INTEGER) AS cx, CAST(floor((@half - ay) / @cell) AS INTEGER) AS cy
                FROM (
                    SELECT fid, min_x, min_y, max_x, max_y, stand_out,
                           NOT stand_out AND (is_point = 1 OR (max_x >= min_x AND x1 - x0 < @cell AND y1 - y0 < @cell
                               AND (SELECT substr(g.geometry, 2, 4) FROM features g WHERE g.fid = near.fid) <> x'04000000')) AS anchored,
                           is_point = 1 OR (x1 - x0 < @symbol AND y1 - y0 < @symbol) AS small,
                           CASE WHEN is_point = 1 THEN x0 ELSE (x0 + x1) / 2 END AS ax,
                           CASE WHEN is_point = 1 THEN y0 ELSE (y0 + y1) / 2 END AS ay
                    FROM near
                )
            ),
            cells AS MATERIALIZED (
                SELECT cx, cy, count(*) AS n, sum((ax + @half) - (cx * @cell)) AS sx, sum((@half - ay) - (cy * @cell)) AS sy
                FROM classified
                WHERE anchored AND cx BETWEEN @cx0 AND @cx1 AND cy BETWEEN @cy0 AND @cy1
                GROUP BY cx, cy
            )
            SELECT CellX, CellY, Count, SumX, SumY, Id, Wkb, Properties, Fid FROM (
                SELECT cx AS CellX, cy AS CellY, n AS Count, sx AS SumX, sy AS SumY, NULL AS Id, NULL AS Wkb, NULL AS Properties, 0 AS Fid
                FROM cells WHERE n > @max
                UNION ALL
                SELECT NULL, NULL, 0, 0.0, 0.0, f.feature_id, f.geometry, f.properties, f.fid
                FROM features f
                WHERE f.fid IN (
                    SELECT k.fid FROM classified k JOIN cells c ON c.cx = k.cx AND c.cy = k.cy WHERE k.anchored AND c.n <= @max AND (@wide OR k.small)
                    UNION ALL
                    SELECT fid FROM classified
                    WHERE NOT anchored AND (@wide OR stand_out) AND max_x >= @bminX AND min_x <= @bmaxX AND max_y >= @bminY AND min_y <= @bmaxY)
            )
            """,
            parameters,
            cancellationToken: cancellationToken));
        return ClusterRow.ToResult(rows, query.CellMeters);
    }

    /// <summary>
    /// The features whose envelope meets the box, in store order, when there are fewer than <paramref name="limit"/>;
    /// else null. Stops at the limit, so a crowded box costs a few hundred rows: an empty or sparse view (most views at
    /// high zoom, every view far from the data) costs one index probe instead of the clustering statement.
    /// </summary>
    private static async Task<List<FeatureRecord>?> FewNearAsync(SqliteConnection connection, string collectionId, Envelope box, int limit, CancellationToken cancellationToken)
    {
        var parameters = NearBoxParameters(collectionId, box);
        parameters.Add("limit", limit);
        var rows = (await connection.QueryAsync<(long Fid, string Id, byte[] Wkb, string Properties)>(new CommandDefinition(
            $"""
            SELECT f.fid, f.feature_id, f.geometry, f.properties
            {NearBoxFrom}
            LIMIT @limit
            """,
            parameters,
            cancellationToken: cancellationToken))).ToList();
        return rows.Count >= limit ? null : [.. rows.OrderBy(r => r.Fid).Select(r => new FeatureRecord(r.Id, Wkb.Read(r.Wkb), r.Properties))];
    }
}
