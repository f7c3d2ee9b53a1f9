using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using Dapper;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Sqlite;

/// <summary>Features near a box for maps: the R*Tree (float32 bounds, rounded outward) and the stored envelope, nothing more.</summary>
public sealed partial class SqliteFeatureStore : IFeatureBoxReader
{
    public async Task<IReadOnlyList<FeatureRecord>> GetItemsNearBoxAsync(string collectionId, Envelope boxLonLat, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<FeatureRow>(new CommandDefinition(
            // CROSS JOIN keeps the R*Tree as the outer loop: left to itself, SQLite may scan the collection's rows
            // instead, and a box with nothing in it would cost as much as the whole collection.
            $"""
            SELECT {FeatureColumns}
            {NearBoxFrom}
            ORDER BY f.fid
            """,
            NearBoxParameters(collectionId, boxLonLat),
            cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToRecord())];
    }

    /// <summary>
    /// The rows of a collection whose envelope meets <c>@minX</c>…<c>@maxY</c>: the R*Tree's float32 boxes (the box's
    /// bounds rounded outward, <c>@rminX</c>…) as the outer loop, then the exact stored envelope. Parameters from
    /// <see cref="NearBoxParameters"/>.
    /// </summary>
    private const string NearBoxFrom = """
        FROM features_rtree r CROSS JOIN features f ON f.fid = r.fid
        WHERE r.max_x >= @rminX AND r.min_x <= @rmaxX AND r.max_y >= @rminY AND r.min_y <= @rmaxY
          AND f.collection_id = @collectionId
          AND f.max_x >= @minX AND f.min_x <= @maxX AND f.max_y >= @minY AND f.min_y <= @maxY
        """;

    private static DynamicParameters NearBoxParameters(string collectionId, Envelope boxLonLat) => new(new
    {
        collectionId,
        minX = boxLonLat.MinX,
        minY = boxLonLat.MinY,
        maxX = boxLonLat.MaxX,
        maxY = boxLonLat.MaxY,
        rminX = Float32Bounds.Down(boxLonLat.MinX),
        rminY = Float32Bounds.Down(boxLonLat.MinY),
        rmaxX = Float32Bounds.Up(boxLonLat.MaxX),
        rmaxY = Float32Bounds.Up(boxLonLat.MaxY),
    });

    public async Task<double> GetMaxUncertaintyMetersAsync(string collectionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // SQLite reads any JSON number as integer or real (1e400 as Inf): the largest is an upper bound of the finite ones.
        var max = await connection.ExecuteScalarAsync<double?>(new CommandDefinition(
            "SELECT MAX(json_extract(properties, @path)) FROM features WHERE collection_id = @collectionId AND json_type(properties, @path) IN ('integer', 'real')",
            new { collectionId, path = "$." + FeatureProperties.UncertaintyProperty }, cancellationToken: cancellationToken));
        return max is { } m && m > 0 ? Math.Min(m, 1e300) : 0;
    }
}
