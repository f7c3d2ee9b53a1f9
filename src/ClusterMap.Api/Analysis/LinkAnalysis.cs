using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Analysis;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Text;

namespace ClusterMap.Api.Analysis;

/// <summary>What became of a link: measured, or why it could not be.</summary>
internal static class LinkStatus
{
    public const string Measured = "measured";
    public const string NoPark = "park_not_found";
    public const string NoInstitution = "institution_not_in_layers";
    public const string CollectionNotRead = "institution_collection_not_read";
    public const string NotFound = "institutions_not_found";
}

/// <summary>One link feature with its park, its partners as found, and the measure (null unless <see cref="Status"/> is measured).</summary>
internal sealed record MeasuredLink(
    CollectionSnapshot LinkCollection, FeatureRecord Feature, ParkLink Link, CollectionSnapshot? ParkCollection, FeatureRecord? Park,
    string Status, IReadOnlyList<string> MissingIds, PartnershipMeasure? Measure);

/// <summary>
/// The links collection measured (docs/analysis.md, "Partnerships"): each link's park and partner features are looked
/// up in the collections the request reads, and measured with <see cref="Partnerships.Measure"/>.
/// </summary>
internal static class LinkAnalysis
{
    private const string RankRule =
        "rank: 1 + the institutions (kept by the filters, the partner's other campuses included) nearer the park at the stored geometries, ties by ordinal id; best: 1 + those certainly nearer (d + u_park + u_other < the partner's min_distance_m); worst: 1 + those possibly nearer (max(0, d − u_park − u_other) ≤ the partner's max_distance_m); of: how many were ranked. rank_among_fitting: the same among institutions whose disciplines fit the park's sector.";

    public static IReadOnlyList<MeasuredLink> Measure(AnalysisApi.Inputs inputs, string? parkId, int alternatives)
    {
        var sources = inputs.Sources();
        var result = new List<MeasuredLink>();
        foreach (var links in inputs.Links)
        {
            foreach (var feature in links.Features)
            {
                ParkLink link;
                using (var document = JsonDocument.Parse(feature.PropertiesJson))
                {
                    link = ParkLink.Of(document.RootElement);
                }

                if (parkId is not null && link.ParkId != parkId)
                {
                    continue;
                }

                var (parkCollection, park) = FindPark(inputs, link.ParkId);
                if (park is null)
                {
                    result.Add(new MeasuredLink(links, feature, link, null, null, LinkStatus.NoPark, [], null));
                    continue;
                }

                if (link.InstitutionIds.Count == 0)
                {
                    result.Add(new MeasuredLink(links, feature, link, parkCollection, park, LinkStatus.NoInstitution, [], null));
                    continue;
                }

                var searched = Enumerable.Range(0, sources.Count).Where(i => link.InstitutionCollection is null || inputs.Institutions[i].Collection.Id == link.InstitutionCollection).ToList();
                if (searched.Count == 0)
                {
                    result.Add(new MeasuredLink(links, feature, link, parkCollection, park, LinkStatus.CollectionNotRead, link.InstitutionIds, null));
                    continue;
                }

                var partners = new List<PartnerPosition>();
                var missing = new List<string>();
                foreach (var id in link.InstitutionIds)
                {
                    var found = searched.Where(i => sources[i].TryGetPosition(id, out _)).Select(i => { sources[i].TryGetPosition(id, out var p); return new PartnerPosition(sources[i], p); }).ToList();
                    if (found.Count == 0)
                    {
                        missing.Add(id);
                    }

                    partners.AddRange(found);
                }

                if (partners.Count == 0)
                {
                    result.Add(new MeasuredLink(links, feature, link, parkCollection, park, LinkStatus.NotFound, missing, null));
                    continue;
                }

                var measure = Partnerships.Measure(CollectionSnapshot.ToProximityItem(park), partners, sources, inputs.Fit.Table, alternatives);
                result.Add(new MeasuredLink(links, feature, link, parkCollection, park, LinkStatus.Measured, missing, measure));
            }
        }

        return result;
    }

    public static void Write(Utf8JsonWriter writer, AnalysisApi.Inputs inputs, int alternatives, IReadOnlyList<MeasuredLink> links)
    {
        writer.WriteStartObject();
        writer.WriteNumber("numberReturned", links.Count);
        writer.WriteStartArray("links");
        foreach (var link in links)
        {
            writer.WriteStartObject();
            WriteLink(writer, link);
            if (link.Park is { } park)
            {
                writer.WriteStartObject("park");
                WriteFeature(writer, link.ParkCollection!, park.Id);
                writer.WriteString("sector", Sector(park));
                writer.WriteNumber("location_uncertainty_m", FeatureProperties.UncertaintyMeters(park.PropertiesJson));
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("park");
            }

            writer.WriteString("status", link.Status);
            writer.WriteStartArray("missing_ids");
            foreach (var id in link.MissingIds)
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("partners");
            foreach (var partner in link.Measure?.Partners ?? [])
            {
                writer.WriteStartObject();
                WriteDistance(writer, inputs, partner.Distance);
                writer.WriteString("fit", FitName(partner.Fit));
                writer.WriteBoolean("kept_by_filters", partner.Kept);
                WriteRank(writer, "rank", partner.Rank);
                if (partner.RankAmongFitting is { } fitting)
                {
                    WriteRank(writer, "rank_among_fitting", fitting);
                }
                else
                {
                    writer.WriteNull("rank_among_fitting");
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("alternatives");
            var nearest = link.Measure?.Partners.FirstOrDefault()?.Distance;
            foreach (var alternative in link.Measure?.Alternatives ?? [])
            {
                writer.WriteStartObject();
                WriteDistance(writer, inputs, alternative);
                writer.WriteBoolean("nearer_than_partner", nearest is not null && alternative.DistanceMeters < nearest.DistanceMeters);
                writer.WriteBoolean("certainly_nearer_than_partner", nearest is not null && alternative.MaxDistanceMeters < nearest.MinDistanceMeters);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("made_with");
        AnalysisWriting.WriteCommonMadeWith(writer, inputs);
        writer.WriteStartArray("links");
        foreach (var collection in inputs.Links)
        {
            writer.WriteStartObject();
            writer.WriteString("collection", collection.Collection.Id);
            writer.WriteNumber("features", collection.Features.Count);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("alternatives", alternatives);
        writer.WriteString("rank", RankRule);
        writer.WriteString("alternatives_rule", "the nearest institutions kept by the filters whose disciplines fit the park's sector, the link's partners excluded; none when the park's sector is not in the fit table. nearer_than_partner compares with the link's nearest partner feature");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>One row per link and partner feature (a link with none measured has one row with the partner columns empty).</summary>
    public static void WriteCsv(StringBuilder text, AnalysisApi.Inputs inputs, IReadOnlyList<MeasuredLink> links)
    {
        Csv.Line(text,
        [
            "link_collection", "link_id", "park_collection", "park_id", "park_name_zh", "sector", "relation", "date", "source_url", "status",
            "partner_collection", "partner_id", "partner_name_zh", "distance_m", "min_distance_m", "max_distance_m", "fit", "kept_by_filters",
            "rank", "rank_best", "rank_worst", "ranked", "rank_among_fitting", "rank_among_fitting_best", "rank_among_fitting_worst", "ranked_fitting",
            "alternatives", "institutions", "filters", "fit_table", "data_version",
        ]);
        var (institutions, filters, fitTable) = AnalysisWriting.CsvMadeWith(inputs);
        foreach (var link in links)
        {
            using var document = JsonDocument.Parse(link.Feature.PropertiesJson);
            var properties = document.RootElement;
            var parkName = link.Park is null ? null : AnalysisWriting.Names(link.ParkCollection!, link.Park.Id).Zh;
            var alternatives = string.Join(";", (link.Measure?.Alternatives ?? []).Select(a => $"{a.CollectionId}/{a.Item.Id}@{Meters(a.DistanceMeters)}"));
            string?[] head =
            [
                link.LinkCollection.Collection.Id, link.Feature.Id, link.ParkCollection?.Collection.Id, link.Link.ParkId, parkName,
                link.Park is null ? null : Sector(link.Park), Text(properties, "relation"), Text(properties, "date"), Text(properties, "source_url"), link.Status,
            ];
            string?[] tail = [alternatives, institutions, filters, fitTable, inputs.DataVersion.ToString(CultureInfo.InvariantCulture)];
            var partners = link.Measure?.Partners ?? [];
            if (partners.Count == 0)
            {
                Csv.Line(text, [.. head, .. Enumerable.Repeat<string?>(null, 16), .. tail]);
                continue;
            }

            foreach (var partner in partners)
            {
                var d = partner.Distance;
                var fitting = partner.RankAmongFitting;
                Csv.Line(text,
                [
                    .. head,
                    d.CollectionId, d.Item.Id, Name(inputs, d).Zh, Meters(d.DistanceMeters), Meters(d.MinDistanceMeters), Meters(d.MaxDistanceMeters),
                    FitName(partner.Fit), partner.Kept ? "true" : "false",
                    AnalysisWriting.Count(partner.Rank.Estimated), AnalysisWriting.Count(partner.Rank.Best), AnalysisWriting.Count(partner.Rank.Worst), AnalysisWriting.Count(partner.Rank.Of),
                    AnalysisWriting.Count(fitting?.Estimated), AnalysisWriting.Count(fitting?.Best), AnalysisWriting.Count(fitting?.Worst), AnalysisWriting.Count(fitting?.Of),
                    .. tail,
                ]);
            }
        }
    }

    /// <summary>Distances to the millimetre, as the proximity answers give them.</summary>
    public static double Round(double meters) => Math.Round(meters, 3);

    private static string Meters(double meters) => AnalysisWriting.Number(Round(meters));

    private static (CollectionSnapshot? Collection, FeatureRecord? Park) FindPark(AnalysisApi.Inputs inputs, string? parkId)
    {
        if (parkId is null)
        {
            return (null, null);
        }

        foreach (var parks in inputs.Parks)
        {
            if (parks.Find(parkId) is { } park)
            {
                return (parks, park);
            }
        }

        return (null, null);
    }

    private static void WriteLink(Utf8JsonWriter writer, MeasuredLink link)
    {
        using var document = JsonDocument.Parse(link.Feature.PropertiesJson);
        var properties = document.RootElement;
        writer.WriteStartObject("link");
        writer.WriteString("collection", link.LinkCollection.Collection.Id);
        writer.WriteString("id", link.Feature.Id);
        writer.WriteString("park_id", link.Link.ParkId);
        writer.WriteString("institution_name_zh", Text(properties, "institution_name_zh"));
        writer.WriteString("institution_collection", link.Link.InstitutionCollection);
        writer.WriteStartArray("institution_ids");
        foreach (var id in link.Link.InstitutionIds)
        {
            writer.WriteStringValue(id);
        }

        writer.WriteEndArray();
        writer.WriteString("relation", Text(properties, "relation"));
        writer.WriteString("date", Text(properties, "date"));
        writer.WriteString("source_url", Text(properties, "source_url"));
        writer.WriteEndObject();
    }

    private static void WriteFeature(Utf8JsonWriter writer, CollectionSnapshot collection, string id)
    {
        var (zh, en) = AnalysisWriting.Names(collection, id);
        writer.WriteString("collection", collection.Collection.Id);
        writer.WriteString("id", id);
        writer.WriteString("name_zh", zh);
        writer.WriteString("name_en", en);
    }

    private static void WriteDistance(Utf8JsonWriter writer, AnalysisApi.Inputs inputs, InstitutionDistance distance)
    {
        var (zh, en) = Name(inputs, distance);
        writer.WriteString("collection", distance.CollectionId);
        writer.WriteString("id", distance.Item.Id);
        writer.WriteString("name_zh", zh);
        writer.WriteString("name_en", en);
        writer.WriteNumber("location_uncertainty_m", distance.Item.LocationUncertaintyMeters);
        writer.WriteNumber("distance_m", Round(distance.DistanceMeters));
        writer.WriteNumber("min_distance_m", Round(distance.MinDistanceMeters));
        writer.WriteNumber("max_distance_m", Round(distance.MaxDistanceMeters));
    }

    private static void WriteRank(Utf8JsonWriter writer, string name, PartnerRank rank)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("estimated", rank.Estimated);
        writer.WriteNumber("best", rank.Best);
        writer.WriteNumber("worst", rank.Worst);
        writer.WriteNumber("of", rank.Of);
        writer.WriteEndObject();
    }

    private static (string? Zh, string? En) Name(AnalysisApi.Inputs inputs, InstitutionDistance distance) =>
        inputs.Institutions.FirstOrDefault(i => i.Collection.Id == distance.CollectionId) is { } collection ? AnalysisWriting.Names(collection, distance.Item.Id) : (null, null);

    private static string? Sector(FeatureRecord park)
    {
        using var document = JsonDocument.Parse(park.PropertiesJson);
        return Text(document.RootElement, ResearchBase.SectorProperty);
    }

    private static string? Text(JsonElement properties, string name) =>
        properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string FitName(SectorFit fit) => fit switch
    {
        SectorFit.Fits => "fits",
        SectorFit.DoesNotFit => "does_not_fit",
        _ => "unknown",
    };
}
