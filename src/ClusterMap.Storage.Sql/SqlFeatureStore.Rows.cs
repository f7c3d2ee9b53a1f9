using System.Globalization;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Sql;

/// <summary>The rows both stores read, mapped by Dapper from the column aliases in their SELECTs.</summary>
public abstract partial class SqlFeatureStore<TConnection, TTransaction>
{
    /// <summary>A feature as read through <see cref="FeatureColumns"/>.</summary>
    protected class FeatureRow
    {
        public string Id { get; set; } = "";

        public byte[] Wkb { get; set; } = [];

        public string Properties { get; set; } = "{}";

        public FeatureRecord ToRecord() => new(Id, Sql.Wkb.Read(Wkb), Properties);
    }

    /// <summary>
    /// One row of a clustered read (<see cref="IFeatureClusterReader"/>): a crowded cell (its indices, count and sums of
    /// anchor offsets from the cell's corner) or a feature read whole.
    /// </summary>
    protected sealed class ClusterRow
    {
        public long? CellX { get; set; }

        public long? CellY { get; set; }

        public long Count { get; set; }

        public double SumX { get; set; }

        public double SumY { get; set; }

        public string? Id { get; set; }

        public byte[]? Wkb { get; set; }

        public string? Properties { get; set; }

        /// <summary>The feature's row id (store order); 0 for a cell.</summary>
        public long Fid { get; set; }

        /// <summary>
        /// The answer from rows in any order: cells by Y then X, features in store order. Sorted here, not in SQL, so the
        /// database never sorts rows that carry geometry and properties.
        /// </summary>
        public static ClusteredFeatures ToResult(IEnumerable<ClusterRow> rows, double cellMeters)
        {
            var clusters = new List<GridCluster>();
            var features = new List<FeatureRecord>();
            foreach (var row in rows.OrderBy(r => r.CellY ?? long.MaxValue).ThenBy(r => r.CellX ?? long.MaxValue).ThenBy(r => r.Fid))
            {
                if (row.CellX is { } x && row.CellY is { } y)
                {
                    clusters.Add(new GridCluster(x, y, row.Count, ClusterGrid.Mean(x, y, row.Count, row.SumX, row.SumY, cellMeters)));
                }
                else
                {
                    features.Add(new FeatureRecord(row.Id!, Sql.Wkb.Read(row.Wkb!), row.Properties!));
                }
            }

            return new ClusteredFeatures(clusters, features);
        }
    }

    /// <summary>One counted cell of a level of the cluster pyramid (<see cref="ClusterPyramid"/>), as read from <c>cluster_cells</c>.</summary>
    protected sealed class ClusterCellRow
    {
        /// <summary>The cells of <c>@level</c> in the cell range <c>@cx0</c> … <c>@cy1</c> of collection <c>@collectionId</c>.</summary>
        public const string Select = """
            SELECT cx AS X, cy AS Y, n AS Count, ns AS Small, sx AS SumX, sy AS SumY FROM cluster_cells
            WHERE collection_id = @collectionId AND level = @level AND cx BETWEEN @cx0 AND @cx1 AND cy BETWEEN @cy0 AND @cy1
            """;

        public long X { get; set; }

        public long Y { get; set; }

        public long Count { get; set; }

        public long Small { get; set; }

        public double SumX { get; set; }

        public double SumY { get; set; }

        /// <summary>The cell and its totals, as <see cref="ClusterPyramid.Split"/> reads them.</summary>
        public KeyValuePair<PyramidCell, CellTotals> At(int level) => new(new PyramidCell(level, X, Y), new CellTotals(Count, Small, SumX, SumY));
    }

    /// <summary>A collection with the summary kept beside it.</summary>
    protected sealed class CollectionRow
    {
        public const string Select = "SELECT id AS Id, title AS Title, description AS Description, attribution AS Attribution, license AS License, metadata AS Metadata, geometry_type AS GeometryType, min_x AS MinX, min_y AS MinY, max_x AS MaxX, max_y AS MaxY, feature_count AS FeatureCount, queryables AS Queryables, updated_at AS UpdatedAt FROM collections";

        public string Id { get; set; } = "";

        public string Title { get; set; } = "";

        public string Description { get; set; } = "";

        public string Attribution { get; set; } = "";

        public string License { get; set; } = "";

        public string Metadata { get; set; } = "{}";

        public string GeometryType { get; set; } = "";

        public double? MinX { get; set; }

        public double? MinY { get; set; }

        public double? MaxX { get; set; }

        public double? MaxY { get; set; }

        public long FeatureCount { get; set; }

        public string Queryables { get; set; } = "[]";

        public string UpdatedAt { get; set; } = "";

        public Envelope? Extent => MinX is null ? null : new Envelope(MinX.Value, MaxX!.Value, MinY!.Value, MaxY!.Value);

        public CollectionInfo ToInfo() => new(
            new CollectionDefinition(Id, Title, Description, Attribution, License, Metadata),
            GeometryType,
            Extent,
            FeatureCount,
            JsonSerializer.Deserialize<string[]>(Queryables) ?? [],
            DateTimeOffset.Parse(UpdatedAt, CultureInfo.InvariantCulture));
    }

    private sealed class ApiKeyRow
    {
        public const string Select = "SELECT key_id AS KeyId, name AS Name, secret_sha256 AS SecretSha256, created_at AS CreatedAt FROM api_keys";

        public string KeyId { get; set; } = "";

        public string Name { get; set; } = "";

        public byte[] SecretSha256 { get; set; } = [];

        public string CreatedAt { get; set; } = "";

        public ApiKeyRecord ToRecord() => new(KeyId, Name, SecretSha256, DateTimeOffset.Parse(CreatedAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
    }
}
