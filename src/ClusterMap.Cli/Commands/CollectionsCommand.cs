using System.CommandLine;
using System.Globalization;

namespace ClusterMap.Cli.Commands;

/// <summary><c>clustermap collections</c>: what the store holds, one line per collection.</summary>
internal static class CollectionsCommand
{
    public static Command Create()
    {
        var database = CommonOptions.Database();
        var command = new Command("collections", "List the stored collections with their feature counts and extents.") { database };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(database)!, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string databasePath, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var location = StoreLocation.Parse(databasePath);
        if (!location.Exists)
        {
            await error.WriteLineAsync($"{location.Display}: no such database (start the service once, or import a file, to create it).");
            return 1;
        }

        var store = await location.OpenAsync(cancellationToken);
        var collections = await store.GetCollectionsAsync(cancellationToken);
        var width = collections.Select(c => c.Id.Length).Append("id".Length).Max();
        await output.WriteLineAsync($"{"id".PadRight(width)}  {"features",8}  {"geometry",-15}  {"extent (lon/lat)",-41}  title");
        foreach (var collection in collections)
        {
            var extent = collection.Extent is { } e
                ? string.Create(CultureInfo.InvariantCulture, $"{e.MinX:F4},{e.MinY:F4},{e.MaxX:F4},{e.MaxY:F4}")
                : "(empty)";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{collection.Id.PadRight(width)}  {collection.FeatureCount,8}  {collection.GeometryType,-15}  {extent,-41}  {collection.Definition.Title}"));
        }

        return 0;
    }
}
