using System.CommandLine;
using ClusterMap.Core.Features;
using ClusterMap.Core.Import;
using ClusterMap.Core.Storage;
using ClusterMap.Storage.Sqlite;

namespace ClusterMap.Cli.Commands;

/// <summary>
/// <c>clustermap import FILE --collection ID</c>: loads a GeoJSON FeatureCollection into a collection, replacing
/// its content, in one transaction. The same reader and write path build the service's default database.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "GeoJSON FeatureCollection in WGS84 lon/lat (as ogr2ogr -f GeoJSON writes it)" };
        var collection = new Option<string>("--collection") { Description = "Collection id (kebab-case); created if it does not exist, replaced if it does", Required = true, HelpName = "ID" };
        var title = new Option<string?>("--title") { Description = "Collection title (default: the existing title, or the id)", HelpName = "T" };
        var description = new Option<string?>("--description") { Description = "Collection description", HelpName = "D" };
        var idField = new Option<string?>("--id-field") { Description = "Property that holds each feature's id (default: the feature's \"id\" member, then properties.id)", HelpName = "F" };
        var database = CommonOptions.Database();

        var command = new Command("import", "Import a GeoJSON file into a collection: every feature lands, or none does.")
        {
            file, collection, title, description, idField, database,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(file)!, result.GetValue(collection)!, result.GetValue(title), result.GetValue(description),
            result.GetValue(idField), result.GetValue(database)!, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(
        FileInfo file, string collectionId, string? title, string? description, string? idField, string databasePath,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!CollectionId.IsValid(collectionId))
        {
            await error.WriteLineAsync($"--collection: '{collectionId}' is not {CollectionId.AcceptedForm}.");
            return 2;
        }

        if (!file.Exists)
        {
            await error.WriteLineAsync($"{file.FullName}: no such file.");
            return 2;
        }

        IReadOnlyList<FeatureRecord> features;
        try
        {
            await using var stream = file.OpenRead();
            features = GeoJsonFeatureReader.Read(stream, file.FullName, new GeoJsonReadOptions(idField));
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

        var isNewDatabase = !File.Exists(databasePath);
        var store = new SqliteFeatureStore(databasePath);
        await store.InitializeAsync(cancellationToken);
        var existing = await store.GetCollectionAsync(collectionId, cancellationToken);
        var definition = new CollectionDefinition(
            collectionId,
            title ?? existing?.Definition.Title ?? collectionId,
            description ?? existing?.Definition.Description ?? "",
            existing?.Definition.Attribution ?? "",
            existing?.Definition.License ?? "",
            existing?.Definition.MetadataJson ?? "{}");
        await store.ReplaceCollectionsAsync([new CollectionImport(definition, features)], cancellationToken);

        if (isNewDatabase)
        {
            await output.WriteLineAsync($"Created {store.DatabasePath}. It holds only what you import: the service builds the shipped geodata only into a database file that does not exist yet.");
        }

        await output.WriteLineAsync($"Imported {features.Count} feature{(features.Count == 1 ? "" : "s")} into '{collectionId}'{(existing is null ? " (new collection)" : $" (replacing {existing.FeatureCount})")} in {store.DatabasePath}.");
        return 0;
    }
}
