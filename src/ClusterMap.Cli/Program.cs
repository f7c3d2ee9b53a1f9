using System.CommandLine;
using ClusterMap.Cli.Commands;
using ClusterMap.Cli.Geodata;

var root = new RootCommand("clustermap: import, list and build ClusterMap's data, seed its tiles and write its PDF reports.")
{
    ImportCommand.Create(),
    ExportCommand.Create(),
    CollectionsCommand.Create(),
    MigrateCommand.Create(),
    GeodataCommand.Create(),
    KeysCommand.Create(),
    TilesCommand.Create(),
    ReportCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
