using System.Text.Json;
using ClusterMap.Core.Proximity;

namespace ClusterMap.Core.Analysis;

/// <summary>How an institution's disciplines relate to a park's sector through the fit table.</summary>
public enum SectorFit
{
    /// <summary>At least one of its discipline categories fits the sector.</summary>
    Fits,

    /// <summary>Its discipline categories are known and none fits.</summary>
    DoesNotFit,

    /// <summary>The data gives no disciplines for it, or the park has no sector in the fit table.</summary>
    Unknown,
}

/// <summary>A partner's rank by distance from the park among other institutions: 1 + the number nearer.</summary>
/// <param name="Estimated">Counting those nearer at the stored geometries (ties broken by ordinal id, as the proximity engine breaks them).</param>
/// <param name="Best">Counting only those certainly nearer (their farthest possible distance below the partner's nearest).</param>
/// <param name="Worst">Counting every one possibly nearer (their nearest possible distance at most the partner's farthest).</param>
/// <param name="Of">How many institutions were ranked, the partner included.</param>
public readonly record struct PartnerRank(int Estimated, int Best, int Worst, int Of);

/// <summary>A feature of an institution collection with its distance from a park.</summary>
/// <param name="CollectionId">The institution collection.</param>
/// <param name="Item">The feature.</param>
/// <param name="DistanceMeters">Geodesic distance between the stored geometries.</param>
/// <param name="MinDistanceMeters">max(0, d − u_park − u_institution).</param>
/// <param name="MaxDistanceMeters">d + u_park + u_institution.</param>
public sealed record InstitutionDistance(string CollectionId, ProximityItem Item, double DistanceMeters, double MinDistanceMeters, double MaxDistanceMeters);

/// <summary>One partner feature of a link, measured from the link's park.</summary>
/// <param name="Distance">The partner and its distance from the park.</param>
/// <param name="Fit">Its fit to the park's sector.</param>
/// <param name="Kept">Whether the request's filters keep it (a partner the filters drop is measured all the same, and ranked among the kept).</param>
/// <param name="Rank">Among every other institution the request reads.</param>
/// <param name="RankAmongFitting">Among the other institutions whose disciplines fit the park's sector; null when the park's sector is not in the fit table.</param>
public sealed record PartnerMeasure(InstitutionDistance Distance, SectorFit Fit, bool Kept, PartnerRank Rank, PartnerRank? RankAmongFitting);

/// <summary>A link measured: each partner feature found, and the nearest fitting institutions that are not partners.</summary>
/// <param name="Partners">One per partner feature, nearest first.</param>
/// <param name="Alternatives">The nearest institutions kept by the filters whose disciplines fit the park's sector, partners excluded, nearest first; empty when the sector is not in the fit table.</param>
public sealed record PartnershipMeasure(IReadOnlyList<PartnerMeasure> Partners, IReadOnlyList<InstitutionDistance> Alternatives);

/// <summary>A partner of a link as found in an institution collection: the source and the feature's position in its index.</summary>
public readonly record struct PartnerPosition(InstitutionSource Source, int Position);

/// <summary>
/// Partnerships measured: for a link between a park and institution features, each partner's geodesic distance and
/// its range under the location uncertainties, its rank among all institutions around the park and among those whose
/// disciplines fit the park's sector, and the nearest fitting alternatives. Distances are the proximity engine's
/// (nearest search for the partner, one radius query out to the partner's farthest possible distance for the ranks),
/// so a rank agrees with the distances any proximity answer reports.
/// </summary>
public static class Partnerships
{
    /// <summary>Measures one link of <paramref name="park"/> with the given partner features.</summary>
    /// <param name="park">The park.</param>
    /// <param name="partners">The link's institution features, found in <paramref name="sources"/>.</param>
    /// <param name="sources">Every institution collection the request reads, with its filters.</param>
    /// <param name="fit">The sector fit table.</param>
    /// <param name="alternatives">How many nearest fitting alternatives to give (0 for none).</param>
    public static PartnershipMeasure Measure(ProximityItem park, IReadOnlyList<PartnerPosition> partners, IReadOnlyList<InstitutionSource> sources, SectorFitTable fit, int alternatives)
    {
        ArgumentNullException.ThrowIfNull(park);
        ArgumentNullException.ThrowIfNull(partners);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentOutOfRangeException.ThrowIfNegative(alternatives);
        string? sector = null;
        _ = park.Properties?.TryGetValue(ResearchBase.SectorProperty, out sector);
        var sectorKnown = fit.TryGetSector(sector, out var sectorMask);
        var isPartner = partners.Select(p => (p.Source, p.Position)).ToHashSet();
        var total = sources.Sum(s => s.KeptCount);
        var fittingTotal = sectorKnown ? sources.Sum(s => Enumerable.Range(0, s.Index.Count).Count(i => s.Kept[i] && Fits(s, i, sectorMask) == SectorFit.Fits)) : 0;

        var measured = new List<PartnerMeasure>(partners.Count);
        foreach (var (source, position) in partners)
        {
            var item = source.Index.ItemAt(position);
            var hit = source.Index.Nearest(park.Geometry, 1, park.LocationUncertaintyMeters, filter: candidate => ReferenceEquals(candidate, item))[0];
            var distance = new InstitutionDistance(source.CollectionId, item, hit.DistanceMeters, hit.MinDistanceMeters, hit.MaxDistanceMeters);
            var partnerFit = sectorKnown ? Fits(source, position, sectorMask) : SectorFit.Unknown;
            var kept = source.Kept[position];

            // Others ranked: every kept institution but this partner feature (the link's other partner features included).
            int nearer = 0, certainlyNearer = 0, possiblyNearer = 0, fittingNearer = 0, fittingCertainlyNearer = 0, fittingPossiblyNearer = 0;
            foreach (var other in sources)
            {
                var otherKept = other.Kept;
                other.Index.VisitWithin(park.Geometry, hit.MaxDistanceMeters, park.LocationUncertaintyMeters, (p, d, slack) =>
                {
                    if (!otherKept[p] || (ReferenceEquals(other, source) && p == position))
                    {
                        return;
                    }

                    var isNearer = d < hit.DistanceMeters || (d == hit.DistanceMeters && string.CompareOrdinal(other.Index.ItemAt(p).Id, item.Id) < 0);
                    var certainly = d + slack < hit.MinDistanceMeters;
                    var possibly = Math.Max(0, d - slack) <= hit.MaxDistanceMeters;
                    nearer += isNearer ? 1 : 0;
                    certainlyNearer += certainly ? 1 : 0;
                    possiblyNearer += possibly ? 1 : 0;
                    if (sectorKnown && Fits(other, p, sectorMask) == SectorFit.Fits)
                    {
                        fittingNearer += isNearer ? 1 : 0;
                        fittingCertainlyNearer += certainly ? 1 : 0;
                        fittingPossiblyNearer += possibly ? 1 : 0;
                    }
                });
            }

            // "Of" counts the partner among the ranked even when the filters drop it, so a rank never exceeds it.
            var rank = new PartnerRank(1 + nearer, 1 + certainlyNearer, 1 + possiblyNearer, total + (kept ? 0 : 1));
            PartnerRank? fittingRank = sectorKnown
                ? new PartnerRank(1 + fittingNearer, 1 + fittingCertainlyNearer, 1 + fittingPossiblyNearer, fittingTotal + (kept && partnerFit == SectorFit.Fits ? 0 : 1))
                : null;
            measured.Add(new PartnerMeasure(distance, partnerFit, kept, rank, fittingRank));
        }

        var nearestAlternatives = new List<InstitutionDistance>();
        if (sectorKnown && alternatives > 0)
        {
            foreach (var source in sources)
            {
                var kept = source.Kept;
                bool Candidate(ProximityItem candidate) =>
                    source.TryGetPosition(candidate.Id, out var p) && ReferenceEquals(source.Index.ItemAt(p), candidate)
                    && kept[p] && !isPartner.Contains((source, p)) && Fits(source, p, sectorMask) == SectorFit.Fits;
                nearestAlternatives.AddRange(source.Index.Nearest(park.Geometry, alternatives, park.LocationUncertaintyMeters, filter: Candidate)
                    .Select(h => new InstitutionDistance(source.CollectionId, h.Item, h.DistanceMeters, h.MinDistanceMeters, h.MaxDistanceMeters)));
            }
        }

        return new PartnershipMeasure(
            [.. measured.OrderBy(m => m.Distance.DistanceMeters).ThenBy(m => m.Distance.Item.Id, StringComparer.Ordinal)],
            [.. nearestAlternatives.OrderBy(a => a.DistanceMeters).ThenBy(a => a.Item.Id, StringComparer.Ordinal).ThenBy(a => a.CollectionId, StringComparer.Ordinal).Take(alternatives)]);
    }

    /// <summary>The fit of the institution at <paramref name="position"/> to a sector's discipline categories.</summary>
    public static SectorFit FitOf(InstitutionSource source, int position, ushort sectorCategories)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Fits(source, position, sectorCategories);
    }

    private static SectorFit Fits(InstitutionSource source, int position, ushort sectorMask) =>
        source.Disciplines[position] == 0 ? SectorFit.Unknown : (source.Disciplines[position] & sectorMask) != 0 ? SectorFit.Fits : SectorFit.DoesNotFit;
}

/// <summary>
/// A link between a park and an institution as a feature of a link collection states it: <c>park_id</c>, the
/// institution's <c>institution_collection</c> (optional: any institution collection when absent) and
/// <c>institution_ids</c> (one feature per campus; empty when ClusterMap does not hold the institution).
/// </summary>
public sealed record ParkLink(string? ParkId, string? InstitutionCollection, IReadOnlyList<string> InstitutionIds)
{
    public const string ParkIdProperty = "park_id";
    public const string InstitutionCollectionProperty = "institution_collection";
    public const string InstitutionIdsProperty = "institution_ids";

    /// <summary>Reads a link's properties; members of the wrong type count as absent.</summary>
    public static ParkLink Of(JsonElement properties)
    {
        string? Text(string name) =>
            properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } text ? text : null;
        var ids = new List<string>();
        if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(InstitutionIdsProperty, out var list))
        {
            if (list.ValueKind == JsonValueKind.Array)
            {
                ids.AddRange(list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).Where(id => id.Length > 0));
            }
            else if (list.ValueKind == JsonValueKind.String && list.GetString() is { Length: > 0 } single)
            {
                ids.Add(single);
            }
        }

        return new ParkLink(Text(ParkIdProperty), Text(InstitutionCollectionProperty), [.. ids.Distinct(StringComparer.Ordinal)]);
    }
}
