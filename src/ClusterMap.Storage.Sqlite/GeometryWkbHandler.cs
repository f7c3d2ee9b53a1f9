using System.Data;
using Dapper;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace ClusterMap.Storage.Sqlite;

/// <summary>The one place geometry crosses into SQL: WKB (little-endian, 2D) in a BLOB column.</summary>
internal sealed class GeometryWkbHandler : SqlMapper.TypeHandler<Geometry>
{
    public override void SetValue(IDbDataParameter parameter, Geometry? value)
    {
        parameter.DbType = DbType.Binary;
        parameter.Value = value is null ? DBNull.Value : Write(value);
    }

    public override Geometry Parse(object value) => Read((byte[])value);

    // Readers and writers are cheap and not documented as thread-safe, so each call gets its own.
    internal static Geometry Read(byte[] wkb) => new WKBReader().Read(wkb);

    internal static byte[] Write(Geometry geometry) => new WKBWriter(ByteOrder.LittleEndian, handleSRID: false, emitZ: false, emitM: false).Write(geometry);

    private static int _registered;

    internal static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            SqlMapper.AddTypeHandler(new GeometryWkbHandler());
        }
    }
}
