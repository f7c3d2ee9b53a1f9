using ClusterMap.Core.Geodesy;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Tests.TestData;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace ClusterMap.Core.Tests.Proximity;

public class ProximityIndexTests
{
    // The issue's target: every distance within 0.5 m of PostGIS geography, and the same radius membership
    // except for pairs within that tolerance of the boundary.
    private const double PostGisToleranceMeters = 0.5;

    private static readonly WKTReader _reader = new();
    private static readonly GeometryFactory _factory = new(new PrecisionModel(), 4326);

    [Theory]
    [InlineData(1000)]
    [InlineData(3000)]
    [InlineData(5000)]
    public void Within_MatchesPostGisDWithinMembership(int radius)
    {
        var geometries = Fixture.Load("postgis_within_targets.csv").Rows;
        var index = ProximityIndex.Build(geometries.Where(r => r["role"] == "target").Select(r => new ProximityItem(r["id"], _reader.Read(r["wkt"]))));
        var origins = geometries.Where(r => r["role"] == "origin").ToDictionary(r => r["id"], r => _reader.Read(r["wkt"]));
        var pairs = Fixture.Load("postgis_within.csv").Rows;
        var compared = 0;
        foreach (var (originId, origin) in origins)
        {
            var hits = index.Within(origin, radius).ToDictionary(h => h.Id, h => h.DistanceMeters);
            foreach (var pair in pairs.Where(p => p["origin_id"] == originId))
            {
                var postgisDistance = pair.D("distance_m");
                var postgisWithin = pair[$"dwithin_{radius}"] == "t";
                if (hits.TryGetValue(pair["target_id"], out var d))
                {
                    Assert.True(Math.Abs(d - postgisDistance) <= PostGisToleranceMeters, $"{originId}->{pair["target_id"]}: {d} vs {postgisDistance}");
                }

                if (Math.Abs(postgisDistance - radius) <= PostGisToleranceMeters)
                {
                    continue;
                }

                compared++;
                Assert.True(postgisWithin == hits.ContainsKey(pair["target_id"]), $"{originId}->{pair["target_id"]} at {postgisDistance} m, r {radius}: PostGIS {postgisWithin}");
            }
        }

        Assert.True(compared > 4000);
    }

    [Fact]
    public void Within_EqualsBruteForceAndIsSortedByDistanceThenId()
    {
        var (index, items) = Synthetic(seed: 1, count: 1500);
        var data = new ChinaSynthetic(101);
        for (var q = 0; q < 15; q++)
        {
            var origin = data.Feature(0.4);
            var radius = 500 + (data.NextDouble() * 8000);
            var expected = BruteForceWithin(items, origin, radius);
            var hits = index.Within(origin, radius);
            Assert.Equal(expected.Select(e => e.Id), hits.Select(h => h.Id));
            Assert.Equal(Enumerable.Range(1, hits.Count), hits.Select(h => h.Rank));
            for (var i = 0; i < hits.Count; i++)
            {
                // The index runs the same exact computation as the brute force, only with a cut-off.
                Assert.Equal(expected[i].D, hits[i].DistanceMeters, 9);
                Assert.Equal(ProximityCertainty.Certain, hits[i].Certainty);
            }
        }
    }

    [Fact]
    public void Within_LargeAnswers_EqualBruteForce()
    {
        // Answers large enough for the paths only big queries take: candidates measured on every core in runs, the
        // radix sort of the distances, whole tree nodes inside the query box taken without a test per leaf. With
        // hundreds of features at a few shared spots (ids in scrambled order), so long runs of equal distances
        // cross the runs and the sort.
        var data = new ChinaSynthetic(21);
        var items = Enumerable.Range(0, 20_000).Select(i => new ProximityItem($"f{i:D5}", data.Feature(0.3))).ToList();
        var spots = new[] { "POINT (121.47 31.23)", "POINT (121.5 31.25)", "POINT (121.44 31.2)" };
        items.AddRange(Enumerable.Range(0, 900).Select(i => new ProximityItem($"s{(i * 7919) % 900:D3}-{i % 3}", _reader.Read(spots[i % 3]))));
        var index = ProximityIndex.Build(items);
        foreach (var (lon, lat, radius) in new[] { (121.47, 31.23, 30_000.0), (121.5, 31.3, 20_000.0), (121.47, 31.23, 3_000.0) })
        {
            var origin = _factory.CreatePoint(new Coordinate(lon, lat));
            var expected = BruteForceWithin(items, origin, radius);
            var hits = index.Within(origin, radius);
            Assert.Equal(expected.Select(e => e.Id), hits.Select(h => h.Id));
            Assert.Equal(expected.Select(e => e.D), hits.Select(h => h.DistanceMeters));
            Assert.Equal(Enumerable.Range(1, hits.Count), hits.Select(h => h.Rank));
        }

        var largest = index.Within(_factory.CreatePoint(new Coordinate(121.47, 31.23)), 30_000).Count;
        Assert.True(largest > 2 * ProximityIndex.ParallelFrom, $"the largest answer has only {largest} hits");
    }

    // Every item within the radius by the exact distance of each, nearest first, ties by ordinal id.
    private static List<(string Id, double D)> BruteForceWithin(IEnumerable<ProximityItem> items, Geometry origin, double radius) =>
        items
            .Select(i => (i.Id, D: GeodesicDistance.Between(origin, i.Geometry)))
            .Where(t => t.D <= radius)
            .OrderBy(t => t.D).ThenBy(t => t.Id, StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void Within_ShortLineKernelDistances_AreWithinItsBoundOfKarneyAndTheExactEdgeSearch()
    {
        // The index answers within 50 km with ShortGeodesic; here every hit and every near miss is measured again
        // with the exact solvers alone (Karney's inverse for points, the Newton search of GeodesicSegmentDistance
        // for each polygon edge), so the kernel's error reaches the answers no further than it states.
        var (index, items) = Synthetic(seed: 3, count: 3000);
        var data = new ChinaSynthetic(303);
        var bound = ShortGeodesic.EdgeErrorBoundMeters;
        var polygonHits = 0;
        for (var q = 0; q < 20; q++)
        {
            var origin = data.Point();
            var radius = 1000 + (data.NextDouble() * 9000);
            var hits = index.Within(origin, radius).ToDictionary(h => h.Id, h => h.DistanceMeters);
            foreach (var item in items)
            {
                var exact = ExactPointDistance(origin, item.Geometry);
                if (hits.TryGetValue(item.Id, out var d))
                {
                    Assert.True(Math.Abs(d - exact) <= bound, $"{item.Id}: {d:R} vs exact {exact:R}");
                    Assert.True(exact <= radius + bound, $"{item.Id} at {exact:R} reported within {radius}");
                    polygonHits += item.Geometry is Polygon && exact > 0 ? 1 : 0;
                }
                else
                {
                    Assert.True(exact > radius - bound, $"{item.Id} at {exact:R} missing from within {radius}");
                }
            }
        }

        Assert.True(polygonHits > 50, $"only {polygonHits} polygon hits outside their polygons");
    }

    private static double ExactPointDistance(Point origin, Geometry target)
    {
        if (target is Point p)
        {
            return Geodesic.DistanceMeters(origin.X, origin.Y, p.X, p.Y);
        }

        var shape = GeodesicShape.Create(target);
        if (shape.HasArea && shape.ContainsPoint(origin.X, origin.Y))
        {
            return 0;
        }

        var best = double.PositiveInfinity;
        foreach (var path in shape.Paths)
        {
            for (var k = 0; k + 3 < path.Length; k += 2)
            {
                best = Math.Min(best, GeodesicSegmentDistance.PointToSegment(origin.X, origin.Y, path[k], path[k + 1], path[k + 2], path[k + 3]));
            }
        }

        return best;
    }

    [Fact]
    public void Nearest_EqualsBruteForceOnSeededData()
    {
        var (index, items) = Synthetic(seed: 2, count: 1500);
        var data = new ChinaSynthetic(202);
        for (var q = 0; q < 15; q++)
        {
            var origin = data.Feature(0.3);
            var k = 1 + data.Next(20);
            var expected = items
                .Select(i => (i.Id, D: GeodesicDistance.Between(origin, i.Geometry)))
                .OrderBy(t => t.D).ThenBy(t => t.Id, StringComparer.Ordinal)
                .Take(k)
                .ToList();
            var hits = index.Nearest(origin, k);
            Assert.Equal(expected.Select(e => e.Id), hits.Select(h => h.Id));
            Assert.Equal(expected.Select(e => Math.Round(e.D, 6)), hits.Select(h => Math.Round(h.DistanceMeters, 6)));
        }
    }

    [Fact]
    public void Nearest_TiesAreBrokenByOrdinalId()
    {
        // Four features at one spot: ordinal order puts upper case before lower case.
        var items = new[] { "b", "a", "B", "a2" }.Select(id => new ProximityItem(id, _reader.Read("POINT (121.5 31.2)")))
            .Append(new ProximityItem("far", _reader.Read("POINT (121.6 31.2)")));
        var index = ProximityIndex.Build(items);
        var hits = index.Nearest(_reader.Read("POINT (121.4 31.2)"), 5);
        Assert.Equal(["B", "a", "a2", "b", "far"], hits.Select(h => h.Id));
    }

    [Fact]
    public void Within_RunsOfEqualDistancesAreRankedByOrdinalId()
    {
        // Two spots with several features each and single features between and beyond: every run of exactly equal
        // distances comes out in ordinal order (upper case first), and the runs in distance order.
        var items = new[] { "b", "a", "B", "a2" }.Select(id => new ProximityItem(id, _reader.Read("POINT (121.5 31.2)")))
            .Concat(new[] { "z", "Z", "m" }.Select(id => new ProximityItem(id, _reader.Read("POINT (121.48 31.2)"))))
            .Append(new ProximityItem("mid", _reader.Read("POINT (121.49 31.2)")))
            .Append(new ProximityItem("far", _reader.Read("POINT (121.52 31.2)")));
        var index = ProximityIndex.Build(items);
        var hits = index.Within(_reader.Read("POINT (121.47 31.2)"), 10_000);
        Assert.Equal(["Z", "m", "z", "mid", "B", "a", "a2", "b", "far"], hits.Select(h => h.Id));
        Assert.Equal(Enumerable.Range(1, 9), hits.Select(h => h.Rank));
    }

    [Theory]
    [InlineData(121.48, 31.23)]
    [InlineData(121.48, 31.24)]
    [InlineData(121.46, 31.22)]
    [InlineData(121.47, 31.24)]
    public void Within_OriginOnTheBoundaryOfATargetPolygon_HasDistanceZero(double lon, double lat)
    {
        // On the shape's box as well: the box test that now comes first must not turn these away.
        var index = ProximityIndex.Build([new ProximityItem("park", _reader.Read("POLYGON ((121.46 31.22, 121.48 31.22, 121.48 31.24, 121.46 31.24, 121.46 31.22))"))]);
        var hit = Assert.Single(index.Within(_factory.CreatePoint(new Coordinate(lon, lat)), 10));
        Assert.Equal(0, hit.DistanceMeters);
    }

    [Fact]
    public void Nearest_WithMaxMeters_StopsAtTheLimit()
    {
        var index = ProximityIndex.Build(
        [
            new ProximityItem("near", _reader.Read("POINT (121.47 31.24)")),
            new ProximityItem("far", _reader.Read("POINT (121.47 31.40)")),
        ]);
        var hits = index.Nearest(_reader.Read("POINT (121.47 31.23)"), 5, maxMeters: 5000);
        Assert.Equal(["near"], hits.Select(h => h.Id));
    }

    [Fact]
    public void Within_OriginInsideTargetPolygon_HasDistanceZero()
    {
        var index = ProximityIndex.Build([new ProximityItem("park", _reader.Read("POLYGON ((121.46 31.22, 121.48 31.22, 121.48 31.24, 121.46 31.24, 121.46 31.22))"))]);
        var hit = Assert.Single(index.Within(_reader.Read("POINT (121.47 31.23)"), 0));
        Assert.Equal(0.0, hit.DistanceMeters);
    }

    [Fact]
    public void Within_WithUncertainty_FlagsPossibleHitsAndReportsTheInterval()
    {
        // Target 1112 m north of the origin (0.01 degree of latitude at 31.2 N), known to 50 m; origin known to 20 m.
        var origin = _reader.Read("POINT (121.47 31.23)");
        var target = _reader.Read("POINT (121.47 31.24)");
        var d = GeodesicDistance.Between(origin, target);
        var index = ProximityIndex.Build([new ProximityItem("institute", target, 50)]);

        var certain = Assert.Single(index.Within(origin, d + 70, 20));
        Assert.Equal(ProximityCertainty.Certain, certain.Certainty);
        Assert.Equal(d - 70, certain.MinDistanceMeters, 9);
        Assert.Equal(d + 70, certain.MaxDistanceMeters, 9);
        Assert.False(certain.IsExact);

        var possible = Assert.Single(index.Within(origin, d - 60, 20));
        Assert.Equal(ProximityCertainty.Possible, possible.Certainty);

        Assert.Empty(index.Within(origin, d - 71, 20));
    }

    [Fact]
    public void Within_TargetUncertainty_WidensThePrefilter()
    {
        // A target 2 km away whose location is uncertain by 1.5 km is possibly within 1 km: the envelope
        // prefilter must widen by the largest target uncertainty, or it would never be looked at.
        var index = ProximityIndex.Build(
        [
            new ProximityItem("vague", _reader.Read("POINT (121.49 31.23)"), 1500),
            new ProximityItem("exact", _reader.Read("POINT (121.47 31.25)")),
        ]);
        var hit = Assert.Single(index.Within(_reader.Read("POINT (121.47 31.23)"), 1000));
        Assert.Equal("vague", hit.Id);
        Assert.Equal(ProximityCertainty.Possible, hit.Certainty);
    }

    [Fact]
    public void Within_PropertyFilter_KeepsOnlyMatchingTargets()
    {
        var index = ProximityIndex.Build(
        [
            new ProximityItem("u1", _reader.Read("POINT (121.47 31.235)"), 0, new Dictionary<string, string?> { ["kind"] = "university" }),
            new ProximityItem("r1", _reader.Read("POINT (121.47 31.236)"), 0, new Dictionary<string, string?> { ["kind"] = "institute" }),
            new ProximityItem("n1", _reader.Read("POINT (121.47 31.237)")),
        ]);
        var filter = ProximityFilter.PropertyEquals(new Dictionary<string, string?> { ["kind"] = "university" });
        Assert.Equal(["u1"], index.Within(_reader.Read("POINT (121.47 31.23)"), 5000, 0, filter).Select(h => h.Id));
        Assert.Equal(["u1"], index.Nearest(_reader.Read("POINT (121.47 31.23)"), 3, 0, double.PositiveInfinity, filter).Select(h => h.Id));
    }

    [Fact]
    public void Within_AcrossTheAntimeridian_FindsBothSides()
    {
        var index = ProximityIndex.Build(
        [
            new ProximityItem("east", _reader.Read("POINT (179.999 -17.0)")),
            new ProximityItem("west", _reader.Read("POINT (-179.999 -17.0)")),
        ]);
        var hits = index.Within(_reader.Read("POINT (180.0 -17.0)"), 500);
        Assert.Equal(["east", "west"], hits.Select(h => h.Id).Order(StringComparer.Ordinal));
        Assert.Equal(2, index.Nearest(_reader.Read("POINT (-180.0 -17.0)"), 2, maxMeters: 500).Count);
    }

    [Fact]
    public void Matrix_RowsEqualNearestWithinMax()
    {
        var (index, items) = Synthetic(seed: 3, count: 1500);
        var origins = items.Take(15).ToList();
        var rows = index.Matrix(origins, 5, 4000, excludeSameId: true);
        Assert.Equal(origins.Select(o => o.Id), rows.Select(r => r.Origin.Id));
        foreach (var row in rows)
        {
            var expected = items.Where(i => i.Id != row.Origin.Id)
                .Select(i => (i.Id, D: GeodesicDistance.Between(row.Origin.Geometry, i.Geometry)))
                .Where(t => t.D <= 4000)
                .OrderBy(t => t.D).ThenBy(t => t.Id, StringComparer.Ordinal).Take(5);
            Assert.Equal(expected.Select(e => e.Id), row.Targets.Select(t => t.Id));
        }
    }

    [Fact]
    public void Rings_CountsEqualBruteForceAndIncludeTheNearest()
    {
        var (index, items) = Synthetic(seed: 4, count: 1500);
        double[] rings = [1000, 3000, 5000, 10000];
        var origins = items.Skip(100).Take(10).ToList();
        var rows = index.Rings(origins, rings, excludeSameId: true);
        foreach (var row in rows)
        {
            var distances = items.Where(i => i.Id != row.Origin.Id)
                .Select(i => (i.Id, D: GeodesicDistance.Between(row.Origin.Geometry, i.Geometry)))
                .OrderBy(t => t.D).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
            for (var r = 0; r < rings.Length; r++)
            {
                var expected = distances.Count(t => t.D <= rings[r]);
                Assert.Equal(expected, row.Rings[r].Count);
                Assert.Equal(expected, row.Rings[r].CertainCount);
                Assert.Equal(0, row.Rings[r].PossibleCount);
            }

            Assert.Equal(distances[0].Id, row.Nearest?.Id);
        }
    }

    [Fact]
    public void Rings_WithUncertainty_SplitsCertainAndPossible()
    {
        var index = ProximityIndex.Build(
        [
            new ProximityItem("a", _reader.Read("POINT (121.47 31.235)"), 100), // ~555 m
            new ProximityItem("b", _reader.Read("POINT (121.47 31.2395)"), 100), // ~1054 m
        ]);
        var origin = new ProximityItem("o", _reader.Read("POINT (121.47 31.23)"));
        var ring = Assert.Single(index.Rings([origin], [1000])).Rings.Single();
        Assert.Equal(new ProximityRing(1000, 1, 1, 1), ring);
    }

    [Fact]
    public void Build_DuplicateIds_Throws()
    {
        Assert.Throws<ArgumentException>(() => ProximityIndex.Build(
        [
            new ProximityItem("x", _reader.Read("POINT (121 31)")),
            new ProximityItem("x", _reader.Read("POINT (122 31)")),
        ]));
    }

    [Fact]
    public void Build_EmptyGeometries_AreLeftOut()
    {
        var index = ProximityIndex.Build([new ProximityItem("e", _reader.Read("POINT EMPTY")), new ProximityItem("p", _reader.Read("POINT (121 31)"))]);
        Assert.Equal(1, index.Count);
    }

    private static (ProximityIndex Index, List<ProximityItem> Items) Synthetic(int seed, int count)
    {
        var data = new ChinaSynthetic(seed);
        var items = Enumerable.Range(0, count)
            .Select(i => new ProximityItem($"f{i:D5}", data.Feature(0.3)))
            .ToList();
        return (ProximityIndex.Build(items), items);
    }

    [Fact]
    public void Within_FindsAPolygonByAHoleDrawnOutsideItsShell()
    {
        // Found by make bench at 1M: the synthetic generator draws such (invalid) polygons, PostGIS measures to
        // the stray hole, and the index used to drop them because NTS's polygon envelope is its shell's.
        var polygon = new WKTReader().Read(
            "POLYGON ((120.5927149 31.2489362, 120.5928915 31.2509061, 120.5895009 31.2532823, 120.5877964 31.2523739, 120.5927149 31.2489362), " +
            "(120.5873975 31.2494234, 120.5878251 31.2476189, 120.5856824 31.2487956, 120.5864293 31.249071, 120.5865235 31.2493973, 120.5873975 31.2494234))");
        var origin = new Point(120.5764436, 31.2507492);
        var index = ProximityIndex.Build([new ProximityItem("stray-hole", polygon)]);

        var hits = index.Within(origin, 1000);

        // 906.3009 m is PostGIS's ST_Distance and the brute-force reference of the benchmark, both to the hole.
        var hit = Assert.Single(hits);
        Assert.Equal(906.3009, hit.DistanceMeters, 0.001);
        Assert.True(GeodesicEnvelope.OfGeometry(polygon).Covers(120.5856824, 31.2487956));
    }
}
