using System.Globalization;
using ClusterMap.Core.Analysis;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Model;

namespace ClusterMap.Rendering.Reports;

/// <summary>
/// A park brief's research base: the figures <c>GET /analysis/parks/{id}/research-base</c> answers at its defaults
/// (every university and institute collection, no filter, <see cref="ResearchBaseSettings.DefaultBandsMeters"/>, the
/// default tier weights, the host's fit table), computed by the same <see cref="ResearchBase"/> over the same features
/// (the snapshots, or for collections too large to hold the candidates the store selects),
/// laid out as a table, a chart and the notes saying what made them (as the endpoint's <c>made_with</c>).
/// </summary>
public static class ResearchBaseSection
{
    private static readonly IReadOnlyDictionary<string, string?> _noFilters = new Dictionary<string, string?>();

    /// <summary>The research base of <paramref name="feature"/> when <paramref name="layer"/> holds parks; null otherwise.</summary>
    /// <param name="catalog">The collections at the figure's data version: every university and institute collection is read.</param>
    /// <param name="layer">The subject's layer.</param>
    /// <param name="feature">The subject.</param>
    /// <param name="fit">The sector fit table the host reads (the service's <c>Storage:GeodataPath</c>, the command's <c>--geodata</c>).</param>
    /// <param name="provider">Gives the collections as the proximity engine reads them (<see cref="MapDataProvider.ProximityTargetAsync"/>).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<ReportResearchBase?> ComposeAsync(
        MapCatalog catalog, MapLayer layer, MapFeature feature, FitTableState fit, MapDataProvider provider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(provider);
        if (layer.Kind != MapLayerKind.Parks || await provider.ProximityTargetAsync(layer.Id, cancellationToken) is not { } parks
            || await parks.FindAsync(feature.Id, cancellationToken) is not { } record)
        {
            return null;
        }

        // One radius query per institution collection at the outermost band holds every institution the bands can
        // count (the engine's own first step), so the candidates a store selects give the whole collection's figures.
        var settings = new ResearchBaseSettings(ResearchBaseSettings.DefaultBandsMeters, ResearchBaseSettings.DefaultTierWeights, fit.Table);
        var park = CollectionSnapshot.ToProximityItem(record);
        var sources = new List<InstitutionSource>();
        var read = new List<CollectionInfo>();
        var version = parks.DataVersion;
        foreach (var collection in catalog.Collections.Where(c => CollectionRole.Of(c.Definition) is CollectionRole.University or CollectionRole.Institute))
        {
            if (await provider.ProximityTargetAsync(collection.Id, cancellationToken) is { } institutions)
            {
                var candidates = await institutions.ForWithinAsync(park.Geometry, settings.BandsMeters[^1], park.LocationUncertaintyMeters, cancellationToken);
                sources.Add(AnalysisInputs.Source(candidates, fit.Table, _noFilters, null));
                read.Add(institutions.Collection);
                version = Math.Max(version, institutions.DataVersion);
            }
        }

        var row = ResearchBase.ForPark(park, sources, settings);
        return Compose(row, parks.Collection, read, settings, fit, version);
    }

    /// <summary>The section's content from a computed research base and what made it: the park and institution collections, read whole and unfiltered.</summary>
    public static ReportResearchBase Compose(
        ResearchBaseRow row, CollectionInfo parks, IReadOnlyList<CollectionInfo> institutions, ResearchBaseSettings settings, FitTableState fit, long dataVersion)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(parks);
        ArgumentNullException.ThrowIfNull(institutions);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(fit);
        var rows = row.Bands.Select(band => (IReadOnlyList<string>)
        [
            Km(band.RadiusMeters),
            Count(band.Institutions.Certain),
            Count(band.Institutions.Possible),
            Count(band.Estimated),
            Weight(band.Weighted.Certain),
            Weight(band.Weighted.Possible),
            .. band.Fit is { } f
                ? new[] { Share(f.Fits.Certain, f.DoesNotFit.Certain), Share(f.Fits.AtMost, f.DoesNotFit.AtMost), Count(f.Unknown.AtMost) }
                : ["—", "—", "—"],
        ]).ToList();
        var bars = row.Bands.Select(band => new ResearchBaseBar(
            "≤ " + Km(band.RadiusMeters), band.Institutions.Certain, band.Institutions.Possible, band.Estimated,
            $"{Count(band.Institutions.Certain)} + {Count(band.Institutions.Possible)}")).ToList();

        var weights = string.Join(", ", InstitutionTiers.All.Select(t => $"{InstitutionTiers.Name(t)} {Weight(settings.TierWeights[t])}"));
        var uncertainty = row.Park.LocationUncertaintyMeters.ToString("0", CultureInfo.InvariantCulture);
        var fitNote = row.Bands.Any(b => b.Fit is not null)
            ? $"Fit to {row.Sector}: the institutions whose discipline categories fit the sector, of those whose disciplines are known (certain; at most: certain and possible), with the share; unknown: certain or possible institutions whose data gives no disciplines. The sector ↔ discipline table is a modelling choice, not a fact: {fit.Source}, version {fit.Table.Version}."
            : row.Sector is null
                ? "Fit: none, the park has no sector."
                : $"Fit: none, the fit table ({fit.Source}, version {fit.Table.Version}) has no row for the sector {row.Sector}.";
        if (fit.Problem is not null)
        {
            fitNote += $" Fit table: {fit.Problem}.";
        }

        // No filter: every feature is kept.
        var read = string.Join(", ", institutions.Select(c => $"{c.Id} ({Count(c.FeatureCount)} of {Count(c.FeatureCount)} features)"));
        var bands = string.Join(", ", settings.BandsMeters.Select(Km));
        string[] notes =
        [
            $"Certain: within the band wherever the park and the institution truly are (d + u_park + u_institution ≤ r); possible: only possibly within (d − u_park − u_institution ≤ r); estimated: within at the stored points (d ≤ r); d is the geodesic distance between the stored geometries, u each one's location uncertainty (this park's: {uncertainty} m). Bands are cumulative.",
            $"Tier-weighted: the summed tier weights of the certain and of the possible institutions, with the weights {weights}: a modelling choice, not a ranking of anyone.",
            fitNote,
            $"Made with: parks {parks.Id} ({Count(parks.FeatureCount)} features); institutions {read}; no filters; bands {bands}; data version {dataVersion.ToString(CultureInfo.InvariantCulture)}: the figures of GET /analysis/parks/{row.Park.Id}/research-base.",
        ];

        return new ReportResearchBase(
            "Research base 研究基础: universities and institutes within each distance band",
            [
                new ReportColumnGroup("", 1),
                new ReportColumnGroup("Institutions 高校与院所", 3),
                new ReportColumnGroup("Tier-weighted 加权", 2),
                new ReportColumnGroup(row.Sector is null ? "Fit to the sector 学科匹配" : $"Fit to {row.Sector} 学科匹配", 3),
            ],
            ["Within", "certain", "possible", "estimated", "certain", "possible", "certain", "at most", "unknown"],
            rows,
            bars,
            new ResearchBaseChartKey("certain 确定", "possible 可能", "estimated (at the stored points)"),
            notes);
    }

    private static string Km(double meters) => (meters / 1000).ToString("0.###", CultureInfo.InvariantCulture) + " km";

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Weight(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>"fits of known (share)", the share rounded to a whole percent; no share when none is known.</summary>
    private static string Share(int fits, int doesNotFit)
    {
        var known = fits + doesNotFit;
        return known == 0
            ? $"{Count(fits)} of 0"
            : $"{Count(fits)} of {Count(known)} ({Math.Round(100.0 * fits / known, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture)}%)";
    }
}
