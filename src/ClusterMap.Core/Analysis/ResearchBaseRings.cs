using System.Numerics;
using System.Runtime.Intrinsics;
using ClusterMap.Core.Geodesy;
using ClusterMap.Core.Proximity;

namespace ClusterMap.Core.Analysis;

/// <summary>
/// One point park's band edges per uncertainty class, turned into squared chords, so that an institution's first
/// bands (estimated, possible, certain) are read from its straight 3-D chord to the park instead of its geodesic
/// distance; only an institution whose chord falls within a few centimetres of an edge is measured exactly.
/// </summary>
/// <remarks>
/// <para>
/// For a class whose institutions all have uncertainty u, with s = u_park + u, an institution's first bands change
/// only where its distance d crosses an edge: r (estimated), r + s (possible) or r − s (certain), for every band r;
/// between two consecutive edges, in a ring, they are the same for every d. For each edge x,
/// <see cref="ShortGeodesic.SurelyWithinChordSquared"/> and <see cref="ShortGeodesic.SurelyBeyondChordSquared"/> give
/// squared chords w(x) &lt; b(x) such that c² ≤ w(x) proves d ≤ x − 0.1 mm and c² &gt; b(x) proves d &gt; x + 0.1 mm,
/// where d is the distance the engine's radius query reports. Both grow with x. An institution whose c² exceeds the
/// b of the first a edges and not that of edge a is beyond those a edges; if also c² ≤ w(edge a), it is within edge a
/// and, w growing with x, within every later edge: it lies in ring a, at least 0.1 mm from either edge of the ring, and
/// its first bands are those of any distance in the ring, which the engine's own comparisons (the same as
/// <see cref="ResearchBase"/>'s per-institution ones) give for the ring's middle. Otherwise its chord is in
/// (w, b] of edge a, a window of c³ / (24 M²) plus 0.2 mm (4 cm at 35 km), and it is measured.
/// </para>
/// <para>
/// Institutions are tallied per class, ring, tier and fit in a histogram and poured into the park's tally once. Classes
/// that are ranges of uncertainties (more than <see cref="ResearchBaseNodeCounts.MaxClasses"/> distinct ones) have no
/// single s and keep the exact measurement: for them <see cref="For"/> gives null. Edges beyond the kernel's reach
/// need nothing more: w is capped at the reach, and b holds for the inverse problem's distance too.
/// </para>
/// </remarks>
internal sealed class ResearchBaseRings
{
    private const int FitClasses = 3;

    [ThreadStatic]
    private static ResearchBaseRings? _cached;

    private readonly int _classes;
    private readonly int _bands;
    private readonly int _edgeStride;
    private readonly int _rings;
    private readonly int _tierCount;
    private readonly double[] _within;
    private readonly double[] _beyond;
    private readonly int[] _slots;
    private readonly int[] _histogram;
    private PackedRTree? _tree;
    private double[]? _ecef;
    private byte[]? _itemClass;
    private InstitutionTier[]? _tiers;
    private ushort[]? _disciplines;
    private ushort _sectorMask;
    private double _x;
    private double _y;
    private double _z;

    private ResearchBaseRings(int classes, int bands, int tierCount)
    {
        _classes = classes;
        _bands = bands;
        _rings = (3 * bands) + 1;

        // At least one +∞ after the last edge, and whole vectors.
        _edgeStride = (_rings + Vector256<double>.Count - 1) / Vector256<double>.Count * Vector256<double>.Count;
        _tierCount = tierCount;
        _within = new double[classes * _edgeStride];
        _beyond = new double[classes * _edgeStride];
        _slots = new int[classes * _rings];
        _histogram = new int[classes * _rings * tierCount * FitClasses];
    }

    /// <summary>
    /// The rings of a point park at ECEF (<paramref name="x"/>, <paramref name="y"/>, <paramref name="z"/>) with
    /// uncertainty <paramref name="parkUncertainty"/> over <paramref name="source"/>, institutions fitting the park's
    /// sector when their disciplines meet <paramref name="sectorMask"/>; null when the classes are ranges. One instance
    /// per thread is reused: the caller pours it with <see cref="PourInto"/> before asking for the next park's.
    /// </summary>
    public static ResearchBaseRings? For(double[] radii, double parkUncertainty, ResearchBaseNodeCounts counts, InstitutionSource source, ushort sectorMask, double x, double y, double z)
    {
        var uncertainties = counts.ClassUncertainties;
        if (uncertainties is null)
        {
            return null;
        }

        var tierCount = InstitutionTiers.All.Count;
        var rings = _cached;
        if (rings is null || rings._classes != uncertainties.Length || rings._bands != radii.Length || rings._tierCount != tierCount)
        {
            rings = _cached = new ResearchBaseRings(uncertainties.Length, radii.Length, tierCount);
        }

        rings.Prepare(radii, parkUncertainty, uncertainties);
        (rings._tree, rings._ecef, rings._itemClass, rings._tiers, rings._disciplines) = (source.Index.Tree, source.Index.Ecef, counts.ItemClass, source.Tiers, source.Disciplines);
        (rings._sectorMask, rings._x, rings._y, rings._z) = (sectorMask, x, y, z);
        return rings;
    }

    /// <summary>
    /// Tallies the institutions at leaf positions [<paramref name="start"/>, <paramref name="end"/>) whose class is
    /// in <paramref name="classes"/> (a bit per class); writes the item positions the chord cannot decide to
    /// <paramref name="undecided"/> (at least end − start long) and returns their number, for the caller to measure.
    /// </summary>
    public int AddLeaves(int start, int end, int classes, Span<int> undecided)
    {
        var (tree, ecef, itemClass, tiers, disciplines) = (_tree!, _ecef!, _itemClass!, _tiers!, _disciplines!);
        var (within, beyond, histogram) = (_within, _beyond, _histogram);
        var n = 0;
        for (var c = start; c < end; c++)
        {
            var i = tree.ItemAt(c);
            var k = itemClass[i];
            if (k == ResearchBaseNodeCounts.NoClass || (classes & (1 << k)) == 0)
            {
                continue;
            }

            double dx = ecef[3 * i] - _x, dy = ecef[(3 * i) + 1] - _y, dz = ecef[(3 * i) + 2] - _z;
            var chordSquared = (dx * dx) + (dy * dy) + (dz * dz);

            // The ring is the number of edges the chord is surely beyond (the padding, +∞, is never).
            var at = k * _edgeStride;
            int a;
            if (Vector256.IsHardwareAccelerated)
            {
                var chord = Vector256.Create(chordSquared);
                a = 0;
                for (var j = 0; j < _edgeStride; j += Vector256<double>.Count)
                {
                    a += BitOperations.PopCount(Vector256.GreaterThan(chord, Vector256.Create(beyond.AsSpan(at + j, Vector256<double>.Count))).ExtractMostSignificantBits());
                }
            }
            else
            {
                a = 0;
                while (chordSquared > beyond[at + a])
                {
                    a++;
                }
            }

            if (chordSquared > within[at + a])
            {
                undecided[n++] = i;
                continue;
            }

            var fit = disciplines[i] == 0 ? 2 : (disciplines[i] & _sectorMask) != 0 ? 0 : 1;
            histogram[(((((k * _rings) + a) * _tierCount) + (int)tiers[i]) * FitClasses) + fit]++;
        }

        return n;
    }

    /// <summary>Adds the histogram's counts to <paramref name="add"/> (first bands estimated, possible, certain; tier; fit; count).</summary>
    public void PourInto(Action<int, int, int, int, int, int> add)
    {
        var slots = _bands + 1;
        for (var ring = 0; ring < _classes * _rings; ring++)
        {
            var code = _slots[ring];
            var from = ring * _tierCount * FitClasses;
            if (code < 0)
            {
                continue;
            }

            var (estimated, member, certain) = (code / (slots * slots), code / slots % slots, code % slots);
            for (var t = 0; t < _tierCount; t++)
            {
                for (var f = 0; f < FitClasses; f++)
                {
                    var n = _histogram[from + (t * FitClasses) + f];
                    if (n != 0)
                    {
                        add(estimated, member, certain, t, f, n);
                    }
                }
            }
        }
    }

    private void Prepare(double[] radii, double parkUncertainty, double[] uncertainties)
    {
        Array.Clear(_histogram);
        var nb = radii.Length;
        Span<double> edges = stackalloc double[3 * nb];
        for (var k = 0; k < _classes; k++)
        {
            // The same sum the per-institution count forms.
            var slack = parkUncertainty + uncertainties[k];
            for (var b = 0; b < nb; b++)
            {
                edges[3 * b] = radii[b];
                edges[(3 * b) + 1] = radii[b] + slack;
                edges[(3 * b) + 2] = radii[b] - slack;
            }

            edges.Sort();
            var m = 0;
            for (var j = 0; j < edges.Length; j++)
            {
                if (m == 0 || edges[j] != edges[m - 1])
                {
                    edges[m++] = edges[j];
                }
            }

            var at = k * _edgeStride;
            for (var j = 0; j < _edgeStride; j++)
            {
                _within[at + j] = j < m ? ShortGeodesic.SurelyWithinChordSquared(edges[j]) : double.PositiveInfinity;
                _beyond[at + j] = j < m ? ShortGeodesic.SurelyBeyondChordSquared(edges[j]) : double.PositiveInfinity;
            }

            // A ring is used only when it is wider than the windows of its edges, so its middle is a distance of it.
            for (var a = 0; a <= m; a++)
            {
                var d = a == 0 ? edges[0] / 2 : a == m ? edges[m - 1] + 1 : (edges[a - 1] + edges[a]) / 2;
                _slots[(k * _rings) + a] = SlotCode(radii, d, slack);
            }
        }
    }

    // The first bands of distance d with summed uncertainty slack as one code; -1 when beyond every band even possibly.
    private static int SlotCode(double[] radii, double d, double slack)
    {
        var (estimated, member, certain) = ResearchBase.FirstBands(radii, d, slack);
        var slots = radii.Length + 1;
        return member == slots - 1 ? -1 : (((estimated * slots) + member) * slots) + certain;
    }
}
