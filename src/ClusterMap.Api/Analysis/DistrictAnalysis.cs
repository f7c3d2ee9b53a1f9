using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Analysis;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Text;

namespace ClusterMap.Api.Analysis;

/// <summary>A district as the tables list it: its id (null for features that carry none), and its names from the district collection.</summary>
internal sealed record DistrictKey(string? Id, string? NameZh, string? NameEn);

/// <summary>One band of a district's research-base summary, summed over the parks in the district.</summary>
/// <param name="RadiusMeters">The band's radius.</param>
/// <param name="Parks">Parks in the district.</param>
/// <param name="Estimated">Σ over the parks of their estimated counts.</param>
/// <param name="Certain">Σ of their certain counts.</param>
/// <param name="Possible">Σ of their possible counts.</param>
/// <param name="FitShareCertain">Pooled over the parks whose sector has a fit: Σ fits ÷ Σ (fits + does not fit), certain ones; null when none.</param>
/// <param name="FitShareAtMost">The same among certain and possible.</param>
internal sealed record DistrictBand(double RadiusMeters, int Parks, long Estimated, long Certain, long Possible, double? FitShareCertain, double? FitShareAtMost);

/// <summary>A district's counts: parks, the kept institutions of each institution collection, parks per sector, and the research-base summary.</summary>
internal sealed record DistrictRow(DistrictKey District, int Parks, IReadOnlyList<int> Institutions, IReadOnlyDictionary<string, int> ParksBySector, IReadOnlyList<DistrictBand> Bands);

internal sealed record DistrictTable(IReadOnlyList<DistrictRow> Rows);

/// <summary>
/// A sector's row: parks in all and per district (the matrix row, in the order of <see cref="SectorTable.Districts"/>),
/// and per institution collection how many kept institutions fit it (null when the fit table has no row for the sector).
/// </summary>
internal sealed record SectorRow(string? Sector, int Parks, IReadOnlyList<int> ParksByDistrict, IReadOnlyList<FitTally>? Institutions);

/// <summary>Institutions of one collection by their fit to a sector.</summary>
internal readonly record struct FitTally(int Fits, int DoesNotFit, int Unknown);

internal sealed record SectorTable(IReadOnlyList<DistrictKey> Districts, IReadOnlyList<SectorRow> Rows);

/// <summary>
/// Districts and sectors (docs/analysis.md): counts by each feature's <c>district_id</c> (computed from the district
/// polygons when the geodata is built) and each park's <c>sector</c>, the sector × district matrix of parks, and per
/// district a summary of its parks' research bases.
/// </summary>
internal static class DistrictAnalysis
{
    public const string DistrictIdProperty = "district_id";

    private const string DistrictRule =
        "each park, campus and institute counts in the district its district_id property names (computed from the district polygons when the geodata is built; a feature written without one counts as unassigned, district id null); institutions only when the filters keep them";

    public static DistrictTable Districts(AnalysisApi.Inputs inputs, ResearchBaseSettings settings)
    {
        var sources = inputs.Sources();
        var parks = inputs.Parks.SelectMany(p => p.ProximityItems).ToList();
        var keys = DistrictKeys(inputs, sources);
        var index = keys.Select((k, i) => (k.Id, i)).ToDictionary(p => p.Id ?? "\u0000", p => p.i, StringComparer.Ordinal);
        int Slot(ProximityItem item) => index[DistrictOf(item) ?? "\u0000"];

        var rows = ResearchBase.ForParks(parks, sources, settings);
        var parkCounts = new int[keys.Count];
        var institutionCounts = new int[keys.Count, sources.Count];
        var sectors = Enumerable.Range(0, keys.Count).Select(_ => new SortedDictionary<string, int>(StringComparer.Ordinal)).ToArray();
        var nb = settings.BandsMeters.Count;
        var sums = new long[keys.Count, nb, 3];
        var fitSums = new long[keys.Count, nb, 4];
        var withFit = new int[keys.Count, nb];
        foreach (var row in rows)
        {
            var slot = Slot(row.Park);
            parkCounts[slot]++;
            var sector = row.Sector ?? "";
            sectors[slot][sector] = sectors[slot].GetValueOrDefault(sector) + 1;
            for (var b = 0; b < nb; b++)
            {
                var band = row.Bands[b];
                sums[slot, b, 0] += band.Estimated;
                sums[slot, b, 1] += band.Institutions.Certain;
                sums[slot, b, 2] += band.Institutions.Possible;
                if (band.Fit is { } fit)
                {
                    withFit[slot, b]++;
                    fitSums[slot, b, 0] += fit.Fits.Certain;
                    fitSums[slot, b, 1] += fit.DoesNotFit.Certain;
                    fitSums[slot, b, 2] += fit.Fits.AtMost;
                    fitSums[slot, b, 3] += fit.DoesNotFit.AtMost;
                }
            }
        }

        for (var s = 0; s < sources.Count; s++)
        {
            var source = sources[s];
            for (var i = 0; i < source.Index.Count; i++)
            {
                if (source.IsKept(i))
                {
                    institutionCounts[Slot(source.Index.ItemAt(i)), s]++;
                }
            }
        }

        var result = new List<DistrictRow>(keys.Count);
        for (var k = 0; k < keys.Count; k++)
        {
            var bands = new DistrictBand[nb];
            for (var b = 0; b < nb; b++)
            {
                bands[b] = new DistrictBand(settings.BandsMeters[b], parkCounts[k], sums[k, b, 0], sums[k, b, 1], sums[k, b, 2],
                    Share(fitSums[k, b, 0], fitSums[k, b, 1]), Share(fitSums[k, b, 2], fitSums[k, b, 3]));
            }

            result.Add(new DistrictRow(keys[k], parkCounts[k], [.. Enumerable.Range(0, sources.Count).Select(s => institutionCounts[k, s])], sectors[k], bands));
        }

        // Unassigned is listed only when something is in it.
        return new DistrictTable([.. result.Where(r => r.District.Id is not null || r.Parks > 0 || r.Institutions.Any(c => c > 0))]);
    }

    public static SectorTable Sectors(AnalysisApi.Inputs inputs)
    {
        var sources = inputs.Sources();
        var parks = inputs.Parks.SelectMany(p => p.ProximityItems).ToList();
        var keys = DistrictKeys(inputs, sources);
        var index = keys.Select((k, i) => (k.Id, i)).ToDictionary(p => p.Id ?? "\u0000", p => p.i, StringComparer.Ordinal);
        var bySector = parks.GroupBy(Sector, StringComparer.Ordinal).OrderBy(g => g.Key is null).ThenBy(g => g.Key, StringComparer.Ordinal);
        var fit = inputs.Fit.Table;
        var rows = new List<SectorRow>();
        foreach (var group in bySector)
        {
            var matrix = new int[keys.Count];
            foreach (var park in group)
            {
                matrix[index[DistrictOf(park) ?? "\u0000"]]++;
            }

            IReadOnlyList<FitTally>? tallies = null;
            if (fit.TryGetSector(group.Key, out var mask))
            {
                tallies = [.. sources.Select(source =>
                {
                    int fits = 0, not = 0, unknown = 0;
                    for (var i = 0; i < source.Index.Count; i++)
                    {
                        if (!source.IsKept(i))
                        {
                            continue;
                        }

                        switch (Partnerships.FitOf(source, i, mask))
                        {
                            case SectorFit.Fits: fits++; break;
                            case SectorFit.DoesNotFit: not++; break;
                            default: unknown++; break;
                        }
                    }

                    return new FitTally(fits, not, unknown);
                })];
            }

            rows.Add(new SectorRow(group.Key, group.Count(), matrix, tallies));
        }

        // The unassigned column only when a park is in it.
        var keep = Enumerable.Range(0, keys.Count).Where(k => keys[k].Id is not null || rows.Any(r => r.ParksByDistrict[k] > 0)).ToList();
        return new SectorTable([.. keep.Select(k => keys[k])], [.. rows.Select(r => r with { ParksByDistrict = [.. keep.Select(k => r.ParksByDistrict[k])] })]);
    }

    public static void WriteDistricts(Utf8JsonWriter writer, AnalysisApi.Inputs inputs, ResearchBaseSettings settings, DistrictTable table)
    {
        writer.WriteStartObject();
        writer.WriteNumber("numberReturned", table.Rows.Count);
        writer.WriteStartArray("districts");
        foreach (var row in table.Rows)
        {
            writer.WriteStartObject();
            WriteKey(writer, row.District);
            writer.WriteStartObject("counts");
            writer.WriteNumber("parks", row.Parks);
            for (var s = 0; s < inputs.Institutions.Count; s++)
            {
                writer.WriteNumber(inputs.Institutions[s].Collection.Id, row.Institutions[s]);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("parks_by_sector");
            foreach (var (sector, count) in row.ParksBySector)
            {
                writer.WriteNumber(sector, count);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("research_base");
            foreach (var band in row.Bands)
            {
                writer.WriteStartObject();
                writer.WriteNumber("radius_m", band.RadiusMeters);
                writer.WriteNumber("parks", band.Parks);
                writer.WriteNumber("estimated", band.Estimated);
                writer.WriteNumber("certain", band.Certain);
                writer.WriteNumber("possible", band.Possible);
                WriteMean(writer, "estimated_mean", band.Estimated, band.Parks);
                WriteMean(writer, "certain_mean", band.Certain, band.Parks);
                WriteMean(writer, "possible_mean", band.Possible, band.Parks);
                AnalysisWriting.WriteShare(writer, "fit_share_certain", band.FitShareCertain);
                AnalysisWriting.WriteShare(writer, "fit_share_at_most", band.FitShareAtMost);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("made_with");
        AnalysisWriting.WriteCommonMadeWith(writer, inputs);
        WriteDistrictsMadeWith(writer, inputs);
        writer.WriteStartArray("bands_m");
        foreach (var band in settings.BandsMeters)
        {
            writer.WriteNumberValue(band);
        }

        writer.WriteEndArray();
        writer.WriteString("research_base", "per band, the sums over the district's parks of their research-base counts (/analysis/research-base: an institution near two parks counts for each) and their means per park; fit shares pooled over the parks whose sector has a fit; parks_by_sector: \"\" for parks without a sector");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>One row per district and band.</summary>
    public static void WriteDistrictsCsv(StringBuilder text, AnalysisApi.Inputs inputs, DistrictTable table)
    {
        Csv.Line(text,
        [
            "district_id", "name_zh", "name_en", "parks", .. inputs.Institutions.Select(i => i.Collection.Id),
            "radius_m", "estimated", "certain", "possible", "estimated_mean", "certain_mean", "possible_mean", "fit_share_certain", "fit_share_at_most",
            "institutions", "filters", "data_version",
        ]);
        var (institutions, filters, _) = AnalysisWriting.CsvMadeWith(inputs);
        foreach (var row in table.Rows)
        {
            foreach (var band in row.Bands)
            {
                Csv.Line(text,
                [
                    row.District.Id, row.District.NameZh, row.District.NameEn, AnalysisWriting.Count(row.Parks), .. row.Institutions.Select(c => AnalysisWriting.Count(c)),
                    AnalysisWriting.Number(band.RadiusMeters), Long(band.Estimated), Long(band.Certain), Long(band.Possible),
                    MeanText(band.Estimated, band.Parks), MeanText(band.Certain, band.Parks), MeanText(band.Possible, band.Parks),
                    AnalysisWriting.Share(band.FitShareCertain), AnalysisWriting.Share(band.FitShareAtMost),
                    institutions, filters, inputs.DataVersion.ToString(CultureInfo.InvariantCulture),
                ]);
            }
        }
    }

    public static void WriteSectors(Utf8JsonWriter writer, AnalysisApi.Inputs inputs, SectorTable table)
    {
        writer.WriteStartObject();
        writer.WriteNumber("numberReturned", table.Rows.Count);
        writer.WriteStartArray("districts");
        foreach (var district in table.Districts)
        {
            writer.WriteStartObject();
            WriteKey(writer, district);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("sectors");
        foreach (var row in table.Rows)
        {
            writer.WriteStartObject();
            writer.WriteString("sector", row.Sector);
            writer.WriteNumber("parks", row.Parks);
            writer.WriteStartArray("parks_by_district");
            foreach (var count in row.ParksByDistrict)
            {
                writer.WriteNumberValue(count);
            }

            writer.WriteEndArray();
            if (row.Institutions is { } tallies)
            {
                writer.WriteStartObject("institutions_fit");
                for (var s = 0; s < tallies.Count; s++)
                {
                    writer.WriteStartObject(inputs.Institutions[s].Collection.Id);
                    writer.WriteNumber("fits", tallies[s].Fits);
                    writer.WriteNumber("does_not_fit", tallies[s].DoesNotFit);
                    writer.WriteNumber("unknown", tallies[s].Unknown);
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("institutions_fit");
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("made_with");
        AnalysisWriting.WriteCommonMadeWith(writer, inputs);
        WriteDistrictsMadeWith(writer, inputs);
        writer.WriteString("matrix", "parks_by_district follows the order of districts; sector null: parks without a sector; institutions_fit: every kept institution of each collection by its fit to the sector (null when the fit table has no row for it), whatever its distance");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The sector × district matrix: one row per sector, one column per district, and the institutions' fit.</summary>
    public static void WriteSectorsCsv(StringBuilder text, AnalysisApi.Inputs inputs, SectorTable table)
    {
        Csv.Line(text,
        [
            "sector", "parks", .. table.Districts.Select(d => d.Id ?? "unassigned"),
            .. inputs.Institutions.SelectMany(i => new[] { $"{i.Collection.Id}_fits", $"{i.Collection.Id}_does_not_fit", $"{i.Collection.Id}_unknown" }),
            "filters", "data_version",
        ]);
        var (_, filters, _) = AnalysisWriting.CsvMadeWith(inputs);
        foreach (var row in table.Rows)
        {
            Csv.Line(text,
            [
                row.Sector, AnalysisWriting.Count(row.Parks), .. row.ParksByDistrict.Select(c => AnalysisWriting.Count(c)),
                .. Enumerable.Range(0, inputs.Institutions.Count).SelectMany(s => row.Institutions is { } t
                    ? new[] { AnalysisWriting.Count(t[s].Fits), AnalysisWriting.Count(t[s].DoesNotFit), AnalysisWriting.Count(t[s].Unknown) }
                    : ["", "", ""]),
                filters, inputs.DataVersion.ToString(CultureInfo.InvariantCulture),
            ]);
        }
    }

    /// <summary>
    /// The district collection's districts in its order, then district ids that features carry but the collection
    /// lacks (ordinal), then unassigned (null id).
    /// </summary>
    private static List<DistrictKey> DistrictKeys(AnalysisApi.Inputs inputs, IReadOnlyList<InstitutionSource> sources)
    {
        var keys = new List<DistrictKey>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (inputs.Districts is { } districts)
        {
            foreach (var feature in districts.Features)
            {
                var (zh, en) = AnalysisWriting.Names(districts, feature.Id);
                if (seen.Add(feature.Id))
                {
                    keys.Add(new DistrictKey(feature.Id, zh, en));
                }
            }
        }

        var others = inputs.Parks.SelectMany(p => p.ProximityItems).Concat(sources.SelectMany(s => Enumerable.Range(0, s.Index.Count).Select(s.Index.ItemAt)))
            .Select(DistrictOf).OfType<string>().Where(id => !seen.Contains(id)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        keys.AddRange(others.Select(id => new DistrictKey(id, null, null)));
        keys.Add(new DistrictKey(null, null, null));
        return keys;
    }

    private static void WriteDistrictsMadeWith(Utf8JsonWriter writer, AnalysisApi.Inputs inputs)
    {
        writer.WriteStartObject("districts");
        writer.WriteString("collection", inputs.Districts?.Collection.Id);
        writer.WriteNumber("features", inputs.Districts?.Features.Count ?? 0);
        writer.WriteString("rule", DistrictRule);
        writer.WriteEndObject();
    }

    private static void WriteKey(Utf8JsonWriter writer, DistrictKey key)
    {
        writer.WriteString("id", key.Id);
        writer.WriteString("name_zh", key.NameZh);
        writer.WriteString("name_en", key.NameEn);
    }

    private static void WriteMean(Utf8JsonWriter writer, string name, long sum, int parks)
    {
        if (parks == 0)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteNumber(name, Mean(sum, parks));
        }
    }

    private static double Mean(long sum, int parks) => Math.Round((double)sum / parks, 3);

    private static string MeanText(long sum, int parks) => parks == 0 ? "" : AnalysisWriting.Number(Mean(sum, parks));

    private static string Long(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static double? Share(long fits, long doesNotFit) => fits + doesNotFit == 0 ? null : (double)fits / (fits + doesNotFit);

    private static string? DistrictOf(ProximityItem item) =>
        item.Properties?.TryGetValue(DistrictIdProperty, out var id) == true && !string.IsNullOrEmpty(id) ? id : null;

    private static string? Sector(ProximityItem park) =>
        park.Properties?.TryGetValue(ResearchBase.SectorProperty, out var sector) == true && !string.IsNullOrEmpty(sector) ? sector : null;
}
