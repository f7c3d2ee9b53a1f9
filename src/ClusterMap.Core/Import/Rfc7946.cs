using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Import;

/// <summary>
/// RFC 7946 §3.1.6 wants exterior rings counterclockwise and holes clockwise. NTS's own Normalize() does the
/// opposite (JTS convention), so orientation is set here explicitly.
/// </summary>
public static class Rfc7946
{
    public static Geometry Orient(Geometry geometry) => geometry switch
    {
        Polygon polygon => OrientPolygon(polygon),
        MultiPolygon multi => multi.Factory.CreateMultiPolygon(
            [.. Enumerable.Range(0, multi.NumGeometries).Select(i => OrientPolygon((Polygon)multi.GetGeometryN(i)))]),
        GeometryCollection collection when collection is not MultiPoint and not MultiLineString =>
            collection.Factory.CreateGeometryCollection(
                [.. Enumerable.Range(0, collection.NumGeometries).Select(i => Orient(collection.GetGeometryN(i)))]),
        _ => geometry,
    };

    private static Polygon OrientPolygon(Polygon polygon)
    {
        var shell = OrientRing(polygon.Shell, counterClockwise: true);
        var holes = polygon.Holes.Select(hole => OrientRing(hole, counterClockwise: false)).ToArray();
        return polygon.Factory.CreatePolygon(shell, holes);
    }

    private static LinearRing OrientRing(LinearRing ring, bool counterClockwise) =>
        Orientation.IsCCW(ring.CoordinateSequence) == counterClockwise ? ring : (LinearRing)ring.Reverse();
}
