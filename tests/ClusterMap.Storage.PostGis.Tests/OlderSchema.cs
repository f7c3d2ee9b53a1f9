using ClusterMap.Core.Storage;
using ClusterMap.Storage.Sql;
using Dapper;
using Npgsql;

namespace ClusterMap.Storage.PostGis.Tests;

/// <summary>
/// A database as an older build left it: the schema up to a version, and rows written with the plain SQL every
/// version has (the current store would also write tables the older schema lacks).
/// </summary>
internal static class OlderSchema
{
    public static async Task CreateAsync(string connectionString, int version, IReadOnlyList<CollectionImport> imports)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await PostGisMigrations.ApplyAsync(connection, upToVersion: version, CancellationToken.None);
        foreach (var import in imports)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO collections (id, title, description, attribution, license, metadata, geometry_type, feature_count, queryables, updated_at)
                VALUES (@Id, @Title, @Description, '', '', '{}', 'Geometry', @count, '[]', '2026-01-01T00:00:00.0000000+00:00')
                """,
                new { import.Definition.Id, import.Definition.Title, import.Definition.Description, count = (long)import.Features.Count });
            await connection.ExecuteAsync(
                "INSERT INTO features (collection_id, feature_id, geom, properties) VALUES (@collectionId, @Id, ST_GeomFromWKB(@Wkb, 4326), @Properties::json)",
                import.Features.Select(f => new { collectionId = import.Definition.Id, f.Id, Wkb = Wkb.Write(f.Geometry), Properties = f.PropertiesJson }));
        }
    }
}
