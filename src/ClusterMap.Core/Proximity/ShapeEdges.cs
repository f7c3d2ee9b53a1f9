using ClusterMap.Core.Geodesy;

namespace ClusterMap.Core.Proximity;

/// <summary>
/// The edges of an index's shapes laid end to end in item order: every vertex's earth-centred coordinates in one
/// array, so a query measuring a run of neighbouring shapes reads one stream of memory.
/// </summary>
/// <remarks>
/// Each <see cref="GeodesicShape"/> keeps its own vertices too, a few small arrays among a dozen per shape; read
/// through them, measuring a polygon target is mostly waiting for memory, several times what the same arithmetic
/// costs with its data in cache. Here the vertices of items next to each other on the
/// Hilbert curve, hence usually candidates of the same query, are next to each other in memory. Holds the shapes the
/// short-line kernel answers alone: paths only (no isolated points), every edge within
/// <see cref="ShortGeodesic.MaxEdgeMeters"/>; the others are measured through their own shape.
/// </remarks>
internal sealed class ShapeEdges
{
    private readonly double[] _vertices;

    // Paths of item i: _pathStarts[_itemPaths[i] .. _itemPaths[i + 1]] (the last entry ends the item's last path).
    private readonly int[] _itemPaths;
    private readonly int[] _pathStarts;
    private readonly double[] _sagittaBounds;

    public ShapeEdges(GeodesicShape?[] shapes)
    {
        var n = shapes.Length;
        _itemPaths = new int[n + 1];
        _sagittaBounds = new double[n];
        long vertexCount = 0;
        var pathCount = 0;
        for (var i = 0; i < n; i++)
        {
            var shape = shapes[i];
            _itemPaths[i] = pathCount;
            var vertices = shape is null ? 0 : shape.PathOffsets[^1];

            // Beyond an array's reach (billions of vertices), the remaining shapes keep their own arrays.
            if (Holds(shape) && 3 * (vertexCount + vertices) < Array.MaxLength)
            {
                pathCount += shape!.Paths.Length;
                vertexCount += vertices;
                _sagittaBounds[i] = shape.EdgeSagittaBoundMeters;
            }
        }

        _itemPaths[n] = pathCount;
        _vertices = new double[3 * vertexCount];
        _pathStarts = new int[pathCount + 1];
        var vertexBase = 0;
        for (var i = 0; i < n; i++)
        {
            if (_itemPaths[i + 1] == _itemPaths[i])
            {
                continue;
            }

            var shape = shapes[i]!;
            shape.PathsEcef.CopyTo(_vertices, 3 * vertexBase);
            for (var p = 0; p < shape.Paths.Length; p++)
            {
                _pathStarts[_itemPaths[i] + p] = vertexBase + shape.PathOffsets[p];
            }

            vertexBase += shape.PathOffsets[^1];
        }

        _pathStarts[pathCount] = vertexBase;
    }

    /// <summary>True when item <paramref name="item"/>'s edges are held here.</summary>
    public bool Has(int item) => _itemPaths[item + 1] > _itemPaths[item];

    /// <summary>
    /// <see cref="ShortGeodesic.PointToPaths"/> from P (ECEF) to the edges of item <paramref name="item"/> (which
    /// <see cref="Has"/>): the distance to the shape's boundary, NaN beyond the kernel's reach.
    /// </summary>
    public double DistanceToEdges(int item, double x, double y, double z)
    {
        var first = _itemPaths[item];
        var paths = _pathStarts.AsSpan(first, _itemPaths[item + 1] - first + 1);
        return ShortGeodesic.PointToPaths(x, y, z, _vertices, paths, _sagittaBounds[item], double.PositiveInfinity);
    }

    private static bool Holds(GeodesicShape? shape) =>
        shape is { AllEdgesShort: true, IsEmpty: false, IsSinglePoint: false } && shape.PointsEcef.Length == 0 && shape.Paths.Length > 0;
}
