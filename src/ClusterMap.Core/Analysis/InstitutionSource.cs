using System.Text.Json;
using ClusterMap.Core.Proximity;

namespace ClusterMap.Core.Analysis;

/// <summary>
/// One collection of universities or institutes as the analyses read it: its proximity index, and for each position
/// in that index the institution's tier, its discipline categories and whether the request's filter keeps it. Made
/// once per collection version, filter and fit table, so the analyses' inner loops read arrays, never properties.
/// </summary>
public sealed class InstitutionSource
{
    private readonly Lazy<Dictionary<string, int>> _positions;
    private readonly Lock _nodeCountsLock = new();
    private ResearchBaseNodeCounts? _nodeCounts;

    private InstitutionSource(string collectionId, ProximityIndex index, InstitutionTier[] tiers, ushort[] disciplines, bool[] kept)
    {
        CollectionId = collectionId;
        Index = index;
        Tiers = tiers;
        Disciplines = disciplines;
        Kept = kept;
        KeptCount = kept.Count(k => k);
        _positions = new Lazy<Dictionary<string, int>>(() =>
        {
            var positions = new Dictionary<string, int>(index.Count, StringComparer.Ordinal);
            for (var i = 0; i < index.Count; i++)
            {
                positions[index.ItemAt(i).Id] = i;
            }

            return positions;
        });
    }

    /// <summary>The collection's id, as answers name it.</summary>
    public string CollectionId { get; }

    /// <summary>The collection's proximity index.</summary>
    public ProximityIndex Index { get; }

    /// <summary>Institutions the filter keeps.</summary>
    public int KeptCount { get; }

    internal InstitutionTier[] Tiers { get; }

    internal ushort[] Disciplines { get; }

    internal bool[] Kept { get; }

    /// <summary>The per-node counts for research bases with <paramref name="fit"/>, made on first use (one table at a time).</summary>
    internal ResearchBaseNodeCounts NodeCounts(SectorFitTable fit)
    {
        lock (_nodeCountsLock)
        {
            if (_nodeCounts is null || !ReferenceEquals(_nodeCounts.Fit, fit))
            {
                _nodeCounts = new ResearchBaseNodeCounts(this, fit);
            }

            return _nodeCounts;
        }
    }

    /// <summary>Whether the request's filter keeps the institution at <paramref name="position"/> in <see cref="Index"/>.</summary>
    public bool IsKept(int position) => Kept[position];

    /// <summary>The position in <see cref="Index"/> of the feature with this id; false when the collection has none.</summary>
    public bool TryGetPosition(string id, out int position) => _positions.Value.TryGetValue(id, out position);

    /// <summary>
    /// Reads every indexed feature's properties once. <paramref name="propertiesJson"/> gives a feature's properties
    /// JSON by id; <paramref name="filter"/> (optional) keeps only the institutions it accepts.
    /// </summary>
    public static InstitutionSource Create(string collectionId, ProximityIndex index, Func<string, string> propertiesJson, SectorFitTable fit, Func<ProximityItem, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(propertiesJson);
        ArgumentNullException.ThrowIfNull(fit);
        var n = index.Count;
        var tiers = new InstitutionTier[n];
        var disciplines = new ushort[n];
        var kept = new bool[n];
        Parallel.For(0, n, i =>
        {
            var item = index.ItemAt(i);
            using var document = JsonDocument.Parse(propertiesJson(item.Id));
            tiers[i] = InstitutionTiers.Of(document.RootElement);
            disciplines[i] = fit.DisciplinesOf(document.RootElement);
            kept[i] = filter?.Invoke(item) ?? true;
        });
        return new InstitutionSource(collectionId, index, tiers, disciplines, kept);
    }
}
