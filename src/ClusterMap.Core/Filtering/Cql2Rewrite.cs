using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Filtering;

/// <summary>Rewrites of a parsed filter that keep its structure.</summary>
public static class Cql2Rewrite
{
    /// <summary>
    /// The filter with every geometry literal passed through <paramref name="map"/>: how <c>filter-crs</c> brings
    /// literals written in another CRS to the stored WGS84 longitude/latitude before validation and translation.
    /// </summary>
    public static Cql2Node MapGeometries(Cql2Node node, Func<Geometry, Geometry> map)
    {
        Cql2Node Map(Cql2Node n) => MapGeometries(n, map);
        return node switch
        {
            Cql2GeometryLiteral literal => literal with { Geometry = map(literal.Geometry) },
            Cql2And and => and with { Args = [.. and.Args.Select(Map)] },
            Cql2Or or => or with { Args = [.. or.Args.Select(Map)] },
            Cql2Not not => not with { Arg = Map(not.Arg) },
            Cql2Spatial spatial => spatial with { Left = Map(spatial.Left), Right = Map(spatial.Right) },
            Cql2Function function => function with { Args = [.. function.Args.Select(Map)] },
            _ => node,
        };
    }
}
