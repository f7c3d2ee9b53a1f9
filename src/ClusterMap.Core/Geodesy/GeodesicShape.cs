using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;

namespace ClusterMap.Core.Geodesy;

/// <summary>
/// A geometry taken apart once for repeated geodesic distance computations: isolated points, paths
/// (lines and rings) with a conservative box per edge, polygons as rings for containment, and the
/// geodesic bounding box. Immutable after construction, so the proximity index can share it between threads.
/// </summary>
internal sealed class GeodesicShape
{
    private readonly InverseSolution[]?[] _edgeSolutions;
    private IPreparedGeometry? _prepared;

    // The envelope's bounds as plain fields, read by ContainsPoint on every call.
    private readonly double _minLon;
    private readonly double _maxLon;
    private readonly double _minLat;
    private readonly double _maxLat;

    private GeodesicShape(Geometry geometry, Envelope? geodesicEnvelope)
    {
        Geometry = geometry;
        var points = new List<double>();
        var paths = new List<double[]>();
        var polygons = new List<int[]>();
        Collect(geometry, points, paths, polygons);
        Points = [.. points];
        Paths = [.. paths];
        PolygonRings = [.. polygons];
        EdgeBoxes = new double[Paths.Length][];
        for (var p = 0; p < Paths.Length; p++)
        {
            EdgeBoxes[p] = BuildEdgeBoxes(Paths[p]);
        }

        PathOffsets = new int[Paths.Length + 1];
        for (var p = 0; p < Paths.Length; p++)
        {
            PathOffsets[p + 1] = PathOffsets[p] + (Paths[p].Length / 2);
        }

        _edgeSolutions = new InverseSolution[Paths.Length][];
        PointsEcef = new double[Points.Length / 2 * 3];
        ToEcef(Points, PointsEcef.AsSpan());

        // All paths' vertices in one array, so a distance reads one block of memory rather than an array per ring.
        PathsEcef = new double[3 * PathOffsets[^1]];
        var longestChordSquared = 0.0;
        for (var p = 0; p < Paths.Length; p++)
        {
            ToEcef(Paths[p], PathsEcef.AsSpan(3 * PathOffsets[p]));
            var c2 = LongestChordSquared(PathsEcef.AsSpan(3 * PathOffsets[p], 3 * (PathOffsets[p + 1] - PathOffsets[p])));
            longestChordSquared = c2 > longestChordSquared || double.IsNaN(c2) ? c2 : longestChordSquared;
        }

        AllEdgesShort = longestChordSquared <= ShortGeodesic.MaxEdgeMeters * ShortGeodesic.MaxEdgeMeters;
        EdgeSagittaBoundMeters = AllEdgesShort ? ShortGeodesic.ChordSagittaBound(longestChordSquared) : double.PositiveInfinity;
        IsEmpty = Points.Length == 0 && Paths.Length == 0;
        HasArea = PolygonRings.Length > 0;
        IsPuntal = Paths.Length == 0;

        Envelope = geodesicEnvelope ?? GeodesicEnvelope.OfGeometry(geometry);
        (_minLon, _maxLon, _minLat, _maxLat) = (Envelope.MinX, Envelope.MaxX, Envelope.MinY, Envelope.MaxY);
        IsSinglePoint = Points.Length == 2 && Paths.Length == 0;
    }

    public Geometry Geometry { get; }

    /// <summary>Isolated points as lon, lat pairs.</summary>
    public double[] Points { get; }

    /// <summary>Lines and rings as lon, lat pairs (rings closed).</summary>
    public double[][] Paths { get; }

    /// <summary>The isolated points in earth-centred coordinates (x, y, z per point) for <see cref="ShortGeodesic"/>.</summary>
    public double[] PointsEcef { get; }

    /// <summary>
    /// Every path's vertices in earth-centred coordinates for <see cref="ShortGeodesic"/>, in one array: x, y, z per
    /// vertex, vertex v (numbered as in <see cref="PathOffsets"/>) at 3 v.
    /// </summary>
    public double[] PathsEcef { get; }

    /// <summary>True when every edge is short enough for the point-to-edge path of <see cref="ShortGeodesic"/>.</summary>
    public bool AllEdgesShort { get; }

    /// <summary>
    /// With <see cref="AllEdgesShort"/>, how far any geodesic edge strays from its chord at most
    /// (<see cref="ShortGeodesic.ChordSagittaBound"/> of the longest edge); infinity otherwise.
    /// </summary>
    public double EdgeSagittaBoundMeters { get; }

    /// <summary>Running vertex counts: path p's vertices are numbered from PathOffsets[p]; the last entry is the total.</summary>
    public int[] PathOffsets { get; }

    /// <summary>Per path, four numbers per edge: minLon, maxLon, minLat, maxLat of a box containing the geodesic edge.</summary>
    public double[][] EdgeBoxes { get; }

    /// <summary>Per polygon, the indexes into <see cref="Paths"/> of its shell followed by its holes.</summary>
    public int[][] PolygonRings { get; }

    /// <summary>Geodesic bounding box (contains the geodesic edges, not just the vertices).</summary>
    public Envelope Envelope { get; }

    public bool IsSinglePoint { get; }

    // Stored rather than computed from the arrays, so a radius query asking them of each candidate reads this object only.
    public bool IsEmpty { get; }

    public bool HasArea { get; }

    public bool IsPuntal { get; }

    public IPreparedGeometry Prepared => _prepared ??= PreparedGeometryFactory.Prepare(Geometry);

    /// <summary>
    /// The inverse solution of every edge of path <paramref name="path"/> (from vertex e to e + 1), solved on first
    /// use and kept: a point-to-edge search needs each edge's length and azimuths, which depend on the shape alone.
    /// Solved lazily so an index build does not pay for polygons no query reaches; the solution is deterministic,
    /// so two threads racing to publish it publish the same numbers.
    /// </summary>
    public InverseSolution[] EdgeSolutions(int path)
    {
        var solutions = Volatile.Read(ref _edgeSolutions[path]);
        if (solutions is not null)
        {
            return solutions;
        }

        var vertices = Paths[path];
        solutions = new InverseSolution[Math.Max(0, (vertices.Length / 2) - 1)];
        for (var e = 0; e < solutions.Length; e++)
        {
            var k = 2 * e;
            GeodesicCore.Inverse(vertices[k + 1], vertices[k], vertices[k + 3], vertices[k + 2], false, out solutions[e]);
        }

        return Interlocked.CompareExchange(ref _edgeSolutions[path], solutions, null) ?? solutions;
    }

    /// <summary>
    /// Takes <paramref name="geometry"/> apart. A caller that already holds its
    /// <see cref="GeodesicEnvelope.OfGeometry"/> (the proximity index, which needs it first to order the items)
    /// passes it, so it is not computed twice.
    /// </summary>
    public static GeodesicShape Create(Geometry geometry, Envelope? geodesicEnvelope = null)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        return new GeodesicShape(geometry, geodesicEnvelope);
    }

    private static void Collect(Geometry g, List<double> points, List<double[]> paths, List<int[]> polygons)
    {
        switch (g)
        {
            case Point point:
                if (!point.IsEmpty)
                {
                    points.Add(point.X);
                    points.Add(point.Y);
                }

                break;
            case LineString line:
                if (!line.IsEmpty)
                {
                    paths.Add(ToArray(line.CoordinateSequence));
                }

                break;
            case Polygon polygon:
                if (!polygon.IsEmpty)
                {
                    var rings = new int[1 + polygon.NumInteriorRings];
                    rings[0] = paths.Count;
                    paths.Add(ToArray(polygon.ExteriorRing.CoordinateSequence));
                    for (var i = 0; i < polygon.NumInteriorRings; i++)
                    {
                        rings[i + 1] = paths.Count;
                        paths.Add(ToArray(polygon.GetInteriorRingN(i).CoordinateSequence));
                    }

                    polygons.Add(rings);
                }

                break;
            case GeometryCollection collection:
                for (var i = 0; i < collection.NumGeometries; i++)
                {
                    Collect(collection.GetGeometryN(i), points, paths, polygons);
                }

                break;
            default:
                throw new NotSupportedException($"Geometry type {g.GeometryType} is not supported.");
        }
    }

    private static double[] ToArray(CoordinateSequence seq)
    {
        var result = new double[seq.Count * 2];
        for (var i = 0; i < seq.Count; i++)
        {
            result[2 * i] = seq.GetX(i);
            result[(2 * i) + 1] = seq.GetY(i);
        }

        return result;
    }

    // Writes the earth-centred coordinates of lon, lat pairs to `target`, x, y, z each.
    private static void ToEcef(double[] lonLat, Span<double> target)
    {
        for (int i = 0, j = 0; i < lonLat.Length; i += 2, j += 3)
        {
            ShortGeodesic.ToEcef(lonLat[i], lonLat[i + 1], out target[j], out target[j + 1], out target[j + 2]);
        }
    }

    // NaN (from a NaN coordinate) propagates, so such a path never counts as short.
    private static double LongestChordSquared(ReadOnlySpan<double> ecef)
    {
        var longest = 0.0;
        for (var k = 0; k + 5 < ecef.Length; k += 3)
        {
            double dx = ecef[k + 3] - ecef[k], dy = ecef[k + 4] - ecef[k + 1], dz = ecef[k + 5] - ecef[k + 2];
            var c2 = (dx * dx) + (dy * dy) + (dz * dz);
            longest = c2 > longest || double.IsNaN(c2) ? c2 : longest;
        }

        return longest;
    }

    private static double[] BuildEdgeBoxes(double[] path)
    {
        var edges = (path.Length / 2) - 1;
        var boxes = new double[Math.Max(0, edges) * 4];
        for (var e = 0; e < edges; e++)
        {
            double x1 = path[2 * e], y1 = path[(2 * e) + 1], x2 = path[(2 * e) + 2], y2 = path[(2 * e) + 3];
            var minLat = Math.Min(y1, y2);
            var maxLat = Math.Max(y1, y2);
            GeodesicEnvelope.WidenForEdge(x1, y1, x2, y2, ref minLat, ref maxLat);
            boxes[4 * e] = Math.Min(x1, x2);
            boxes[(4 * e) + 1] = Math.Max(x1, x2);
            boxes[(4 * e) + 2] = minLat;
            boxes[(4 * e) + 3] = maxLat;
        }

        return boxes;
    }

    /// <summary>
    /// Whether (lon, lat) lies in the closure of one of the polygons, by crossing number in the lon/lat
    /// plane (see <see cref="GeodesicDistance"/> for what that means near long edges).
    /// </summary>
    public bool ContainsPoint(double lon, double lat)
    {
        // Both the crossing test and the on-boundary test need the point inside some ring's vertex box, and the
        // shape's box holds every vertex: most points a radius query asks about are outside it, decided here
        // without walking the rings twice.
        if (lon < _minLon || lon > _maxLon || lat < _minLat || lat > _maxLat)
        {
            return false;
        }

        foreach (var rings in PolygonRings)
        {
            if (!InRing(Paths[rings[0]], lon, lat))
            {
                continue;
            }

            var inHole = false;
            for (var h = 1; h < rings.Length && !inHole; h++)
            {
                inHole = InRing(Paths[rings[h]], lon, lat) && !OnRing(Paths[rings[h]], lon, lat);
            }

            if (!inHole)
            {
                return true;
            }
        }

        return false;
    }

    private static bool InRing(double[] ring, double x, double y)
    {
        var inside = false;
        var n = ring.Length / 2;
        for (int i = 0, j = n - 1; i < n; j = i++)
        {
            double xi = ring[2 * i], yi = ring[(2 * i) + 1], xj = ring[2 * j], yj = ring[(2 * j) + 1];
            if ((yi > y) != (yj > y) && x < ((xj - xi) * (y - yi) / (yj - yi)) + xi)
            {
                inside = !inside;
            }
        }

        return inside || OnRing(ring, x, y);
    }

    private static bool OnRing(double[] ring, double x, double y)
    {
        for (var i = 0; i + 3 < ring.Length; i += 2)
        {
            double x1 = ring[i], y1 = ring[i + 1], x2 = ring[i + 2], y2 = ring[i + 3];
            if (x < Math.Min(x1, x2) || x > Math.Max(x1, x2) || y < Math.Min(y1, y2) || y > Math.Max(y1, y2))
            {
                continue;
            }

            if (((x2 - x1) * (y - y1)) - ((y2 - y1) * (x - x1)) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
