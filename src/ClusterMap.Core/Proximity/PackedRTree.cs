using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClusterMap.Core.Proximity;

/// <summary>
/// A static R-tree packed bottom-up from boxes sorted along a Hilbert curve (the Flatbush layout: all
/// boxes in flat arrays, items first, then each level of nodes). Built once, never modified, so readers
/// need no locks; 16 children per node keeps it shallow (five levels for a million items).
/// </summary>
internal sealed class PackedRTree
{
    internal const int NodeSize = 16;

    private readonly double[] _minX;
    private readonly double[] _minY;
    private readonly double[] _maxX;
    private readonly double[] _maxY;

    // For a leaf position: the item's index. For a node: the position of its first child.
    private readonly int[] _indices;

    // _levelEnds[l] is one past the last position of level l (level 0 = items).
    private readonly int[] _levelEnds;

    /// <summary>
    /// Packs the boxes. With <paramref name="inHilbertOrder"/> the caller has already put its items in the order of
    /// <see cref="HilbertOrder"/> (so that items near each other in space are near each other in its arrays too) and
    /// item i stays at leaf position i.
    /// </summary>
    internal PackedRTree(double[] minX, double[] minY, double[] maxX, double[] maxY, bool inHilbertOrder = false)
    {
        var n = minX.Length;
        NumItems = n;
        var levelEnds = new List<int> { n };
        var count = n;
        var total = n;
        do
        {
            count = (count + NodeSize - 1) / NodeSize;
            total += count;
            levelEnds.Add(total);
        }
        while (count > 1);
        _levelEnds = [.. levelEnds];

        _minX = new double[total];
        _minY = new double[total];
        _maxX = new double[total];
        _maxY = new double[total];
        _indices = new int[total];

        var order = inHilbertOrder ? null : HilbertOrder(minX, minY, maxX, maxY);
        for (var pos = 0; pos < n; pos++)
        {
            var i = order is null ? pos : order[pos];
            _minX[pos] = minX[i];
            _minY[pos] = minY[i];
            _maxX[pos] = maxX[i];
            _maxY[pos] = maxY[i];
            _indices[pos] = i;
        }

        var pos2 = n;
        for (var level = 0; level + 1 < _levelEnds.Length; level++)
        {
            var start = level == 0 ? 0 : _levelEnds[level - 1];
            var end = _levelEnds[level];
            for (var child = start; child < end; child += NodeSize)
            {
                double x0 = double.PositiveInfinity, y0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y1 = double.NegativeInfinity;
                var childEnd = Math.Min(child + NodeSize, end);
                for (var c = child; c < childEnd; c++)
                {
                    x0 = Math.Min(x0, _minX[c]);
                    y0 = Math.Min(y0, _minY[c]);
                    x1 = Math.Max(x1, _maxX[c]);
                    y1 = Math.Max(y1, _maxY[c]);
                }

                _minX[pos2] = x0;
                _minY[pos2] = y0;
                _maxX[pos2] = x1;
                _maxY[pos2] = y1;
                _indices[pos2] = child;
                pos2++;
            }
        }
    }

    internal int NumItems { get; }

    internal int Root => _indices.Length - 1;

    internal bool IsLeaf(int position) => position < NumItems;

    internal int ItemAt(int position) => _indices[position];

    internal double MinX(int position) => _minX[position];

    internal double MinY(int position) => _minY[position];

    internal double MaxX(int position) => _maxX[position];

    internal double MaxY(int position) => _maxY[position];

    /// <summary>Child positions [start, end) of the node at <paramref name="position"/>.</summary>
    internal (int Start, int End) Children(int position)
    {
        var start = _indices[position];
        var level = 0;
        while (_levelEnds[level] <= start)
        {
            level++;
        }

        return (start, Math.Min(start + NodeSize, _levelEnds[level]));
    }

    /// <summary>
    /// Adds to <paramref name="results"/> every item whose box intersects the query box, in leaf order (the Hilbert
    /// order the items were packed in).
    /// </summary>
    /// <remarks>
    /// A node whose box lies inside the query box contributes all its leaves without a test each: they are a
    /// contiguous run of leaf positions. A large query takes most of its items from such nodes, so the search
    /// costs about the nodes on the query box's border.
    /// </remarks>
    internal void Search(double minX, double minY, double maxX, double maxY, List<int> results)
    {
        if (NumItems == 0 || !Intersects(Root, minX, minY, maxX, maxY))
        {
            return;
        }

        Span<int> stack = stackalloc int[64 * NodeSize];
        var top = 0;
        stack[top++] = Root;
        while (top > 0)
        {
            var node = stack[--top];
            if (IsLeaf(node))
            {
                results.Add(_indices[node]);
                continue;
            }

            if (_minX[node] >= minX && _maxX[node] <= maxX && _minY[node] >= minY && _maxY[node] <= maxY)
            {
                var (first, end) = Leaves(node);
                var count = results.Count;
                CollectionsMarshal.SetCount(results, count + end - first);
                _indices.AsSpan(first, end - first).CopyTo(CollectionsMarshal.AsSpan(results)[count..]);
                continue;
            }

            var (start, stop) = Children(node);

            // Pushed last child first, so children pop, and leaves are added, in ascending position order.
            for (var c = stop - 1; c >= start; c--)
            {
                if (Intersects(c, minX, minY, maxX, maxY))
                {
                    stack[top++] = c;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // per node visited; the call cost more than the test
    private bool Intersects(int position, double minX, double minY, double maxX, double maxY) =>
        !(_maxX[position] < minX || _maxY[position] < minY || _minX[position] > maxX || _minY[position] > maxY);

    // The leaf positions [first, end) under a node: its first child's first leaf to its last child's last leaf.
    private (int First, int End) Leaves(int node)
    {
        var first = node;
        var last = node;
        while (!IsLeaf(first))
        {
            first = Children(first).Start;
            last = Children(last).End - 1;
        }

        return (first, last + 1);
    }

    /// <summary>The item indices sorted by the Hilbert position of their box centres.</summary>
    internal static int[] HilbertOrder(double[] minX, double[] minY, double[] maxX, double[] maxY)
    {
        var n = minX.Length;
        var order = new int[n];
        if (n == 0)
        {
            return order;
        }

        double x0 = double.PositiveInfinity, y0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y1 = double.NegativeInfinity;
        for (var i = 0; i < n; i++)
        {
            x0 = Math.Min(x0, minX[i]);
            y0 = Math.Min(y0, minY[i]);
            x1 = Math.Max(x1, maxX[i]);
            y1 = Math.Max(y1, maxY[i]);
        }

        var w = Math.Max(x1 - x0, 1e-12);
        var h = Math.Max(y1 - y0, 1e-12);
        const double scale = 65535;
        var keys = new uint[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
            var x = (uint)(scale * (((minX[i] + maxX[i]) / 2) - x0) / w);
            var y = (uint)(scale * (((minY[i] + maxY[i]) / 2) - y0) / h);
            keys[i] = Hilbert(x, y);
        }

        Array.Sort(keys, order);
        return order;
    }

    // Position of (x, y) on a 16-bit Hilbert curve (the classic rotate-and-flip walk).
    private static uint Hilbert(uint x, uint y)
    {
        uint d = 0;
        for (uint s = 1 << 15; s > 0; s >>= 1)
        {
            var rx = (x & s) > 0 ? 1u : 0u;
            var ry = (y & s) > 0 ? 1u : 0u;
            d += s * s * ((3 * rx) ^ ry);
            if (ry == 0)
            {
                if (rx == 1)
                {
                    x = s - 1 - x;
                    y = s - 1 - y;
                }

                (x, y) = (y, x);
            }
        }

        return d;
    }
}
