using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using ClusterMap.Api.Ogc;
using ClusterMap.Api.Tiles;
using ClusterMap.Core.Analysis;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Text;
using Microsoft.AspNetCore.Http.Metadata;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Analysis;

/// <summary>
/// An analysis answer: ETag and Cache-Control first, 304 when the client holds it already, headers only for HEAD, and
/// only then the computation and the body (so a revalidation or a HEAD costs no analysis).
/// </summary>
internal sealed class AnalysisResult : IResult, IEndpointMetadataProvider
{
    public const string JsonType = "application/json";
    public const string GeoJsonType = "application/geo+json";
    public const string CsvType = "text/csv; charset=utf-8";

    private readonly Action<Utf8JsonWriter>? _json;
    private readonly Action<StringBuilder>? _csv;

    public AnalysisResult(string etag, string contentType, string? fileName, Action<Utf8JsonWriter> json)
    {
        (ETag, ContentType, FileName, _json) = (etag, contentType, fileName, json);
    }

    public AnalysisResult(string etag, string contentType, string fileName, Action<StringBuilder> csv)
    {
        (ETag, ContentType, FileName, _csv) = (etag, contentType, fileName, csv);
    }

    public string ETag { get; }

    public string ContentType { get; }

    public string? FileName { get; }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.Headers.ETag = ETag;
        response.Headers.CacheControl = "no-cache";
        if (TilesApi.Matches(httpContext.Request.Headers.IfNoneMatch, ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.ContentType = ContentType;
        if (FileName is not null)
        {
            response.Headers.ContentDisposition = $"attachment; filename=\"{FileName}\"";
        }

        if (HttpMethods.IsHead(httpContext.Request.Method))
        {
            return;
        }

        if (_csv is not null)
        {
            var text = new StringBuilder();
            _csv(text);

            // A byte-order mark lets spreadsheet programs read the Chinese names as UTF-8.
            await response.Body.WriteAsync(Encoding.UTF8.Preamble.ToArray(), httpContext.RequestAborted);
            await response.WriteAsync(text.ToString(), Encoding.UTF8, httpContext.RequestAborted);
            return;
        }

        await using var writer = new Utf8JsonWriter(response.BodyWriter, GeoJsonWriting.WriterOptions);
        _json!(writer);
        await writer.FlushAsync(httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(object), [JsonType, GeoJsonType, "text/csv"]));
}

/// <summary>How analysis answers are written: the same members in JSON and CSV, and what made each answer.</summary>
internal static class AnalysisWriting
{
    private const string CertaintyRule =
        "certain: d + u_park + u_institution ≤ radius; possible: d − u_park − u_institution ≤ radius < d + u_park + u_institution; estimated: d ≤ radius; d is the geodesic distance between the stored geometries and u each feature's location_uncertainty_m";

    private const string FitNote =
        "a modelling choice, not a fact about any institution: sector ↔ discipline category (学科门类) table shipped in geodata/analysis; institutions whose data gives no disciplines count as unknown";

    public static void WriteResearchBase(Utf8JsonWriter writer, AnalysisApi.Inputs inputs, ResearchBaseSettings settings, CollectionSnapshot parks, ResearchBaseRow row)
    {
        writer.WriteStartObject();
        WriteRow(writer, parks, row);
        WriteResearchBaseMadeWith(writer, inputs, settings);
        writer.WriteEndObject();
    }

    public static void WriteResearchBaseTable(Utf8JsonWriter writer, AnalysisApi.Inputs inputs, ResearchBaseSettings settings, CollectionSnapshot parks, IReadOnlyList<ResearchBaseRow> rows)
    {
        writer.WriteStartObject();
        writer.WriteNumber("numberReturned", rows.Count);
        writer.WriteStartArray("parks");
        foreach (var row in rows)
        {
            writer.WriteStartObject();
            WriteRow(writer, parks, row);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        WriteResearchBaseMadeWith(writer, inputs, settings);
        writer.WriteEndObject();
    }

    /// <summary>One row per park and band; what made the table repeats on each row, since CSV has no other place for it.</summary>
    public static void WriteResearchBaseCsv(StringBuilder text, AnalysisApi.Inputs inputs, ResearchBaseSettings settings, CollectionSnapshot parks, IReadOnlyList<ResearchBaseRow> rows)
    {
        var tiers = InstitutionTiers.All.Select(InstitutionTiers.Name).ToList();
        string[] header =
        [
            "park_collection", "park_id", "name_zh", "name_en", "sector", "location_uncertainty_m", "radius_m", "estimated", "certain", "possible",
            "weighted_certain", "weighted_possible",
            .. tiers.SelectMany(t => new[] { $"tier_{t}_certain", $"tier_{t}_possible" }),
            "fit_fits_certain", "fit_fits_possible", "fit_does_not_fit_certain", "fit_does_not_fit_possible", "fit_unknown_certain", "fit_unknown_possible",
            "fit_share_certain", "fit_share_at_most", "institutions", "filters", "tier_weights", "fit_table", "data_version",
        ];
        Csv.Line(text, header);
        var (institutions, filters, fitTable) = CsvMadeWith(inputs);
        var weights = string.Join(";", InstitutionTiers.All.Select(t => $"{InstitutionTiers.Name(t)}:{Number(settings.TierWeights[t])}"));
        foreach (var row in rows)
        {
            var (nameZh, nameEn) = Names(parks, row.Park.Id);
            foreach (var band in row.Bands)
            {
                var fit = band.Fit;
                Csv.Line(text,
                [
                    parks.Collection.Id, row.Park.Id, nameZh, nameEn, row.Sector, Number(row.Park.LocationUncertaintyMeters), Number(band.RadiusMeters),
                    Count(band.Estimated), Count(band.Institutions.Certain), Count(band.Institutions.Possible),
                    Number(band.Weighted.Certain), Number(band.Weighted.Possible),
                    .. band.Tiers.SelectMany(t => new[] { Count(t.Certain), Count(t.Possible) }),
                    Count(fit?.Fits.Certain), Count(fit?.Fits.Possible), Count(fit?.DoesNotFit.Certain), Count(fit?.DoesNotFit.Possible),
                    Count(fit?.Unknown.Certain), Count(fit?.Unknown.Possible), Share(fit?.ShareCertain), Share(fit?.ShareAtMost),
                    institutions, filters, weights, fitTable, inputs.DataVersion.ToString(CultureInfo.InvariantCulture),
                ]);
            }
        }
    }

    public static void WriteWhiteSpots(Utf8JsonWriter writer, AnalysisApi.Inputs inputs, WhiteSpotSettings settings, EqualAreaGrid? grid, Envelope? extent, IReadOnlyList<WhiteSpotCell> cells)
    {
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        writer.WriteNumber("numberReturned", cells.Count);
        writer.WriteStartArray("features");
        foreach (var cell in cells)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "Feature");
            writer.WriteString("id", string.Create(CultureInfo.InvariantCulture, $"c{cell.Column}-{cell.Row}"));
            writer.WriteStartObject("geometry");
            writer.WriteString("type", "Polygon");
            writer.WriteStartArray("coordinates");
            writer.WriteStartArray();
            foreach (var c in grid!.Cell(cell.Column, cell.Row, factory).Coordinates)
            {
                writer.WriteStartArray();
                writer.WriteNumberValue(Math.Round(c.X, 7));
                writer.WriteNumberValue(Math.Round(c.Y, 7));
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteStartObject("properties");
            writer.WriteString("status", cell.Status == WhiteSpotStatus.Certain ? "certain" : "possible");
            writer.WriteNumber("column", cell.Column);
            writer.WriteNumber("row", cell.Row);
            writer.WriteNumber("centre_lon", Math.Round(cell.Centre.X, 7));
            writer.WriteNumber("centre_lat", Math.Round(cell.Centre.Y, 7));
            writer.WriteNumber("institutions_certain", cell.Institutions.Certain);
            writer.WriteNumber("institutions_possible", cell.Institutions.Possible);
            writer.WriteNumber("parks_certain", cell.Parks.Certain);
            writer.WriteNumber("parks_possible", cell.Parks.Possible);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("made_with");
        WriteCommonMadeWith(writer, inputs);
        writer.WriteNumber("cell_m", settings.CellMeters);
        writer.WriteNumber("min_institutions", settings.MinInstitutions);
        writer.WriteNumber("institution_radius_m", settings.InstitutionRadiusMeters);
        writer.WriteNumber("park_radius_m", settings.ParkRadiusMeters);
        if (extent is not null)
        {
            writer.WriteStartArray("bbox");
            foreach (var v in new[] { extent.MinX, extent.MinY, extent.MaxX, extent.MaxY })
            {
                writer.WriteNumberValue(v);
            }

            writer.WriteEndArray();
        }

        writer.WriteStartObject("grid");
        if (grid is not null)
        {
            writer.WriteString("projection", string.Create(CultureInfo.InvariantCulture,
                $"Lambert azimuthal equal-area on the WGS84 ellipsoid (EPSG method 9820), centred on lon {grid.Projection.CentreLon}, lat {grid.Projection.CentreLat}: every cell has the same ground area, cell_m × cell_m"));
            writer.WriteNumber("columns", grid.Columns);
            writer.WriteNumber("rows", grid.Rows);
            writer.WriteNumber("cells", grid.CellCount);
        }
        else
        {
            writer.WriteString("projection", "none: the institutions have no extent (no features) and no bbox was given");
        }

        writer.WriteEndObject();
        writer.WriteString("rule", "certain: at least min_institutions institutions certainly within institution_radius_m of the cell's centre and no park possibly within park_radius_m; possible: at least min_institutions possibly within and no park certainly within. " + CertaintyRule);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteRow(Utf8JsonWriter writer, CollectionSnapshot parks, ResearchBaseRow row)
    {
        var (nameZh, nameEn) = Names(parks, row.Park.Id);
        writer.WriteStartObject("park");
        writer.WriteString("collection", parks.Collection.Id);
        writer.WriteString("id", row.Park.Id);
        writer.WriteString("name_zh", nameZh);
        writer.WriteString("name_en", nameEn);
        writer.WriteString("sector", row.Sector);
        writer.WriteNumber("location_uncertainty_m", row.Park.LocationUncertaintyMeters);
        writer.WriteEndObject();
        writer.WriteStartArray("bands");
        foreach (var band in row.Bands)
        {
            writer.WriteStartObject();
            writer.WriteNumber("radius_m", band.RadiusMeters);
            writer.WriteNumber("estimated", band.Estimated);
            writer.WriteNumber("certain", band.Institutions.Certain);
            writer.WriteNumber("possible", band.Institutions.Possible);
            writer.WriteStartObject("weighted");
            writer.WriteNumber("certain", band.Weighted.Certain);
            writer.WriteNumber("possible", band.Weighted.Possible);
            writer.WriteEndObject();
            writer.WriteStartObject("tiers");
            foreach (var tier in InstitutionTiers.All)
            {
                WritePair(writer, InstitutionTiers.Name(tier), band.Tiers[(int)tier]);
            }

            writer.WriteEndObject();
            if (band.Fit is { } fit)
            {
                writer.WriteStartObject("fit");
                WritePair(writer, "fits", fit.Fits);
                WritePair(writer, "does_not_fit", fit.DoesNotFit);
                WritePair(writer, "unknown", fit.Unknown);
                WriteShare(writer, "share_certain", fit.ShareCertain);
                WriteShare(writer, "share_at_most", fit.ShareAtMost);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("fit");
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteResearchBaseMadeWith(Utf8JsonWriter writer, AnalysisApi.Inputs inputs, ResearchBaseSettings settings)
    {
        writer.WriteStartObject("made_with");
        WriteCommonMadeWith(writer, inputs);
        writer.WriteStartArray("bands_m");
        foreach (var band in settings.BandsMeters)
        {
            writer.WriteNumberValue(band);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("tier_weights");
        foreach (var tier in InstitutionTiers.All)
        {
            writer.WriteNumber(InstitutionTiers.Name(tier), settings.TierWeights[tier]);
        }

        writer.WriteEndObject();
        writer.WriteString("bands", "cumulative: an institution within 2 km also counts for 5 km");
        writer.WriteString("tiers", "national: type starting with 'national' (national laboratory or facility); 985, 211, double_first_class: the institution's own flags, the highest that applies; other: flags present, none true; unrated: no flags in the data");
        writer.WriteEndObject();
    }

    /// <summary>What made a CSV table, for its columns: the institution collections, the filters and the fit table, each as one cell.</summary>
    internal static (string Institutions, string Filters, string FitTable) CsvMadeWith(AnalysisApi.Inputs inputs) =>
        (string.Join(";", inputs.Institutions.Select(i => i.Collection.Id)),
         string.Join(";", inputs.Filters.Select(f => $"{f.Key}={f.Value}")),
         inputs.Fit.Table.Version + (inputs.Fit.Problem is null ? "" : " (" + inputs.Fit.Problem + ")"));

    internal static void WriteCommonMadeWith(Utf8JsonWriter writer, AnalysisApi.Inputs inputs)
    {
        writer.WriteNumber("data_version", inputs.DataVersion);
        writer.WriteStartArray("parks");
        foreach (var parks in inputs.Parks)
        {
            writer.WriteStartObject();
            writer.WriteString("collection", parks.Collection.Id);
            writer.WriteNumber("features", parks.ProximityItems.Count);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("institutions");
        foreach (var source in inputs.Sources())
        {
            writer.WriteStartObject();
            writer.WriteString("collection", source.CollectionId);
            writer.WriteNumber("features", source.Index.Count);
            writer.WriteNumber("kept_by_filters", source.KeptCount);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("filters");
        foreach (var (name, value) in inputs.Filters)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
        writer.WriteStartObject("fit_table");
        writer.WriteString("source", inputs.Fit.Source);
        writer.WriteString("version", inputs.Fit.Table.Version);
        writer.WriteString("problem", inputs.Fit.Problem);
        writer.WriteString("note", FitNote);
        writer.WriteEndObject();
        writer.WriteString("certainty", CertaintyRule);
    }

    internal static void WritePair(Utf8JsonWriter writer, string name, CertainPossible pair)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("certain", pair.Certain);
        writer.WriteNumber("possible", pair.Possible);
        writer.WriteEndObject();
    }

    internal static void WriteShare(Utf8JsonWriter writer, string name, double? share)
    {
        if (share is { } value)
        {
            writer.WriteNumber(name, Math.Round(value, 4));
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    internal static (string? Zh, string? En) Names(CollectionSnapshot parks, string id)
    {
        if (parks.Find(id) is not { } feature)
        {
            return (null, null);
        }

        using var document = JsonDocument.Parse(feature.PropertiesJson);
        string? Text(string name) => document.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return (Text("name_zh") ?? Text("name"), Text("name_en"));
    }

    internal static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    internal static string Count(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    internal static string Share(double? value) => value is { } v ? Math.Round(v, 4).ToString("R", CultureInfo.InvariantCulture) : "";
}
