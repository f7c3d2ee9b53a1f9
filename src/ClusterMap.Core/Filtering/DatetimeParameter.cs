namespace ClusterMap.Core.Filtering;

/// <summary>
/// The <c>datetime</c> parameter of OGC API – Features (Part 1, 7.15.4): an instant (<c>2018-02-12T23:20:52Z</c>, or a
/// date meaning that whole day), a closed interval (<c>start/end</c>) or a half-open one (<c>../end</c>, <c>start/..</c>,
/// or an empty end). A feature matches when its temporal property's instant lies in it, both ends included.
/// </summary>
/// <param name="Start">The first instant, or null when open.</param>
/// <param name="End">The last instant, or null when open.</param>
public sealed record DatetimeParameter(DateTimeOffset? Start, DateTimeOffset? End)
{
    /// <summary>The accepted forms, for error messages.</summary>
    public const string AcceptedForm =
        "an RFC 3339 date-time or date (2018-02-12T23:20:52Z, 2018-02-12), or an interval start/end where either end may be '..' or empty (2018-02-12T00:00:00Z/2018-03-18T12:31:12Z, ../2018-03-18, 2018-02-12/..)";

    public static bool TryParse(string? text, out DatetimeParameter? value, out string? error)
    {
        value = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"datetime is empty; expected {AcceptedForm}.";
            return false;
        }

        var parts = text.Split('/');
        if (parts.Length > 2)
        {
            error = $"datetime '{text}' has more than one '/'; expected {AcceptedForm}.";
            return false;
        }

        if (parts.Length == 1)
        {
            if (!Rfc3339.TryParse(parts[0], out var instant, out var isDate))
            {
                error = $"datetime '{text}' is not an RFC 3339 instant; expected {AcceptedForm}.";
                return false;
            }

            value = isDate ? new DatetimeParameter(instant, instant.AddDays(1).AddMilliseconds(-1)) : new DatetimeParameter(instant, instant);
            return true;
        }

        if (!TryEnd(parts[0], startOfDay: true, out var start) || !TryEnd(parts[1], startOfDay: false, out var end))
        {
            error = $"datetime '{text}' has an end that is neither an RFC 3339 instant nor '..'; expected {AcceptedForm}.";
            return false;
        }

        if (start is null && end is null)
        {
            error = $"datetime '{text}' is open at both ends; expected {AcceptedForm}.";
            return false;
        }

        if (start > end)
        {
            error = $"datetime '{text}' starts after it ends; expected {AcceptedForm}.";
            return false;
        }

        value = new DatetimeParameter(start, end);
        return true;
    }

    /// <summary>The same selection as a CQL2 filter on the collection's temporal property, for the stores' translators.</summary>
    public Cql2Node ToFilter(string temporalProperty)
    {
        Cql2Node Bound(DateTimeOffset? instant) => instant is { } i ? new Cql2Instant(i, IsDate: false) : new Cql2OpenEnd();
        return new Cql2Temporal(Cql2TemporalOperator.Intersects, new Cql2Property(temporalProperty), new Cql2Interval(Bound(Start), Bound(End)));
    }

    // A date as the start of an interval is its first millisecond; as the end, its last (the day is included).
    private static bool TryEnd(string text, bool startOfDay, out DateTimeOffset? instant)
    {
        instant = null;
        if (text is "" or "..")
        {
            return true;
        }

        if (!Rfc3339.TryParse(text, out var parsed, out var isDate))
        {
            return false;
        }

        instant = isDate && !startOfDay ? parsed.AddDays(1).AddMilliseconds(-1) : parsed;
        return true;
    }
}
