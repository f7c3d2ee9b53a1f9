using System.Runtime.CompilerServices;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Storage.Sql;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace ClusterMap.Storage.PostGis;

/// <summary>
/// The cluster pyramid (<see cref="ClusterPyramid"/>) in PostGIS: <c>cluster_cells</c> holds each level's counts,
/// changed in the transaction of every write; a clustered read at a level's scale takes its crowded cells from there
/// and reads rows only for the quiet cells (a GiST probe per rectangle of them) and for the shapes too wide to anchor (the n-D
/// index <c>features_span_box</c>, <see cref="ShapeSpanIndex"/>). A z8 tile over a million points then reads a few hundred cells and the
/// features it draws, not the half million rows beneath it.
/// </summary>
public sealed partial class PostGisFeatureStore
{
    /// <summary>
    /// The features a pyramid read takes whole, as the CTE <c>whole</c>: the anchored members of the quiet cells, found
    /// by probing each rectangle of them (<see cref="ClusterPyramid.Rectangles"/>: <c>@pcx0</c> … <c>@pcy1</c> with their
    /// lon/lat boxes) and keeping the rows whose anchor (the same SQL as the rows' clustering statement) lies in it; the stand-out features; and the shapes that
    /// have no anchor on these cells (found through <c>features_span_box</c>, <see cref="ShapeSpanIndex"/>), when
    /// their exact bounds meet the view box.
    /// </summary>
    /// <remarks>
    /// Without <paramref name="withWide"/> (a symbols-only read, <see cref="ClusterQuery.SymbolsUnderMeters"/>) the quiet
    /// cells' members are only those under the symbol size, and the shapes too wide to anchor are left out of the
    /// statement itself: a constant false condition there still has the planner launch parallel workers
    /// for a scan it never runs, tens of milliseconds for nothing.
    /// </remarks>
    private static string PyramidWholeCte(bool withWide) => $$"""
        WITH probe AS (
            SELECT * FROM unnest(@pcx0::bigint[], @pcy0::bigint[], @pcx1::bigint[], @pcy1::bigint[], @pw::float8[], @ps::float8[], @pe::float8[], @pn::float8[])
                AS p(cx0, cy0, cx1, cy1, w, s, e, n)
        ),
        near AS MATERIALIZED (
            SELECT p.cx0 AS pcx0, p.cy0 AS pcy0, p.cx1 AS pcx1, p.cy1 AS pcy1, f.fid, ST_GeometryType(f.geom) AS type,
                   ST_XMin(f.geom) AS min_x, ST_YMin(f.geom) AS min_y, ST_XMax(f.geom) AS max_x, ST_YMax(f.geom) AS max_y
            FROM probe p
            JOIN features f ON f.collection_id = @collectionId AND f.geom && ST_MakeEnvelope(p.w, p.s, p.e, p.n, {{Srid}})
            WHERE NOT (f.feature_id = ANY(@standOut))
        ),
        projected AS (
            SELECT n.pcx0, n.pcy0, n.pcx1, n.pcy1, n.fid, n.type, n.min_x,
                   {{_mercatorX0}} AS x0, {{_mercatorY0}} AS y0,
                   CASE WHEN n.type = 'ST_Point' THEN {{_mercatorX0}} ELSE {{_mercatorX1}} END AS x1,
                   CASE WHEN n.type = 'ST_Point' THEN {{_mercatorY0}} ELSE {{_mercatorY1}} END AS y1
            FROM near n
        ),
        members AS (
            SELECT fid FROM (
                SELECT pcx0, pcy0, pcx1, pcy1, fid,
                       CASE WHEN type = 'ST_Point' THEN x0 ELSE (x0 + x1) / 2 END AS ax,
                       CASE WHEN type = 'ST_Point' THEN y0 ELSE (y0 + y1) / 2 END AS ay
                FROM projected
                WHERE min_x IS NOT NULL
                  AND (type = 'ST_Point' OR (type <> 'ST_MultiPoint' AND x1 - x0 < @cell AND y1 - y0 < @cell))
                  {{(withWide ? "" : "AND x1 - x0 < @symbol AND y1 - y0 < @symbol")}}
            ) a
            WHERE floor((ax + @half) / @cell)::bigint BETWEEN pcx0 AND pcx1 AND floor((@half - ay) / @cell)::bigint BETWEEN pcy0 AND pcy1
        ),
        wide AS (
            SELECT n.fid, n.type, {{_mercatorX0}} AS x0, {{_mercatorY0}} AS y0, {{_mercatorX1}} AS x1, {{_mercatorY1}} AS y1
            FROM (
                SELECT f.fid, ST_GeometryType(f.geom) AS type,
                       ST_XMin(f.geom) AS min_x, ST_YMin(f.geom) AS min_y, ST_XMax(f.geom) AS max_x, ST_YMax(f.geom) AS max_y
                FROM features f
                WHERE f.collection_id = @collectionId AND ST_GeometryType(f.geom) <> 'ST_Point' AND NOT ST_IsEmpty(f.geom)
                  AND clustermap_span_box(f.geom) &&& ST_MakeLine(ST_MakePoint(@bminX, @bminY, @lowestSpan), ST_MakePoint(@bmaxX, @bmaxY, @highestSpan))
                  AND NOT (f.feature_id = ANY(@standOut))
            ) n
            WHERE n.min_x IS NOT NULL AND n.max_x >= @bminX AND n.min_x <= @bmaxX AND n.max_y >= @bminY AND n.min_y <= @bmaxY
        ),
        whole AS (
            SELECT fid FROM members
            UNION ALL
            {{(withWide ? "SELECT fid FROM wide WHERE type <> 'ST_Point' AND (type = 'ST_MultiPoint' OR NOT (x1 - x0 < @cell AND y1 - y0 < @cell)) UNION ALL" : "")}}
            SELECT f.fid FROM features f
            WHERE f.collection_id = @collectionId AND f.feature_id = ANY(@standOut)
              AND ST_XMax(f.geom) >= @bminX AND ST_XMin(f.geom) <= @bmaxX AND ST_YMax(f.geom) >= @bminY AND ST_YMin(f.geom) <= @bmaxY
        )
        """;

    /// <summary>What a read at a pyramid level found: the clusters, and the row ids of the features it takes whole.</summary>
    private sealed record PyramidRead(IReadOnlyList<GridCluster> Clusters, long[] WholeFids);

    /// <summary>
    /// The clusters of a query from the pyramid, and the features it takes whole (<see cref="PyramidWholeCte"/>); null when the query's
    /// scale is not a level, or the collection's cells have not been counted.
    /// </summary>
    private static async Task<PyramidRead?> ReadPyramidAsync(NpgsqlConnection connection, string collectionId, ClusterQuery query, CancellationToken cancellationToken)
    {
        if (ClusterPyramid.LevelOf(query) is not { } level)
        {
            return null;
        }

        var (cx0, cy0, cx1, cy1) = query.CellRange();
        var standOut = query.StandOutIds.ToArray();
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition(
            $"""
            SELECT EXISTS (SELECT 1 FROM cluster_pyramids WHERE collection_id = @collectionId);
            {ClusterCellRow.Select};
            SELECT {RemovedRow.AnchorColumns} FROM features WHERE collection_id = @collectionId AND feature_id = ANY(@standOut);
            """,
            new { collectionId, level, cx0, cy0, cx1, cy1, standOut },
            cancellationToken: cancellationToken));
        if (!await results.ReadSingleAsync<bool>())
        {
            return null;
        }

        var cells = await results.ReadAsync<ClusterCellRow>();
        var standing = await results.ReadAsync<RemovedRow>();
        var (clusters, quiet) = ClusterPyramid.Split(cells.Select(c => c.At(level)), standing.Select(r => r.ToAnchorCandidate()), query);
        var rectangles = ClusterPyramid.Rectangles(quiet);
        var boxes = rectangles.Select(r => ClusterGrid.CellsLonLat(r, query.CellMeters)).ToList();
        var parameters = new DynamicParameters(new
        {
            collectionId,
            standOut,
            pcx0 = rectangles.Select(r => r.MinX).ToArray(),
            pcy0 = rectangles.Select(r => r.MinY).ToArray(),
            pcx1 = rectangles.Select(r => r.MaxX).ToArray(),
            pcy1 = rectangles.Select(r => r.MaxY).ToArray(),
            pw = boxes.Select(b => b.MinX).ToArray(),
            ps = boxes.Select(b => b.MinY).ToArray(),
            pe = boxes.Select(b => b.MaxX).ToArray(),
            pn = boxes.Select(b => b.MaxY).ToArray(),
            lowestSpan = ShapeSpanIndex.LowestSpanFor(query.CellMeters),
            highestSpan = ShapeSpanIndex.NeverAnchoredSpan * 10,
        });
        parameters.AddDynamicParams(ClusterSql.Parameters(query));
        // The ids first, then the rows by primary key: joined in one statement, the planner may scan the whole table.
        var cte = query.SymbolsUnderMeters is null ? _pyramidWholeCte : _pyramidSymbolsCte;
        var whole = (await connection.QueryAsync<long>(new CommandDefinition($"{cte} SELECT fid FROM whole", parameters, cancellationToken: cancellationToken))).ToArray();
        return new PyramidRead(clusters, whole);
    }

    /// <summary>Writes a whole collection's pyramid (<see cref="ClusterPyramid.Of"/>), replacing what it held.</summary>
    private static async Task WritePyramidAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string collectionId, IReadOnlyDictionary<PyramidCell, CellTotals> cells, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM cluster_cells WHERE collection_id = @collectionId", new { collectionId }, transaction, cancellationToken: cancellationToken));
        await using (var importer = await connection.BeginBinaryImportAsync("COPY cluster_cells (collection_id, level, cx, cy, n, ns, sx, sy) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var (cell, totals) in cells)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(collectionId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(cell.Level, NpgsqlDbType.Integer, cancellationToken);
                await importer.WriteAsync(cell.X, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(cell.Y, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(totals.Count, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(totals.Small, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(totals.SumX, NpgsqlDbType.Double, cancellationToken);
                await importer.WriteAsync(totals.SumY, NpgsqlDbType.Double, cancellationToken);
            }

            await importer.CompleteAsync(cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO cluster_pyramids (collection_id) VALUES (@collectionId) ON CONFLICT DO NOTHING", new { collectionId }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Counts written features in and replaced or deleted ones out of their cells, in the write's transaction.</summary>
    private static async Task ChangePyramidAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string collectionId, IReadOnlyList<FeatureRecord> added, IReadOnlyList<RemovedRow> removed, CancellationToken cancellationToken)
    {
        var changes = ClusterPyramid.Changes(added.Select(f => AnchorCandidate.Of(f.Geometry)), removed.Select(r => r.ToAnchorCandidate()));
        if (changes.Count == 0)
        {
            return;
        }

        var parameters = new
        {
            collectionId,
            levels = changes.Keys.Select(c => c.Level).ToArray(),
            xs = changes.Keys.Select(c => c.X).ToArray(),
            ys = changes.Keys.Select(c => c.Y).ToArray(),
            ns = changes.Values.Select(t => t.Count).ToArray(),
            smalls = changes.Values.Select(t => t.Small).ToArray(),
            sxs = changes.Values.Select(t => t.SumX).ToArray(),
            sys = changes.Values.Select(t => t.SumY).ToArray(),
        };
        // A cell left with no anchor is deleted, so that its sums start again from nothing.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO cluster_cells (collection_id, level, cx, cy, n, ns, sx, sy)
            SELECT @collectionId, u.level, u.cx, u.cy, u.n, u.ns, u.sx, u.sy
            FROM unnest(@levels::integer[], @xs::bigint[], @ys::bigint[], @ns::bigint[], @smalls::bigint[], @sxs::float8[], @sys::float8[]) AS u(level, cx, cy, n, ns, sx, sy)
            ON CONFLICT (collection_id, level, cx, cy) DO UPDATE
                SET n = cluster_cells.n + excluded.n, ns = cluster_cells.ns + excluded.ns, sx = cluster_cells.sx + excluded.sx, sy = cluster_cells.sy + excluded.sy;
            DELETE FROM cluster_cells c
            USING unnest(@levels::integer[], @xs::bigint[], @ys::bigint[]) AS u(level, cx, cy)
            WHERE c.collection_id = @collectionId AND c.level = u.level AND c.cx = u.cx AND c.cy = u.cy AND c.n = 0;
            """,
            parameters, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Counts the collections whose cells were never counted (a database made before the pyramid): each under its
    /// row's lock, so no write to it runs meanwhile.
    /// </summary>
    private async Task BuildMissingPyramidsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var missing = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM collections WHERE id NOT IN (SELECT collection_id FROM cluster_pyramids) ORDER BY ord", cancellationToken: cancellationToken))).ToList();
        foreach (var collectionId in missing)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var locked = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT id FROM collections WHERE id = @collectionId FOR UPDATE", new { collectionId }, transaction, cancellationToken: cancellationToken));
            var counted = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM cluster_pyramids WHERE collection_id = @collectionId)", new { collectionId }, transaction, cancellationToken: cancellationToken));
            if (locked is null || counted)
            {
                continue;
            }

            var cells = await ClusterPyramid.OfAsync(ReadAnchorCandidatesAsync(connection, transaction, collectionId, cancellationToken), cancellationToken);
            await WritePyramidAsync(connection, transaction, collectionId, cells, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The anchor candidates of a collection's features, one as each row arrives through a data reader: a collection of
    /// millions is counted without holding its rows.
    /// </summary>
    private static async IAsyncEnumerable<AnchorCandidate?> ReadAnchorCandidatesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string collectionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            $"SELECT {RemovedRow.AnchorColumns} FROM features WHERE collection_id = @collectionId",
            new { collectionId }, transaction, cancellationToken: cancellationToken));
        var parse = reader.GetRowParser<RemovedRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return parse(reader).ToAnchorCandidate();
        }
    }
}
