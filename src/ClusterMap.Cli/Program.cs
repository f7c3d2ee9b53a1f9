using System.CommandLine;
using ClusterMap.Cli.Commands;
using ClusterMap.Cli.Geodata;

var root = new RootCommand("clustermap: import, list and build ClusterMap's data, and seed its tiles.")
{
    ImportCommand.Create(),
    ExportCommand.Create(),
    CollectionsCommand.Create(),
    MigrateCommand.Create(),
    GeodataCommand.Create(),
    KeysCommand.Create(),
    TilesCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
