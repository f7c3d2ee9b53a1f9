using System.Text.Json;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Storage.Sql;
using Dapper;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Sqlite;

/// <summary>
/// The cluster pyramid (<see cref="ClusterPyramid"/>) in SQLite: <c>cluster_cells</c> holds each level's counts,
/// changed in the transaction of every write, and <c>features_span_rtree</c> indexes every shape by envelope and span
/// (<see cref="ShapeSpanIndex"/>). A clustered read at a level's scale takes its crowded cells from the counts and reads
/// rows only for the quiet cells (an R*Tree probe per rectangle of them), the wide shapes and the stand-out features.
/// </summary>
public sealed partial class SqliteFeatureStore
{
    /// <summary>Indexes a written feature in <c>features_span_rtree</c> when it is a shape (<see cref="ShapeSpanIndex"/>).</summary>
    private static async Task IndexShapeAsync(SqliteConnection connection, SqliteTransaction transaction, long fid, Geometry geometry)
    {
        if (ShapeSpanIndex.SpanOf(geometry) is { } span)
        {
            var envelope = geometry.EnvelopeInternal;
            await connection.ExecuteAsync(
                "INSERT INTO features_span_rtree (fid, min_x, max_x, min_y, max_y, min_span, max_span) VALUES (@fid, @minX, @maxX, @minY, @maxY, @minSpan, @maxSpan)",
                new
                {
                    fid,
                    minX = Float32Bounds.Down(envelope.MinX),
                    maxX = Float32Bounds.Up(envelope.MaxX),
                    minY = Float32Bounds.Down(envelope.MinY),
                    maxY = Float32Bounds.Up(envelope.MaxY),
                    minSpan = Float32Bounds.Down(span),
                    maxSpan = Float32Bounds.Up(span),
                },
                transaction);
        }
    }

    /// <summary>Counts a whole collection's features into its pyramid, replacing what it held.</summary>
    private static async Task WritePyramidAsync(SqliteConnection connection, SqliteTransaction transaction, string collectionId, IEnumerable<AnchorCandidate?> candidates)
    {
        await connection.ExecuteAsync("DELETE FROM cluster_cells WHERE collection_id = @collectionId", new { collectionId }, transaction);
        // The collection holds no cell any more and every counted cell holds an anchor: one plain insert per cell, with
        // neither the merge nor the pass over emptied cells that a change needs.
        await connection.ExecuteAsync(
            "INSERT INTO cluster_cells (collection_id, level, cx, cy, n, ns, sx, sy) VALUES (@collectionId, @level, @cx, @cy, @n, @ns, @sx, @sy)",
            CellParameters(collectionId, ClusterPyramid.Changes(candidates, [])), transaction);
        await connection.ExecuteAsync("INSERT INTO cluster_pyramids (collection_id) VALUES (@collectionId) ON CONFLICT DO NOTHING", new { collectionId }, transaction);
    }

    /// <summary>Counts written features in and replaced or deleted ones out of their cells, in the write's transaction.</summary>
    private static async Task ChangePyramidAsync(
        SqliteConnection connection, SqliteTransaction transaction, string collectionId, IEnumerable<AnchorCandidate?> added, IEnumerable<AnchorCandidate?> removed)
    {
        var changes = ClusterPyramid.Changes(added, removed);
        if (changes.Count == 0)
        {
            return;
        }

        // One prepared statement per change (Dapper runs it for each element); a cell left empty is deleted, so that
        // its sums start again from nothing.
        var rows = CellParameters(collectionId, changes);
        await connection.ExecuteAsync(
            """
            INSERT INTO cluster_cells (collection_id, level, cx, cy, n, ns, sx, sy) VALUES (@collectionId, @level, @cx, @cy, @n, @ns, @sx, @sy)
            ON CONFLICT (collection_id, level, cx, cy) DO UPDATE SET n = n + excluded.n, ns = ns + excluded.ns, sx = sx + excluded.sx, sy = sy + excluded.sy
            """,
            rows, transaction);
        await connection.ExecuteAsync(
            "DELETE FROM cluster_cells WHERE collection_id = @collectionId AND level = @level AND cx = @cx AND cy = @cy AND n = 0",
            rows, transaction);
    }

    /// <summary>One parameter object per cell, for a statement Dapper runs once for each (<c>@collectionId</c>, <c>@level</c>, <c>@cx</c> … <c>@sy</c>, <c>@ns</c>).</summary>
    private static List<object> CellParameters(string collectionId, IReadOnlyDictionary<PyramidCell, CellTotals> cells) =>
        [.. cells.Select(c => new { collectionId, level = c.Key.Level, cx = c.Key.X, cy = c.Key.Y, n = c.Value.Count, ns = c.Value.Small, sx = c.Value.SumX, sy = c.Value.SumY })];

    /// <summary>
    /// Counts the collections whose cells were never counted (a database made before the pyramid), and indexes their
    /// shapes, each in one write transaction.
    /// </summary>
    private static async Task BuildMissingPyramidsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var missing = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM collections WHERE id NOT IN (SELECT collection_id FROM cluster_pyramids) ORDER BY rowid", cancellationToken: cancellationToken))).ToList();
        foreach (var collectionId in missing)
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            if (await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM cluster_pyramids WHERE collection_id = @collectionId)", new { collectionId }, transaction))
            {
                continue;
            }

            var rows = (await connection.QueryAsync<StoredFeature>($"SELECT {StoredFeature.Columns} FROM features WHERE collection_id = @collectionId", new { collectionId }, transaction)).ToList();
            await connection.ExecuteAsync("DELETE FROM features_span_rtree WHERE fid IN (SELECT fid FROM features WHERE collection_id = @collectionId)", new { collectionId }, transaction);
            foreach (var (fid, geometry) in await connection.QueryAsync<(long, byte[])>("SELECT fid, geometry FROM features WHERE collection_id = @collectionId", new { collectionId }, transaction))
            {
                await IndexShapeAsync(connection, transaction, fid, Wkb.Read(geometry));
            }

            await WritePyramidAsync(connection, transaction, collectionId, rows.Select(r => r.ToAnchorCandidate()));
            transaction.Commit();
        }
    }

    /// <summary>
    /// The query answered from the pyramid, or null when its scale is not a level or the collection's cells have not
    /// been counted.
    /// </summary>
    private static async Task<ClusteredFeatures?> ReadPyramidAsync(SqliteConnection connection, string collectionId, ClusterQuery query, CancellationToken cancellationToken)
    {
        if (ClusterPyramid.LevelOf(query) is not { } level
            || !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM cluster_pyramids WHERE collection_id = @collectionId)", new { collectionId }, cancellationToken: cancellationToken)))
        {
            return null;
        }

        var (cx0, cy0, cx1, cy1) = query.CellRange();
        var standOut = JsonSerializer.Serialize(query.StandOutIds);
        var cells = await connection.QueryAsync<ClusterCellRow>(new CommandDefinition(
            ClusterCellRow.Select, new { collectionId, level, cx0, cy0, cx1, cy1 }, cancellationToken: cancellationToken));
        var standing = await connection.QueryAsync<StoredFeature>(new CommandDefinition(
            $"SELECT {StoredFeature.Columns} FROM features WHERE collection_id = @collectionId AND feature_id IN (SELECT value FROM json_each(@standOut))",
            new { collectionId, standOut },
            cancellationToken: cancellationToken));
        var (clusters, quiet) = ClusterPyramid.Split(cells.Select(c => c.At(level)), standing.Select(r => r.ToAnchorCandidate()), query);
        var probes = ClusterPyramid.Rectangles(quiet).Select(r =>
        {
            var box = ClusterGrid.CellsLonLat(r, query.CellMeters);
            return new object[] { r.MinX, r.MinY, r.MaxX, r.MaxY, Float32Bounds.Down(box.MinX), Float32Bounds.Down(box.MinY), Float32Bounds.Up(box.MaxX), Float32Bounds.Up(box.MaxY) };
        }).ToList();

        var parameters = NearBoxParameters(collectionId, query.BoxLonLat);
        parameters.AddDynamicParams(new { standOut, probes = JsonSerializer.Serialize(probes), lowestSpan = ShapeSpanIndex.LowestSpanFor(query.CellMeters) });
        parameters.AddDynamicParams(ClusterSql.Parameters(query));
        var rows = await connection.QueryAsync<ClusterRow>(new CommandDefinition(
            // Members of the quiet cells: one R*Tree probe per rectangle of them (ClusterPyramid.Rectangles; the probes are
            // the outer loop), then the exact anchor in that rectangle (in a symbols-only read, only those under the symbol size). Wide shapes: the view box and spans from the cell's side up in the span R*Tree, kept when they have no anchor on
            // these cells (the span R*Tree finds them). Stand-out features: by id, when their envelope meets the view box.
            $"""
            WITH probe AS (
                SELECT value ->> 0 AS cx0, value ->> 1 AS cy0, value ->> 2 AS cx1, value ->> 3 AS cy1,
                       value ->> 4 AS w, value ->> 5 AS s, value ->> 6 AS e, value ->> 7 AS n
                FROM json_each(@probes)
            ),
            near AS MATERIALIZED (
                SELECT p.cx0 AS pcx0, p.cy0 AS pcy0, p.cx1 AS pcx1, p.cy1 AS pcy1, f.fid AS fid, f.max_x >= f.min_x AS nonempty, f.is_point AS is_point,
                       {_mercatorX0} AS x0, {_mercatorY0} AS y0,
                       CASE WHEN f.is_point = 1 THEN NULL ELSE {_mercatorX1} END AS x1,
                       CASE WHEN f.is_point = 1 THEN NULL ELSE {_mercatorY1} END AS y1
                FROM probe p
                CROSS JOIN features_rtree r ON r.max_x >= p.w AND r.min_x <= p.e AND r.max_y >= p.s AND r.min_y <= p.n
                CROSS JOIN features f ON f.fid = r.fid
                WHERE f.collection_id = @collectionId AND f.feature_id NOT IN (SELECT value FROM json_each(@standOut))
            ),
            members AS (
                SELECT fid FROM (
                    SELECT pcx0, pcy0, pcx1, pcy1, fid,
                           CASE WHEN is_point = 1 THEN x0 ELSE (x0 + x1) / 2 END AS ax,
                           CASE WHEN is_point = 1 THEN y0 ELSE (y0 + y1) / 2 END AS ay
                    FROM near
                    WHERE (is_point = 1 OR (nonempty AND x1 - x0 < @cell AND y1 - y0 < @cell
                        AND (SELECT substr(g.geometry, 2, 4) FROM features g WHERE g.fid = near.fid) <> x'04000000'))
                      AND (@wide OR is_point = 1 OR (x1 - x0 < @symbol AND y1 - y0 < @symbol))
                ) a
                WHERE CAST(floor((ax + @half) / @cell) AS INTEGER) BETWEEN pcx0 AND pcx1 AND CAST(floor((@half - ay) / @cell) AS INTEGER) BETWEEN pcy0 AND pcy1
            ),
            wide AS (
                SELECT f.fid AS fid, f.is_point AS is_point, f.max_x >= f.min_x AS nonempty,
                       {_mercatorX0} AS x0, {_mercatorY0} AS y0, {_mercatorX1} AS x1, {_mercatorY1} AS y1
                FROM features_span_rtree r CROSS JOIN features f ON f.fid = r.fid
                WHERE @wide AND r.max_x >= @rminX AND r.min_x <= @rmaxX AND r.max_y >= @rminY AND r.min_y <= @rmaxY AND r.max_span >= @lowestSpan
                  AND f.collection_id = @collectionId
                  AND f.max_x >= @minX AND f.min_x <= @maxX AND f.max_y >= @minY AND f.min_y <= @maxY
                  AND f.is_point = 0 AND f.feature_id NOT IN (SELECT value FROM json_each(@standOut))
            )
            SELECT NULL AS CellX, NULL AS CellY, 0 AS Count, 0.0 AS SumX, 0.0 AS SumY, f.feature_id AS Id, f.geometry AS Wkb, f.properties AS Properties, f.fid AS Fid
            FROM features f
            WHERE f.fid IN (
                SELECT fid FROM members
                UNION ALL
                SELECT w.fid FROM wide w
                WHERE w.nonempty AND NOT (w.x1 - w.x0 < @cell AND w.y1 - w.y0 < @cell
                    AND (SELECT substr(g.geometry, 2, 4) FROM features g WHERE g.fid = w.fid) <> x'04000000')
                UNION ALL
                SELECT g.fid FROM features g
                WHERE g.collection_id = @collectionId AND g.feature_id IN (SELECT value FROM json_each(@standOut))
                  AND g.max_x >= @minX AND g.min_x <= @maxX AND g.max_y >= @minY AND g.min_y <= @maxY)
            """,
            parameters,
            cancellationToken: cancellationToken));
        return new ClusteredFeatures(clusters, ClusterRow.ToResult(rows, query.CellMeters).Features);
    }
}
