using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Storage.Sql;
using Dapper;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.PostGis;

/// <summary>
/// Proximity push-down: the GiST index on <c>geom::geography</c> selects candidates, measured on PostGIS's sphere; Core
/// computes the exact distances on the ellipsoid. The store widens and shrinks by the proven gap between the two.
/// </summary>
/// <remarks>
/// <para>
/// The gap. PostGIS's sphere distance (<c>ST_DWithin(…, false)</c> and the KNN <c>&lt;-&gt;</c>, which is always on the
/// sphere) takes geodetic lon/lat as spherical coordinates on a sphere of radius R = (2a + b)/3 = 6,371,008.77 m. A path
/// with those coordinates has length element R·√(dφ² + cos²φ dλ²) on the sphere and √(M²dφ² + N²cos²φ dλ²) on the
/// ellipsoid, where the meridian radius M and the normal radius N both lie between M(0) = a(1 − e²) = 6,335,439.3 m and
/// N(90°) = 6,399,593.6 m. So no path is more than R/M(0) = 1.005614 times longer on the sphere than on the ellipsoid,
/// and taking the shortest paths: d_sphere ≤ 1.005614 · d_ellipsoid, i.e. d_ellipsoid ≥ d_sphere / 1.005614.
/// </para>
/// <para>
/// The shapes. Core reads points exactly, but decides containment and edge crossings in the lon/lat plane, where an
/// edge of length L departs from the geodesic by about L²·tan φ / (8R) (1 m for a 10 km edge at Shanghai's latitude);
/// PostGIS follows great circles (within millimetres of the geodesic for such edges). A point between the two can get
/// distance 0 from Core while PostGIS measures up to that departure. <see cref="ShapeMarginMeters"/> covers edges up
/// to 50 km at Shanghai's latitude (30 m) and 40 km up to 45° (31 m); ClusterMap's parks and campuses have edges of
/// metres to a few kilometres.
/// </para>
/// </remarks>
public sealed partial class PostGisFeatureStore
{
    /// <summary>R / M(0), rounded up: how much longer a distance can be on PostGIS's sphere than on WGS84.</summary>
    internal const double SphereOverEllipsoid = 1.005615;

    /// <summary>How far Core's and PostGIS's readings of one polygon or line may differ (see the remarks).</summary>
    internal const double ShapeMarginMeters = 50;

    private const string OriginGeography = "ST_GeomFromWKB(@origin, 4326)::geography";

    public async Task<IReadOnlyList<FeatureRecord>> GetWithinCandidatesAsync(string collectionId, Geometry origin, double meters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(origin);
        var sphereMeters = (meters + ShapeMarginMeters) * SphereOverEllipsoid;
        await using var connection = await OpenAsync(cancellationToken);
        // The cast is spelt as in the index (features_geography), so the planner uses it.
        var rows = await connection.QueryAsync<FeatureRow>(new CommandDefinition($"""
            SELECT {FeatureColumns} FROM features f
            WHERE f.collection_id = @collectionId AND ST_DWithin(f.geom::geography, {OriginGeography}, @sphereMeters, false)
            ORDER BY f.fid
            """, new { collectionId, origin = Wkb.Write(origin), sphereMeters }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToRecord())];
    }

    public async Task<NearestCandidates> GetNearestCandidatesAsync(string collectionId, Geometry origin, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        await using var connection = await OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<NearestRow>(new CommandDefinition($"""
            SELECT {FeatureColumns}, f.geom::geography <-> {OriginGeography} AS SphereMeters FROM features f
            WHERE f.collection_id = @collectionId
            ORDER BY f.geom::geography <-> {OriginGeography}
            LIMIT @count
            """, new { collectionId, origin = Wkb.Write(origin), count }, cancellationToken: cancellationToken))).ToList();
        // Rows come in order of sphere distance, so every row left out is at least as far on the sphere as the last.
        var othersAtLeast = rows.Count < count
            ? double.PositiveInfinity
            : Math.Max(0, (rows[^1].SphereMeters / SphereOverEllipsoid) - ShapeMarginMeters);
        return new NearestCandidates([.. rows.Select(row => row.ToRecord())], othersAtLeast);
    }

    public async Task<double> GetMaxUncertaintyMetersAsync(string collectionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // numeric reads any JSON number (1e400 too); FeatureProperties.UncertaintyMeters counts only finite positive ones,
        // so the largest number is an upper bound of what it reads (capped where double ends: a reach that large
        // already takes every feature).
        return await connection.ExecuteScalarAsync<double>(new CommandDefinition($"""
            SELECT COALESCE(MAX(LEAST((f.properties ->> @property)::numeric, 1e300)), 0)::double precision FROM features f
            WHERE f.collection_id = @collectionId AND json_typeof(f.properties -> @property) = 'number'
            """, new { collectionId, property = FeatureProperties.UncertaintyProperty }, cancellationToken: cancellationToken));
    }

    private sealed class NearestRow : FeatureRow
    {
        public double SphereMeters { get; set; }
    }
}
