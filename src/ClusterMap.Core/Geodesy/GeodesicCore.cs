using System.Runtime.CompilerServices;

namespace ClusterMap.Core.Geodesy;

// Solution of the inverse and direct geodesic problems on the WGS84 ellipsoid after
//   C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 43–55 (2013),
//   https://doi.org/10.1007/s00190-012-0578-z, and its addenda,
// as implemented in GeographicLib (geodesic.c / Geodesic.cpp), Copyright (c) Charles Karney
// (2011–2022), licensed under the MIT/X11 licence, https://geographiclib.sourceforge.io/.
// The series are the order-6 expansions of the paper; only the oblate (f > 0) branches are kept
// because the engine only ever solves on WGS84, and the area (S12) output is left out.

/// <summary>Fixed-size buffer for the order-6 Fourier coefficients (index 0 is unused for sine series).</summary>
[InlineArray(7)]
internal struct Coeffs7
{
    private double _element0;
}

/// <summary>Raw output of the inverse solver: azimuths as unit vectors, lengths in metres.</summary>
internal struct InverseSolution
{
    public double S12;
    public double A12Degrees;
    public double Salp1;
    public double Calp1;
    public double Salp2;
    public double Calp2;
    public double ReducedLength;
    public double Scale12;
    public double Scale21;
}

/// <summary>Karney's inverse and direct geodesic solution on WGS84 (see the file header for the source).</summary>
internal static class GeodesicCore
{
    internal const double A = Wgs84.SemiMajorAxisMeters;
    internal const double F = Wgs84.Flattening;
    internal const double F1 = 1 - F;
    internal const double E2 = F * (2 - F);
    internal const double Ep2 = E2 / (F1 * F1);
    internal const double N = F / (2 - F);
    internal const double B = A * F1;

    private const int Order = 6;
    private const int MaxIt1 = 20;
    private const int MaxIt2 = MaxIt1 + 53 + 10;

    private static readonly double _tiny = GeoMath.Tiny;
    private static readonly double _tol0 = GeoMath.Epsilon;
    private static readonly double _tol1 = 200 * _tol0;
    private static readonly double _tol2 = Math.Sqrt(_tol0);
    private static readonly double _tolb = _tol0 * _tol2;
    private static readonly double _xThresh = 1000 * _tol2;
    private static readonly double _etol2 = 0.1 * _tol2 / Math.Sqrt(Math.Max(0.001, Math.Abs(F)) * Math.Min(1.0, 1 - (F / 2)) / 2);

    private static readonly double[] _a3x = BuildA3x();
    private static readonly double[] _c3x = BuildC3x();

    [Flags]
    internal enum Outputs
    {
        None = 0,
        Distance = 1,
        ReducedLength = 2,
        GeodesicScale = 4,
    }

    // Clenshaw summation of sum(c[i] sin(2 i x), i = 1..n) (sinp) or sum(c[i] cos((2 i + 1) x), i = 0..n-1).
    internal static double SinCosSeries(bool sinp, double sinx, double cosx, ReadOnlySpan<double> c)
    {
        var k = c.Length;
        var n = k - (sinp ? 1 : 0);
        var ar = 2 * (cosx - sinx) * (cosx + sinx);
        double y0, y1 = 0;
        if ((n & 1) != 0)
        {
            k--;
            y0 = c[k];
        }
        else
        {
            y0 = 0;
        }

        n /= 2;
        while (n-- > 0)
        {
            k--;
            y1 = (ar * y0) - y1 + c[k];
            k--;
            y0 = (ar * y1) - y0 + c[k];
        }

        return sinp ? 2 * sinx * cosx * y0 : cosx * (y0 - y1);
    }

    internal static double A1m1f(double eps)
    {
        ReadOnlySpan<double> coeff = [1, 4, 64, 0, 256];
        const int m = Order / 2;
        var t = GeoMath.Polyval(m, coeff, 0, eps * eps) / coeff[m + 1];
        return (t + eps) / (1 - eps);
    }

    internal static void C1f(double eps, Span<double> c)
    {
        ReadOnlySpan<double> coeff = [-1, 6, -16, 32, -9, 64, -128, 2048, 9, -16, 768, 3, -5, 512, -7, 1280, -7, 2048];
        FillSeries(eps, c, coeff);
    }

    internal static void C1pf(double eps, Span<double> c)
    {
        ReadOnlySpan<double> coeff = [205, -432, 768, 1536, 4005, -4736, 3840, 12288, -225, 116, 384, -7173, 2695, 7680, 3467, 7680, 38081, 61440];
        FillSeries(eps, c, coeff);
    }

    internal static double A2m1f(double eps)
    {
        ReadOnlySpan<double> coeff = [-11, -28, -192, 0, 256];
        const int m = Order / 2;
        var t = GeoMath.Polyval(m, coeff, 0, eps * eps) / coeff[m + 1];
        return (t - eps) / (1 + eps);
    }

    internal static void C2f(double eps, Span<double> c)
    {
        ReadOnlySpan<double> coeff = [1, 2, 16, 32, 35, 64, 384, 2048, 15, 80, 768, 7, 35, 512, 63, 1280, 77, 2048];
        FillSeries(eps, c, coeff);
    }

    private static void FillSeries(double eps, Span<double> c, ReadOnlySpan<double> coeff)
    {
        var eps2 = eps * eps;
        var d = eps;
        var o = 0;
        for (var l = 1; l <= Order; l++)
        {
            var m = (Order - l) / 2;
            c[l] = d * GeoMath.Polyval(m, coeff, o, eps2) / coeff[o + m + 1];
            o += m + 2;
            d *= eps;
        }
    }

    private static double[] BuildA3x()
    {
        ReadOnlySpan<double> coeff = [-3, 128, -2, -3, 64, -1, -3, -1, 16, 3, -1, -2, 8, 1, -1, 2, 1, 1];
        var result = new double[Order];
        int o = 0, k = 0;
        for (var j = Order - 1; j >= 0; j--)
        {
            var m = Math.Min(Order - j - 1, j);
            result[k++] = GeoMath.Polyval(m, coeff, o, N) / coeff[o + m + 1];
            o += m + 2;
        }

        return result;
    }

    private static double[] BuildC3x()
    {
        ReadOnlySpan<double> coeff =
        [
            3, 128, 2, 5, 128, -1, 3, 3, 64, -1, 0, 1, 8, -1, 1, 4,
            5, 256, 1, 3, 128, -3, -2, 3, 64, 1, -3, 2, 32,
            7, 512, -10, 9, 384, 5, -9, 5, 192,
            7, 512, -14, 7, 512,
            21, 2560,
        ];
        var result = new double[Order * (Order - 1) / 2];
        int o = 0, k = 0;
        for (var l = 1; l < Order; l++)
        {
            for (var j = Order - 1; j >= l; j--)
            {
                var m = Math.Min(Order - j - 1, j);
                result[k++] = GeoMath.Polyval(m, coeff, o, N) / coeff[o + m + 1];
                o += m + 2;
            }
        }

        return result;
    }

    internal static double A3f(double eps) => GeoMath.Polyval(Order - 1, _a3x, 0, eps);

    // Sets c[1] .. c[Order - 1].
    internal static void C3f(double eps, Span<double> c)
    {
        var mult = 1.0;
        var o = 0;
        for (var l = 1; l < Order; l++)
        {
            var m = Order - l - 1;
            mult *= eps;
            c[l] = mult * GeoMath.Polyval(m, _c3x, o, eps);
            o += m + 1;
        }
    }

    private static void Lengths(
        double eps, double sig12, double ssig1, double csig1, double dn1, double ssig2, double csig2, double dn2,
        double cbet1, double cbet2, Outputs outmask, Span<double> c1a, Span<double> c2a,
        out double s12b, out double m12b, out double m0, out double scale12, out double scale21)
    {
        s12b = m12b = m0 = scale12 = scale21 = double.NaN;
        double a1 = 0, a2 = 0, m0x = 0, j12 = 0;
        var wantLengths = (outmask & (Outputs.ReducedLength | Outputs.GeodesicScale)) != 0;
        if ((outmask & (Outputs.Distance | Outputs.ReducedLength | Outputs.GeodesicScale)) != 0)
        {
            a1 = A1m1f(eps);
            C1f(eps, c1a);
            if (wantLengths)
            {
                a2 = A2m1f(eps);
                C2f(eps, c2a);
                m0x = a1 - a2;
                a2 = 1 + a2;
            }

            a1 = 1 + a1;
        }

        if ((outmask & Outputs.Distance) != 0)
        {
            var b1 = SinCosSeries(true, ssig2, csig2, c1a) - SinCosSeries(true, ssig1, csig1, c1a);
            s12b = a1 * (sig12 + b1);
            if (wantLengths)
            {
                var b2 = SinCosSeries(true, ssig2, csig2, c2a) - SinCosSeries(true, ssig1, csig1, c2a);
                j12 = (m0x * sig12) + ((a1 * b1) - (a2 * b2));
            }
        }
        else if (wantLengths)
        {
            for (var l = 1; l <= Order; l++)
            {
                c2a[l] = (a1 * c1a[l]) - (a2 * c2a[l]);
            }

            j12 = (m0x * sig12) + (SinCosSeries(true, ssig2, csig2, c2a) - SinCosSeries(true, ssig1, csig1, c2a));
        }

        if ((outmask & Outputs.ReducedLength) != 0)
        {
            m0 = m0x;
            m12b = (dn2 * (csig1 * ssig2)) - (dn1 * (ssig1 * csig2)) - (csig1 * csig2 * j12);
        }

        if ((outmask & Outputs.GeodesicScale) != 0)
        {
            var csig12 = (csig1 * csig2) + (ssig1 * ssig2);
            var t = Ep2 * (cbet1 - cbet2) * (cbet1 + cbet2) / (dn1 + dn2);
            scale12 = csig12 + (((t * ssig2) - (csig2 * j12)) * ssig1 / dn1);
            scale21 = csig12 - (((t * ssig1) - (csig1 * j12)) * ssig2 / dn2);
        }
    }

    // Positive root k of k^4 + 2 k^3 - (x^2 + y^2 - 1) k^2 - 2 y^2 k - y^2 = 0.
    private static double Astroid(double x, double y)
    {
        var p = x * x;
        var q = y * y;
        var r = (p + q - 1) / 6;
        if (!(q == 0 && r <= 0))
        {
            var s = p * q / 4;
            var r2 = r * r;
            var r3 = r * r2;
            var disc = s * (s + (2 * r3));
            var u = r;
            if (disc >= 0)
            {
                var t3 = s + r3;
                t3 += t3 < 0 ? -Math.Sqrt(disc) : Math.Sqrt(disc);
                var t = Math.Cbrt(t3);
                u += t + (t != 0 ? r2 / t : 0);
            }
            else
            {
                var ang = Math.Atan2(Math.Sqrt(-disc), -(s + r3));
                u += 2 * r * Math.Cos(ang / 3);
            }

            var v = Math.Sqrt((u * u) + q);
            var uv = u < 0 ? q / (v - u) : u + v;
            var w = (uv - q) / (2 * v);
            return uv / (Math.Sqrt(uv + (w * w)) + w);
        }

        return 0;
    }

    private static double InverseStart(
        double sbet1, double cbet1, double dn1, double sbet2, double cbet2, double dn2,
        double lam12, double slam12, double clam12, Span<double> c1a, Span<double> c2a,
        out double salp1, out double calp1, out double salp2, out double calp2, out double dnm)
    {
        var sig12 = -1.0;
        salp2 = calp2 = dnm = double.NaN;
        var sbet12 = (sbet2 * cbet1) - (cbet2 * sbet1);
        var cbet12 = (cbet2 * cbet1) + (sbet2 * sbet1);
        var sbet12a = sbet2 * cbet1;
        sbet12a += cbet2 * sbet1;

        var shortline = cbet12 >= 0 && sbet12 < 0.5 && cbet2 * lam12 < 0.5;
        double somg12, comg12;
        if (shortline)
        {
            var sbetm2 = GeoMath.Sq(sbet1 + sbet2);
            sbetm2 /= sbetm2 + GeoMath.Sq(cbet1 + cbet2);
            dnm = Math.Sqrt(1 + (Ep2 * sbetm2));
            var omg12 = lam12 / (F1 * dnm);
            somg12 = Math.Sin(omg12);
            comg12 = Math.Cos(omg12);
        }
        else
        {
            somg12 = slam12;
            comg12 = clam12;
        }

        salp1 = cbet2 * somg12;
        calp1 = comg12 >= 0
            ? sbet12 + (cbet2 * sbet1 * GeoMath.Sq(somg12) / (1 + comg12))
            : sbet12a - (cbet2 * sbet1 * GeoMath.Sq(somg12) / (1 - comg12));

        var ssig12 = Math.Sqrt((salp1 * salp1) + (calp1 * calp1));
        var csig12 = (sbet1 * sbet2) + (cbet1 * cbet2 * comg12);

        if (shortline && ssig12 < _etol2)
        {
            // Really short lines: the auxiliary-sphere solution is already exact to rounding.
            salp2 = cbet1 * somg12;
            calp2 = sbet12 - (cbet1 * sbet2 * (comg12 >= 0 ? GeoMath.Sq(somg12) / (1 + comg12) : 1 - comg12));
            GeoMath.Norm(ref salp2, ref calp2);
            sig12 = Math.Atan2(ssig12, csig12);
        }
        else if (Math.Abs(N) >= 0.1 || csig12 >= 0 || ssig12 >= 6 * Math.Abs(N) * Math.PI * GeoMath.Sq(cbet1))
        {
            // The zeroth-order spherical approximation is a good enough start.
        }
        else
        {
            // Nearly antipodal: scale to the astroid coordinates and solve for the starting azimuth.
            var lam12x = Math.Atan2(-slam12, -clam12);
            var k2 = GeoMath.Sq(sbet1) * Ep2;
            var eps = k2 / ((2 * (1 + Math.Sqrt(1 + k2))) + k2);
            var lamscale = F * cbet1 * A3f(eps) * Math.PI;
            var betscale = lamscale * cbet1;
            var x = lam12x / lamscale;
            var y = sbet12a / betscale;

            if (y > -_tol1 && x > -1 - _xThresh)
            {
                salp1 = Math.Min(1.0, -x);
                calp1 = -Math.Sqrt(1 - GeoMath.Sq(salp1));
            }
            else
            {
                var k = Astroid(x, y);
                var omg12a = lamscale * (-x * k / (1 + k));
                somg12 = Math.Sin(omg12a);
                comg12 = -Math.Cos(omg12a);
                salp1 = cbet2 * somg12;
                calp1 = sbet12a - (cbet2 * sbet1 * GeoMath.Sq(somg12) / (1 - comg12));
            }
        }

        if (!(salp1 <= 0))
        {
            GeoMath.Norm(ref salp1, ref calp1);
        }
        else
        {
            salp1 = 1;
            calp1 = 0;
        }

        return sig12;
    }

    private static double Lambda12(
        double sbet1, double cbet1, double dn1, double sbet2, double cbet2, double dn2,
        double salp1, double calp1, double slam120, double clam120, bool diffp,
        Span<double> c1a, Span<double> c2a, Span<double> c3a,
        out double salp2, out double calp2, out double sig12,
        out double ssig1, out double csig1, out double ssig2, out double csig2,
        out double eps, out double dlam12)
    {
        if (sbet1 == 0 && calp1 == 0)
        {
            calp1 = -_tiny;
        }

        var salp0 = salp1 * cbet1;
        var calp0 = Math.Sqrt((calp1 * calp1) + GeoMath.Sq(salp1 * sbet1));

        ssig1 = sbet1;
        var somg1 = salp0 * sbet1;
        csig1 = calp1 * cbet1;
        var comg1 = csig1;
        GeoMath.Norm(ref ssig1, ref csig1);

        salp2 = cbet2 != cbet1 ? salp0 / cbet2 : salp1;
        calp2 = cbet2 != cbet1 || Math.Abs(sbet2) != -sbet1
            ? Math.Sqrt(GeoMath.Sq(calp1 * cbet1) + (cbet1 < -sbet1 ? (cbet2 - cbet1) * (cbet1 + cbet2) : (sbet1 - sbet2) * (sbet1 + sbet2))) / cbet2
            : Math.Abs(calp1);

        ssig2 = sbet2;
        var somg2 = salp0 * sbet2;
        csig2 = calp2 * cbet2;
        var comg2 = csig2;
        GeoMath.Norm(ref ssig2, ref csig2);

        sig12 = Math.Atan2(Math.Max(0.0, (csig1 * ssig2) - (ssig1 * csig2)), (csig1 * csig2) + (ssig1 * ssig2));

        var somg12 = Math.Max(0.0, (comg1 * somg2) - (somg1 * comg2));
        var comg12 = (comg1 * comg2) + (somg1 * somg2);
        var eta = Math.Atan2((somg12 * clam120) - (comg12 * slam120), (comg12 * clam120) + (somg12 * slam120));

        var k2 = GeoMath.Sq(calp0) * Ep2;
        eps = k2 / ((2 * (1 + Math.Sqrt(1 + k2))) + k2);
        C3f(eps, c3a);
        var b312 = SinCosSeries(true, ssig2, csig2, c3a) - SinCosSeries(true, ssig1, csig1, c3a);
        var domg12 = -F * A3f(eps) * salp0 * (sig12 + b312);
        var lam12 = eta + domg12;

        if (diffp)
        {
            if (calp2 == 0)
            {
                dlam12 = -2 * F1 * dn1 / sbet1;
            }
            else
            {
                Lengths(eps, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2, cbet1, cbet2, Outputs.ReducedLength, c1a, c2a,
                    out _, out dlam12, out _, out _, out _);
                dlam12 *= F1 / (calp2 * cbet2);
            }
        }
        else
        {
            dlam12 = double.NaN;
        }

        return lam12;
    }

    /// <summary>
    /// Solves the inverse problem between (lat1, lon1) and (lat2, lon2) in degrees. Reduced length and
    /// geodesic scales are only computed when <paramref name="withScales"/> is set.
    /// </summary>
    internal static void Inverse(double lat1, double lon1, double lat2, double lon2, bool withScales, out InverseSolution result)
    {
        var outmask = Outputs.Distance | (withScales ? Outputs.ReducedLength | Outputs.GeodesicScale : Outputs.None);
        result = default;
        double s12x = double.NaN, m12x = double.NaN, scale12 = double.NaN, scale21 = double.NaN, a12 = double.NaN;

        var lon12 = GeoMath.AngDiff(lon1, lon2, out var lon12s);
        var lonsign = lon12 >= 0 ? 1.0 : -1.0;
        lon12 = lonsign * GeoMath.AngRound(lon12);
        lon12s = GeoMath.AngRound((180 - lon12) - (lonsign * lon12s));
        var lam12 = double.DegreesToRadians(lon12);
        double slam12, clam12;
        if (lon12 > 90)
        {
            GeoMath.SinCosd(lon12s, out slam12, out clam12);
            clam12 = -clam12;
        }
        else
        {
            GeoMath.SinCosd(lon12, out slam12, out clam12);
        }

        lat1 = GeoMath.AngRound(GeoMath.LatFix(lat1));
        lat2 = GeoMath.AngRound(GeoMath.LatFix(lat2));
        var swapp = Math.Abs(lat1) < Math.Abs(lat2) || double.IsNaN(lat2) ? -1.0 : 1.0;
        if (swapp < 0)
        {
            lonsign *= -1;
            (lat1, lat2) = (lat2, lat1);
        }

        var latsign = lat1 < 0 ? 1.0 : -1.0;
        lat1 *= latsign;
        lat2 *= latsign;

        GeoMath.SinCosd(lat1, out var sbet1, out var cbet1);
        sbet1 *= F1;
        GeoMath.Norm(ref sbet1, ref cbet1);
        cbet1 = Math.Max(_tiny, cbet1);

        GeoMath.SinCosd(lat2, out var sbet2, out var cbet2);
        sbet2 *= F1;
        GeoMath.Norm(ref sbet2, ref cbet2);
        cbet2 = Math.Max(_tiny, cbet2);

        if (cbet1 < -sbet1)
        {
            if (cbet2 == cbet1)
            {
                sbet2 = sbet2 < 0 ? sbet1 : -sbet1;
            }
        }
        else if (Math.Abs(sbet2) == -sbet1)
        {
            cbet2 = cbet1;
        }

        var dn1 = Math.Sqrt(1 + (Ep2 * GeoMath.Sq(sbet1)));
        var dn2 = Math.Sqrt(1 + (Ep2 * GeoMath.Sq(sbet2)));

        Coeffs7 c1Buffer = default, c2Buffer = default, c3Buffer = default;
        Span<double> c1a = c1Buffer;
        Span<double> c2a = c2Buffer;
        Span<double> c3a = ((Span<double>)c3Buffer)[..Order];

        double salp1, calp1, salp2 = double.NaN, calp2 = double.NaN;
        double sig12;
        var meridian = lat1 == -90 || slam12 == 0;

        if (meridian)
        {
            calp1 = clam12;
            salp1 = slam12;
            calp2 = 1.0;
            salp2 = 0.0;
            var ssig1 = sbet1;
            var csig1 = calp1 * cbet1;
            var ssig2 = sbet2;
            var csig2 = calp2 * cbet2;
            sig12 = Math.Atan2(Math.Max(0.0, (csig1 * ssig2) - (ssig1 * csig2)), (csig1 * csig2) + (ssig1 * ssig2));
            Lengths(N, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2, cbet1, cbet2, outmask | Outputs.Distance | Outputs.ReducedLength,
                c1a, c2a, out s12x, out m12x, out _, out scale12, out scale21);
            if (sig12 < 1 || m12x >= 0)
            {
                if (sig12 < 3 * _tiny || (sig12 < _tol0 && (s12x < 0 || m12x < 0)))
                {
                    sig12 = m12x = s12x = 0.0;
                }

                m12x *= B;
                s12x *= B;
                a12 = double.RadiansToDegrees(sig12);
            }
            else
            {
                meridian = false;
            }
        }
        else
        {
            salp1 = calp1 = double.NaN;
        }

        if (!meridian && sbet1 == 0 && (F <= 0 || lon12s >= F * 180))
        {
            // Along the equator.
            calp1 = calp2 = 0.0;
            salp1 = salp2 = 1.0;
            s12x = A * lam12;
            sig12 = lam12 / F1;
            m12x = B * Math.Sin(sig12);
            scale12 = scale21 = Math.Cos(sig12);
            a12 = lon12 / F1;
        }
        else if (!meridian)
        {
            sig12 = InverseStart(sbet1, cbet1, dn1, sbet2, cbet2, dn2, lam12, slam12, clam12, c1a, c2a,
                out salp1, out calp1, out var salp2s, out var calp2s, out var dnm);
            if (sig12 >= 0)
            {
                salp2 = salp2s;
                calp2 = calp2s;
                s12x = sig12 * B * dnm;
                m12x = GeoMath.Sq(dnm) * B * Math.Sin(sig12 / dnm);
                scale12 = scale21 = Math.Cos(sig12 / dnm);
                a12 = double.RadiansToDegrees(sig12);
            }
            else
            {
                // Newton's method on lambda12(alp1) - lam12 = 0, with a bracket [alp1a, alp1b] kept so that
                // a step that leaves it falls back to bisection.
                var numit = 0;
                bool tripn = false, tripb = false;
                double salp1a = _tiny, calp1a = 1.0, salp1b = _tiny, calp1b = -1.0;
                double ssig1 = 0, csig1 = 0, ssig2 = 0, csig2 = 0, eps = 0;
                for (; numit < MaxIt2; numit++)
                {
                    var v = Lambda12(sbet1, cbet1, dn1, sbet2, cbet2, dn2, salp1, calp1, slam12, clam12, numit < MaxIt1,
                        c1a, c2a, c3a, out salp2, out calp2, out sig12, out ssig1, out csig1, out ssig2, out csig2, out eps, out var dv);
                    if (tripb || !(Math.Abs(v) >= (tripn ? 8 : 1) * _tol0))
                    {
                        break;
                    }

                    if (v > 0 && (numit > MaxIt1 || calp1 / salp1 > calp1b / salp1b))
                    {
                        salp1b = salp1;
                        calp1b = calp1;
                    }
                    else if (v < 0 && (numit > MaxIt1 || calp1 / salp1 < calp1a / salp1a))
                    {
                        salp1a = salp1;
                        calp1a = calp1;
                    }

                    if (numit + 1 < MaxIt1 && dv > 0)
                    {
                        var dalp1 = -v / dv;
                        var sdalp1 = Math.Sin(dalp1);
                        var cdalp1 = Math.Cos(dalp1);
                        var nsalp1 = (salp1 * cdalp1) + (calp1 * sdalp1);
                        if (nsalp1 > 0 && Math.Abs(dalp1) < Math.PI)
                        {
                            calp1 = (calp1 * cdalp1) - (salp1 * sdalp1);
                            salp1 = nsalp1;
                            GeoMath.Norm(ref salp1, ref calp1);
                            tripn = Math.Abs(v) <= 16 * _tol0;
                            continue;
                        }
                    }

                    salp1 = (salp1a + salp1b) / 2;
                    calp1 = (calp1a + calp1b) / 2;
                    GeoMath.Norm(ref salp1, ref calp1);
                    tripn = false;
                    tripb = Math.Abs(salp1a - salp1) + (calp1a - calp1) < _tolb || Math.Abs(salp1 - salp1b) + (calp1 - calp1b) < _tolb;
                }

                var lengthMask = outmask | ((outmask & (Outputs.ReducedLength | Outputs.GeodesicScale)) != 0 ? Outputs.Distance : Outputs.None);
                Lengths(eps, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2, cbet1, cbet2, lengthMask, c1a, c2a,
                    out s12x, out m12x, out _, out scale12, out scale21);
                m12x *= B;
                s12x *= B;
                a12 = double.RadiansToDegrees(sig12);
            }
        }

        if (swapp < 0)
        {
            (salp1, salp2) = (salp2, salp1);
            (calp1, calp2) = (calp2, calp1);
            (scale12, scale21) = (scale21, scale12);
        }

        salp1 *= swapp * lonsign;
        calp1 *= swapp * latsign;
        salp2 *= swapp * lonsign;
        calp2 *= swapp * latsign;

        result.S12 = 0.0 + s12x;
        result.A12Degrees = a12;
        result.Salp1 = salp1;
        result.Calp1 = calp1;
        result.Salp2 = salp2;
        result.Calp2 = calp2;
        result.ReducedLength = 0.0 + m12x;
        result.Scale12 = scale12;
        result.Scale21 = scale21;
    }
}
