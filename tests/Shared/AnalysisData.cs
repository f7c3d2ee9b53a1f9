using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Analysis;
using ClusterMap.Core.Features;
using ClusterMap.Core.Geodesy;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Storage;
using NetTopologySuite.Geometries;

namespace ClusterMap.Tests.Shared;

/// <summary>
/// Seeded parks and institutions for the analysis tests and benchmark, each generated with the tier and discipline
/// categories it is meant to have (so the expected answers do not come from the code under test), and the brute-force
/// answers: every park against every institution with Core's exact geodesic distance, no index.
/// </summary>
/// <remarks>
/// Institutions are also placed just inside and just outside each band of the first parks, with uncertainties larger
/// than the offset, so that intervals straddle every band edge and the certain/possible split is exercised.
/// </remarks>
public sealed class AnalysisData
{
    /// <summary>The fit table the generated data is meant for: three sectors; 综合类 deliberately unmapped.</summary>
    public const string SectorFitCsv = """
        sector,discipline,note
        集成电路,08,test
        集成电路,07,test
        集成电路,14,test
        生物医药,10,test
        生物医药,07,test
        时尚消费品,13,test
        时尚消费品,12,test
        """;

    public const string CategoryCsv = """
        major_category,discipline,note
        理工类,07,test
        理工类,08,test
        医药类,10,test
        艺术类,13,test
        """;

    public static readonly IReadOnlyList<double> Bands = [2000, 5000, 10000, 20000];

    private static readonly Dictionary<string, ushort> _sectorMasks = new()
    {
        ["集成电路"] = Mask(7, 8, 14),
        ["生物医药"] = Mask(7, 10),
        ["时尚消费品"] = Mask(12, 13),
    };

    private static readonly (string Category, ushort Mask)[] _categories =
        [("理工类", Mask(7, 8)), ("医药类", Mask(10)), ("艺术类", Mask(13)), ("综合类", 0)];

    private static readonly string?[] _parkSectors = ["集成电路", "生物医药", "时尚消费品", "未列产业", null];

    private static readonly GeometryFactory _factory = new(new PrecisionModel(), 4326);

    private AnalysisData(List<Site> parks, List<Site> institutions, List<District> districts, List<LinkSite> links)
    {
        Parks = parks;
        Institutions = institutions;
        Districts = districts;
        Links = links;
    }

    /// <summary>A generated feature with what it is meant to be.</summary>
    public sealed record Site(string Id, Geometry Geometry, double UncertaintyMeters, string PropertiesJson, string? Sector, InstitutionTier Tier, ushort Disciplines)
    {
        public FeatureRecord Record => new(Id, Geometry, PropertiesJson);

        public ProximityItem Item => CollectionSnapshot.ToProximityItem(Record);
    }

    public IReadOnlyList<Site> Parks { get; }

    public IReadOnlyList<Site> Institutions { get; }

    /// <summary>The generated district rectangles written to the districts collection (one of the grid's cells is left out on purpose).</summary>
    public IReadOnlyList<District> Districts { get; }

    /// <summary>The generated links (park ↔ institution ids), including a link to a park that does not exist, one without institutions and one naming a collection that is not read.</summary>
    public IReadOnlyList<LinkSite> Links { get; }

    /// <summary>A generated district: a rectangle of a 3 × 2 grid over the area.</summary>
    public sealed record District(string Id, Envelope Box);

    /// <summary>A generated link as the links collection holds it.</summary>
    public sealed record LinkSite(string Id, string ParkId, string? InstitutionCollection, IReadOnlyList<string> InstitutionIds, Coordinate At);

    /// <summary>Which collection the service reads a generated institution from (<see cref="WriteGeodata"/> splits them in halves).</summary>
    public string CollectionOf(Site institution)
    {
        var index = Institutions.Select((s, i) => (s, i)).First(p => ReferenceEquals(p.s, institution)).i;
        return index < Institutions.Count / 2 ? "universities" : "institutes";
    }

    /// <summary>
    /// <paramref name="parks"/> parks (every seventh a small polygon) and <paramref name="institutions"/> institutions
    /// spread over <paramref name="area"/>, plus straddling institutions around the first <paramref name="straddledParks"/> parks.
    /// </summary>
    public static AnalysisData Generate(int seed, int parks, int institutions, Envelope area, int straddledParks = 3, bool polygons = true)
    {
        var random = new Random(seed);
        var parkList = new List<Site>(parks);
        for (var i = 0; i < parks; i++)
        {
            var (lon, lat) = (area.MinX + (random.NextDouble() * area.Width), area.MinY + (random.NextDouble() * area.Height));
            var uncertainty = Pick(random, 0, 200, 1000, 3000, 12000);
            var sector = _parkSectors[random.Next(_parkSectors.Length)];
            Geometry geometry = polygons && i % 7 == 6
                ? _factory.CreatePolygon([new(lon, lat), new(lon + 0.01, lat), new(lon + 0.01, lat + 0.008), new(lon, lat + 0.008), new(lon, lat)])
                : _factory.CreatePoint(new Coordinate(lon, lat));
            var properties = new Dictionary<string, object?> { ["name_en"] = $"Park {i}", ["sector"] = sector, ["location_uncertainty_m"] = uncertainty };
            AddDistrict(properties, area, lon, lat, i);
            parkList.Add(new Site($"park-{i:D5}", geometry, uncertainty, Json(properties), sector, InstitutionTier.Unrated, 0));
        }

        var institutionList = new List<Site>(institutions);
        for (var i = 0; i < institutions; i++)
        {
            var point = _factory.CreatePoint(new Coordinate(area.MinX + (random.NextDouble() * area.Width), area.MinY + (random.NextDouble() * area.Height)));
            institutionList.Add(Institution(random, $"inst-{i:D6}", point, Pick(random, 0, 500, 1000, 2500), area, i));
        }

        // Around the first parks: for every band, institutions at the band edge ± a fraction of the summed uncertainty.
        foreach (var park in parkList.Where(p => p.Geometry is Point).Take(straddledParks))
        {
            var centre = ((Point)park.Geometry).Coordinate;
            var n = 0;
            foreach (var band in Bands)
            {
                foreach (var (fraction, uncertainty) in new[] { (-0.5, 800.0), (0.5, 800.0), (-1.5, 300.0), (1.5, 300.0), (0.2, 0.0), (-0.2, 0.0) })
                {
                    var slack = park.UncertaintyMeters + uncertainty;
                    var offset = slack > 0 ? fraction * slack : fraction * 400;
                    var end = Geodesic.Direct(centre, random.NextDouble() * 360, band + offset).End;
                    institutionList.Add(Institution(random, $"edge-{park.Id}-{n:D3}", _factory.CreatePoint(end), uncertainty, area, n));
                    n++;
                }
            }
        }

        var districts = new List<District>();
        for (var row = 0; row < 2; row++)
        {
            for (var column = 0; column < 3; column++)
            {
                var w = area.Width / 3;
                var h = area.Height / 2;
                districts.Add(new District(
                    $"district-{column}-{row}",
                    new Envelope(area.MinX + (column * w), area.MinX + ((column + 1) * w), area.MinY + (row * h), area.MinY + ((row + 1) * h))));
            }
        }

        // A separate generator, so the links leave the sites as they were generated before links existed.
        var linkRandom = new Random(seed + 1);
        var half = institutionList.Count / 2;
        var links = new List<LinkSite>();
        for (var i = 0; i < (institutionList.Count == 0 ? 0 : Math.Min(12, parkList.Count)); i++)
        {
            var park = parkList[i];
            var chosen = Enumerable.Range(0, 1 + linkRandom.Next(2)).Select(_ => linkRandom.Next(institutionList.Count)).Distinct().ToList();
            var collection = i % 3 == 0 && chosen.All(c => c < half) ? "universities" : null;
            links.Add(new LinkSite($"link-{i:D3}", park.Id, collection, [.. chosen.Select(c => institutionList[c].Id)], park.Geometry.Coordinate));
        }

        if (parkList.Count > 0 && institutionList.Count > 0)
        {
            var at = parkList[0].Geometry.Coordinate;
            links.Add(new LinkSite("link-no-park", "park-that-does-not-exist", null, [institutionList[0].Id], at));
            links.Add(new LinkSite("link-no-institution", parkList[0].Id, null, [], at));
            links.Add(new LinkSite("link-other-collection", parkList[0].Id, "elsewhere", [institutionList[0].Id], at));
            links.Add(new LinkSite("link-partly-missing", parkList[0].Id, null, ["inst-that-does-not-exist", institutionList[^1].Id], at));
        }

        // The last grid cell is not in the districts collection: its features still count under their district_id.
        return new AnalysisData(parkList, institutionList, districts.Take(districts.Count - 1).ToList(), links);
    }

    /// <summary>The same institutions with only the parks <paramref name="keep"/> accepts.</summary>
    public AnalysisData WithParks(Func<Site, bool> keep) => new([.. Parks.Where(keep)], [.. Institutions], [.. Districts], [.. Links.Where(l => Parks.Any(p => p.Id == l.ParkId && keep(p)))]);

    /// <summary>The district_id a generated site carries: the 3 × 2 grid cell of its first coordinate; every thirteenth has none.</summary>
    public static string? DistrictIdOf(Site site)
    {
        using var document = JsonDocument.Parse(site.PropertiesJson);
        return document.RootElement.TryGetProperty("district_id", out var id) ? id.GetString() : null;
    }

    private static void AddDistrict(Dictionary<string, object?> properties, Envelope area, double lon, double lat, int ordinal)
    {
        if (ordinal % 13 == 12)
        {
            return;
        }

        var column = Math.Clamp((int)Math.Floor((lon - area.MinX) / (area.Width / 3)), 0, 2);
        var row = Math.Clamp((int)Math.Floor((lat - area.MinY) / (area.Height / 2)), 0, 1);
        properties["district_id"] = $"district-{column}-{row}";
    }

    /// <summary>The brute-force research base of one park in one band (the same figures as <see cref="ResearchBaseBand"/>).</summary>
    public sealed record ExpectedBand(int Estimated, CertainPossible Institutions, CertainPossible[] Tiers, CertainPossible? Fits, CertainPossible? DoesNotFit, CertainPossible? Unknown, double WeightedCertain, double WeightedPossible);

    public static ExpectedBand BruteForce(Site park, IEnumerable<Site> institutions, double band, IReadOnlyDictionary<InstitutionTier, double> weights)
    {
        var sectorKnown = park.Sector is not null && _sectorMasks.ContainsKey(park.Sector);
        var sectorMask = sectorKnown ? _sectorMasks[park.Sector!] : (ushort)0;
        int estimated = 0;
        var total = new int[2];
        var tiers = new int[6, 2];
        var fit = new int[3, 2];
        var weighted = new double[2];
        foreach (var institution in institutions)
        {
            var d = Distance(park.Geometry, institution.Geometry);
            var slack = park.UncertaintyMeters + institution.UncertaintyMeters;
            if (d > band + slack)
            {
                continue;
            }

            var possible = d + slack > band ? 1 : 0;
            estimated += d <= band ? 1 : 0;
            total[possible]++;
            tiers[(int)institution.Tier, possible]++;
            fit[institution.Disciplines == 0 ? 2 : (institution.Disciplines & sectorMask) != 0 ? 0 : 1, possible]++;
            weighted[possible] += weights[institution.Tier];
        }

        CertainPossible? Fit(int k) => sectorKnown ? new CertainPossible(fit[k, 0], fit[k, 1]) : null;
        return new ExpectedBand(estimated, new CertainPossible(total[0], total[1]),
            [.. Enumerable.Range(0, 6).Select(t => new CertainPossible(tiers[t, 0], tiers[t, 1]))], Fit(0), Fit(1), Fit(2), weighted[0], weighted[1]);
    }

    /// <summary>A partner's expected figures: distance and range, rank among all institutions and among those fitting the park's sector (null when its sector has no fit).</summary>
    public sealed record ExpectedPartner(
        string Id, double Distance, double MinDistance, double MaxDistance, string Fit, (int Estimated, int Best, int Worst, int Of) Rank, (int Estimated, int Best, int Worst, int Of)? RankAmongFitting);

    /// <summary>
    /// The brute-force measure of one partner: every institution's exact distance from the park, no index; an
    /// institution is nearer at the stored points (ties by ordinal id), certainly nearer when its interval ends before
    /// the partner's begins, possibly nearer when its interval begins no later than the partner's ends.
    /// </summary>
    public static ExpectedPartner BruteForcePartner(Site park, Site partner, IReadOnlyList<Site> institutions)
    {
        var sectorKnown = park.Sector is not null && _sectorMasks.ContainsKey(park.Sector);
        var mask = sectorKnown ? _sectorMasks[park.Sector!] : (ushort)0;
        string FitOf(Site s) => s.Disciplines == 0 ? "unknown" : (s.Disciplines & mask) != 0 ? "fits" : "does_not_fit";
        var d = Distance(park.Geometry, partner.Geometry);
        var slack = park.UncertaintyMeters + partner.UncertaintyMeters;
        var (min, max) = (Math.Max(0, d - slack), d + slack);
        int[] all = [1, 1, 1, 0], fitting = [1, 1, 1, 0];
        foreach (var other in institutions)
        {
            var fits = sectorKnown && FitOf(other) == "fits";
            fitting[3] += fits ? 1 : 0;
            all[3]++;
            if (ReferenceEquals(other, partner))
            {
                continue;
            }

            var od = Distance(park.Geometry, other.Geometry);
            var os = park.UncertaintyMeters + other.UncertaintyMeters;
            int[] nearer =
            [
                od < d || (od == d && string.CompareOrdinal(other.Id, partner.Id) < 0) ? 1 : 0,
                od + os < min ? 1 : 0,
                Math.Max(0, od - os) <= max ? 1 : 0,
            ];
            for (var k = 0; k < 3; k++)
            {
                all[k] += nearer[k];
                fitting[k] += fits ? nearer[k] : 0;
            }
        }

        var partnerFit = sectorKnown ? FitOf(partner) : "unknown";
        if (partnerFit != "fits")
        {
            fitting[3]++;
        }

        return new ExpectedPartner(partner.Id, d, min, max, partnerFit, (all[0], all[1], all[2], all[3]), sectorKnown ? (fitting[0], fitting[1], fitting[2], fitting[3]) : null);
    }

    /// <summary>An institution's fit to a sector as generated: fits, does_not_fit or unknown; null when the test fit table has no row for the sector.</summary>
    public static string? FitName(string? sector, Site institution) =>
        sector is null || !_sectorMasks.TryGetValue(sector, out var mask) ? null
        : institution.Disciplines == 0 ? "unknown" : (institution.Disciplines & mask) != 0 ? "fits" : "does_not_fit";

    /// <summary>The k nearest institutions fitting the park's sector, partners excluded (by distance, then id); none when the sector has no fit.</summary>
    public static IReadOnlyList<(string Id, double Distance)> BruteForceAlternatives(Site park, IReadOnlyCollection<Site> partners, IEnumerable<Site> institutions, int k)
    {
        if (park.Sector is null || !_sectorMasks.TryGetValue(park.Sector, out var mask))
        {
            return [];
        }

        return [.. institutions.Where(i => !partners.Contains(i) && (i.Disciplines & mask) != 0)
            .Select(i => (i.Id, Distance: Distance(park.Geometry, i.Geometry)))
            .OrderBy(p => p.Distance).ThenBy(p => p.Id, StringComparer.Ordinal).Take(k)];
    }

    /// <summary>Brute-force counts of sites within <paramref name="radius"/> of a point: certain and possible.</summary>
    public static CertainPossible BruteForceCount(Coordinate centre, IEnumerable<Site> sites, double radius)
    {
        var point = _factory.CreatePoint(centre);
        int certain = 0, possible = 0;
        foreach (var site in sites)
        {
            var d = Distance(point, site.Geometry);
            if (d > radius + site.UncertaintyMeters)
            {
                continue;
            }

            if (d + site.UncertaintyMeters <= radius)
            {
                certain++;
            }
            else
            {
                possible++;
            }
        }

        return new CertainPossible(certain, possible);
    }

    /// <summary>
    /// A geodata folder the service can load: <c>parks</c> (role park), <c>universities</c> (role university, the
    /// first half of the institutions) and <c>institutes</c> (role institute, the rest), and the test fit tables.
    /// </summary>
    public void WriteGeodata(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "analysis"));
        var half = Institutions.Count / 2;
        WriteCollection(folder, "parks", Parks);
        WriteCollection(folder, "universities", Institutions.Take(half));
        WriteCollection(folder, "institutes", Institutions.Skip(half));
        var entries = new List<object>
        {
            Entry("parks", "park", Parks.Count),
            Entry("universities", "university", half),
            Entry("institutes", "institute", Institutions.Count - half),
        };
        if (Districts.Count > 0)
        {
            WriteFeatures(folder, "districts", Districts.Select(d => (d.Id, (Geometry)_factory.ToGeometry(d.Box), Json(new Dictionary<string, object?> { ["name_zh"] = $"测试区 {d.Id}", ["name_en"] = $"Test district {d.Id}" }))));
            entries.Add(Entry("districts", "district", Districts.Count));
        }

        if (Links.Count > 0)
        {
            WriteFeatures(folder, "links", Links.Select(l => (l.Id, (Geometry)_factory.CreatePoint(l.At), Json(new Dictionary<string, object?>
            {
                ["park_id"] = l.ParkId,
                ["institution_collection"] = l.InstitutionCollection,
                ["institution_ids"] = l.InstitutionIds,
                ["relation"] = "generated",
                ["date"] = "2020-01-01",
            }))));
            entries.Add(Entry("links", "link", Links.Count));
        }

        var manifest = new { collections = entries };
        File.WriteAllText(Path.Combine(folder, "collections.json"), JsonSerializer.Serialize(manifest));
        File.WriteAllText(Path.Combine(folder, "analysis", "sector-discipline-fit.csv"), SectorFitCsv);
        File.WriteAllText(Path.Combine(folder, "analysis", "institution-category-disciplines.csv"), CategoryCsv);

        static object Entry(string id, string role, int count) => new
        {
            id,
            title = $"Generated {id}",
            description = "Generated analysis test data",
            file = $"{id}.geojson",
            attribution = "ClusterMap tests",
            license = "CC0-1.0",
            role,
            feature_count = count,
        };
    }

    private static void WriteCollection(string folder, string id, IEnumerable<Site> sites) =>
        WriteFeatures(folder, id, sites.Select(s => (s.Id, s.Geometry, s.PropertiesJson)));

    private static void WriteFeatures(string folder, string id, IEnumerable<(string Id, Geometry Geometry, string PropertiesJson)> features)
    {
        var text = new StringBuilder("{\"type\":\"FeatureCollection\",\"features\":[\n");
        var first = true;
        foreach (var feature in features)
        {
            text.Append(first ? "" : ",\n").Append("{\"type\":\"Feature\",\"id\":\"").Append(feature.Id).Append("\",\"geometry\":")
                .Append(GeometryJson(feature.Geometry)).Append(",\"properties\":").Append(feature.PropertiesJson).Append('}');
            first = false;
        }

        File.WriteAllText(Path.Combine(folder, $"{id}.geojson"), text.Append("\n]}\n").ToString());
    }

    // Points and simple polygons only, coordinates in round-trip form so the store holds exactly the generated geometry.
    private static string GeometryJson(Geometry geometry)
    {
        static string Position(Coordinate c) => string.Create(CultureInfo.InvariantCulture, $"[{c.X:R},{c.Y:R}]");
        return geometry switch
        {
            Point p => "{\"type\":\"Point\",\"coordinates\":" + Position(p.Coordinate) + "}",
            Polygon polygon => "{\"type\":\"Polygon\",\"coordinates\":[[" + string.Join(',', polygon.ExteriorRing.Coordinates.Select(Position)) + "]]}",
            _ => throw new NotSupportedException(geometry.GeometryType),
        };
    }

    private static Site Institution(Random random, string id, Point point, double uncertainty, Envelope area, int ordinal)
    {
        var tier = (InstitutionTier)random.Next(6);
        var properties = new Dictionary<string, object?> { ["name_en"] = id, ["location_uncertainty_m"] = uncertainty };
        AddDistrict(properties, area, point.X, point.Y, ordinal);
        switch (tier)
        {
            case InstitutionTier.National:
                properties["type"] = "national laboratory";
                break;
            case InstitutionTier.Project985:
                (properties["is_985"], properties["is_211"], properties["double_first_class"]) = (true, true, true);
                break;
            case InstitutionTier.Project211:
                (properties["is_985"], properties["is_211"], properties["double_first_class"]) = (false, true, random.Next(2) == 0);
                break;
            case InstitutionTier.DoubleFirstClass:
                (properties["is_985"], properties["is_211"], properties["double_first_class"]) = (false, false, true);
                break;
            case InstitutionTier.Other:
                (properties["is_985"], properties["is_211"], properties["double_first_class"]) = (false, false, false);
                break;
            default:
                properties["type"] = "CAS institute";
                break;
        }

        ushort disciplines = 0;
        switch (random.Next(4))
        {
            case 0:
                // Listed disciplines, as category codes, first-level codes or names.
                var codes = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => 1 + random.Next(14)).Distinct().ToArray();
                disciplines = Mask(codes);
                properties["disciplines"] = codes.Select((c, k) => (k % 3) switch
                {
                    0 => c.ToString("D2", CultureInfo.InvariantCulture),
                    1 => c.ToString("D2", CultureInfo.InvariantCulture) + "01",
                    _ => DisciplineCategories.All[c - 1].NameZh,
                }).ToArray();
                break;
            case 1:
                var (category, mask) = _categories[random.Next(_categories.Length)];
                properties["major_category"] = category;
                disciplines = mask;
                break;
            default:
                // Nothing said about disciplines: fit unknown.
                break;
        }

        return new Site(id, point, uncertainty, Json(properties), null, tier, disciplines);
    }

    private static double Distance(Geometry a, Geometry b) =>
        a is Point p && b is Point q ? Geodesic.DistanceMeters(p.Coordinate, q.Coordinate) : GeodesicDistance.Between(a, b);

    private static double Pick(Random random, params double[] values) => values[random.Next(values.Length)];

    private static ushort Mask(params int[] codes) => (ushort)codes.Aggregate(0, (m, c) => m | (1 << c));

    private static string Json(Dictionary<string, object?> properties) => JsonSerializer.Serialize(properties, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
