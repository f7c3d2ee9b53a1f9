using System.CommandLine;
using System.Globalization;
using System.Text;
using ClusterMap.Cli.Formats;
using ClusterMap.Core.Features;
using ClusterMap.Core.Import;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Text;
using ClusterMap.Projections;

namespace ClusterMap.Cli.Commands;

/// <summary>
/// <c>clustermap import FILE --collection ID</c>: reads GeoJSON, CSV, GeoPackage or Shapefile in a declared CRS (<c>--crs</c>), validates
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
        var file = new Argument<FileInfo>("file") { Description = "GeoJSON FeatureCollection, CSV (lon/lat columns or a WKT column), GeoPackage or Shapefile (.shp)" };
        var collection = new Option<string>("--collection") { Description = "Collection id (kebab-case); created if it does not exist, replaced if it does", Required = true, HelpName = "ID" };
        var title = new Option<string?>("--title") { Description = "Collection title (default: the existing title, or the id)", HelpName = "T" };
        var description = new Option<string?>("--description") { Description = "Collection description", HelpName = "D" };
        var idField = new Option<string?>("--id-field") { Description = "Property (GeoJSON) or column (CSV) that holds each feature's id (default: id)", HelpName = "F" };
        var format = new Option<string?>("--format") { Description = "geojson, csv, gpkg or shp (default: from the file's extension)", HelpName = "FORMAT" };
        var crs = new Option<string?>("--crs") { Description = "Coordinate system of the file: wgs84 (default), gcj02, bd09, cgcs2000 or EPSG:n", HelpName = "CRS" };
        var encoding = new Option<string?>("--encoding") { Description = "CSV text encoding: utf-8, gb18030 or gbk (default: UTF-8 if valid, else GB18030)", HelpName = "ENC" };
        var lon = new Option<string?>("--lon") { Description = "CSV column of longitudes or eastings (default: lon, lng, longitude, x, 经度)", HelpName = "COLUMN" };
        var lat = new Option<string?>("--lat") { Description = "CSV column of latitudes or northings (default: lat, latitude, y, 纬度)", HelpName = "COLUMN" };
        var wkt = new Option<string?>("--wkt") { Description = "CSV column of WKT geometries (default: wkt, geometry, geom)", HelpName = "COLUMN" };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Import the valid features and write the rejected ones to --rejects" };
        var rejects = new Option<FileInfo?>("--rejects") { Description = "Where --skip-invalid writes the rejects (CSV; default: FILE.rejects.csv)", HelpName = "PATH" };
        var mode = new Option<string>("--mode") { Description = "replace (default), append (ids must be new) or upsert (stored ids replaced); append and upsert keep the collection's title", DefaultValueFactory = _ => ImportMode.Replace, HelpName = "MODE" };
        var database = CommonOptions.Database();
        var layer = new Option<string?>("--layer") { Description = "GeoPackage feature layer (needed when the file has more than one)", HelpName = "NAME" };
        var require = new Option<string?>("--require") { Description = "Properties every feature must have, non-empty: name,sector", HelpName = "NAMES" };
        var role = new Option<string?>("--role") { Description = $"What maps draw the collection as: {CollectionRole.AcceptedForm} (default: the stored role; context for a new collection)", HelpName = "ROLE" };
        var types = new Option<string?>("--types") { Description = "Property types: area_km2=number,listed=boolean (string, number, integer, boolean; CSV cells are converted)", HelpName = "NAME=TYPE" };

        var command = new Command("import", "Import a GeoJSON, CSV, GeoPackage or Shapefile into a collection: every feature lands, or none does (unless --skip-invalid).")
        {
            file, collection, title, description, idField, format, crs, encoding, lon, lat, wkt, skipInvalid, rejects, mode, database,
            layer, require, types, role,
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
                Mode = result.GetValue(mode)!,
                Layer = result.GetValue(layer),
                Require = result.GetValue(require),
                Types = result.GetValue(types),
                Role = result.GetValue(role),
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

        if (!ImportMode.IsValid(request.Mode))
        {
            await error.WriteLineAsync($"--mode: '{request.Mode}' is not an import mode; expected {ImportMode.AcceptedForm}.");
            return 2;
        }

        if (!file.Exists)
        {
            await error.WriteLineAsync($"{file.FullName}: no such file.");
            return 2;
        }

        if (request.Role is not null && !CollectionRole.IsKnown(request.Role))
        {
            await error.WriteLineAsync($"--role: '{request.Role}' is not a role; expected {CollectionRole.AcceptedForm}.");
            return 2;
        }

        if (request.Role is not null && request.Mode != ImportMode.Replace)
        {
            await error.WriteLineAsync($"--role: --mode {request.Mode} keeps the collection's definition; set the role with --mode replace.");
            return 2;
        }

        var crs = CrsRegistry.Wgs84;
        if (request.Crs is not null && !CrsRegistry.TryResolve(request.Crs, out crs))
        {
            await error.WriteLineAsync($"--crs: '{request.Crs}' is not a coordinate system ClusterMap can convert; expected {CrsRegistry.AcceptedForm}.");
            return 2;
        }

        if (!PropertyRules.TryParse(request.Require, request.Types, out var rules))
        {
            await error.WriteLineAsync($"--types: '{request.Types}' is not {PropertyRules.AcceptedTypesForm}.");
            return 2;
        }

        var format = (request.Format ?? file.Extension.ToLowerInvariant() switch
        {
            ".csv" => "csv",
            ".gpkg" => "gpkg",
            ".shp" => "shp",
            _ => "geojson",
        }).ToLowerInvariant();
        if (format is not ("csv" or "geojson" or "gpkg" or "shp"))
        {
            await error.WriteLineAsync($"--format: '{request.Format}' is not a format ClusterMap imports; expected geojson, csv, gpkg or shp.");
            return 2;
        }

        if (format == "geojson" && crs.Kind == CrsKind.Projected)
        {
            await error.WriteLineAsync($"--crs: {crs.Code} is projected; GeoJSON holds longitude and latitude in degrees, so give wgs84, gcj02, bd09 or cgcs2000 (or reproject with ogr2ogr -t_srs EPSG:4326).");
            return 2;
        }

        FeatureReadResult read;
        var crsNote = "";
        try
        {
            if (format is "gpkg" or "shp")
            {
                var (tableRead, declared) = format == "gpkg"
                    ? GeoPackageFormat.Read(file.FullName, request.Layer, request.IdField)
                    : ShapefileFormat.Read(file.FullName, request.IdField, request.Encoding);
                read = tableRead;
                if (request.Crs is null && declared is null && format == "gpkg")
                {
                    await error.WriteLineAsync($"{file.FullName}: crs: the layer's srs is undefined; state the coordinate system with --crs ({CrsRegistry.AcceptedForm}).");
                    return 1;
                }

                if (request.Crs is null && declared is not null)
                {
                    crs = declared;
                    crsNote = format == "gpkg" ? $" (CRS from the layer's srs: {crs.Code})" : $" (CRS from the .prj: {crs.Code})";
                }
                else if (request.Crs is not null && declared is not null && declared.Code != crs.Code)
                {
                    crsNote = $" (--crs {crs.Code} overrides the file's {declared.Code})";
                }
            }
            else
            {
                await using var stream = file.OpenRead();
                read = format == "csv"
                    ? CsvFeatureReader.Read(stream, file.FullName, new CsvReadOptions(request.LonColumn, request.LatColumn, request.WktColumn, request.IdField, request.Encoding))
                    : ReadGeoJson(stream, file.FullName, request.IdField);
            }
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

        var (features, conversionProblems) = ImportConversion.ConvertAndCheck(read.Features, f => read.Locations.GetValueOrDefault(f.Id, $"id '{f.Id}'"), crs, rules, textCells: format == "csv");
        var problems = read.Problems.Concat(conversionProblems).ToList();
        if (problems.Count > 0 && !request.SkipInvalid)
        {
            await error.WriteLineAsync(new ImportRejectedException(file.FullName, problems).Message);
            await error.WriteLineAsync("Fix the file, or import the valid features with --skip-invalid (the rejects are written to a file).");
            return 1;
        }

        var location = StoreLocation.Parse(request.DatabasePath);
        var isNewDatabase = !location.Exists;
        string imported;
        try
        {
            var store = await location.OpenAsync(cancellationToken);
            var existing = await store.GetCollectionAsync(request.CollectionId, cancellationToken);
            var definition = new CollectionDefinition(
                request.CollectionId,
                request.Title ?? existing?.Definition.Title ?? request.CollectionId,
                request.Description ?? existing?.Definition.Description ?? "",
                existing?.Definition.Attribution ?? "",
                existing?.Definition.License ?? "",
                request.Role is null ? existing?.Definition.MetadataJson ?? "{}" : CollectionRole.WithRole(existing?.Definition.MetadataJson, request.Role));
            imported = await ImportMode.WriteAsync(store, request.Mode, definition, existing, features, cancellationToken);
        }
        catch (FeatureConflictException conflict)
        {
            var listed = conflict.FeatureIds.Select(id => $"\n  {file.FullName}: {read.Locations.GetValueOrDefault(id, $"id '{id}'")}: id: already in collection '{request.CollectionId}'");
            await error.WriteLineAsync($"{file.FullName}: rejected, nothing was imported ({conflict.FeatureIds.Count} id{(conflict.FeatureIds.Count == 1 ? " is" : "s are")} already stored; --mode append adds only new ids):{string.Concat(listed)}");
            await error.WriteLineAsync("Use --mode upsert to replace the stored features, or --mode replace to replace the whole collection.");
            return 1;
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex) when (ex.SqliteErrorCode is SqliteFull or SqliteIoError or SqliteCantOpen or SqliteReadOnly)
        {
            // The import is one transaction: SQLite rolled it back, so the store holds what it held before.
            var reason = ex.SqliteErrorCode == SqliteFull ? "the disk is full" : ex.Message;
            await error.WriteLineAsync($"{location.Display}: the import could not be written ({reason}); nothing was changed, the database holds what it held before. Free space (or check the disk) and import again.");
            return 1;
        }

        if (isNewDatabase)
        {
            await output.WriteLineAsync($"Created {location.Display}. It holds only what you import: the service builds the shipped geodata only into a database file that does not exist yet.");
        }

        var converted = (crs.IsWgs84 ? "" : $", converted from {crs.Code} to WGS84") + crsNote;
        await output.WriteLineAsync($"{imported}{converted} in {location.Display}.");
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
        var text = new StringBuilder();
        Csv.Line(text, "file", "location", "field", "reason");
        foreach (var problem in problems)
        {
            Csv.Line(text, source, problem.Location, problem.Field, problem.Reason);
        }

        // UTF-8 with a byte-order mark, so spreadsheets show the Chinese in reasons and ids.
        await File.WriteAllTextAsync(path, text.ToString(), new UTF8Encoding(true), cancellationToken);
    }
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

    /// <summary>replace, append or upsert (<see cref="ImportMode"/>).</summary>
    public string Mode { get; init; } = ImportMode.Replace;

    public string? Layer { get; init; }

    public string? Require { get; init; }

    public string? Types { get; init; }

    /// <summary>The role to store with the collection (see <see cref="CollectionRole"/>); null keeps the stored one.</summary>
    public string? Role { get; init; }
}
