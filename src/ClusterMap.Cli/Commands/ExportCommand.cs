using System.CommandLine;
using System.Text;
using System.Text.Json;
using ClusterMap.Cli.Formats;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Text;
using ClusterMap.Projections;
using ClusterMap.Storage.Sqlite;
using NetTopologySuite.IO.Converters;

namespace ClusterMap.Cli.Commands;

/// <summary>
/// <c>clustermap export --collection ID --format geojson|csv|gpkg --crs CRS [--filter CQL2 [--filter-lang L]] --out PATH</c>:
/// a stored collection, or the features a CQL2 filter selects from it (the service's parser and the store's
/// translation, as <c>/collections/{id}/items?filter=</c>), in the format and coordinate system a user's tools need. The file is written beside its destination and moved into
/// place when complete, so an interrupted export never leaves a half-written file under the requested name.
/// </summary>
internal static class ExportCommand
{
    private static readonly JsonSerializerOptions _geometry = CreateGeometryOptions();

    public static Command Create()
    {
        var collection = new Option<string>("--collection") { Description = "Collection id", Required = true, HelpName = "ID" };
        var format = new Option<string?>("--format") { Description = "geojson, csv or gpkg (default: from --out's extension)", HelpName = "FORMAT" };
        var crs = new Option<string?>("--crs") { Description = "Coordinate system of the output: wgs84 (default), gcj02, bd09, cgcs2000 or EPSG:n", HelpName = "CRS" };
        var output = new Option<FileInfo>("--out") { Description = "File to write", Required = true, HelpName = "PATH" };
        var filter = new Option<string?>("--filter")
        {
            Description = "Only the features that meet this CQL2 condition on the collection's queryables (as /collections/ID/items?filter=), e.g. \"sector = '集成电路'\"; geometry literals in CRS84",
            HelpName = "CQL2",
        };
        var filterLang = new Option<string?>("--filter-lang") { Description = "cql2-text (default) or cql2-json", HelpName = "LANG" };
        var database = CommonOptions.Database();
        var command = new Command("export", "Export a collection (or the features a CQL2 filter selects) as GeoJSON, CSV or GeoPackage, in any coordinate system ClusterMap converts.")
        {
            collection, format, crs, filter, filterLang, output, database,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(collection)!, result.GetValue(format), result.GetValue(crs), result.GetValue(output)!, result.GetValue(database)!,
            Console.Out, Console.Error, cancellationToken, result.GetValue(filter), result.GetValue(filterLang)));
        return command;
    }

    public static async Task<int> RunAsync(
        string collectionId, string? formatName, string? crsName, FileInfo output, string databasePath, TextWriter log, TextWriter error, CancellationToken cancellationToken,
        string? filterText = null, string? filterLanguage = null)
    {
        var language = Cql2Language.Text;
        if (filterLanguage is not null && !TryParseLanguage(filterLanguage, out language))
        {
            await error.WriteLineAsync($"--filter-lang: '{filterLanguage}' is not a filter language; expected cql2-text (the default) or cql2-json.");
            return 2;
        }

        if (filterLanguage is not null && filterText is null)
        {
            await error.WriteLineAsync("--filter-lang: given without --filter; expected a --filter in that language.");
            return 2;
        }

        var crs = CrsRegistry.Wgs84;
        if (crsName is not null && !CrsRegistry.TryResolve(crsName, out crs))
        {
            await error.WriteLineAsync($"--crs: '{crsName}' is not a coordinate system ClusterMap can convert; expected {CrsRegistry.AcceptedForm}.");
            return 2;
        }

        var format = (formatName ?? output.Extension.TrimStart('.')).ToLowerInvariant() switch
        {
            "geojson" or "json" => "geojson",
            "csv" => "csv",
            "gpkg" => "gpkg",
            _ => null,
        };
        if (format is null)
        {
            await error.WriteLineAsync($"--format: '{formatName ?? output.Extension}' is not a format ClusterMap exports; expected geojson, csv or gpkg (or an --out ending in one).");
            return 2;
        }

        if (!File.Exists(databasePath))
        {
            await error.WriteLineAsync($"--db: {Path.GetFullPath(databasePath)}: no such database file.");
            return 2;
        }

        var store = new SqliteFeatureStore(databasePath);
        var collection = await store.GetCollectionAsync(collectionId, cancellationToken);
        if (collection is null)
        {
            var known = (await store.GetCollectionsAsync(cancellationToken)).Select(c => c.Id);
            await error.WriteLineAsync($"--collection: no collection '{collectionId}' in {store.DatabasePath}; collections: {string.Join(", ", known)}.");
            return 2;
        }

        IReadOnlyList<FeatureRecord> features;
        if (filterText is null)
        {
            features = await store.GetAllItemsAsync(collectionId, cancellationToken);
        }
        else
        {
            var queryables = (await new CollectionQueryablesCache(store).GetAsync(collection, cancellationToken)).Queryables;
            if (!Cql2.TryParse(filterText, language, queryables, out var condition, out var filterError))
            {
                await error.WriteLineAsync($"--filter: {filterError!.Message}");
                return 2;
            }

            // The items endpoint's translation: one query, in store order.
            features = (await store.GetItemsAsync(new ItemsQuery(collectionId, [], [], int.MaxValue, 0, new ItemsFilter(condition, queryables)), cancellationToken)).Features;
        }

        var temporary = output.FullName + ".partial";
        File.Delete(temporary);
        try
        {
            switch (format)
            {
                case "geojson":
                    await WriteGeoJsonAsync(temporary, collection.Definition, features, crs, cancellationToken);
                    break;
                case "csv":
                    var text = new StringBuilder();
                    FeatureCsv.Write(text, [.. features.Select(f => f with { Geometry = GeometryConverter.FromWgs84(f.Geometry, crs) })]);
                    // A byte-order mark lets spreadsheet programs read the Chinese names as UTF-8.
                    await File.WriteAllTextAsync(temporary, text.ToString(), new UTF8Encoding(true), cancellationToken);
                    break;
                default:
                    GeoPackageFormat.Write(temporary, collection.Id, collection.Definition.Title, features, crs);
                    break;
            }

            File.Move(temporary, output.FullName, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        await log.WriteLineAsync($"Exported {features.Count} feature{(features.Count == 1 ? "" : "s")} of '{collectionId}' as {format} in {crs.Code} to {output.FullName}.");
        return 0;
    }

    private static bool TryParseLanguage(string text, out Cql2Language language)
    {
        language = text == "cql2-json" ? Cql2Language.Json : Cql2Language.Text;
        return text is "cql2-text" or "cql2-json";
    }

    private static async Task WriteGeoJsonAsync(string path, CollectionDefinition definition, IReadOnlyList<FeatureRecord> features, Crs crs, CancellationToken cancellationToken)
    {
        await using var stream = File.Create(path);
        await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false });
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        writer.WriteString("name", definition.Id);
        if (!crs.IsWgs84 || crs.LatitudeFirst)
        {
            // RFC 7946 GeoJSON is CRS84 only; in any other CRS the 2008 "crs" member names it, as GDAL reads and
            // writes. Positions stay easting/longitude first whatever the CRS's official axis order.
            writer.WriteStartObject("crs");
            writer.WriteString("type", "name");
            writer.WriteStartObject("properties");
            // GCJ-02 and BD-09 are named by code: their URIs belong to a serving ClusterMap.
            writer.WriteString("name", crs.Uri.StartsWith('/') ? crs.Code : crs.Uri);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteStartArray("features");
        foreach (var feature in features)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "Feature");
            writer.WriteString("id", feature.Id);
            writer.WritePropertyName("geometry");
            JsonSerializer.Serialize(writer, GeometryConverter.FromWgs84(feature.Geometry, crs), _geometry);
            writer.WritePropertyName("properties");
            writer.WriteRawValue(feature.PropertiesJson, skipInputValidation: true);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    private static JsonSerializerOptions CreateGeometryOptions()
    {
        var options = new JsonSerializerOptions();
        options.Converters.Add(new GeoJsonConverterFactory());
        return options;
    }
}
