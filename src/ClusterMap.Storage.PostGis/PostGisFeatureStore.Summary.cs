using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Tiles;
using Dapper;
using NetTopologySuite.Geometries;
using Npgsql;

namespace ClusterMap.Storage.PostGis;

/// <summary>
/// Keeping a collection's type, extent, count and queryables (<see cref="CollectionSummary.Of"/>'s rules) after a write
/// without reading the collection again: the stored summary is combined with what the write added and removed. Only
/// when a removal may shrink something is the collection asked, and then narrowly: the extent is recomputed only when
/// a removed feature touched its edge, the type only when a mixed collection lost features, and a removed feature's
/// property stays queryable as soon as one remaining feature has it (an EXISTS that stops at the first).
/// </summary>
public sealed partial class PostGisFeatureStore
{
    /// <summary>What a write took out of a collection (a deleted feature, or the old version of a replaced one).</summary>
    private class RemovedRow
    {
        /// <summary>What places the feature in the cluster pyramid: its exact bounds and its type.</summary>
        public const string AnchorColumns = "ST_XMin(geom) AS MinX, ST_YMin(geom) AS MinY, ST_XMax(geom) AS MaxX, ST_YMax(geom) AS MaxY, substr(ST_GeometryType(geom), 4) AS GeometryType";

        public const string Columns = $"{AnchorColumns}, properties::text AS Properties";

        public double? MinX { get; set; }

        public double? MinY { get; set; }

        public double? MaxX { get; set; }

        public double? MaxY { get; set; }

        public string GeometryType { get; set; } = "";

        public string Properties { get; set; } = "{}";

        public AnchorCandidate? ToAnchorCandidate() =>
            AnchorCandidate.Of(MinX is { } minX ? new Envelope(minX, MaxX!.Value, MinY!.Value, MaxY!.Value) : null, GeometryType == "Point", GeometryType == "MultiPoint");
    }

    private sealed class ReplacedRow : RemovedRow
    {
        public string Id { get; set; } = "";
    }

    // current: the collection as it was before the write, read under the write's row lock.
    private static async Task UpdateSummaryAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CollectionRow current, IReadOnlyList<FeatureRecord> added, IReadOnlyList<RemovedRow> removed, CancellationToken cancellationToken)
    {
        var collectionId = current.Id;
        var addedSummary = CollectionSummary.Of(added);
        var survivors = current.FeatureCount - removed.Count;
        var count = survivors + added.Count;
        var mixed = CollectionSummary.MixedGeometryType;

        string geometryType;
        if (count == 0)
        {
            geometryType = mixed;
        }
        else if (current.GeometryType == mixed && removed.Count > 0)
        {
            // Removing features of a mixed collection may leave one type: only the collection can say.
            geometryType = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                "SELECT CASE WHEN COUNT(DISTINCT ST_GeometryType(geom)) = 1 THEN substr(MIN(ST_GeometryType(geom)), 4) ELSE @mixed END FROM features WHERE collection_id = @collectionId",
                new { collectionId, mixed }, transaction, cancellationToken: cancellationToken)) ?? mixed;
        }
        else
        {
            // Survivors all share the stored type (or it is mixed and stays so); added features bring theirs.
            var types = added.Select(f => f.Geometry.GeometryType).ToHashSet(StringComparer.Ordinal);
            if (survivors > 0)
            {
                types.Add(current.GeometryType);
            }

            geometryType = types.Count == 1 ? types.First() : mixed;
        }

        Envelope? extent;
        var stored = current.Extent;
        if (count == 0)
        {
            extent = null;
        }
        else if (stored is not null && removed.Any(r => r.MinX <= stored.MinX || r.MinY <= stored.MinY || r.MaxX >= stored.MaxX || r.MaxY >= stored.MaxY))
        {
            // A removed feature may have held an edge of the extent: the collection (already holding the added ones) says where it is now.
            var box = await connection.QuerySingleAsync<(double? MinX, double? MinY, double? MaxX, double? MaxY)>(new CommandDefinition(
                "SELECT MIN(ST_XMin(geom)), MIN(ST_YMin(geom)), MAX(ST_XMax(geom)), MAX(ST_YMax(geom)) FROM features WHERE collection_id = @collectionId",
                new { collectionId }, transaction, cancellationToken: cancellationToken));
            extent = box.MinX is null ? null : new Envelope(box.MinX.Value, box.MaxX!.Value, box.MinY!.Value, box.MaxY!.Value);
        }
        else
        {
            // Every extreme is held by a feature that survives (removed ones lay strictly inside), so the stored extent stands.
            extent = survivors > 0 && stored is not null ? new Envelope(stored) : null;
            if (addedSummary.Extent is { } more)
            {
                extent ??= new Envelope();
                extent.ExpandToInclude(more);
            }
        }

        var queryables = new SortedSet<string>(JsonSerializer.Deserialize<string[]>(current.Queryables) ?? [], StringComparer.Ordinal);
        queryables.UnionWith(addedSummary.Queryables);
        var maybeGone = CollectionSummary.Of([.. removed.Select(r => new FeatureRecord("", Point.Empty, r.Properties))]).Queryables
            .Where(key => !addedSummary.Queryables.Contains(key, StringComparer.Ordinal) && queryables.Contains(key));
        foreach (var key in maybeGone)
        {
            var kept = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM features WHERE collection_id = @collectionId AND json_typeof(properties -> @key) IN ('string', 'number', 'boolean'))",
                new { collectionId, key }, transaction, cancellationToken: cancellationToken));
            if (!kept)
            {
                queryables.Remove(key);
            }
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE collections SET geometry_type = @geometryType, min_x = @MinX, min_y = @MinY, max_x = @MaxX, max_y = @MaxY,
                feature_count = @count, queryables = @Queryables, updated_at = @UpdatedAt
            WHERE id = @collectionId
            """,
            new
            {
                collectionId,
                geometryType,
                MinX = extent?.MinX,
                MinY = extent?.MinY,
                MaxX = extent?.MaxX,
                MaxY = extent?.MaxY,
                count,
                Queryables = JsonSerializer.Serialize(queryables.ToList()),
                UpdatedAt = Now(),
            },
            transaction, cancellationToken: cancellationToken));
    }
}
