using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Storage;

namespace ClusterMap.Core.Analysis;

/// <summary>The fit table as read from a geodata folder, where it came from, and why it could not be read if not.</summary>
/// <param name="Table">The table read; <see cref="SectorFitTable.Empty"/> when it could not be.</param>
/// <param name="Source">The files it is read from, relative to the geodata folder.</param>
/// <param name="Problem">Why the table could not be read (every fit is then unknown), or null.</param>
public sealed record FitTableState(SectorFitTable Table, string Source, string? Problem);

/// <summary>
/// What the analyses read besides the collections: the sector fit table (re-read when its files change), and each
/// institution collection's per-position tiers and disciplines (<see cref="InstitutionSource"/>), kept with the
/// snapshot they were made from so a new data version makes them afresh. Shared by the analysis endpoints and the
/// reports (service and command line), so a figure in a report is the endpoint's figure.
/// </summary>
public static class AnalysisInputs
{
    /// <summary>The sector ↔ discipline table's file name in the geodata folder's <c>analysis/</c>.</summary>
    public const string FitFile = "sector-discipline-fit.csv";

    /// <summary>The institution category ↔ discipline table's file name in the geodata folder's <c>analysis/</c>.</summary>
    public const string CategoryFile = "institution-category-disciplines.csv";

    // Per snapshot, a few filter combinations; more are made again rather than kept.
    private const int MaxSourcesPerSnapshot = 16;

    private static readonly ConcurrentDictionary<string, (DateTime Fit, DateTime Category, FitTableState State)> _tables = new(StringComparer.Ordinal);
    private static readonly ConditionalWeakTable<CollectionSnapshot, ConcurrentDictionary<string, Lazy<InstitutionSource>>> _sources = [];

    /// <summary>The fit table of the geodata folder <paramref name="geodataPath"/>, read again only when its files change.</summary>
    public static FitTableState FitTable(string geodataPath)
    {
        var folder = Path.Combine(geodataPath, "analysis");
        var fitPath = Path.Combine(folder, FitFile);
        var categoryPath = Path.Combine(folder, CategoryFile);
        var fitTime = File.GetLastWriteTimeUtc(fitPath);
        var categoryTime = File.GetLastWriteTimeUtc(categoryPath);
        if (_tables.TryGetValue(folder, out var known) && known.Fit == fitTime && known.Category == categoryTime)
        {
            return known.State;
        }

        var source = $"{Path.Combine("analysis", FitFile)}, {Path.Combine("analysis", CategoryFile)}";
        FitTableState state;
        try
        {
            state = File.Exists(fitPath)
                ? new FitTableState(SectorFitTable.Parse(File.ReadAllText(fitPath), File.Exists(categoryPath) ? File.ReadAllText(categoryPath) : null), source, null)
                : new FitTableState(SectorFitTable.Empty, source, $"no {FitFile} in the geodata folder's analysis/: every fit is unknown");
        }
        catch (Exception e) when (e is FormatException or IOException or Text.CsvFormatException)
        {
            state = new FitTableState(SectorFitTable.Empty, source, $"the fit table could not be read ({e.Message}): every fit is unknown");
        }

        _tables[folder] = (fitTime, categoryTime, state);
        return state;
    }

    /// <summary>
    /// The institutions of <paramref name="snapshot"/> as the analyses read them, made once per snapshot, fit table and
    /// filters. <paramref name="filters"/> names the filters (the cache key); <paramref name="filter"/> applies them.
    /// </summary>
    public static InstitutionSource Source(CollectionSnapshot snapshot, SectorFitTable fit, IReadOnlyDictionary<string, string?> filters, Func<ProximityItem, bool>? filter)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(filters);
        var key = fit.Version + "\u0000" + string.Join("\u0000", filters.Select(f => f.Key + "=" + f.Value));
        var perSnapshot = _sources.GetValue(snapshot, _ => new ConcurrentDictionary<string, Lazy<InstitutionSource>>(StringComparer.Ordinal));
        if (perSnapshot.Count >= MaxSourcesPerSnapshot && !perSnapshot.ContainsKey(key))
        {
            perSnapshot.Clear();
        }

        return perSnapshot.GetOrAdd(key, _ => new Lazy<InstitutionSource>(() => InstitutionSource.Create(
            snapshot.Collection.Id, snapshot.ProximityIndex, id => snapshot.Find(id)!.PropertiesJson, fit, filter))).Value;
    }
}
