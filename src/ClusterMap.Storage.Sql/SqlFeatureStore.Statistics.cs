using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using Dapper;

namespace ClusterMap.Storage.Sql;

/// <summary>
/// <see cref="IPropertyStatisticsReader"/> in one statement both stores run: every member of every feature's properties
/// is typed as <see cref="PropertyStatistics.Of"/> types it (a string is a date or a timestamp when
/// <see cref="Rfc3339.TryParse"/> would read it, checked here field by field: the dialect tests the shape, this SQL the
/// calendar, the clock, the offset of at most 14 hours a <see cref="DateTimeOffset"/> takes and the years 1 to 9999 in
/// UTC), then counted per name and type; plain strings are grouped by value, and at most one more value than an enum
/// may hold comes back per name. Instants are compared as exact 100 ns ticks since 1970 in UTC. Only the counts, a few
/// values and two instants per name leave the database. The answer is kept in the collection's row, stamped with the
/// collection's state (<see cref="PropertyStatisticsJson"/>), so that it is counted once per change of the collection,
/// not once per replica or restart.
/// </summary>
public abstract partial class SqlFeatureStore<TConnection, TTransaction> : IPropertyStatisticsReader
{
    // The first instant a DateTimeOffset holds (0001-01-01T00:00:00Z) and the one after its last (10000-01-01), in seconds since 1970.
    private const long FirstSecond = -62135596800;
    private const long EndSecond = 253402300800;

    /// <summary>
    /// One row per member of the properties of each feature <c>f</c> of the collection <c>@collectionId</c>, with the
    /// member's name as <c>name</c>; its kind as <c>kind</c>: <c>'s'</c> a string, <c>'i'</c> a number written as an
    /// integer that fits 64 bits (what <c>JsonElement.TryGetInt64</c> accepts), <c>'n'</c> any other number,
    /// <c>'b'</c> a boolean, NULL for null, objects and arrays; and a string's text as <c>t</c> (NULL otherwise).
    /// </summary>
    protected abstract string PropertyMembersSql { get; }

    /// <summary>
    /// A condition on feature <c>f</c> whose properties this store's JSON functions cannot read as .NET does (an escaped
    /// NUL, <c>\u0000</c>, which they cut or refuse): such a collection is not counted in SQL.
    /// </summary>
    protected abstract string UnreadablePropertiesCondition { get; }

    /// <summary>
    /// The condition that a text expression has the shape of an RFC 3339 full date (<c>dddd-dd-dd</c>) or date-time
    /// (<c>dddd-dd-ddTdd:dd:dd</c>, <c>T</c> also <c>t</c> or a space, an optional <c>.</c> and one or more digits, then
    /// <c>Z</c>, <c>z</c> or <c>±dd:dd</c>), with ASCII digits only; the values of the fields are checked by the core.
    /// </summary>
    protected abstract string Rfc3339Shape(string text);

    /// <summary>
    /// Appended to each layer of the statistics statement so that the planner does not merge the layers (which would copy
    /// each column's expression into every use); empty where the planner evaluates them once anyway.
    /// </summary>
    protected virtual string StatisticsFence => "";

    /// <summary>
    /// Run before the statistics statement in the read snapshot's transaction (<see cref="BeginReadSnapshotAsync"/>), so
    /// that it holds for that statement alone; or empty.
    /// </summary>
    protected virtual string StatisticsSettingsSql => "";

    public async Task<IReadOnlyList<PropertyStatistics>?> GetPropertyStatisticsAsync(string collectionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        IReadOnlyList<PropertyStatistics>? counted;
        StampRow? stamp;
        // One snapshot for the stamp, the check and the count, where the store reads in one.
        await using (var transaction = await BeginReadSnapshotAsync(connection, cancellationToken))
        {
            stamp = await connection.QuerySingleOrDefaultAsync<StampRow>(new CommandDefinition(
                "SELECT updated_at AS UpdatedAt, feature_count AS FeatureCount, property_statistics AS Statistics FROM collections WHERE id = @collectionId",
                new { collectionId }, transaction, cancellationToken: cancellationToken));
            if (stamp is null)
            {
                return [];
            }

            if (PropertyStatisticsJson.Read(stamp.Statistics, stamp.UpdatedAt, stamp.FeatureCount) is { } kept)
            {
                return kept;
            }

            counted = await CountStatisticsAsync(connection, transaction, collectionId, cancellationToken);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }

        if (counted is not null)
        {
            // Kept only if the collection is still as counted: a write since then has moved updated_at on.
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE collections SET property_statistics = @json WHERE id = @collectionId AND updated_at = @UpdatedAt AND feature_count = @FeatureCount",
                new { json = PropertyStatisticsJson.Write(stamp.UpdatedAt, stamp.FeatureCount, counted), collectionId, stamp.UpdatedAt, stamp.FeatureCount },
                cancellationToken: cancellationToken));
        }

        return counted;
    }

    private async Task<IReadOnlyList<PropertyStatistics>?> CountStatisticsAsync(TConnection connection, TTransaction? transaction, string collectionId, CancellationToken cancellationToken)
    {
        if (transaction is not null && StatisticsSettingsSql.Length > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(StatisticsSettingsSql, transaction: transaction, cancellationToken: cancellationToken));
        }

        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"SELECT EXISTS (SELECT 1 FROM features f WHERE f.collection_id = @collectionId AND {UnreadablePropertiesCondition})",
            new { collectionId }, transaction, cancellationToken: cancellationToken)))
        {
            return null;
        }

        // A scan of the whole collection, like the read it replaces: no shorter time limit than that read's.
        var rows = await connection.QueryAsync<StatisticsRow>(new CommandDefinition(
            StatisticsSql(), new { collectionId }, transaction, commandTimeout: 0, cancellationToken: cancellationToken));
        return [.. rows.GroupBy(row => row.Name, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(StatisticsRow.ToStatistics)];
    }

    private sealed class StampRow
    {
        public string UpdatedAt { get; set; } = "";

        public long FeatureCount { get; set; }

        public string? Statistics { get; set; }
    }

    // Layer by layer: the members; grouped by name, kind and text (so that each distinct text is read once); the
    // shape; the fields (read only from shaped text, so that no cast fails); the checks Rfc3339.TryParse and
    // DateTimeOffset make; the instant in UTC seconds; then one group per name, type and plain text value, of which each
    // name keeps MaxEnumValues + 1 per type with the type's totals beside them. Each layer ends with the dialect's
    // fence, so that a planner computes a column once instead of copying its expression into every use.
    private string StatisticsSql()
    {
        var more = QueryablesSchema.MaxEnumValues + 1;
        var fence = StatisticsFence;
        const string Zulu = "substr(t, length(t), 1) IN ('Z', 'z')";
        const string Clock = "shaped = 1 AND length(t) > 10";
        return $"""
            WITH m AS ({PropertyMembersSql}{fence}),
            a AS (SELECT name, kind, t, COUNT(*) AS n FROM m GROUP BY name, kind, t{fence}),
            s AS (
                SELECT name, kind, t, n,
                    CASE WHEN kind = 's' AND length(t) >= 10 AND substr(t, 5, 1) = '-' AND {Rfc3339Shape("t")} THEN 1 ELSE 0 END AS shaped
                FROM a{fence}),
            x AS (
                SELECT name, kind, t, n, shaped,
                    CASE WHEN shaped = 1 THEN CAST(substr(t, 1, 4) AS BIGINT) END AS y,
                    CASE WHEN shaped = 1 THEN CAST(substr(t, 6, 2) AS BIGINT) END AS mo,
                    CASE WHEN shaped = 1 THEN CAST(substr(t, 9, 2) AS BIGINT) END AS d,
                    CASE WHEN {Clock} THEN CAST(substr(t, 12, 2) AS BIGINT) ELSE 0 END AS h,
                    CASE WHEN {Clock} THEN CAST(substr(t, 15, 2) AS BIGINT) ELSE 0 END AS mi,
                    CASE WHEN {Clock} THEN CAST(substr(t, 18, 2) AS BIGINT) ELSE 0 END AS se,
                    CASE WHEN {Clock} AND NOT {Zulu} THEN CAST(substr(t, length(t) - 4, 2) AS BIGINT) ELSE 0 END AS oh,
                    CASE WHEN {Clock} AND NOT {Zulu} THEN CAST(substr(t, length(t) - 1, 2) AS BIGINT) ELSE 0 END AS om,
                    CASE WHEN {Clock} AND NOT {Zulu} AND substr(t, length(t) - 5, 1) = '-' THEN -1 ELSE 1 END AS sign,
                    CASE WHEN {Clock} AND substr(t, 20, 1) = '.'
                        THEN CAST(substr(substr(t, 21, length(t) - 20 - CASE WHEN {Zulu} THEN 1 ELSE 6 END) || '0000000', 1, 7) AS BIGINT)
                        ELSE 0 END AS frac
                FROM s{fence}),
            v AS (
                SELECT name, kind, t, n, frac,
                    CASE WHEN shaped = 1 AND y >= 1 AND mo BETWEEN 1 AND 12
                        AND d BETWEEN 1 AND (CASE WHEN mo = 2 THEN (CASE WHEN y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0) THEN 29 ELSE 28 END)
                                                  WHEN mo IN (4, 6, 9, 11) THEN 30 ELSE 31 END)
                        AND h <= 23 AND mi <= 59 AND se <= 59 AND oh <= 23 AND om <= 59 AND oh * 60 + om <= 840
                    THEN {DaysSince1970("y", "mo", "d")} * 86400 + h * 3600 + mi * 60 + se - sign * (oh * 3600 + om * 60) END AS utc
                FROM x{fence}),
            z AS (
                SELECT name, kind, t, n,
                    CASE WHEN utc >= {FirstSecond} AND utc < {EndSecond} THEN (CASE WHEN length(t) = 10 THEN 'd' ELSE 'u' END) END AS instant,
                    CASE WHEN utc >= {FirstSecond} AND utc < {EndSecond} THEN utc * 10000000 + frac END AS ticks
                FROM v{fence}),
            g AS (
                SELECT name, COALESCE(instant, kind) AS vote, CASE WHEN kind = 's' AND instant IS NULL THEN t END AS text,
                    SUM(n) AS n, MIN(ticks) AS first, MAX(ticks) AS last
                FROM z GROUP BY name, COALESCE(instant, kind), CASE WHEN kind = 's' AND instant IS NULL THEN t END{fence}),
            r AS (
                SELECT name, vote, text,
                    CAST(SUM(n) OVER w AS BIGINT) AS votes, COUNT(*) OVER w AS texts, MIN(first) OVER w AS first, MAX(last) OVER w AS last,
                    ROW_NUMBER() OVER w AS rn
                FROM g WINDOW w AS (PARTITION BY name, vote))
            SELECT name AS Name, vote AS Vote, text AS Text, votes AS Votes, texts AS Texts, first AS FirstTicks, last AS LastTicks
            FROM r WHERE rn <= {more}
            """;
    }

    // Days from 1970-01-01 to a proleptic Gregorian date of a year from 1 (H. Hinnant's days_from_civil, whose
    // divisions see no negative operand there, so SQL's truncating division is the floor it needs).
    private static string DaysSince1970(string y, string m, string d)
    {
        var yy = $"({y} - CASE WHEN {m} <= 2 THEN 1 ELSE 0 END)";
        var era = $"({yy} / 400)";
        var yoe = $"({yy} - {era} * 400)";
        var doy = $"((153 * (({m} + 9) % 12) + 2) / 5 + {d} - 1)";
        return $"({era} * 146097 + {yoe} * 365 + {yoe} / 4 - {yoe} / 100 + {doy} - 719468)";
    }

    /// <summary>One group of <see cref="StatisticsSql"/>: a name's votes of one type, with one plain text value.</summary>
    private sealed class StatisticsRow
    {
        public string Name { get; set; } = "";

        /// <summary><c>s</c>, <c>d</c>, <c>u</c> (timestamp), <c>i</c>, <c>n</c>, <c>b</c>, or null for null, object and array values.</summary>
        public string? Vote { get; set; }

        public string? Text { get; set; }

        public long Votes { get; set; }

        /// <summary>How many groups the name's type has (for plain strings: how many distinct values).</summary>
        public long Texts { get; set; }

        public long? FirstTicks { get; set; }

        public long? LastTicks { get; set; }

        public static PropertyStatistics ToStatistics(IGrouping<string, StatisticsRow> rows)
        {
            var votes = new Dictionary<Cql2PropertyType, long>();
            IReadOnlyList<string>? texts = [];
            DateTimeOffset? first = null, last = null;
            foreach (var row in rows)
            {
                Cql2PropertyType? type = row.Vote switch
                {
                    "s" => Cql2PropertyType.String,
                    "d" => Cql2PropertyType.Date,
                    "u" => Cql2PropertyType.Timestamp,
                    "i" => Cql2PropertyType.Integer,
                    "n" => Cql2PropertyType.Number,
                    "b" => Cql2PropertyType.Boolean,
                    _ => null,
                };
                if (type is not { } t)
                {
                    continue;
                }

                votes[t] = row.Votes;
                if (t == Cql2PropertyType.String)
                {
                    texts = row.Texts <= QueryablesSchema.MaxEnumValues
                        ? [.. rows.Where(r => r.Vote == "s").Select(r => r.Text!).Order(StringComparer.Ordinal)]
                        : null;
                }

                first = Earlier(first, row.FirstTicks);
                last = Later(last, row.LastTicks);
            }

            return new PropertyStatistics(rows.Key, votes, texts, first is { } s && last is { } e ? (s, e) : null);
        }

        private static DateTimeOffset? Instant(long? ticks) => ticks is { } t ? DateTimeOffset.UnixEpoch.AddTicks(t) : null;

        private static DateTimeOffset? Earlier(DateTimeOffset? held, long? ticks) =>
            Instant(ticks) is { } instant && (held is null || instant < held) ? instant : held;

        private static DateTimeOffset? Later(DateTimeOffset? held, long? ticks) =>
            Instant(ticks) is { } instant && (held is null || instant > held) ? instant : held;
    }
}
