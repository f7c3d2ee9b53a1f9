using ClusterMap.Core.Analysis;
using ClusterMap.Core.Geodesy;
using ClusterMap.Core.Proximity;
using ClusterMap.Tests.Shared;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tests.Analysis;

public class ResearchBaseTests
{
    // Parks spread over a 40 km square around central Shanghai, so the 20 km band holds hundreds of institutions.
    private static readonly Envelope _area = new(121.25, 121.7, 31.05, 31.4);

    private static readonly SectorFitTable _fit = SectorFitTable.Parse(AnalysisData.SectorFitCsv, AnalysisData.CategoryCsv);

    [Fact]
    public void ForParks_EveryBand_EqualsBruteForceOverExactGeodesicDistances()
    {
        var data = AnalysisData.Generate(seed: 7, parks: 40, institutions: 1500, _area, straddledParks: 6);
        var (sources, _) = Sources(data, split: 2);
        var settings = new ResearchBaseSettings(AnalysisData.Bands, ResearchBaseSettings.DefaultTierWeights, _fit);

        var rows = ResearchBase.ForParks([.. data.Parks.Select(p => p.Item)], sources, settings);

        Assert.Equal(data.Parks.Count, rows.Count);
        var straddled = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var park = data.Parks[i];
            Assert.Equal(park.Id, rows[i].Park.Id);
            Assert.Equal(park.Sector, rows[i].Sector);
            for (var b = 0; b < AnalysisData.Bands.Count; b++)
            {
                var band = rows[i].Bands[b];
                var expected = AnalysisData.BruteForce(park, data.Institutions, AnalysisData.Bands[b], ResearchBaseSettings.DefaultTierWeights);
                var where = $"{park.Id} band {band.RadiusMeters}";
                Assert.Equal(AnalysisData.Bands[b], band.RadiusMeters);
                Assert.True(expected.Estimated == band.Estimated, where);
                Assert.True(expected.Institutions == band.Institutions, $"{where}: {band.Institutions} vs {expected.Institutions}");
                Assert.Equal(expected.Tiers, band.Tiers);
                Assert.Equal(expected.WeightedCertain, band.Weighted.Certain, 9);
                Assert.Equal(expected.WeightedPossible, band.Weighted.Possible, 9);
                if (expected.Fits is null)
                {
                    Assert.Null(band.Fit);
                }
                else
                {
                    Assert.Equal(new FitCounts(expected.Fits.Value, expected.DoesNotFit!.Value, expected.Unknown!.Value), band.Fit);
                }

                straddled += band.Institutions.Possible > 0 && band.Institutions.Certain > 0 ? 1 : 0;
            }
        }

        // The data must exercise what is tested: bands with both certain and possible members, every tier, every fit class.
        Assert.True(straddled > 20, $"only {straddled} bands hold both certain and possible institutions");
        var outer = rows.SelectMany(r => r.Bands).Where(b => b.Fit is not null).ToList();
        Assert.All(InstitutionTiers.All, t => Assert.Contains(outer, b => b.Tiers[(int)t].Certain > 0));
        Assert.Contains(outer, b => b.Fit!.Fits.Certain > 0 && b.Fit.DoesNotFit.Certain > 0 && b.Fit.Unknown.Certain > 0);
        Assert.Contains(rows, r => r.Bands[0].Fit is null);
    }

    // The per-node counts take whole R-tree nodes whose institutions all fall in the same bands; dense institutions make
    // many such nodes. Half the institutions get uncertainties of many distinct values (so the node counts work on ranges
    // of uncertainty, not single values), and institutions straddle every band of the first parks; every figure of every
    // band must still equal the brute force, with and without a filter.
    [Theory]
    [InlineData(21, false)]
    [InlineData(22, true)]
    public void ForParks_NodeCountsOnDenseDataWithManyUncertainties_EqualBruteForce(int seed, bool filtered)
    {
        var generated = AnalysisData.Generate(seed, parks: 30, institutions: 4000, _area, straddledParks: 12, polygons: false);
        var random = new Random(seed);
        var institutions = generated.Institutions
            .Select(s => random.Next(2) == 0 ? s with { UncertaintyMeters = Math.Round(random.NextDouble() * 3000, 1) } : s)
            .ToList();
        var keep = (AnalysisData.Site s) => !filtered || s.Tier != InstitutionTier.Other;
        var byId = institutions.ToDictionary(i => i.Id, i => i.PropertiesJson);
        var kept = institutions.Where(keep).Select(s => s.Id).ToHashSet();
        var index = ProximityIndex.Build(institutions.Select(s => s.Item with { LocationUncertaintyMeters = s.UncertaintyMeters }));
        var source = InstitutionSource.Create("all", index, id => byId[id], _fit, item => kept.Contains(item.Id));
        var settings = new ResearchBaseSettings([1000, 2000, 5000, 10000, 20000], ResearchBaseSettings.DefaultTierWeights, _fit);

        var rows = ResearchBase.ForParks([.. generated.Parks.Select(p => p.Item)], [source], settings);

        var both = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var park = generated.Parks[i];
            for (var b = 0; b < settings.BandsMeters.Count; b++)
            {
                var band = rows[i].Bands[b];
                var expected = AnalysisData.BruteForce(park, institutions.Where(keep), settings.BandsMeters[b], settings.TierWeights);
                var where = $"{park.Id} (±{park.UncertaintyMeters} m) band {band.RadiusMeters}";
                Assert.True(expected.Estimated == band.Estimated, $"{where}: estimated {band.Estimated} vs {expected.Estimated}");
                Assert.True(expected.Institutions == band.Institutions, $"{where}: {band.Institutions} vs {expected.Institutions}");
                Assert.Equal(expected.Tiers, band.Tiers);
                Assert.Equal(expected.WeightedCertain, band.Weighted.Certain, 9);
                Assert.Equal(expected.WeightedPossible, band.Weighted.Possible, 9);
                Assert.Equal(expected.Fits is null ? null : new FitCounts(expected.Fits.Value, expected.DoesNotFit!.Value, expected.Unknown!.Value), band.Fit);
                both += band.Institutions.Certain > 0 && band.Institutions.Possible > 0 ? 1 : 0;
            }
        }

        Assert.True(both > 40, $"only {both} bands hold both certain and possible institutions");
        Assert.True(index.Count > 4000);
    }

    // A point park's institutions are placed in their rings by their straight chord to the park, and measured only
    // when the chord falls within centimetres of a band edge (ResearchBaseRings). Here institutions sit at every edge
    // (estimated r, possible r + u_park + u, certain r − u_park − u) of every band, class and park, 10 µm (ten times
    // the kernel's error bound), 2 mm, 3 cm and 10 cm inside and outside: the first two always fall in the chord's
    // window, the last two mostly not (4 cm at 35 km). Every figure must equal the engine's radius query, institution
    // for institution, and the brute force over Karney's distances.
    [Fact]
    public void ForParks_InstitutionsMillimetresFromEveryEdge_EqualTheRadiusQueryAndBruteForce()
    {
        double[] uncertainties = [0, 250, 1000, 2500];
        double[] offsets = [-0.1, -0.03, -0.002, -1e-5, 1e-5, 0.002, 0.03, 0.1];
        var generated = AnalysisData.Generate(seed: 31, parks: 4, institutions: 2000, _area, straddledParks: 0, polygons: false);
        var random = new Random(31);
        double[] parkUncertainties = [0, 200, 3000, 12000];
        var parks = generated.Parks.Select((p, i) => p with { UncertaintyMeters = parkUncertainties[i] }).ToList();
        var institutions = generated.Institutions.Select(s => s with { UncertaintyMeters = uncertainties[random.Next(uncertainties.Length)] }).ToList();
        var templates = institutions.ToArray();
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        foreach (var park in parks)
        {
            var centre = ((Point)park.Geometry).Coordinate;
            foreach (var band in AnalysisData.Bands)
            {
                foreach (var u in uncertainties)
                {
                    var slack = park.UncertaintyMeters + u;
                    foreach (var edge in new[] { band, band + slack, band - slack }.Where(e => e > 0.2))
                    {
                        foreach (var offset in offsets)
                        {
                            var at = Geodesic.Direct(centre, random.NextDouble() * 360, edge + offset).End;
                            var template = templates[random.Next(templates.Length)];
                            institutions.Add(template with { Id = $"edge-{institutions.Count:D5}", Geometry = factory.CreatePoint(at), UncertaintyMeters = u });
                        }
                    }
                }
            }
        }

        var byId = institutions.ToDictionary(i => i.Id, i => i.PropertiesJson);
        var index = ProximityIndex.Build(institutions.Select(s => s.Item with { LocationUncertaintyMeters = s.UncertaintyMeters }));
        var source = InstitutionSource.Create("all", index, id => byId[id], _fit);
        var settings = new ResearchBaseSettings(AnalysisData.Bands, ResearchBaseSettings.DefaultTierWeights, _fit);
        var parkItems = parks.Select(p => p.Item with { LocationUncertaintyMeters = p.UncertaintyMeters }).ToList();

        var rows = ResearchBase.ForParks(parkItems, [source], settings);

        var tierOf = institutions.ToDictionary(i => i.Id, i => i.Tier);
        for (var i = 0; i < parks.Count; i++)
        {
            Assert.Equal(rows[i], ResearchBase.ForPark(parkItems[i], [source], settings), new RowComparer());
            for (var b = 0; b < settings.BandsMeters.Count; b++)
            {
                var radius = settings.BandsMeters[b];
                var band = rows[i].Bands[b];
                var where = $"{parks[i].Id} (±{parks[i].UncertaintyMeters} m) band {radius}";
                var hits = index.Within(parkItems[i].Geometry, radius, parks[i].UncertaintyMeters);
                var certain = hits.Where(h => h.Certainty == ProximityCertainty.Certain).ToList();
                Assert.True(new CertainPossible(certain.Count, hits.Count - certain.Count) == band.Institutions, $"{where}: {band.Institutions} vs the radius query's");
                Assert.True(hits.Count(h => h.DistanceMeters <= radius) == band.Estimated, $"{where}: estimated {band.Estimated} vs the radius query's");
                Assert.Equal(
                    InstitutionTiers.All.Select(t => new CertainPossible(certain.Count(h => tierOf[h.Item.Id] == t), hits.Count(h => tierOf[h.Item.Id] == t) - certain.Count(h => tierOf[h.Item.Id] == t))),
                    band.Tiers);

                var expected = AnalysisData.BruteForce(parks[i], institutions, radius, settings.TierWeights);
                Assert.True(expected.Institutions == band.Institutions, $"{where}: {band.Institutions} vs brute force {expected.Institutions}");
                Assert.True(expected.Estimated == band.Estimated, where);
                Assert.Equal(expected.Fits is null ? null : new FitCounts(expected.Fits.Value, expected.DoesNotFit!.Value, expected.Unknown!.Value), band.Fit);
                Assert.Equal(expected.WeightedCertain, band.Weighted.Certain, 9);
                Assert.Equal(expected.WeightedPossible, band.Weighted.Possible, 9);
            }
        }

        Assert.True(institutions.Count > 2000 + (4 * 4 * 4 * 2 * offsets.Length), $"only {institutions.Count} institutions");
    }

    [Fact]
    public void ForPark_Filter_CountsOnlyKeptInstitutions()
    {
        var data = AnalysisData.Generate(seed: 11, parks: 5, institutions: 800, _area);
        var kept = data.Institutions.Where(i => i.Tier == InstitutionTier.Project985).ToList();
        var index = ProximityIndex.Build(data.Institutions.Select(i => i.Item));
        var byId = data.Institutions.ToDictionary(i => i.Id, i => i.PropertiesJson);
        var source = InstitutionSource.Create("all", index, id => byId[id], _fit, item => item.Properties!.TryGetValue("is_985", out var v) && v == "true");
        var settings = new ResearchBaseSettings([3000, 15000], ResearchBaseSettings.DefaultTierWeights, _fit);

        foreach (var park in data.Parks)
        {
            var row = ResearchBase.ForPark(park.Item, [source], settings);
            for (var b = 0; b < 2; b++)
            {
                var expected = AnalysisData.BruteForce(park, kept, settings.BandsMeters[b], settings.TierWeights);
                Assert.Equal(expected.Institutions, row.Bands[b].Institutions);
            }
        }

        Assert.Equal(kept.Count, source.KeptCount);
    }

    [Fact]
    public void ForPark_UncertaintyStraddlingABand_IsPossibleNotCertain()
    {
        // A park with 1 km uncertainty; a campus 1.5 km away with 800 m: interval [0 m, 3.3 km] straddles 2 km and 3 km.
        var data = AnalysisData.Generate(seed: 3, parks: 1, institutions: 0, _area, straddledParks: 0);
        var park = data.Parks[0] with { UncertaintyMeters = 1000 };
        var item = park.Item with { LocationUncertaintyMeters = 1000 };
        var at = ClusterMap.Core.Geodesy.Geodesic.Direct(((Point)park.Geometry).Coordinate, 45, 1500).End;
        var index = ProximityIndex.Build([new ProximityItem("c", new GeometryFactory().CreatePoint(at), 800)]);
        var source = InstitutionSource.Create("one", index, _ => "{\"is_985\":true}", _fit);
        var row = ResearchBase.ForPark(item, [source], new ResearchBaseSettings([1000, 2000, 3000, 4000], ResearchBaseSettings.DefaultTierWeights, _fit));

        Assert.Equal([new(0, 1), new(0, 1), new(0, 1), new CertainPossible(1, 0)], row.Bands.Select(b => b.Institutions));
        Assert.Equal([0, 1, 1, 1], row.Bands.Select(b => b.Estimated));
        Assert.Equal(3, row.Bands[3].Weighted.Certain);
    }

    [Fact]
    public void ForPark_EmptyInstitutionCollection_CountsNothing()
    {
        var index = ProximityIndex.Build([]);
        var source = InstitutionSource.Create("empty", index, _ => "{}", _fit);
        var park = new ProximityItem("p", new GeometryFactory().CreatePoint(new Coordinate(121.5, 31.2)), 500);

        var row = ResearchBase.ForPark(park, [source], new ResearchBaseSettings(AnalysisData.Bands, ResearchBaseSettings.DefaultTierWeights, _fit));

        Assert.All(row.Bands, b => Assert.Equal(default, b.Institutions));
        Assert.Empty(index.Within(park.Geometry, 1000));
    }

    [Fact]
    public void ForPark_BandsNotIncreasing_Throws()
    {
        var park = new ProximityItem("p", new GeometryFactory().CreatePoint(new Coordinate(121.5, 31.2)));
        Assert.Throws<ArgumentException>(() => ResearchBase.ForPark(park, [], new ResearchBaseSettings([5000, 2000], ResearchBaseSettings.DefaultTierWeights, _fit)));
        Assert.Throws<ArgumentException>(() => ResearchBase.ForPark(park, [], new ResearchBaseSettings([], ResearchBaseSettings.DefaultTierWeights, _fit)));
    }

    // Rows equal figure for figure (records holding lists compare those by reference).
    private sealed class RowComparer : IEqualityComparer<ResearchBaseRow>
    {
        public bool Equals(ResearchBaseRow? x, ResearchBaseRow? y) =>
            x is not null && y is not null && x.Park.Id == y.Park.Id && x.Bands.Count == y.Bands.Count
            && x.Bands.Zip(y.Bands).All(p => p.First.Estimated == p.Second.Estimated && p.First.Institutions == p.Second.Institutions
                && p.First.Tiers.SequenceEqual(p.Second.Tiers) && p.First.Weighted == p.Second.Weighted && p.First.Fit == p.Second.Fit);

        public int GetHashCode(ResearchBaseRow obj) => obj.Park.Id.GetHashCode(StringComparison.Ordinal);
    }

    internal static (IReadOnlyList<InstitutionSource> Sources, IReadOnlyList<ProximityIndex> Parks) Sources(AnalysisData data, int split)
    {
        var byId = data.Institutions.ToDictionary(i => i.Id, i => i.PropertiesJson);
        var sources = data.Institutions
            .Select((institution, i) => (institution, i))
            .GroupBy(t => t.i % split)
            .Select(g => InstitutionSource.Create($"part-{g.Key}", ProximityIndex.Build(g.Select(t => t.institution.Item)), id => byId[id], _fit))
            .ToList();
        return (sources, [ProximityIndex.Build(data.Parks.Select(p => p.Item))]);
    }
}
