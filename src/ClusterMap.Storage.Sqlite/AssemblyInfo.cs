namespace ClusterMap.Storage.Sqlite;

internal static class SqliteAssembly;
