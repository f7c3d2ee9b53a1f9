using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;

namespace ClusterMap.Storage.Sqlite;

/// <summary>
/// Second-stage bbox test, registered as the SQL function cm_intersects_envelope: a line or polygon whose
/// envelope touches the box may still miss it (think of an L-shaped park), so its real shape is tested.
/// </summary>
internal static class ExactEnvelopeTest
{
    private static readonly GeometryFactory _factory = new();

    public static bool Intersects(byte[] wkb, double minX, double minY, double maxX, double maxY)
    {
        var geometry = GeometryWkbHandler.Read(wkb);
        var box = _factory.ToGeometry(new Envelope(minX, maxX, minY, maxY));
        return PreparedGeometryFactory.Prepare(box).Intersects(geometry);
    }
}
