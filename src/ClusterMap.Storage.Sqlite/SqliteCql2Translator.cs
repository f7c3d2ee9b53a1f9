using System.Globalization;
using ClusterMap.Core.Filtering;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.IO;

namespace ClusterMap.Storage.Sqlite;

/// <summary>
/// CQL2 to SQLite: properties read with JSON1 (<c>json_type</c>/<c>json_extract</c>) from the features' properties
/// column; spatial predicates as an R*Tree first filter on the literal's envelope, then the exact shape test in NTS
/// (the same relation the in-memory evaluator uses) through a function registered on the connection. LIKE, CASEI
/// and instants go through the evaluator's own code as SQL functions too, so SQLite and memory cannot disagree.
/// One translator serves one query: <see cref="Register"/> it on the connection that runs the SQL.
/// </summary>
public sealed class SqliteCql2Translator(Cql2Queryables queryables, string parameterPrefix = "cql") : Cql2SqlTranslator(queryables, parameterPrefix)
{
    private readonly List<(Cql2SpatialOperator Op, Geometry Literal, IPreparedGeometry Prepared)> _literals = [];

    /// <summary>Adds the SQL functions the translated condition calls to <paramref name="connection"/>.</summary>
    public void Register(SqliteConnection connection)
    {
        var literals = _literals.ToArray();
        // Only a translator with literals calls the spatial test: one without (a sort key's) must not replace another's.
        if (literals.Length > 0)
        {
            connection.CreateFunction<long, byte[], bool>("cm_cql2_spatial", (index, wkb) =>
            {
                var (op, literal, prepared) = literals[index];
                var geometry = new WKBReader().Read(wkb);
                return op switch
                {
                    Cql2SpatialOperator.Intersects => prepared.Intersects(geometry),
                    Cql2SpatialOperator.Within => prepared.Contains(geometry),
                    _ => Cql2Evaluator.Relate(op, geometry, literal),
                };
            }, isDeterministic: true);
        }

        connection.CreateFunction<string?, string, bool?>("cm_cql2_like", (value, pattern) => value is null ? null : Cql2LikePattern.IsMatch(value, pattern), isDeterministic: true);
        connection.CreateFunction<string?, string?>("cm_cql2_fold", value => value is null ? null : Cql2LikePattern.Fold(value), isDeterministic: true);
        connection.CreateFunction<string?, double?>("cm_cql2_seconds", Rfc3339.SecondsOf, isDeterministic: true);
    }

    protected override string PropertyText(string name)
    {
        var path = Path(name);
        return $"(CASE WHEN json_type(f.properties, {path}) = 'text' THEN json_extract(f.properties, {path}) END)";
    }

    protected override string PropertyNumber(string name)
    {
        var path = Path(name);
        return $"(CASE WHEN json_type(f.properties, {path}) IN ('integer', 'real') THEN json_extract(f.properties, {path}) END)";
    }

    protected override string PropertyBoolean(string name) =>
        $"(CASE json_type(f.properties, {Path(name)}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)";

    protected override string PropertySeconds(string name) => $"cm_cql2_seconds({PropertyText(name)})";

    protected override string PropertyIsNull(string name)
    {
        var path = Path(name);
        return $"(json_type(f.properties, {path}) IS NULL OR json_type(f.properties, {path}) = 'null')";
    }

    protected override string NumberParameter(double value) => Bind(value);

    protected override string BooleanParameter(bool value) => Bind(value ? 1 : 0);

    protected override string SecondsParameter(double seconds) => Bind(seconds);

    protected override string Fold(string textSql) => $"cm_cql2_fold({textSql})";

    protected override string Like(string textSql, string patternParameter) => $"cm_cql2_like({textSql}, {patternParameter})";

    protected override string Spatial(Cql2SpatialOperator op, Geometry literal)
    {
        // Every relation but disjoint implies that the envelopes meet, so the R*Tree narrows the rows first;
        // disjoint is the negation of intersects, narrowed the same way.
        var test = op == Cql2SpatialOperator.Disjoint ? Cql2SpatialOperator.Intersects : op;
        var index = _literals.Count;
        _literals.Add((test, literal, PreparedGeometryFactory.Prepare(literal)));
        var box = literal.EnvelopeInternal;
        var condition = string.Create(CultureInfo.InvariantCulture, $"""
            (f.fid IN (SELECT fid FROM features_rtree WHERE max_x >= {Bind(Float32Bounds.Down(box.MinX))} AND min_x <= {Bind(Float32Bounds.Up(box.MaxX))}
                AND max_y >= {Bind(Float32Bounds.Down(box.MinY))} AND min_y <= {Bind(Float32Bounds.Up(box.MaxY))})
             AND cm_cql2_spatial({Bind(index)}, f.geometry))
            """);
        return op == Cql2SpatialOperator.Disjoint ? $"(NOT {condition})" : condition;
    }

    private string Path(string name) => Bind("$.\"" + name + "\"");
}
