using System.CommandLine;
using ClusterMap.Cli.Commands;
using ClusterMap.Cli.Geodata;

var root = new RootCommand("clustermap: import, list and build ClusterMap's data.")
{
    ImportCommand.Create(),
    ExportCommand.Create(),
    CollectionsCommand.Create(),
    MigrateCommand.Create(),
    GeodataCommand.Create(),
    KeysCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
