using System.Globalization;

namespace ClusterMap.Core.Filtering;

/// <summary>
/// RFC 3339 instants as CQL2 and OGC API <c>datetime</c> write them: a full date (<c>2012-06-05</c>, read as
/// midnight UTC) or a date-time with a <c>Z</c> or numeric offset (<c>2012-06-05T10:30:00.5+08:00</c>). Every engine
/// (in-memory, SQLite, PostGIS) compares instants as whole milliseconds since 1970, counted by <see cref="Seconds"/>.
/// </summary>
public static class Rfc3339
{
    /// <summary>An instant after any instant RFC 3339 can write (year 9999), standing for an open interval end.</summary>
    public const double OpenEndSeconds = 1e12;

    /// <summary>Reads a full date or date-time; false for anything else, including impossible dates and leap seconds.</summary>
    public static bool TryParse(string text, out DateTimeOffset instant, out bool isDate)
    {
        instant = default;
        isDate = false;
        var s = text.AsSpan();
        if (s.Length < 10 || !Digits(s[..4], out var year) || s[4] != '-' || !Digits(s.Slice(5, 2), out var month) || s[7] != '-' || !Digits(s.Slice(8, 2), out var day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        if (s.Length == 10)
        {
            isDate = true;
            instant = new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero);
            return true;
        }

        if (s.Length < 20 || s[10] is not ('T' or 't' or ' ') || !Digits(s.Slice(11, 2), out var hour) || s[13] != ':' || !Digits(s.Slice(14, 2), out var minute)
            || s[16] != ':' || !Digits(s.Slice(17, 2), out var second) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var i = 19;
        long fractionTicks = 0;
        if (s[i] == '.')
        {
            var start = ++i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }

            // 100 ns ticks: digits past the seventh are dropped (instants compare to the millisecond anyway).
            var digits = s[start..i];
            for (var k = 0; k < 7; k++)
            {
                fractionTicks = (fractionTicks * 10) + (k < digits.Length ? digits[k] - '0' : 0);
            }
        }

        TimeSpan offset;
        var zone = s[i..];
        if (zone is "Z" or "z")
        {
            offset = TimeSpan.Zero;
        }
        else if (zone.Length == 6 && zone[0] is '+' or '-' && Digits(zone.Slice(1, 2), out var offsetHours) && zone[3] == ':' && Digits(zone.Slice(4, 2), out var offsetMinutes)
            && offsetHours <= 23 && offsetMinutes <= 59)
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0) * (zone[0] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }

        try
        {
            instant = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(fractionTicks);
        }
        catch (ArgumentOutOfRangeException)
        {
            // An offset that moves the instant before year 1 or after 9999.
            return false;
        }

        return true;
    }

    /// <summary>Seconds since 1970 of the instant's whole millisecond (rounded down), as SQLite's <c>unixepoch(…, 'subsec')</c> counts.</summary>
    public static double Seconds(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary><see cref="Seconds"/> of a property value, or null when the value is not an RFC 3339 date or date-time.</summary>
    public static double? SecondsOf(string? text) => text is not null && TryParse(text, out var instant, out _) ? Seconds(instant) : null;

    /// <summary>The canonical text: <c>yyyy-MM-dd</c> for a date, UTC with the fraction only when it has one otherwise.</summary>
    public static string Format(DateTimeOffset instant, bool isDate) =>
        isDate
            ? instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') + "Z";

    private static bool Digits(ReadOnlySpan<char> span, out int value)
    {
        value = 0;
        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
