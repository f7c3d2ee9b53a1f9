using System.Data;
using ClusterMap.Storage.Sql;
using Dapper;
using NetTopologySuite.Geometries;

namespace ClusterMap.Storage.Sqlite;

/// <summary>The one place geometry crosses into SQLite: <see cref="Wkb"/> in a BLOB column.</summary>
internal sealed class GeometryWkbHandler : SqlMapper.TypeHandler<Geometry>
{
    public override void SetValue(IDbDataParameter parameter, Geometry? value)
    {
        parameter.DbType = DbType.Binary;
        parameter.Value = value is null ? DBNull.Value : Wkb.Write(value);
    }

    public override Geometry Parse(object value) => Wkb.Read((byte[])value);

    private static int _registered;

    internal static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            SqlMapper.AddTypeHandler(new GeometryWkbHandler());
        }
    }
}
