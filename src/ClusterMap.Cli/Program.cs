using System.CommandLine;
using ClusterMap.Cli.Commands;

var root = new RootCommand("clustermap: import, list and build ClusterMap's data.")
{
    ImportCommand.Create(),
    CollectionsCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
