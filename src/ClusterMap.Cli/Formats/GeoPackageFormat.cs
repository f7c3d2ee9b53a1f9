using System.Globalization;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Import;
using ClusterMap.Projections;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace ClusterMap.Cli.Formats;

/// <summary>
/// GeoPackage (OGC 12-128r18) features: geometries through NetTopologySuite.IO.GeoPackage, the tables through
/// Microsoft.Data.Sqlite. The layer's <c>srs_id</c> says the CRS (EPSG code, or its WKT definition). Columns
/// declared <c>application/json</c> in <c>gpkg_data_columns</c> (as GDAL writes JSON fields) hold arrays and objects.
/// </summary>
internal static class GeoPackageFormat
{
    private const string JsonMime = "application/json";

    // GCJ-02 and BD-09 have no EPSG code; ClusterMap writes them under its own organisation and reads them back.
    private const string ClusterMapOrganization = "CLUSTERMAP";

    public static (FeatureReadResult Read, Crs? Declared) Read(string path, string? layer, string? idField)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            connection.Open();
            return Read(connection, path, layer, idField);
        }
        catch (SqliteException ex)
        {
            throw new ImportRejectedException(path, [new ImportProblem("file", "file", $"not a readable GeoPackage ({ex.Message.TrimEnd('.')})")]);
        }
    }

    private static (FeatureReadResult, Crs?) Read(SqliteConnection connection, string path, string? layer, string? idField)
    {
        var layers = Strings(connection, "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name");
        if (layer is null && layers.Count != 1)
        {
            throw new ImportRejectedException(path, [new ImportProblem("file", "layer",
                layers.Count == 0 ? "the GeoPackage has no feature layer" : $"the GeoPackage has {layers.Count} feature layers; choose one with --layer: {string.Join(", ", layers)}")]);
        }

        var table = layer ?? layers[0];
        if (!layers.Contains(table, StringComparer.Ordinal))
        {
            throw new ImportRejectedException(path, [new ImportProblem("file", "layer", $"--layer '{table}' is not a feature layer of the file; layers: {string.Join(", ", layers)}")]);
        }

        string geometryColumn;
        long srsId;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = $table";
            command.Parameters.AddWithValue("$table", table);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                throw new ImportRejectedException(path, [new ImportProblem("file", "geometry", $"layer '{table}' has no row in gpkg_geometry_columns")]);
            }

            geometryColumn = reader.GetString(0);
            srsId = reader.GetInt64(1);
        }

        var declared = DeclaredCrs(connection, path, srsId);
        var columns = new List<(string Name, string Type, bool PrimaryKey)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name, type, pk FROM pragma_table_info($table)";
            command.Parameters.AddWithValue("$table", table);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                columns.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2) > 0));
            }
        }

        var jsonColumns = HasTable(connection, "gpkg_data_columns")
            ? Strings(connection, "SELECT column_name FROM gpkg_data_columns WHERE table_name = $table AND mime_type = '" + JsonMime + "'", ("$table", table)).ToHashSet(StringComparer.Ordinal)
            : [];
        var primaryKey = columns.FirstOrDefault(c => c.PrimaryKey).Name;
        var idName = idField ?? (columns.Any(c => c.Name == "id") ? "id" : primaryKey);
        if (idName is null || !columns.Any(c => c.Name == idName))
        {
            throw new ImportRejectedException(path, [new ImportProblem("file", "id",
                $"--id-field names '{idField}', which layer '{table}' does not have; columns: {string.Join(", ", columns.Select(c => c.Name))}")]);
        }

        var geometryReader = new GeoPackageGeoReader { HandleOrdinates = Ordinates.XY };
        var collector = new FeatureCollector("feature");
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT * FROM " + Quote(table) + (primaryKey is null ? "" : " ORDER BY " + Quote(primaryKey));
            using var reader = command.ExecuteReader();
            var number = 0;
            while (reader.Read())
            {
                number++;
                Geometry? geometry = null;
                object? idValue = null;
                var attributes = new List<(string, object?, bool)>();
                string? geometryProblem = null;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var name = reader.GetName(i);
                    var value = reader.IsDBNull(i) ? null : reader.GetValue(i);
                    if (name == geometryColumn)
                    {
                        if (value is byte[] blob)
                        {
                            try
                            {
                                geometry = geometryReader.Read(blob);
                            }
                            catch (Exception ex) when (ex is ParseException or ArgumentException or InvalidOperationException or IOException or IndexOutOfRangeException)
                            {
                                geometryProblem = $"not a GeoPackage geometry blob ({ex.Message.TrimEnd('.')})";
                            }
                        }
                    }
                    else if (name == idName)
                    {
                        idValue = value;
                    }
                    else if (name != primaryKey)
                    {
                        var type = columns.First(c => c.Name == name).Type;
                        if (value is long flag && type.Equals("BOOLEAN", StringComparison.OrdinalIgnoreCase))
                        {
                            value = flag != 0;
                        }

                        attributes.Add((name, value, jsonColumns.Contains(name)));
                    }
                }

                if (geometryProblem is not null)
                {
                    collector.Problem(new ImportProblem(string.Create(CultureInfo.InvariantCulture, $"feature {number}"), geometryColumn, geometryProblem));
                    continue;
                }

                collector.Add(number, idName, idValue, geometry, () => AttributeJson.Write(attributes));
            }
        }

        return (collector.Result("utf-8"), declared);
    }

    private static Crs? DeclaredCrs(SqliteConnection connection, string path, long srsId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = $id";
        command.Parameters.AddWithValue("$id", srsId);
        using var reader = command.ExecuteReader();
        if (!reader.Read() || srsId <= 0)
        {
            // srs_id -1 and 0 are GeoPackage's "undefined" systems: the user must say with --crs.
            return null;
        }

        var organization = reader.GetString(0);
        var code = reader.GetInt64(1);
        var definition = reader.GetString(2);
        if (organization.Equals("EPSG", StringComparison.OrdinalIgnoreCase) && CrsRegistry.Epsg((int)code) is { } epsg)
        {
            return epsg;
        }

        if (organization.Equals(ClusterMapOrganization, StringComparison.OrdinalIgnoreCase))
        {
            return code == 2 ? CrsRegistry.Gcj02 : CrsRegistry.Bd09;
        }

        if (!CrsRegistry.TryResolveWkt(definition, out var crs, out var reason))
        {
            throw new ImportRejectedException(path, [new ImportProblem("file", "crs", $"srs_id {srsId} ({organization}:{code}): {reason}; or state the CRS with --crs")]);
        }

        return crs;
    }

    /// <summary>
    /// Writes one feature layer named after the collection into a new GeoPackage, coordinates in <paramref name="crs"/>.
    /// Property columns take the type their values share (INTEGER, REAL, BOOLEAN, TEXT); arrays, objects and
    /// columns of mixed types are TEXT declared application/json, so nothing changes type on the way back in.
    /// </summary>
    public static void Write(string path, string layer, string title, IReadOnlyList<FeatureRecord> features, Crs crs)
    {
        var rows = features.Select(f => (Feature: f, Properties: JsonDocument.Parse(f.PropertiesJson))).ToList();
        try
        {
            var columns = new List<string>();
            var kinds = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var (_, properties) in rows)
            {
                foreach (var property in properties.RootElement.EnumerateObject())
                {
                    if (property.Name is "id" or "fid" or "geom")
                    {
                        continue;
                    }

                    if (!kinds.TryGetValue(property.Name, out var set))
                    {
                        columns.Add(property.Name);
                        kinds[property.Name] = set = [];
                    }

                    if (Kind(property.Value) is { } kind)
                    {
                        set.Add(kind);
                    }
                }
            }

            var types = columns.ToDictionary(c => c, c => kinds[c].Count == 1 ? kinds[c].Single() : kinds[c].SetEquals(["INTEGER", "REAL"]) ? "REAL" : kinds[c].Count == 0 ? "TEXT" : "JSON", StringComparer.Ordinal);
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
            connection.Open();
            using var transaction = connection.BeginTransaction();
            Execute(connection, "PRAGMA application_id = 1196444487"); // 'GPKG'
            Execute(connection, "PRAGMA user_version = 10300");
            Execute(connection, """
                CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
                  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
                CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
                  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
                  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER REFERENCES gpkg_spatial_ref_sys(srs_id));
                CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
                  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, PRIMARY KEY (table_name, column_name));
                CREATE TABLE gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT,
                  mime_type TEXT, constraint_name TEXT, PRIMARY KEY (table_name, column_name));
                INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system');
                INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
                """);
            var (srsId, organization, code) = Srs(crs);
            Execute(connection, "INSERT INTO gpkg_spatial_ref_sys VALUES ($name, $id, $org, $code, $definition, $description)",
                ("$name", crs.Title), ("$id", srsId), ("$org", organization), ("$code", code), ("$definition", crs.Wkt ?? "undefined"), ("$description", crs.Uri));

            var envelope = new Envelope();
            var converted = rows.Select(r => GeometryConverter.FromWgs84(r.Feature.Geometry, crs)).ToList();
            converted.ForEach(g => envelope.ExpandToInclude(g.EnvelopeInternal));
            var geometryType = converted.Select(g => g.GeometryType.ToUpperInvariant()).Distinct().Count() == 1 ? converted[0].GeometryType.ToUpperInvariant() : "GEOMETRY";
            Execute(connection, "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) VALUES ($t, 'features', $t, $d, $x0, $y0, $x1, $y1, $srs)",
                ("$t", layer), ("$d", title), ("$x0", envelope.MinX), ("$y0", envelope.MinY), ("$x1", envelope.MaxX), ("$y1", envelope.MaxY), ("$srs", srsId));
            Execute(connection, "INSERT INTO gpkg_geometry_columns VALUES ($t, 'geom', $type, $srs, 0, 0)", ("$t", layer), ("$type", geometryType), ("$srs", srsId));
            var definitions = string.Concat(columns.Select(c => ", " + Quote(c) + " " + (types[c] == "JSON" ? "TEXT" : types[c])));
            Execute(connection, $"CREATE TABLE {Quote(layer)} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {geometryType}, id TEXT NOT NULL UNIQUE{definitions})");
            foreach (var column in columns.Where(c => types[c] == "JSON"))
            {
                Execute(connection, "INSERT INTO gpkg_data_columns (table_name, column_name, mime_type) VALUES ($t, $c, '" + JsonMime + "')", ("$t", layer), ("$c", column));
            }

            var writer = new GeoPackageGeoWriter { HandleOrdinates = Ordinates.XY };
            using var insert = connection.CreateCommand();
            insert.CommandText = $"INSERT INTO {Quote(layer)} (geom, id{string.Concat(columns.Select(c => ", " + Quote(c)))}) VALUES ($geom, $id{string.Concat(columns.Select((_, i) => ", $p" + i.ToString(CultureInfo.InvariantCulture)))})";
            for (var r = 0; r < rows.Count; r++)
            {
                var geometry = converted[r];
                geometry.SRID = srsId;
                insert.Parameters.Clear();
                insert.Parameters.AddWithValue("$geom", writer.Write(geometry));
                insert.Parameters.AddWithValue("$id", rows[r].Feature.Id);
                for (var i = 0; i < columns.Count; i++)
                {
                    var value = rows[r].Properties.RootElement.TryGetProperty(columns[i], out var v) ? v : default;
                    insert.Parameters.AddWithValue("$p" + i.ToString(CultureInfo.InvariantCulture), Cell(value, types[columns[i]]));
                }

                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        finally
        {
            rows.ForEach(r => r.Properties.Dispose());
        }
    }

    private static (int SrsId, string Organization, int Code) Srs(Crs crs)
    {
        if (crs == CrsRegistry.Gcj02)
        {
            return (990002, ClusterMapOrganization, 2);
        }

        if (crs == CrsRegistry.Bd09)
        {
            return (990003, ClusterMapOrganization, 3);
        }

        // CRS84 is EPSG:4326 with x = longitude; GeoPackage geometries are always x, y (longitude first).
        var code = crs.IsWgs84 ? 4326 : int.Parse(crs.Code.AsSpan(crs.Code.IndexOf(':') + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        return (code, "EPSG", code);
    }

    private static string? Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "TEXT",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "INTEGER" : "REAL",
        JsonValueKind.True or JsonValueKind.False => "BOOLEAN",
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => "JSON",
    };

    private static object Cell(JsonElement value, string type) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => DBNull.Value,
        _ when type == "JSON" => value.GetRawText(),
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number when type == "INTEGER" => value.GetInt64(),
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        _ => value.GetRawText(),
    };

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    private static List<string> Strings(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static bool HasTable(SqliteConnection connection, string name) =>
        Strings(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = $n", ("$n", name)).Count > 0;

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
