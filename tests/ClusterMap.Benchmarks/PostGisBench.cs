using System.Diagnostics;
using ClusterMap.Core.Proximity;
using NetTopologySuite.IO;
using Npgsql;

namespace ClusterMap.Benchmarks;

/// <summary>
/// The same data and queries on PostGIS: a table with a <c>geography</c> column and a GiST index, radius queries
/// with <c>ST_DWithin(geog, origin, r)</c> ordered by <c>ST_Distance</c> (both on the spheroid, PostGIS's
/// default for geography), and nearest-k with the index-assisted <c>&lt;-&gt;</c> operator (sphere distance)
/// taking 2k candidates re-ranked by the spheroid <c>ST_Distance</c>.
/// </summary>
internal sealed class PostGisBench : IAsyncDisposable
{
    private const string Table = "bench_features";

    private const string WithinSql = $"""
        SELECT id, ST_Distance(geog, o) AS d
        FROM {Table}, (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography AS o) q
        WHERE ST_DWithin(geog, o, $3)
        ORDER BY d, id
        """;

    private const string NearestSql = $"""
        SELECT id, d FROM (
          SELECT id, ST_Distance(geog, o) AS d
          FROM {Table}, (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography AS o) q
          ORDER BY geog <-> o
          LIMIT $3) candidates
        ORDER BY d, id
        LIMIT $4
        """;

    private readonly NpgsqlDataSource _dataSource;

    private PostGisBench(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public double LoadSeconds { get; private set; }

    public double IndexSeconds { get; private set; }

    public static async Task<PostGisBench> LoadAsync(string connectionString, SyntheticCollection data)
    {
        var bench = new PostGisBench(NpgsqlDataSource.Create(connectionString));
        await using var connection = await bench._dataSource.OpenConnectionAsync();
        await Execute(connection, "CREATE EXTENSION IF NOT EXISTS postgis");
        await Execute(connection, $"DROP TABLE IF EXISTS {Table}");
        await Execute(connection, $"CREATE TABLE {Table} (id text PRIMARY KEY, geog geography NOT NULL)");

        // Hex WKB keeps every coordinate bit for bit; geography takes SRID 4326 by default.
        var watch = Stopwatch.StartNew();
        var writer = new WKBWriter(ByteOrder.LittleEndian, handleSRID: false, emitZ: false, emitM: false);
        await using (var copy = await connection.BeginTextImportAsync($"COPY {Table} (id, geog) FROM STDIN"))
        {
            foreach (var item in data.Items)
            {
                await copy.WriteAsync(item.Id);
                await copy.WriteAsync('\t');
                await copy.WriteAsync(Convert.ToHexString(writer.Write(item.Geometry)));
                await copy.WriteAsync('\n');
            }
        }

        bench.LoadSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        await Execute(connection, $"CREATE INDEX {Table}_geog ON {Table} USING gist (geog)");
        await Execute(connection, $"ANALYZE {Table}");
        bench.IndexSeconds = watch.Elapsed.TotalSeconds;
        return bench;
    }

    public async IAsyncEnumerable<QueryRow> QueriesAsync(SyntheticCollection data, BenchOptions options)
    {
        foreach (var query in BenchQueries.All)
        {
            foreach (var workers in new[] { 1, BenchOptions.Clients })
            {
                var commands = new NpgsqlCommand[workers];
                var backends = new int[workers];
                for (var w = 0; w < workers; w++)
                {
                    commands[w] = await PrepareAsync(query);
                    backends[w] = commands[w].Connection!.ProcessID;
                }

                try
                {
                    var result = await LoadRunner.RunAsync(workers, options.Seconds, options.WarmUpSeconds, async (w, i) =>
                    {
                        var origin = data.Origins[i % data.Origins.Length];
                        return (await RunAsync(commands[w], origin.X, origin.Y)).Count;
                    }, () => backends.Sum(LoadRunner.ProcessCpuSeconds));
                    yield return new QueryRow(data.Label, query.Name, Report.PostGis, result);
                }
                finally
                {
                    foreach (var command in commands)
                    {
                        var connection = command.Connection;
                        await command.DisposeAsync();
                        if (connection is not null)
                        {
                            await connection.DisposeAsync();
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// For the first origins, the radius answers of both engines side by side: the largest distance difference
    /// over the pairs both return, and every pair only one returns, which must lie within 0.5 m of the radius.
    /// For nearest-k, the distances rank by rank.
    /// </summary>
    public async Task<IReadOnlyList<ExactnessRow>> ExactnessAsync(SyntheticCollection data, ProximityIndex index, int origins)
    {
        const double tolerance = 0.5;
        var rows = new List<ExactnessRow>();
        foreach (var query in BenchQueries.All)
        {
            var sample = query.Radius is > 1_000 ? Math.Max(1, origins / 10) : origins;
            await using var command = await PrepareAsync(query);
            long compared = 0, agreed = 0, onlyOurs = 0, onlyTheirs = 0, disagreements = 0, arbitrated = 0, referenceSidesWithPostGis = 0;
            double maxPoint = 0, maxPolygon = 0, ourError = 0, theirError = 0;
            void Compare(NetTopologySuite.Geometries.Point origin, string id, double ours, double pg)
            {
                compared++;
                var target = data.Items[ItemIndex(id)].Geometry;
                var difference = Math.Abs(ours - pg);
                if (target is NetTopologySuite.Geometries.Point)
                {
                    maxPoint = Math.Max(maxPoint, difference);
                }
                else
                {
                    maxPolygon = Math.Max(maxPolygon, difference);
                }

                if (difference > 0.01)
                {
                    arbitrated++;
                    var reference = ReferenceDistance.PointTo(origin, target);
                    ourError = Math.Max(ourError, Math.Abs(ours - reference));
                    theirError = Math.Max(theirError, Math.Abs(pg - reference));
                }
            }

            for (var i = 0; i < sample; i++)
            {
                var origin = data.Origins[i];
                var theirs = await RunAsync(command, origin.X, origin.Y);
                if (query.Radius is { } radius)
                {
                    var ours = index.Within(origin, radius).ToDictionary(h => h.Id, h => h.DistanceMeters, StringComparer.Ordinal);
                    var theirById = theirs.ToDictionary(t => t.Id, t => t.Distance, StringComparer.Ordinal);
                    foreach (var (id, d) in ours)
                    {
                        if (theirById.TryGetValue(id, out var pg))
                        {
                            agreed++;
                            Compare(origin, id, d, pg);
                        }
                        else if (Math.Abs(d - radius) <= tolerance)
                        {
                            onlyOurs++;
                        }
                        else
                        {
                            disagreements++;
                            var reference = ReferenceDistance.PointTo(origin, data.Items[ItemIndex(id)].Geometry);
                            referenceSidesWithPostGis += reference <= radius ? 0 : 1;
                            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  only ClusterMap: {origin} → {id} d {d:F4} m, r {radius}, reference {reference:F4} m: {data.Items[ItemIndex(id)].Geometry}"));
                        }
                    }

                    foreach (var (id, pg) in theirById.Where(t => !ours.ContainsKey(t.Key)))
                    {
                        if (Math.Abs(pg - radius) <= tolerance)
                        {
                            onlyTheirs++;
                        }
                        else
                        {
                            disagreements++;
                            var reference = ReferenceDistance.PointTo(origin, data.Items[ItemIndex(id)].Geometry);
                            referenceSidesWithPostGis += reference <= radius ? 1 : 0;
                            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  only PostGIS: {origin} → {id} d_PostGIS {pg:F4} m, r {radius}, reference {reference:F4} m: {data.Items[ItemIndex(id)].Geometry}"));
                        }
                    }
                }
                else
                {
                    var ours = index.Nearest(origin, query.K);
                    var theirById = theirs.ToDictionary(t => t.Id, t => t.Distance, StringComparer.Ordinal);
                    foreach (var hit in ours)
                    {
                        if (theirById.TryGetValue(hit.Id, out var pg))
                        {
                            Compare(origin, hit.Id, hit.DistanceMeters, pg);
                        }
                    }

                    var same = ours.Select(h => h.Id).ToHashSet(StringComparer.Ordinal).SetEquals(theirs.Select(t => t.Id));
                    agreed += same ? 1 : 0;
                    disagreements += same ? 0 : 1;
                    if (!same)
                    {
                        // Arbitrate: the reference distance of every id only one engine returns. ClusterMap is right when
                        // none of its own extra ids is farther (by more than 1 mm) than one of PostGIS's.
                        var ourIds = ours.Select(h => h.Id).ToHashSet(StringComparer.Ordinal);
                        var theirIds = theirs.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
                        double Reference(string id) => ReferenceDistance.PointTo(origin, data.Items[ItemIndex(id)].Geometry);
                        var ourWorst = ourIds.Except(theirIds).Select(Reference).DefaultIfEmpty(0).Max();
                        var theirBest = theirIds.Except(ourIds).Select(Reference).DefaultIfEmpty(double.PositiveInfinity).Min();
                        referenceSidesWithPostGis += ourWorst > theirBest + 0.001 ? 1 : 0;
                        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                            $"  nearest {query.K} differ at {origin}: ClusterMap {string.Join(' ', ours.Select(h => $"{h.Id}:{h.DistanceMeters:F3}"))}; PostGIS {string.Join(' ', theirs.Select(t => $"{t.Id}:{t.Distance:F3}"))}; reference: farthest of ClusterMap's own {ourWorst:F3} m, nearest of PostGIS's own {theirBest:F3} m"));
                    }
                }
            }

            rows.Add(new ExactnessRow(data.Label, query.Name, sample, compared, maxPoint, maxPolygon, agreed, onlyOurs, onlyTheirs, disagreements, referenceSidesWithPostGis, arbitrated, ourError, theirError));
        }

        return rows;
    }

    private static int ItemIndex(string id) => int.Parse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);

    private async Task<NpgsqlCommand> PrepareAsync(BenchQueries query)
    {
        var connection = await _dataSource.OpenConnectionAsync();
        var command = new NpgsqlCommand(query.Radius is null ? NearestSql : WithinSql, connection);
        command.Parameters.Add(new NpgsqlParameter<double> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
        command.Parameters.Add(new NpgsqlParameter<double> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
        if (query.Radius is { } radius)
        {
            command.Parameters.Add(new NpgsqlParameter<double> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double, TypedValue = radius });
        }
        else
        {
            command.Parameters.Add(new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer, TypedValue = 2 * query.K });
            command.Parameters.Add(new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer, TypedValue = query.K });
        }

        await command.PrepareAsync();
        return command;
    }

    private static async Task<List<(string Id, double Distance)>> RunAsync(NpgsqlCommand command, double lon, double lat)
    {
        ((NpgsqlParameter<double>)command.Parameters[0]).TypedValue = lon;
        ((NpgsqlParameter<double>)command.Parameters[1]).TypedValue = lat;
        var rows = new List<(string, double)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetDouble(1)));
        }

        return rows;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            await Execute(connection, $"DROP TABLE IF EXISTS {Table}");
        }

        await _dataSource.DisposeAsync();
    }
}
