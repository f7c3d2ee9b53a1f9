using ClusterMap.Core.Geodesy;
using ClusterMap.Core.Proximity;
using NetTopologySuite.Geometries;

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

    // Widens a node's proven distance bounds: a hundred times the engine's error bound (ShortGeodesic), and far above
    // the rounding of a few operations on distances of kilometres.
    private const double NodeMarginMeters = 1e-3;

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
        var radii = bands.ToArray();
        var tally = new Tally(nb, tierCount);
        foreach (var source in sources)
        {
            if (park.Geometry is Point { IsEmpty: false } point)
            {
                CountByNodes(source, source.NodeCounts(settings.Fit), point, park.LocationUncertaintyMeters, radii, sectorKnown ? sectorMask : null, tally);
            }
            else
            {
                CountEach(source, park, radii, sectorMask, tally);
            }
        }

        var slots = nb + 1;
        var result = new ResearchBaseBand[nb];
        int estimatedSum = 0, memberSum = 0, certainSum = 0;
        var tierMember = new int[tierCount];
        var tierCertain = new int[tierCount];
        var fitMember = new int[FitClasses];
        var fitCertain = new int[FitClasses];
        for (var b = 0; b < nb; b++)
        {
            estimatedSum += tally.Estimated[b];
            memberSum += tally.Member[b];
            certainSum += tally.Certain[b];
            double weightMember = 0, weightCertain = 0;
            var tierCounts = new CertainPossible[tierCount];
            for (var t = 0; t < tierCount; t++)
            {
                tierMember[t] += tally.TierMember[(t * slots) + b];
                tierCertain[t] += tally.TierCertain[(t * slots) + b];
                tierCounts[t] = new CertainPossible(tierCertain[t], tierMember[t] - tierCertain[t]);
                weightMember += tierMember[t] * weights[t];
                weightCertain += tierCertain[t] * weights[t];
            }

            for (var f = 0; f < FitClasses; f++)
            {
                fitMember[f] += tally.FitMember[(f * slots) + b];
                fitCertain[f] += tally.FitCertain[(f * slots) + b];
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

        // Parks taken along a Hilbert curve, so the parks one thread counts in a row are near each other and read
        // mostly the same tree nodes and institutions, which stay in the cache from one park to the next.
        var envelopes = parks.Select(p => p.Geometry.EnvelopeInternal).ToArray();
        var order = PackedRTree.HilbertOrder(
            [.. envelopes.Select(e => e.IsNull ? 0 : e.MinX)],
            [.. envelopes.Select(e => e.IsNull ? 0 : e.MinY)],
            [.. envelopes.Select(e => e.IsNull ? 0 : e.MaxX)],
            [.. envelopes.Select(e => e.IsNull ? 0 : e.MaxY)]);
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, parks.Count, 64), range =>
        {
            for (var j = range.Item1; j < range.Item2; j++)
            {
                var i = order[j];
                rows[i] = ForPark(parks[i], sources, settings);
            }
        });
        return rows;
    }

    private static CertainPossible Split(int certain, int member) => new(certain, member - certain);

    // Every institution the engine's radius query returns, counted one by one (origins other than a single point).
    private static void CountEach(InstitutionSource source, ProximityItem park, double[] radii, ushort sectorMask, Tally tally)
    {
        var kept = source.Kept;
        var tiers = source.Tiers;
        var disciplines = source.Disciplines;
        source.Index.VisitWithin(park.Geometry, radii[^1], park.LocationUncertaintyMeters, (position, d, slack) =>
        {
            if (kept[position])
            {
                var fit = disciplines[position] == 0 ? 2 : (disciplines[position] & sectorMask) != 0 ? 0 : 1;
                tally.AddItem(radii, d, slack, (int)tiers[position], fit);
            }
        });
    }

    /// <summary>
    /// Counts a point park's institutions by walking the collection's R-tree with per-node counts
    /// (<see cref="ResearchBaseNodeCounts"/>). For a node, the distance from the park to anything in its box lies in
    /// [lo, hi] (<see cref="LocalDistanceBound"/>'s proven lower and upper bounds, each widened by
    /// <see cref="NodeMarginMeters"/> to cover the engine's own error and rounding); for each uncertainty class with
    /// uncertainties in [u_min, u_max], every institution's first band estimated (d ≤ r), possible
    /// (d − u_park − u ≤ r) and certain (d + u_park + u ≤ r) is the same when it is the same at both ends of those
    /// ranges, and then the class is counted from the node's counts; otherwise the node's children are visited for
    /// that class, down to the institutions. When every class is one uncertainty, the nodes just above the leaves skip
    /// that test: their institutions are placed in their rings by their chord to the park
    /// (<see cref="ResearchBaseRings"/>), and only those whose chord lies within centimetres of an edge are measured
    /// with the engine's distance exactly as its radius query measures them; so are all institutions of range classes.
    /// So the counts equal those of the radius query, institution for institution.
    /// </summary>
    private static void CountByNodes(InstitutionSource source, ResearchBaseNodeCounts counts, Point park, double parkUncertainty, double[] radii, ushort? sectorMask, Tally tally)
    {
        var index = source.Index;
        if (index.Count == 0)
        {
            return;
        }

        var tree = index.Tree;
        var nb = radii.Length;
        var outer = radii[^1];
        var query = new ProximityIndex.Origin(park);
        var reach = outer + parkUncertainty + counts.MaxUncertaintyMeters + 1000;
        var bound = new LocalDistanceBound(park.X, park.Y, reach);
        var sectorSlot = sectorMask is { } m ? counts.SectorSlot(m) : -1;
        var tiers = source.Tiers;
        var disciplines = source.Disciplines;
        var itemClass = counts.ItemClass;
        var mask = sectorMask ?? 0;

        var ecef = index.Ecef;
        double qx = query.X, qy = query.Y, qz = query.Z;
        var rings = ResearchBaseRings.For(radii, parkUncertainty, counts, source, mask, qx, qy, qz);
        Span<int> undecided = stackalloc int[PackedRTree.NodeSize];
        var all = counts.Classes;
        var fullMask = (1 << all) - 1;
        Span<int> nodes = stackalloc int[512];
        Span<int> masks = stackalloc int[512];
        var top = 0;
        nodes[top] = tree.Root;
        masks[top++] = fullMask;
        while (top > 0)
        {
            var node = nodes[--top];
            var classes = masks[top];
            var lo = bound.LowerBoundToBox(tree.MinX(node), tree.MaxX(node), tree.MinY(node), tree.MaxY(node), reach) - NodeMarginMeters;
            var (start, end) = tree.Children(node);
            var aboveLeaves = tree.IsLeaf(start);
            if (aboveLeaves && rings is not null)
            {
                // Beyond every band even possibly (see TryCount); otherwise the chords decide, cheaper than the node's test.
                if (lo - parkUncertainty - counts.MaxUncertaintyMeters > outer)
                {
                    continue;
                }

                var n = rings.AddLeaves(start, end, classes, undecided);
                for (var j = 0; j < n; j++)
                {
                    CountItem(undecided[j]);
                }

                continue;
            }

            var hi = bound.UpperBoundToBox(tree.MinX(node), tree.MaxX(node), tree.MinY(node), tree.MaxY(node)) + NodeMarginMeters;
            var open = 0;
            if (classes == fullMask)
            {
                // The node as a whole first, from the counts of every class together.
                var whole = TryCount(all);
                if (whole != Decision.Open)
                {
                    continue;
                }

                // Above the leaves a class split would save less than it costs: its institutions are measured.
                open = aboveLeaves ? fullMask : 0;
            }

            if (open == 0)
            {
                for (var k = 0; k < all; k++)
                {
                    if ((classes & (1 << k)) != 0 && TryCount(k) == Decision.Open)
                    {
                        open |= 1 << k;
                    }
                }

                if (open == 0)
                {
                    continue;
                }
            }

            if (aboveLeaves)
            {
                for (var c = start; c < end; c++)
                {
                    var i = tree.ItemAt(c);
                    var k = itemClass[i];
                    if (k != ResearchBaseNodeCounts.NoClass && (open & (1 << k)) != 0)
                    {
                        CountItem(i);
                    }
                }

                continue;
            }

            for (var c = end - 1; c >= start; c--)
            {
                nodes[top] = c;
                masks[top++] = open;
            }

            // Counts class k of this node from its block when every institution of it has the same first bands.
            Decision TryCount(int k)
            {
                var block = counts.Block(node, k);
                if (block[0] == 0)
                {
                    return Decision.None;
                }

                var (uMin, uMax) = counts.Uncertainty(node, k);
                var member = FirstWithin(radii, lo - parkUncertainty - uMax);
                if (member == nb)
                {
                    return Decision.None;
                }

                var estimated = FirstWithin(radii, lo);
                var certain = FirstWithin(radii, lo + parkUncertainty + uMin);
                if (member != FirstWithin(radii, hi - parkUncertainty - uMin)
                    || estimated != FirstWithin(radii, hi)
                    || certain != FirstWithin(radii, hi + parkUncertainty + uMax))
                {
                    return Decision.Open;
                }

                tally.AddBlock(block, sectorSlot, estimated, member, certain);
                return Decision.Counted;
            }
        }

        rings?.PourInto(tally.AddCount);

        // One institution, measured as the engine's radius query measures it (point targets by the short-line kernel,
        // the inverse problem beyond its reach, shapes by DistanceTo).
        void CountItem(int i)
        {
            var fit = disciplines[i] == 0 ? 2 : (disciplines[i] & mask) != 0 ? 0 : 1;
            var slack = parkUncertainty + index.UncertaintyAt(i);
            var cutoff = outer + slack;
            var d = ShortGeodesic.Distance(qx, qy, qz, ecef[3 * i], ecef[(3 * i) + 1], ecef[(3 * i) + 2]);
            if (double.IsNaN(d))
            {
                d = index.DistanceTo(query, i, cutoff);
            }

            if (d <= cutoff)
            {
                tally.AddItem(radii, d, slack, (int)tiers[i], fit);
            }
        }
    }

    private enum Decision
    {
        None,
        Counted,
        Open,
    }

    /// <summary>
    /// The first band an institution at distance <paramref name="d"/> with summed uncertainty <paramref name="slack"/>
    /// reaches by its estimated distance, possibly and for certain (the number of bands: none), by the comparisons of
    /// the engine's own rule.
    /// </summary>
    internal static (int Estimated, int Member, int Certain) FirstBands(double[] radii, double d, double slack)
    {
        var nb = radii.Length;
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

        return (estimated, member, certain);
    }

    // The first band whose radius x is within (x ≤ r), or the number of bands when none.
    private static int FirstWithin(double[] radii, double x)
    {
        var b = 0;
        while (b < radii.Length && x > radii[b])
        {
            b++;
        }

        return b;
    }

    /// <summary>Per slot (a band, or none), the institutions whose first band it is: estimated, possible or certain, per tier and fit class.</summary>
    private sealed class Tally(int bands, int tierCount)
    {
        private readonly int _slots = bands + 1;
        private readonly int _tierCount = tierCount;

        public int[] Estimated { get; } = new int[bands + 1];

        public int[] Member { get; } = new int[bands + 1];

        public int[] Certain { get; } = new int[bands + 1];

        public int[] TierMember { get; } = new int[tierCount * (bands + 1)];

        public int[] TierCertain { get; } = new int[tierCount * (bands + 1)];

        public int[] FitMember { get; } = new int[FitClasses * (bands + 1)];

        public int[] FitCertain { get; } = new int[FitClasses * (bands + 1)];

        // One institution at distance d with summed uncertainty slack.
        public void AddItem(double[] radii, double d, double slack, int tier, int fit)
        {
            var (estimated, member, certain) = FirstBands(radii, d, slack);
            AddCount(estimated, member, certain, tier, fit, 1);
        }

        // Institutions that share these first bands, tier and fit class (ResearchBaseRings' histogram).
        public void AddCount(int estimated, int member, int certain, int tier, int fit, int count)
        {
            Estimated[estimated] += count;
            Member[member] += count;
            Certain[certain] += count;
            TierMember[(tier * _slots) + member] += count;
            TierCertain[(tier * _slots) + certain] += count;
            FitMember[(fit * _slots) + member] += count;
            FitCertain[(fit * _slots) + certain] += count;
        }

        // A node's class whose institutions all share these first bands (block: count, per tier, unknown, per sector).
        public void AddBlock(ReadOnlySpan<int> block, int sectorSlot, int estimated, int member, int certain)
        {
            var count = block[0];
            Estimated[estimated] += count;
            Member[member] += count;
            Certain[certain] += count;
            for (var t = 0; t < _tierCount; t++)
            {
                TierMember[(t * _slots) + member] += block[1 + t];
                TierCertain[(t * _slots) + certain] += block[1 + t];
            }

            var unknown = block[1 + _tierCount];
            var fits = sectorSlot >= 0 ? block[2 + _tierCount + sectorSlot] : 0;
            FitMember[member] += fits;
            FitCertain[certain] += fits;
            FitMember[_slots + member] += count - fits - unknown;
            FitCertain[_slots + certain] += count - fits - unknown;
            FitMember[(2 * _slots) + member] += unknown;
            FitCertain[(2 * _slots) + certain] += unknown;
        }
    }
}
