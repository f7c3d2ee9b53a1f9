using ClusterMap.Core.Proximity;

namespace ClusterMap.Core.Analysis;

/// <summary>Institutions within a distance for certain, and only possibly, given the location uncertainties.</summary>
/// <param name="Certain">Within whatever the true locations are: d + u_park + u_institution ≤ radius.</param>
/// <param name="Possible">Only possibly within: d − u_park − u_institution ≤ radius &lt; d + u_park + u_institution.</param>
public readonly record struct CertainPossible(int Certain, int Possible)
{
    /// <summary>Everything that may be within: certain plus possible.</summary>
    public int AtMost => Certain + Possible;
}

/// <summary>Tier-weighted sums over the institutions certainly and possibly within a band.</summary>
public readonly record struct WeightedCount(double Certain, double Possible);

/// <summary>
/// How the institutions within a band relate to the park's sector through the fit table: their disciplines fit it,
/// do not, or are not known (the data gives none).
/// </summary>
public sealed record FitCounts(CertainPossible Fits, CertainPossible DoesNotFit, CertainPossible Unknown)
{
    /// <summary>Fits ÷ (fits + does not fit) among institutions certainly within; null when none with known disciplines is.</summary>
    public double? ShareCertain => Share(Fits.Certain, DoesNotFit.Certain);

    /// <summary>The same share among every institution that may be within (certain and possible).</summary>
    public double? ShareAtMost => Share(Fits.AtMost, DoesNotFit.AtMost);

    private static double? Share(int fits, int doesNotFit) => fits + doesNotFit == 0 ? null : (double)fits / (fits + doesNotFit);
}

/// <summary>One distance band of a park's research base; every count is cumulative (a campus 1 km away counts for 2 km and 5 km).</summary>
/// <param name="RadiusMeters">The band's outer radius.</param>
/// <param name="Estimated">Institutions whose estimated distance (between the stored geometries) is within the radius.</param>
/// <param name="Institutions">Institutions within, certain and possible.</param>
/// <param name="Tiers">Per tier, in the order of <see cref="InstitutionTiers.All"/>.</param>
/// <param name="Weighted">Tier-weighted sums (<see cref="ResearchBaseSettings.TierWeights"/>).</param>
/// <param name="Fit">Fit to the park's sector; null when the park has no sector or the fit table has no row for it.</param>
public sealed record ResearchBaseBand(double RadiusMeters, int Estimated, CertainPossible Institutions, IReadOnlyList<CertainPossible> Tiers, WeightedCount Weighted, FitCounts? Fit);

/// <summary>A park's research base: one <see cref="ResearchBaseBand"/> per requested radius, ascending.</summary>
public sealed record ResearchBaseRow(ProximityItem Park, string? Sector, IReadOnlyList<ResearchBaseBand> Bands);

/// <summary>What a research base is computed with.</summary>
/// <param name="BandsMeters">Band radii in metres, strictly increasing, each finite and greater than 0.</param>
/// <param name="TierWeights">A weight per tier (a modelling choice; <see cref="DefaultTierWeights"/> when not given).</param>
/// <param name="Fit">The sector↔discipline fit table.</param>
public sealed record ResearchBaseSettings(IReadOnlyList<double> BandsMeters, IReadOnlyDictionary<InstitutionTier, double> TierWeights, SectorFitTable Fit)
{
    /// <summary>2, 5, 10 and 20 km.</summary>
    public static IReadOnlyList<double> DefaultBandsMeters { get; } = [2000, 5000, 10000, 20000];

    /// <summary>National labs and 985 universities 3, 211 2, double first-class 1.5, others 1.</summary>
    public static IReadOnlyDictionary<InstitutionTier, double> DefaultTierWeights { get; } = new Dictionary<InstitutionTier, double>
    {
        [InstitutionTier.National] = 3,
        [InstitutionTier.Project985] = 3,
        [InstitutionTier.Project211] = 2,
        [InstitutionTier.DoubleFirstClass] = 1.5,
        [InstitutionTier.Other] = 1,
        [InstitutionTier.Unrated] = 1,
    };
}

/// <summary>
/// A park's research base: the universities and institutes within distance bands of it, split into certain and
/// possible under the location uncertainties exactly as the proximity engine splits a radius answer, by tier, and by
/// the fit of their disciplines to the park's sector.
/// </summary>
/// <remarks>
/// One radius query per park and institution collection, at the outermost band (<see cref="ProximityIndex.VisitWithin"/>),
/// gives every institution that may be within any band; each is then counted in every band it may reach. An
/// institution is within band r for certain when d + u_park + u_institution ≤ r and possibly when only
/// d ≤ r + u_park + u_institution, the proximity engine's rule.
/// </remarks>
public static class ResearchBase
{
    /// <summary>The park property that names its sector.</summary>
    public const string SectorProperty = "sector";

    private const int FitClasses = 3;

    /// <summary>The research base of one park.</summary>
    public static ResearchBaseRow ForPark(ProximityItem park, IReadOnlyList<InstitutionSource> sources, ResearchBaseSettings settings)
    {
        ArgumentNullException.ThrowIfNull(park);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(settings);
        var bands = settings.BandsMeters;
        var nb = bands.Count;
        if (nb == 0 || bands.Any(b => !(b > 0) || double.IsInfinity(b)) || bands.Zip(bands.Skip(1)).Any(p => p.Second <= p.First))
        {
            throw new ArgumentException("Bands must be finite, greater than 0 and strictly increasing.", nameof(settings));
        }

        var tierCount = InstitutionTiers.All.Count;
        var weights = new double[tierCount];
        foreach (var tier in InstitutionTiers.All)
        {
            weights[(int)tier] = settings.TierWeights.TryGetValue(tier, out var w) ? w : 1;
        }

        string? sector = null;
        _ = park.Properties?.TryGetValue(SectorProperty, out sector);
        var sectorKnown = settings.Fit.TryGetSector(sector, out var sectorMask);

        // Each institution is counted once, in the first band it may reach, the first it certainly reaches and the first
        // its estimated distance reaches (slot nb: none); the bands' cumulative counts are the running sums of those.
        var slots = nb + 1;
        var estimatedFrom = new int[slots];
        var memberFrom = new int[slots];
        var certainFrom = new int[slots];
        var tierMemberFrom = new int[tierCount * slots];
        var tierCertainFrom = new int[tierCount * slots];
        var fitMemberFrom = new int[FitClasses * slots];
        var fitCertainFrom = new int[FitClasses * slots];
        var weightMemberFrom = new double[slots];
        var weightCertainFrom = new double[slots];
        var radii = bands.ToArray();
        var outer = radii[^1];
        foreach (var source in sources)
        {
            var kept = source.Kept;
            var tiers = source.Tiers;
            var disciplines = source.Disciplines;
            source.Index.VisitWithin(park.Geometry, outer, park.LocationUncertaintyMeters, (position, d, slack) =>
            {
                if (!kept[position])
                {
                    return;
                }

                var member = 0;
                while (member < nb && d > radii[member] + slack)
                {
                    member++;
                }

                var certain = member;
                while (certain < nb && d + slack > radii[certain])
                {
                    certain++;
                }

                var estimated = member;
                while (estimated < nb && d > radii[estimated])
                {
                    estimated++;
                }

                var tier = (int)tiers[position];
                var fit = disciplines[position] == 0 ? 2 : (disciplines[position] & sectorMask) != 0 ? 0 : 1;
                estimatedFrom[estimated]++;
                memberFrom[member]++;
                certainFrom[certain]++;
                tierMemberFrom[(tier * slots) + member]++;
                tierCertainFrom[(tier * slots) + certain]++;
                fitMemberFrom[(fit * slots) + member]++;
                fitCertainFrom[(fit * slots) + certain]++;
                weightMemberFrom[member] += weights[tier];
                weightCertainFrom[certain] += weights[tier];
            });
        }

        var result = new ResearchBaseBand[nb];
        int estimatedSum = 0, memberSum = 0, certainSum = 0;
        var tierMember = new int[tierCount];
        var tierCertain = new int[tierCount];
        var fitMember = new int[FitClasses];
        var fitCertain = new int[FitClasses];
        double weightMember = 0, weightCertain = 0;
        for (var b = 0; b < nb; b++)
        {
            estimatedSum += estimatedFrom[b];
            memberSum += memberFrom[b];
            certainSum += certainFrom[b];
            weightMember += weightMemberFrom[b];
            weightCertain += weightCertainFrom[b];
            var tierCounts = new CertainPossible[tierCount];
            for (var t = 0; t < tierCount; t++)
            {
                tierMember[t] += tierMemberFrom[(t * slots) + b];
                tierCertain[t] += tierCertainFrom[(t * slots) + b];
                tierCounts[t] = new CertainPossible(tierCertain[t], tierMember[t] - tierCertain[t]);
            }

            for (var f = 0; f < FitClasses; f++)
            {
                fitMember[f] += fitMemberFrom[(f * slots) + b];
                fitCertain[f] += fitCertainFrom[(f * slots) + b];
            }

            var fitCounts = sectorKnown
                ? new FitCounts(Split(fitCertain[0], fitMember[0]), Split(fitCertain[1], fitMember[1]), Split(fitCertain[2], fitMember[2]))
                : null;
            result[b] = new ResearchBaseBand(radii[b], estimatedSum, Split(certainSum, memberSum), tierCounts, new WeightedCount(weightCertain, weightMember - weightCertain), fitCounts);
        }

        return new ResearchBaseRow(park, sector, result);
    }

    /// <summary>The research base of every park, in the order given (one radius query per park and source, on every core).</summary>
    public static IReadOnlyList<ResearchBaseRow> ForParks(IReadOnlyList<ProximityItem> parks, IReadOnlyList<InstitutionSource> sources, ResearchBaseSettings settings)
    {
        ArgumentNullException.ThrowIfNull(parks);
        var rows = new ResearchBaseRow[parks.Count];
        Parallel.For(0, parks.Count, i => rows[i] = ForPark(parks[i], sources, settings));
        return rows;
    }

    private static CertainPossible Split(int certain, int member) => new(certain, member - certain);
}
