using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Filtering;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace ClusterMap.Storage.PostGis;

/// <summary>
/// CQL2 to PostgreSQL/PostGIS: properties read from the <c>json</c> properties column with <c>-&gt;</c>/<c>-&gt;&gt;</c>
/// and <c>json_typeof</c> (a value of another JSON type than the queryable's reads as NULL, as in memory), text
/// ordered by code point (<c>COLLATE "C"</c>), CASEI through ICU's lower case, spatial predicates as <c>ST_</c>
/// functions on the geometry column so that the planner uses its GiST index. Equality and IN on a string or number
/// property also carry a JSONB containment test that the GIN index <c>features_properties</c> answers, as a
/// pre-filter beside the exact comparison. Instants compare as numeric seconds to the millisecond. Every value from
/// the filter is a bound parameter.
/// </summary>
public sealed class PostGisCql2Translator(Cql2Queryables queryables, string parameterPrefix = "cql") : Cql2SqlTranslator(queryables, parameterPrefix)
{
    // Mirrors Rfc3339.TryParse: a full date that exists (29 February in leap years only), or a date-time with Z or an
    // offset. A value that fails it reads as NULL instead of failing the query's cast to timestamptz.
    private const string Rfc3339Pattern =
        @"^(?!0000)(\d{4}-((0[13578]|1[02])-(0[1-9]|[12]\d|3[01])|(0[469]|11)-(0[1-9]|[12]\d|30)|02-(0[1-9]|1\d|2[0-8]))"
        + @"|(\d\d(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)"
        + @"([Tt ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d))?$";

    private const string BeyondMilliseconds = @"(\.\d{3})\d+";

    protected override string PropertyText(string name) =>
        $"(CASE WHEN json_typeof(f.properties -> {Bind(name)}) = 'string' THEN f.properties ->> {Bind(name)} END)";

    protected override string PropertyNumber(string name) =>
        $"(CASE WHEN json_typeof(f.properties -> {Bind(name)}) = 'number' THEN (f.properties ->> {Bind(name)})::numeric END)";

    protected override string PropertyBoolean(string name) =>
        $"(CASE WHEN json_typeof(f.properties -> {Bind(name)}) = 'boolean' THEN (f.properties ->> {Bind(name)})::boolean END)";

    protected override string PropertySeconds(string name)
    {
        var text = PropertyText(name);
        // A date alone is midnight UTC, whatever the session's time zone. Fractions are cut to milliseconds before the
        // cast, which would otherwise round them to microseconds (and sometimes up into the next millisecond).
        return $"""
            (CASE WHEN {text} ~ {Bind(Rfc3339Pattern)}
             THEN extract(epoch FROM (CASE WHEN length({text}) = 10 THEN {text} || 'T00:00:00Z' ELSE regexp_replace({text}, {Bind(BeyondMilliseconds)}, {Bind(@"\1")}) END)::timestamptz) END)
            """;
    }

    protected override string PropertyIsNull(string name) =>
        $"(f.properties -> {Bind(name)} IS NULL OR json_typeof(f.properties -> {Bind(name)}) = 'null')";

    // As the double's shortest round-trip text, so that the numeric is the decimal the filter wrote (0.1, not 0.1000000000000000055…).
    protected override string NumberParameter(double value) => $"({Bind(value.ToString("R", CultureInfo.InvariantCulture))}::numeric)";

    protected override string BooleanParameter(bool value) => Bind(value);

    protected override string SecondsParameter(double seconds) => $"({Bind((decimal)Math.Round(seconds * 1000) / 1000m)}::numeric)";

    protected override string Ordered(string textSql) => $"({textSql} COLLATE \"C\")";

    protected override string Fold(string textSql) => $"lower({textSql} COLLATE \"und-x-icu\")";

    // PostgreSQL's LIKE has CQL2's wildcards and its default escape is the backslash, as CQL2's.
    protected override string Like(string textSql, string patternParameter) => $"(({textSql}) LIKE {patternParameter})";

    // Containment on the GIN (jsonb_path_ops) index of the properties: jsonb compares strings byte for byte, as the
    // exact test's COLLATE "C" equality does, and numbers as numeric, as the exact test does; the number is written
    // with the same shortest round-trip text as NumberParameter. A feature the exact test matches therefore contains
    // the object, so the pre-filter never drops a match. One value is one @>; several are @> ANY, which the index
    // answers with one scan per value.
    protected override string? EqualityPrefilter(string property, IReadOnlyList<Cql2Node> values)
    {
        var objects = values.Select(value => Bind(ContainedObject(property, value))).ToList();
        return objects.Count == 1
            ? $"({PropertiesJsonb} @> {objects[0]}::jsonb)"
            : $"({PropertiesJsonb} @> ANY (ARRAY[{string.Join(", ", objects)}]::jsonb[]))";
    }

    /// <summary>
    /// The expression the GIN index <c>features_properties</c> is built on (PostGisMigrations, version 3); the planner
    /// uses the index only for this exact expression.
    /// </summary>
    internal const string PropertiesJsonb = "clustermap_properties_jsonb(f.properties)";

    private static string ContainedObject(string property, Cql2Node value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WritePropertyName(property);
            switch (value)
            {
                case Cql2String text:
                    writer.WriteStringValue(text.Value);
                    break;
                case Cql2Number number:
                    writer.WriteRawValue(number.Value.ToString("R", CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new ArgumentException($"Not a string or number literal: {value.GetType().Name}", nameof(value));
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    protected override string Spatial(Cql2SpatialOperator op, Geometry literal)
    {
        var geometry = $"ST_GeomFromWKB({Bind(new WKBWriter(ByteOrder.LittleEndian, handleSRID: false, emitZ: false, emitM: false).Write(literal))}, 4326)";
        // Each ST_ relation carries an index-assisted && on the bounding boxes; disjoint, which has none, is written
        // as the negation of intersects so that the index still finds the rows it excludes.
        return op switch
        {
            Cql2SpatialOperator.Intersects => $"ST_Intersects(f.geom, {geometry})",
            Cql2SpatialOperator.Equals => $"ST_Equals(f.geom, {geometry})",
            Cql2SpatialOperator.Disjoint => $"(NOT ST_Intersects(f.geom, {geometry}))",
            Cql2SpatialOperator.Touches => $"ST_Touches(f.geom, {geometry})",
            Cql2SpatialOperator.Within => $"ST_Within(f.geom, {geometry})",
            Cql2SpatialOperator.Overlaps => $"ST_Overlaps(f.geom, {geometry})",
            Cql2SpatialOperator.Crosses => $"ST_Crosses(f.geom, {geometry})",
            _ => $"ST_Contains(f.geom, {geometry})",
        };
    }
}
