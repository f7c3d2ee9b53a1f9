using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace ClusterMap.Storage.Sql;

/// <summary>
/// The one WKB form geometry takes between the stores and their databases: little-endian, 2D, no SRID. Both stores
/// read their geometries back through <see cref="Read"/>, so they hand out identical geometries.
/// </summary>
public static class Wkb
{
    // Readers and writers are cheap and not documented as thread-safe, so each call gets its own.
    public static Geometry Read(byte[] wkb) => new WKBReader().Read(wkb);

    public static byte[] Write(Geometry geometry) => new WKBWriter(ByteOrder.LittleEndian, handleSRID: false, emitZ: false, emitM: false).Write(geometry);
}
