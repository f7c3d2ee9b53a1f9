using System.Data;
using Dapper;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace ClusterMap.Storage.Sqlite;

/// <summary>The one place geometry crosses into SQL: WKB (little-endian, 2D) in a BLOB column.</summary>
internal sealed class GeometryWkbHandler : SqlMapper.TypeHandler<Geometry>
{
    private static readonly WKBWriter Writer = new(ByteOrder.LittleEndian, handleSRID: false, emitZ: false, emitM: false);

    public override void SetValue(IDbDataParameter parameter, Geometry? value)
    {
        parameter.DbType = DbType.Binary;
        parameter.Value = value is null ? DBNull.Value : Writer.Write(value);
    }

    public override Geometry Parse(object value) => Read((byte[])value);

    internal static Geometry Read(byte[] wkb) => new WKBReader().Read(wkb);

    private static int s_registered;

    internal static void Register()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
        {
            SqlMapper.AddTypeHandler(new GeometryWkbHandler());
        }
    }
}
