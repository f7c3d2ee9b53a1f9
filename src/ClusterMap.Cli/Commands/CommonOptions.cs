using System.CommandLine;

namespace ClusterMap.Cli.Commands;

/// <summary>Options shared by every command that opens a store.</summary>
internal static class CommonOptions
{
    public const string DefaultDatabasePath = ".data/clustermap.db";

    public static Option<string> Database() => new("--db")
    {
        Description = "SQLite database file (the service's Storage:SqlitePath) or a PostGIS database as postgresql://user@host:port/database",
        DefaultValueFactory = _ => DefaultDatabasePath,
        HelpName = "PATH|URI",
    };
}
