using System.Globalization;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using NetTopologySuite.Geometries;

namespace ClusterMap.Tests.Shared;

/// <summary>
/// Generated features and filters for proving a store's CQL2 translation: each filter's SQL must select exactly the
/// features the in-memory evaluator selects from the same list (brute force). The features are synthetic (names
/// built from "Alpha", "Βήτα", "产业园" and a number; no real place), with every JSON type a queryable may meet:
/// the declared type, another type, null and absent. A few shapes are placed on purpose on the edges of the filters'
/// literals, so that equals, touches, crosses and overlaps have matches.
/// </summary>
public static class Cql2BruteForceCases
{
    public const string CollectionId = "cql2-features";

    public static readonly Cql2Queryables Queryables = new(new Dictionary<string, Cql2PropertyType>
    {
        ["sector"] = Cql2PropertyType.String,
        ["name"] = Cql2PropertyType.String,
        ["area_km2"] = Cql2PropertyType.Number,
        ["floors"] = Cql2PropertyType.Integer,
        ["open"] = Cql2PropertyType.Boolean,
        ["founded"] = Cql2PropertyType.Date,
        ["updated"] = Cql2PropertyType.Timestamp,
        ["geometry"] = Cql2PropertyType.Geometry,
    });

    /// <summary>Filters in CQL2-text (or CQL2-JSON when they start with '{'), with every operator of the offered classes.</summary>
    public static readonly string[] Filters =
    [
        // Basic CQL2
        "sector = '集成电路'",
        "sector <> '集成电路'",
        "sector < '人工智能'",
        "sector >= 'Logistics'",
        "area_km2 >= 10.5",
        "area_km2 < 3 OR area_km2 > 17",
        "floors = 12",
        "floors <= 4 AND open = TRUE",
        "open <> FALSE",
        "NOT (floors < 5)",
        "NOT open = TRUE",
        "sector IS NULL",
        "area_km2 IS NOT NULL AND floors IS NULL",
        "founded >= DATE('2000-01-01')",
        "updated < TIMESTAMP('2015-06-30T12:00:00Z')",
        "TRUE AND sector = '生物医药'",
        """{"op":"and","args":[{"op":"=","args":[{"property":"sector"},"新材料"]},{"op":">","args":[{"property":"floors"},10]}]}""",
        // Advanced comparison
        "name LIKE 'Alpha%'",
        "name LIKE '%产业园%'",
        "name NOT LIKE '%a%'",
        "name LIKE '50\\%\\_%'",
        "name LIKE 'Alpha _5%'",
        "area_km2 BETWEEN 2 AND 8.5",
        "floors NOT BETWEEN 5 AND 20",
        "sector IN ('集成电路', '生物医药')",
        "floors NOT IN (1, 2, 3)",
        // Equality and IN outside and inside NOT (PostGIS adds an index pre-filter to the first only).
        "area_km2 = 12 OR open = FALSE",
        "NOT (sector IN ('集成电路', 'Logistics') AND floors = 7)",
        """{"op":"in","args":[{"property":"sector"},["Logistics","新材料"]]}""",
        // Case-insensitive comparison
        "CASEI(name) LIKE CASEI('alpha%')",
        "CASEI(name) LIKE CASEI('%βήτα%')",
        "CASEI(sector) = CASEI('LOGISTICS')",
        "CASEI(sector) IN (CASEI('logistics'), CASEI('新材料'))",
        // Basic spatial functions
        "S_INTERSECTS(geometry, BBOX(121.40, 31.10, 121.50, 31.20))",
        "S_INTERSECTS(geometry, POLYGON((121.2 31.0, 121.6 31.05, 121.45 31.4, 121.2 31.0)))",
        "S_INTERSECTS(geometry, LINESTRING(121.0 30.8, 121.9 31.7))",
        "S_INTERSECTS(geometry, POINT(121.45 31.15))",
        "S_INTERSECTS(geometry, MULTIPOLYGON(((121.0 30.7, 121.1 30.7, 121.1 30.8, 121.0 30.7)), ((121.8 31.7, 121.9 31.7, 121.9 31.8, 121.8 31.7))))",
        """{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[121.5,31.5],[121.7,31.5],[121.7,31.7],[121.5,31.7],[121.5,31.5]]]}]}""",
        // Spatial functions
        "S_WITHIN(geometry, BBOX(121.30, 31.00, 121.60, 31.30))",
        "S_CONTAINS(geometry, POINT(121.45 31.15))",
        "S_DISJOINT(geometry, BBOX(121.00, 30.70, 121.50, 31.30))",
        "S_EQUALS(geometry, POLYGON((121.40 31.10, 121.50 31.10, 121.50 31.20, 121.40 31.20, 121.40 31.10)))",
        "S_TOUCHES(geometry, POLYGON((121.40 31.10, 121.50 31.10, 121.50 31.20, 121.40 31.20, 121.40 31.10)))",
        "S_CROSSES(geometry, LINESTRING(121.0 30.8, 121.9 31.7))",
        "S_OVERLAPS(geometry, BBOX(121.40, 31.10, 121.50, 31.20))",
        "S_WITHIN(POINT(121.45 31.15), geometry)",
        "S_CONTAINS(BBOX(121.30, 31.00, 121.60, 31.30), geometry) AND sector = '集成电路'",
        // Temporal functions
        "T_AFTER(updated, TIMESTAMP('2020-01-01T00:00:00Z'))",
        "T_BEFORE(founded, DATE('1995-01-01'))",
        "T_DURING(INTERVAL(founded, updated), INTERVAL('1990-01-01', '2021-12-31'))",
        "T_EQUALS(founded, DATE('2010-06-01'))",
        "T_INTERSECTS(updated, INTERVAL('..', '2012-06-30T12:00:00Z'))",
        "T_DISJOINT(founded, INTERVAL('2000-01-01', '..'))",
        "T_CONTAINS(INTERVAL('2000-01-01', '2010-01-01'), INTERVAL(founded, '2005-01-01'))",
        "T_MEETS(INTERVAL('2000-01-01', '2010-06-01'), INTERVAL(founded, '..'))",
        "T_METBY(INTERVAL(founded, updated), INTERVAL('..', '2010-06-01'))",
        "T_STARTS(INTERVAL(founded, '2015-01-01'), INTERVAL('2010-06-01', '2020-01-01'))",
        "T_STARTEDBY(INTERVAL(founded, updated), INTERVAL('2010-06-01', '2011-01-01'))",
        "T_FINISHES(INTERVAL(founded, '2020-06-01'), INTERVAL('2000-01-01', '2020-06-01'))",
        "T_FINISHEDBY(INTERVAL(founded, '2024-01-01'), INTERVAL('2015-01-01', '2024-01-01'))",
        "T_OVERLAPS(INTERVAL(founded, updated), INTERVAL('2005-01-01', '2015-01-01'))",
        "T_OVERLAPPEDBY(INTERVAL(founded, updated), INTERVAL('1990-01-01', '2005-01-01'))",
        """{"op":"t_after","args":[{"property":"founded"},{"date":"2012-06-05"}]}""",
    ];

    /// <summary>OGC API <c>datetime</c> values, applied to the <c>updated</c> property through the same translation.</summary>
    public static readonly string[] Datetimes =
    [
        "2019-01-01T00:00:00Z/2020-12-31T23:59:59Z",
        "../2006-01-01",
        "2018-03-01/..",
        "2016-05-05",
    ];

    /// <summary>Filters, then datetime values turned into filters: what each store's test runs.</summary>
    public static IEnumerable<(string Label, Cql2Node Filter)> All()
    {
        foreach (var filter in Filters)
        {
            var node = Cql2.Parse(filter, filter.StartsWith('{') ? Cql2Language.Json : Cql2Language.Text);
            Cql2Validator.Validate(node, Queryables);
            yield return (filter, node);
        }

        foreach (var datetime in Datetimes)
        {
            DatetimeParameter.TryParse(datetime, out var parameter, out _);
            yield return ($"datetime={datetime}", parameter!.ToFilter("updated"));
        }
    }

    /// <summary>The ids the in-memory evaluator selects, in the order of <paramref name="features"/>.</summary>
    public static List<string> BruteForce(Cql2Node filter, IEnumerable<FeatureRecord> features)
    {
        var predicate = Cql2Evaluator.Compile(filter, Queryables);
        return [.. features.Where(f => Cql2Evaluator.Matches(predicate, f)).Select(f => f.Id)];
    }

    public static List<FeatureRecord> Features(int count, int seed = 17)
    {
        var random = new Random(seed);
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var features = new List<FeatureRecord>
        {
            // On the edges of the filters' literals: equal to the 121.40–121.50 box, sharing its east edge, and a
            // line from its corner along its south edge and beyond.
            Feature("equal-box", factory.ToGeometry(new Envelope(121.40, 121.50, 31.10, 31.20)), """{"sector":"集成电路","name":"Alpha edge"}"""),
            Feature("touching-box", factory.ToGeometry(new Envelope(121.50, 121.60, 31.10, 31.20)), """{"sector":"生物医药","name":"Βήτα edge"}"""),
            Feature("touching-line", factory.CreateLineString([new(121.30, 31.05), new(121.40, 31.10)]), """{"name":"line edge"}"""),
            Feature("corner-point", factory.CreatePoint(new Coordinate(121.50, 31.20)), """{"name":"corner"}"""),
            // In the day that datetime=2016-05-05 asks for only in UTC (02:00 UTC), and one just before it.
            Feature("day-local", factory.CreatePoint(new Coordinate(121.70, 31.50)), """{"updated":"2016-05-05T10:00:00+08:00"}"""),
            Feature("day-before", factory.CreatePoint(new Coordinate(121.71, 31.50)), """{"updated":"2016-05-05T07:59:59.999+08:00"}"""),
        };

        string[] sectors = ["集成电路", "生物医药", "人工智能", "新材料", "Logistics", "LOGISTICS", "logistics"];
        string[] prefixes = ["Alpha", "ALPHA", "alpha", "Βήτα", "ΒΉΤΑ", "产业园", "50%_Park", "Gamma"];
        for (var i = 0; i < count; i++)
        {
            var properties = new Dictionary<string, object?>();
            Maybe(random, properties, "sector", () => sectors[random.Next(sectors.Length)], wrongType: () => 42);
            Maybe(random, properties, "name", () => $"{prefixes[random.Next(prefixes.Length)]} {random.Next(100)}{(random.Next(3) == 0 ? " 产业园区" : "")}", wrongType: () => true);
            Maybe(random, properties, "area_km2", () => random.Next(4) == 0 ? random.Next(20) : Math.Round(random.NextDouble() * 20, 3), wrongType: () => "12");
            Maybe(random, properties, "floors", () => random.Next(31), wrongType: () => "12");
            Maybe(random, properties, "open", () => random.Next(2) == 0, wrongType: () => "true");
            Maybe(random, properties, "founded", () => new DateOnly(1980 + random.Next(45), 1 + random.Next(12), 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                wrongType: () => new[] { "not a date", "2015-13-01", "2015-02-30", "2015-02-29", "2016-02-29", "2000-02-29", "1900-02-29" }[random.Next(7)]);
            Maybe(random, properties, "updated", () => Timestamp(random), wrongType: () => 2020);
            features.Add(Feature($"f{i:D5}", RandomGeometry(random, factory), JsonSerializer.Serialize(properties)));
        }

        return features;
    }

    private static FeatureRecord Feature(string id, Geometry geometry, string properties) => new(id, geometry, properties);

    // Mostly the declared type; sometimes absent, JSON null or another JSON type.
    private static void Maybe(Random random, Dictionary<string, object?> properties, string name, Func<object> value, Func<object> wrongType)
    {
        var roll = random.Next(20);
        if (roll == 0)
        {
            return;
        }

        properties[name] = roll switch
        {
            1 => null,
            2 => wrongType(),
            _ => value(),
        };
    }

    private static string Timestamp(Random random)
    {
        var instant = new DateTimeOffset(2005, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMilliseconds(random.NextInt64(20L * 365 * 86_400_000));
        var offset = TimeSpan.FromHours(random.Next(3) switch { 0 => 0, 1 => 8, _ => -5 });
        var local = instant.ToOffset(offset);
        // Whole seconds, milliseconds, or more digits than a millisecond (cut, never rounded, by every engine).
        var text = local.ToString(random.Next(3) switch { 0 => "yyyy-MM-dd'T'HH:mm:ss", 1 => "yyyy-MM-dd'T'HH:mm:ss.fff", _ => "yyyy-MM-dd'T'HH:mm:ss.fff'9996'" }, CultureInfo.InvariantCulture);
        return text + (offset == TimeSpan.Zero ? "Z" : local.ToString("zzz", CultureInfo.InvariantCulture));
    }

    private static Geometry RandomGeometry(Random random, GeometryFactory factory)
    {
        Coordinate Near(double x, double y, double spread) => new(x + ((random.NextDouble() - 0.5) * spread), y + ((random.NextDouble() - 0.5) * spread));
        var centre = new Coordinate(121.0 + (random.NextDouble() * 0.9), 30.7 + (random.NextDouble() * 1.1));
        switch (random.Next(10))
        {
            case < 6:
                return factory.CreatePoint(centre);
            case < 8:
                var size = 0.005 + (random.NextDouble() * 0.08);
                var a = Near(centre.X, centre.Y, size);
                var b = Near(centre.X + size, centre.Y, size / 3);
                var c = Near(centre.X + size, centre.Y + size, size / 3);
                var d = Near(centre.X, centre.Y + size, size / 3);
                var polygon = factory.CreatePolygon([a, b, c, d, a.Copy()]);
                return polygon.IsValid ? polygon : factory.ToGeometry(polygon.EnvelopeInternal);
            default:
                return factory.CreateLineString([centre, Near(centre.X, centre.Y, 0.1), Near(centre.X, centre.Y, 0.2)]);
        }
    }
}
