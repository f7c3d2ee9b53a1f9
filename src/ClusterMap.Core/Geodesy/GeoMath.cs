namespace ClusterMap.Core.Geodesy;

/// <summary>
/// Angle helpers with the exactness the geodesic solver needs (exact quadrant reduction, error-free
/// sums). Written after GeographicLib's Math class (C. F. F. Karney, MIT/X11 licence).
/// </summary>
internal static class GeoMath
{
    internal static readonly double Epsilon = Math.ScaleB(1.0, -52);

    /// <summary>sqrt of the smallest normal double: used to break degeneracies at the poles.</summary>
    internal static readonly double Tiny = Math.ScaleB(1.0, -511);

    internal static double Sq(double x) => x * x;

    internal static void Norm(ref double x, ref double y)
    {
        var r = Math.Sqrt((x * x) + (y * y));
        x /= r;
        y /= r;
    }

    /// <summary>Error-free transformation: returns round(u + v) and sets <paramref name="t"/> to the rounding error.</summary>
    internal static double Sum(double u, double v, out double t)
    {
        var s = u + v;
        var up = s - v;
        var vpp = s - up;
        up -= u;
        vpp -= v;
        t = s == 0 ? s : 0.0 - (up + vpp);
        return s;
    }

    internal static double Polyval(int n, ReadOnlySpan<double> p, int s, double x)
    {
        var y = n < 0 ? 0.0 : p[s];
        while (n > 0)
        {
            n--;
            s++;
            y = (y * x) + p[s];
        }

        return y;
    }

    /// <summary>Rounds tiny angles so that they underflow to zero (resolution 1/2^57 degree ≈ 0.7 pm).</summary>
    internal static double AngRound(double x)
    {
        const double z = 1 / 16.0;
        var y = Math.Abs(x);
        if (y < z)
        {
            y = z - (z - y);
        }

        return Math.CopySign(y, x);
    }

    // IEEE remainder of x / 360 (Math.IEEERemainder is slow, and |x| <= 180 is by far the common case,
    // where the remainder is x itself, including the tie at ±180 that rounds to the even quotient 0).
    internal static double Remainder(double x, double y) =>
        Math.Abs(x) <= y / 2 ? x : double.IsFinite(x) ? Math.IEEERemainder(x, y) : double.NaN;

    internal static double AngNormalize(double x)
    {
        var y = Remainder(x, 360);
        return Math.Abs(y) == 180 ? Math.CopySign(180.0, x) : y;
    }

    internal static double LatFix(double x) => Math.Abs(x) > 90 ? double.NaN : x;

    /// <summary>y − x reduced to [−180, 180] accurately; <paramref name="e"/> receives the rounding error.</summary>
    internal static double AngDiff(double x, double y, out double e)
    {
        var d = Sum(Remainder(-x, 360), Remainder(y, 360), out var t);
        d = Sum(Remainder(d, 360), t, out t);
        if (d == 0 || Math.Abs(d) == 180)
        {
            d = Math.CopySign(d, t == 0 ? y - x : -t);
        }

        e = t;
        return d;
    }

    internal static void SinCosd(double x, out double sinx, out double cosx)
    {
        var r = Remainder(x, 360);
        var q = double.IsNaN(r) ? 0 : (int)Math.Round(r / 90, MidpointRounding.ToEven);
        r -= 90 * q;
        r = double.DegreesToRadians(r);
        var (s, c) = Math.SinCos(r);
        switch (((q % 4) + 4) % 4)
        {
            case 1:
                (s, c) = (c, -s);
                break;
            case 2:
                (s, c) = (-s, -c);
                break;
            case 3:
                (s, c) = (-c, s);
                break;
            default:
                break;
        }

        c += 0.0;
        if (s == 0)
        {
            s = Math.CopySign(s, x);
        }

        sinx = s;
        cosx = c;
    }

    internal static double Atan2d(double y, double x)
    {
        var q = 0;
        if (Math.Abs(y) > Math.Abs(x))
        {
            q = 2;
            (x, y) = (y, x);
        }

        if (x < 0)
        {
            q++;
            x = -x;
        }

        var ang = double.RadiansToDegrees(Math.Atan2(y, x));
        return q switch
        {
            1 => Math.CopySign(180.0, y) - ang,
            2 => 90 - ang,
            3 => -90 + ang,
            _ => ang,
        };
    }
}
