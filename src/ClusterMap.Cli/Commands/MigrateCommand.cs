using System.CommandLine;
using ClusterMap.Core.Storage;
using Npgsql;

namespace ClusterMap.Cli.Commands;

/// <summary>
/// <c>clustermap migrate --from sqlite:PATH --to postgis:URI</c> (either direction): copies every collection, its
/// definition and features in store order, in one transaction on the target, then the API keys (hashes only) that
/// the target does not hold yet. Collections of the target that the source lacks are left alone.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "Source store: " + StoreLocation.AcceptedForm, Required = true, HelpName = "STORE" };
        var to = new Option<string>("--to") { Description = "Target store (created if it is a new SQLite file)", Required = true, HelpName = "STORE" };
        var command = new Command("migrate", "Copy a whole store (collections, features, API keys) into another, e.g. from SQLite to PostGIS.") { from, to };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(from)!, result.GetValue(to)!, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string from, string to, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var source = StoreLocation.Parse(from);
        var target = StoreLocation.Parse(to);
        if (!source.Exists)
        {
            await error.WriteLineAsync($"--from: {source.Display}: no such database.");
            return 2;
        }

        try
        {
            var sourceStore = await source.OpenAsync(cancellationToken);
            var targetStore = await target.OpenAsync(cancellationToken);
            var imports = new List<CollectionImport>();
            foreach (var collection in await sourceStore.GetCollectionsAsync(cancellationToken))
            {
                imports.Add(new CollectionImport(collection.Definition, await sourceStore.GetAllItemsAsync(collection.Id, cancellationToken)));
            }

            await targetStore.ReplaceCollectionsAsync(imports, cancellationToken);
            var keys = 0;
            foreach (var key in await sourceStore.GetApiKeysAsync(cancellationToken))
            {
                if (await targetStore.GetApiKeyAsync(key.KeyId, cancellationToken) is null)
                {
                    await targetStore.AddApiKeyAsync(key, cancellationToken);
                    keys++;
                }
            }

            await output.WriteLineAsync($"Copied {imports.Count} collection(s), {imports.Sum(i => i.Features.Count)} feature(s) and {keys} API key(s) from {source.Display} to {target.Display}.");
            return 0;
        }
        catch (Exception ex) when (ex is FormatException or NpgsqlException or Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            await error.WriteLineAsync($"migrate: {ex.Message}");
            return 1;
        }
    }
}
