using ClusterMap.Core.Analysis;
using ClusterMap.Core.Proximity;
using ClusterMap.Tests.Shared;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Tests.Analysis;

public class PartnershipsTests
{
    private static readonly Envelope _area = new(121.25, 121.7, 31.05, 31.4);

    private static readonly SectorFitTable _fit = SectorFitTable.Parse(AnalysisData.SectorFitCsv, AnalysisData.CategoryCsv);

    // Brute-force distances are Karney's; the index's short-line kernel is within 10 µm of them.
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Measure_EveryPartnerOfTheFirstParks_EqualsBruteForce(bool onlyKept985)
    {
        var data = AnalysisData.Generate(seed: 23, parks: 20, institutions: 900, _area, straddledParks: 5);
        var index = ProximityIndex.Build(data.Institutions.Select(i => i.Item));
        var byId = data.Institutions.ToDictionary(i => i.Id, i => i.PropertiesJson);
        Func<ProximityItem, bool>? filter = onlyKept985 ? item => item.Properties!.TryGetValue("is_985", out var v) && v == "true" : null;
        var source = InstitutionSource.Create("all", index, id => byId[id], _fit, filter);
        var kept = onlyKept985 ? data.Institutions.Where(i => i.Tier == InstitutionTier.Project985).ToList() : [.. data.Institutions];
        var random = new Random(5);
        var ranged = 0;

        foreach (var park in data.Parks)
        {
            // Partners both kept and dropped by the filter: a dropped partner is measured and ranked among the kept.
            var partners = Enumerable.Range(0, 3).Select(_ => data.Institutions[random.Next(data.Institutions.Count)]).Distinct().ToList();
            var positions = partners.Select(p => source.TryGetPosition(p.Id, out var position) ? new PartnerPosition(source, position) : throw new InvalidOperationException(p.Id)).ToList();

            var measure = Partnerships.Measure(park.Item, positions, [source], _fit, alternatives: 3);

            var expected = partners.Select(p => AnalysisData.BruteForcePartner(park, p, [.. kept.Union([p])])).OrderBy(e => e.Distance).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
            Assert.Equal(expected.Select(e => e.Id), measure.Partners.Select(m => m.Distance.Item.Id));
            foreach (var (e, m) in expected.Zip(measure.Partners))
            {
                Assert.Equal(e.Distance, m.Distance.DistanceMeters, Tolerance);
                Assert.Equal(e.MaxDistance, m.Distance.MaxDistanceMeters, Tolerance);
                Assert.Equal(e.Rank, (m.Rank.Estimated, m.Rank.Best, m.Rank.Worst, m.Rank.Of));
                Assert.Equal(e.RankAmongFitting, m.RankAmongFitting is { } f ? (f.Estimated, f.Best, f.Worst, f.Of) : null);
                Assert.True(m.Rank.Best <= m.Rank.Estimated && m.Rank.Estimated <= m.Rank.Worst);
                ranged += m.Rank.Best < m.Rank.Worst ? 1 : 0;
            }

            var alternatives = AnalysisData.BruteForceAlternatives(park, partners, kept, 3);
            Assert.Equal(alternatives.Select(a => a.Id), measure.Alternatives.Select(a => a.Item.Id));
        }

        Assert.True(ranged > 0);
    }
}
