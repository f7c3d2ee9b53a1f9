using ClusterMap.Storage.Sql;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;

namespace ClusterMap.Storage.Sqlite;

/// <summary>
/// The SQL function cm_intersects_envelope(geometry, minX, minY, maxX, maxY): the second stage of a bbox query. A line
/// or polygon whose envelope touches the box may still miss it (think of an L-shaped park), so its real shape is
/// tested against the box.
/// </summary>
internal static class IntersectsEnvelopeFunction
{
    public const string Name = "cm_intersects_envelope";

    private static readonly GeometryFactory _factory = new();

    /// <summary>Makes the function available to the SQL of <paramref name="connection"/>.</summary>
    public static void Register(SqliteConnection connection) =>
        connection.CreateFunction<byte[], double, double, double, double, bool>(Name, Intersects, isDeterministic: true);

    public static bool Intersects(byte[] wkb, double minX, double minY, double maxX, double maxY)
    {
        var geometry = Wkb.Read(wkb);
        var box = _factory.ToGeometry(new Envelope(minX, maxX, minY, maxY));
        return PreparedGeometryFactory.Prepare(box).Intersects(geometry);
    }
}
