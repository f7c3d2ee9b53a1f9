using System.CommandLine;
using System.Globalization;
using System.Text;
using ClusterMap.Core.Features;
using ClusterMap.Core.Import;
using ClusterMap.Core.Storage;
using ClusterMap.Projections;
using ClusterMap.Storage.Sqlite;

namespace ClusterMap.Cli.Commands;

/// <summary>
/// <c>clustermap import FILE --collection ID</c>: reads GeoJSON or CSV in a declared CRS (<c>--crs</c>), validates
/// every feature, converts to WGS84 and replaces the collection's content in one transaction. A file with problems is
/// rejected whole, every problem listed; <c>--skip-invalid</c> imports the valid features and writes the rejects to a
/// file. The same reader and write path build the service's default database.
/// </summary>
internal static class ImportCommand
{
    // SQLite result codes (https://sqlite.org/rescode.html) that mean the disk, not the data, is at fault.
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteReadOnly = 8;

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "GeoJSON FeatureCollection or CSV (lon/lat columns or a WKT column)" };
        var collection = new Option<string>("--collection") { Description = "Collection id (kebab-case); created if it does not exist, replaced if it does", Required = true, HelpName = "ID" };
        var title = new Option<string?>("--title") { Description = "Collection title (default: the existing title, or the id)", HelpName = "T" };
        var description = new Option<string?>("--description") { Description = "Collection description", HelpName = "D" };
        var idField = new Option<string?>("--id-field") { Description = "Property (GeoJSON) or column (CSV) that holds each feature's id (default: id)", HelpName = "F" };
        var format = new Option<string?>("--format") { Description = "geojson or csv (default: from the file's extension)", HelpName = "FORMAT" };
        var crs = new Option<string?>("--crs") { Description = "Coordinate system of the file: wgs84 (default), gcj02, bd09, cgcs2000 or EPSG:n", HelpName = "CRS" };
        var encoding = new Option<string?>("--encoding") { Description = "CSV text encoding: utf-8, gb18030 or gbk (default: UTF-8 if valid, else GB18030)", HelpName = "ENC" };
        var lon = new Option<string?>("--lon") { Description = "CSV column of longitudes or eastings (default: lon, lng, longitude, x, 经度)", HelpName = "COLUMN" };
        var lat = new Option<string?>("--lat") { Description = "CSV column of latitudes or northings (default: lat, latitude, y, 纬度)", HelpName = "COLUMN" };
        var wkt = new Option<string?>("--wkt") { Description = "CSV column of WKT geometries (default: wkt, geometry, geom)", HelpName = "COLUMN" };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Import the valid features and write the rejected ones to --rejects" };
        var rejects = new Option<FileInfo?>("--rejects") { Description = "Where --skip-invalid writes the rejects (CSV; default: FILE.rejects.csv)", HelpName = "PATH" };
        var database = CommonOptions.Database();

        var command = new Command("import", "Import a GeoJSON or CSV file into a collection: every feature lands, or none does (unless --skip-invalid).")
        {
            file, collection, title, description, idField, format, crs, encoding, lon, lat, wkt, skipInvalid, rejects, database,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            new ImportRequest(
                result.GetValue(file)!, result.GetValue(collection)!, result.GetValue(title), result.GetValue(description),
                result.GetValue(idField), result.GetValue(database)!)
            {
                Format = result.GetValue(format),
                Crs = result.GetValue(crs),
                Encoding = result.GetValue(encoding),
                LonColumn = result.GetValue(lon),
                LatColumn = result.GetValue(lat),
                WktColumn = result.GetValue(wkt),
                SkipInvalid = result.GetValue(skipInvalid),
                Rejects = result.GetValue(rejects),
            },
            Console.Out, Console.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(ImportRequest request, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var file = request.File;
        if (!CollectionId.IsValid(request.CollectionId))
        {
            await error.WriteLineAsync($"--collection: '{request.CollectionId}' is not {CollectionId.AcceptedForm}.");
            return 2;
        }

        if (!file.Exists)
        {
            await error.WriteLineAsync($"{file.FullName}: no such file.");
            return 2;
        }

        var crs = CrsRegistry.Wgs84;
        if (request.Crs is not null && !CrsRegistry.TryResolve(request.Crs, out crs))
        {
            await error.WriteLineAsync($"--crs: '{request.Crs}' is not a coordinate system ClusterMap can convert; expected {CrsRegistry.AcceptedForm}.");
            return 2;
        }

        var format = (request.Format ?? (file.Extension.Equals(".csv", StringComparison.OrdinalIgnoreCase) ? "csv" : "geojson")).ToLowerInvariant();
        if (format is not ("csv" or "geojson"))
        {
            await error.WriteLineAsync($"--format: '{request.Format}' is not a format ClusterMap imports; expected geojson or csv.");
            return 2;
        }

        if (format == "geojson" && crs.Kind == CrsKind.Projected)
        {
            await error.WriteLineAsync($"--crs: {crs.Code} is projected; GeoJSON holds longitude and latitude in degrees, so give wgs84, gcj02, bd09 or cgcs2000 (or reproject with ogr2ogr -t_srs EPSG:4326).");
            return 2;
        }

        FeatureReadResult read;
        try
        {
            await using var stream = file.OpenRead();
            read = format == "csv"
                ? CsvFeatureReader.Read(stream, file.FullName, new CsvReadOptions(request.LonColumn, request.LatColumn, request.WktColumn, request.IdField, request.Encoding))
                : ReadGeoJson(stream, file.FullName, request.IdField);
        }
        catch (ImportRejectedException rejected)
        {
            await error.WriteLineAsync(rejected.Message);
            return 1;
        }
        catch (IOException ex)
        {
            await error.WriteLineAsync($"{file.FullName}: cannot be read ({ex.Message}).");
            return 1;
        }

        var (features, conversionProblems) = ImportConversion.ConvertAndCheck(read.Features, f => read.Locations.GetValueOrDefault(f.Id, $"id '{f.Id}'"), crs);
        var problems = read.Problems.Concat(conversionProblems).ToList();
        if (problems.Count > 0 && !request.SkipInvalid)
        {
            await error.WriteLineAsync(new ImportRejectedException(file.FullName, problems).Message);
            await error.WriteLineAsync("Fix the file, or import the valid features with --skip-invalid (the rejects are written to a file).");
            return 1;
        }

        var isNewDatabase = !File.Exists(request.DatabasePath);
        var store = new SqliteFeatureStore(request.DatabasePath);
        CollectionInfo? existing;
        try
        {
            await store.InitializeAsync(cancellationToken);
            existing = await store.GetCollectionAsync(request.CollectionId, cancellationToken);
            var definition = new CollectionDefinition(
                request.CollectionId,
                request.Title ?? existing?.Definition.Title ?? request.CollectionId,
                request.Description ?? existing?.Definition.Description ?? "",
                existing?.Definition.Attribution ?? "",
                existing?.Definition.License ?? "",
                existing?.Definition.MetadataJson ?? "{}");
            await store.ReplaceCollectionsAsync([new CollectionImport(definition, features)], cancellationToken);
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex) when (ex.SqliteErrorCode is SqliteFull or SqliteIoError or SqliteCantOpen or SqliteReadOnly)
        {
            // The import is one transaction: SQLite rolled it back, so the store holds what it held before.
            var reason = ex.SqliteErrorCode == SqliteFull ? "the disk is full" : ex.Message;
            await error.WriteLineAsync($"{store.DatabasePath}: the import could not be written ({reason}); nothing was changed, the database holds what it held before. Free space (or check the disk) and import again.");
            return 1;
        }

        if (isNewDatabase)
        {
            await output.WriteLineAsync($"Created {store.DatabasePath}. It holds only what you import: the service builds the shipped geodata only into a database file that does not exist yet.");
        }

        var converted = crs.IsWgs84 ? "" : $", converted from {crs.Code} to WGS84";
        await output.WriteLineAsync($"Imported {features.Count} feature{(features.Count == 1 ? "" : "s")} into '{request.CollectionId}'{(existing is null ? " (new collection)" : $" (replacing {existing.FeatureCount})")}{converted} in {store.DatabasePath}.");
        if (problems.Count > 0)
        {
            var rejectsPath = request.Rejects?.FullName ?? file.FullName + ".rejects.csv";
            await WriteRejectsAsync(rejectsPath, file.FullName, problems, cancellationToken);
            await output.WriteLineAsync($"Skipped {problems.Count} invalid feature{(problems.Count == 1 ? "" : "s")}; listed in {rejectsPath}.");
        }

        return 0;
    }

    private static FeatureReadResult ReadGeoJson(Stream stream, string source, string? idField)
    {
        var features = GeoJsonFeatureReader.Read(stream, source, new GeoJsonReadOptions(idField));
        var locations = features.Select((f, i) => (f.Id, Location: string.Create(CultureInfo.InvariantCulture, $"feature {i + 1} (id '{f.Id}')")))
            .ToDictionary(p => p.Id, p => p.Location, StringComparer.Ordinal);
        return new FeatureReadResult(features, [], "utf-8", locations);
    }

    private static async Task WriteRejectsAsync(string path, string source, IReadOnlyList<ImportProblem> problems, CancellationToken cancellationToken)
    {
        var text = new StringBuilder("file,location,field,reason\n");
        foreach (var problem in problems)
        {
            text.Append(Csv(source)).Append(',').Append(Csv(problem.Location)).Append(',').Append(Csv(problem.Field)).Append(',').Append(Csv(problem.Reason)).Append('\n');
        }

        // UTF-8 with a byte-order mark, so spreadsheets show the Chinese in reasons and ids.
        await File.WriteAllTextAsync(path, text.ToString(), new UTF8Encoding(true), cancellationToken);
    }

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}

/// <summary>Everything <c>clustermap import</c> was asked to do.</summary>
internal sealed record ImportRequest(FileInfo File, string CollectionId, string? Title, string? Description, string? IdField, string DatabasePath)
{
    public string? Format { get; init; }

    public string? Crs { get; init; }

    public string? Encoding { get; init; }

    public string? LonColumn { get; init; }

    public string? LatColumn { get; init; }

    public string? WktColumn { get; init; }

    public bool SkipInvalid { get; init; }

    public FileInfo? Rejects { get; init; }
}
