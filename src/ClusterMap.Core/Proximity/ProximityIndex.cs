using System.Buffers;
using System.Runtime.InteropServices;
using ClusterMap.Core.Geodesy;
using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Proximity;

/// <summary>
/// An immutable in-memory index over the features of one collection, answering geodesic proximity
/// questions on WGS84: within a radius, k nearest, a nearest-k matrix and ring counts.
/// </summary>
/// <remarks>
/// <para>
/// Two filters, in order: a packed Hilbert R-tree over each feature's geodesic bounding box
/// (<see cref="GeodesicEnvelope.OfGeometry"/>), queried with a box that <see cref="GeodesicEnvelope.Expand"/>
/// proves contains everything within reach, or walked best-first by the lower bound of
/// <see cref="GeodesicEnvelope.LowerBoundMeters(Envelope, Envelope)"/>; then the exact geometry-to-geometry
/// distance of <see cref="GeodesicDistance"/>. Neither filter can drop a true answer.
/// </para>
/// <para>
/// Distances within 50 km (point to point, and point to any edge up to 10 km) come from the short-line kernel of
/// <see cref="ShortGeodesic"/>, within 1 µm (point to point) and 10 µm (point to edge) of Karney's geodesic;
/// farther ones from Karney's inverse problem and the Newton search of the point-to-edge distance. The
/// reported distance is the one compared with the radius, and every bound that prunes is widened by the kernel's
/// error bound, so membership follows the reported distance exactly.
/// </para>
/// <para>
/// Uncertainty: with origin uncertainty u_o and target uncertainty u_t, each hit carries the interval
/// [max(0, d − u_o − u_t), d + u_o + u_t]. Radius answers include every target whose interval starts within the
/// radius: <see cref="ProximityCertainty.Certain"/> when the whole interval is within, and
/// <see cref="ProximityCertainty.Possible"/> (included, flagged) when only its near end is.
/// </para>
/// <para>
/// Build one index per collection version with <see cref="Build"/> and swap the reference when the store's data
/// version changes (<see cref="Storage.CollectionSnapshotCache"/> does this); the instance is never modified, so any number of
/// threads may query it. Geometries must not cross the antimeridian or contain a pole.
/// </para>
/// </remarks>
public sealed class ProximityIndex
{
    // Searches and bounds widen by the short-line kernel's error bound, so no target whose reported distance is
    // within the cut-off is dropped by a bound on its exact distance (see ShortGeodesic).
    private const double Slack = ShortGeodesic.EdgeErrorBoundMeters;

    // Radius queries with at least this many candidates (and hits) are measured (and ranked) on every core, in runs
    // of this length: below it the work per candidate is too small to repay handing runs to other threads.
    internal const int ParallelFrom = 4_096;
    private const int ParallelRunLength = 2_048;

    // Radius queries (and ring rows) running now in this process, over every index. A large one spreads over the
    // cores only while fewer queries than cores are running: under load every core already has a query of its own,
    // and helpers would only queue behind those queries and lengthen every one's tail.
    private static int _radiusQueriesRunning;

    private readonly ProximityItem[] _items;
    private readonly GeodesicShape?[] _shapes;
    private readonly double[] _lon;
    private readonly double[] _lat;

    // Point targets in earth-centred coordinates (x, y, z per item; NaN for shapes), computed once at build so a
    // query's distance to each is the short-line kernel's few multiplications.
    private readonly double[] _ecef;

    // Each item's LocationUncertaintyMeters, read for every candidate without touching the item.
    private readonly double[] _uncertainty;
    private readonly PackedRTree _tree;

    // The shapes' edges in item order, for distances from a point (see ShapeEdges).
    private readonly ShapeEdges _edges;

    private ProximityIndex(ProximityItem[] items, GeodesicShape?[] shapes, double[] lon, double[] lat, double[] ecef, PackedRTree tree, long dataVersion, double maxUncertainty)
    {
        _items = items;
        _uncertainty = Array.ConvertAll(items, i => i.LocationUncertaintyMeters);
        _shapes = shapes;
        _edges = new ShapeEdges(shapes);
        _lon = lon;
        _lat = lat;
        _ecef = ecef;
        _tree = tree;
        DataVersion = dataVersion;
        MaxUncertaintyMeters = maxUncertainty;
    }

    /// <summary>The store's data version this index was built from.</summary>
    public long DataVersion { get; }

    /// <summary>Number of indexed features (features with empty geometry are left out).</summary>
    public int Count => _items.Length;

    /// <summary>The largest target uncertainty; radius searches widen by it so possible hits are not missed.</summary>
    public double MaxUncertaintyMeters { get; }

    /// <summary>
    /// Builds the index. Single points are stored as plain coordinates; other geometries are taken apart once
    /// (in parallel) for the exact distance. Throws on duplicate ids, negative or non-finite uncertainties.
    /// </summary>
    public static ProximityIndex Build(IEnumerable<ProximityItem> items, long dataVersion = 0)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.Where(i => i.Geometry is { IsEmpty: false }).ToArray();
        var ids = new HashSet<string>(list.Length, StringComparer.Ordinal);
        var maxUncertainty = 0.0;
        foreach (var item in list)
        {
            if (!ids.Add(item.Id))
            {
                throw new ArgumentException($"Duplicate feature id '{item.Id}'.", nameof(items));
            }

            if (!(item.LocationUncertaintyMeters >= 0) || double.IsInfinity(item.LocationUncertaintyMeters))
            {
                throw new ArgumentException($"Feature '{item.Id}' has an invalid location uncertainty.", nameof(items));
            }

            maxUncertainty = Math.Max(maxUncertainty, item.LocationUncertaintyMeters);
        }

        var n = list.Length;
        var minX = new double[n];
        var minY = new double[n];
        var maxX = new double[n];
        var maxY = new double[n];
        var envelopes = new Envelope?[n];
        Parallel.For(0, n, i =>
        {
            var envelope = list[i].Geometry is Point point ? new Envelope(point.Coordinate) : envelopes[i] = GeodesicEnvelope.OfGeometry(list[i].Geometry);
            (minX[i], minY[i], maxX[i], maxY[i]) = (envelope.MinX, envelope.MinY, envelope.MaxX, envelope.MaxY);
        });

        // Items renumbered along the Hilbert curve the tree packs them by, so a query's candidates, which are near each
        // other in space, are near each other in every array it reads: a large radius query touches tens of thousands of
        // candidates, and in input order each one would cost a handful of cache misses, more than its distance.
        var order = PackedRTree.HilbertOrder(minX, minY, maxX, maxY);
        var ordered = Permute(list, order);
        var orderedEnvelopes = Permute(envelopes, order);
        var shapes = new GeodesicShape?[n];
        var lon = new double[n];
        var lat = new double[n];
        var ecef = new double[3 * n];

        // Shapes are taken apart in that order too, each thread over its own runs of consecutive items: a shape is
        // a dozen small arrays, and allocated in curve order they lie next to their neighbours' on the heap (the
        // collector's compaction keeps that order), so a query reading a run of shapes reads less scattered memory
        // (ShapeEdges goes further for the common case, shapes of short edges, with one stream of its own).
        // A range partitioner refuses an empty range, hence at least one (empty) run for an empty collection.
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, Math.Max(n, 1), Math.Max(1024, n / (4 * Environment.ProcessorCount))), range =>
        {
            for (var i = range.Item1; i < Math.Min(range.Item2, n); i++)
            {
                var geometry = ordered[i].Geometry;
                if (geometry is Point point)
                {
                    lon[i] = point.X;
                    lat[i] = point.Y;
                    ShortGeodesic.ToEcef(point.X, point.Y, out ecef[3 * i], out ecef[(3 * i) + 1], out ecef[(3 * i) + 2]);
                    continue;
                }

                shapes[i] = GeodesicShape.Create(geometry, orderedEnvelopes[i]);
                lon[i] = lat[i] = ecef[3 * i] = ecef[(3 * i) + 1] = ecef[(3 * i) + 2] = double.NaN;
            }
        });

        return new ProximityIndex(
            ordered,
            shapes,
            lon,
            lat,
            ecef,
            new PackedRTree(Permute(minX, order), Permute(minY, order), Permute(maxX, order), Permute(maxY, order), inHilbertOrder: true),
            dataVersion,
            maxUncertainty);
    }

    private static T[] Permute<T>(T[] source, int[] order)
    {
        var result = new T[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            result[i] = source[order[i]];
        }

        return result;
    }

    /// <summary>
    /// Targets within <paramref name="radiusMeters"/> of <paramref name="origin"/> (a feature geometry or a
    /// lon/lat point), nearest first, ties by ordinal id. Includes targets only possibly within the radius
    /// given the uncertainties, flagged <see cref="ProximityCertainty.Possible"/>.
    /// </summary>
    public IReadOnlyList<ProximityHit> Within(Geometry origin, double radiusMeters, double originUncertaintyMeters = 0, Func<ProximityItem, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentOutOfRangeException.ThrowIfNegative(radiusMeters);
        ArgumentOutOfRangeException.ThrowIfNegative(originUncertaintyMeters);
        var query = new Origin(origin);
        var found = Scratch.RentFound();
        Interlocked.Increment(ref _radiusQueriesRunning);
        try
        {
            CollectWithin(query, radiusMeters, originUncertaintyMeters, filter, found);
            return Rank(found, radiusMeters, originUncertaintyMeters);
        }
        finally
        {
            Interlocked.Decrement(ref _radiusQueriesRunning);
            Scratch.Return(found);
        }
    }

    /// <summary>
    /// The members of <see cref="Within"/>'s answer for the same arguments (no filter), unranked and without a
    /// <see cref="ProximityHit"/> made for each: <paramref name="visit"/> gets each one's position (see
    /// <see cref="ItemAt"/>), distance and summed uncertainty, in no particular order, on the calling thread. For
    /// callers that only count the hits of many origins by class of target, to whom ranking and hit objects are
    /// pure cost.
    /// </summary>
    public void VisitWithin(Geometry origin, double radiusMeters, double originUncertaintyMeters, ProximityVisitor visit)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(visit);
        ArgumentOutOfRangeException.ThrowIfNegative(radiusMeters);
        ArgumentOutOfRangeException.ThrowIfNegative(originUncertaintyMeters);
        var found = Scratch.RentFound();
        Interlocked.Increment(ref _radiusQueriesRunning);
        try
        {
            CollectWithin(new Origin(origin), radiusMeters, originUncertaintyMeters, null, found);
            foreach (var (index, distance) in CollectionsMarshal.AsSpan(found))
            {
                visit(index, distance, originUncertaintyMeters + _uncertainty[index]);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _radiusQueriesRunning);
            Scratch.Return(found);
        }
    }

    /// <summary>
    /// The item at <paramref name="position"/> (0 ≤ position &lt; <see cref="Count"/>) in the index's own order,
    /// which <see cref="VisitWithin"/> reports; fixed for this instance, so a caller can keep per-position data.
    /// </summary>
    public ProximityItem ItemAt(int position) => _items[position];

    /// <summary>The tree over the items; leaf position i holds item i (items are numbered in the tree's order).</summary>
    internal PackedRTree Tree => _tree;

    /// <summary>The item's location uncertainty (its <see cref="ProximityItem.LocationUncertaintyMeters"/>).</summary>
    internal double UncertaintyAt(int position) => _uncertainty[position];

    /// <summary>Point items' earth-centred x, y, z (3 per item; NaN for shapes), as <see cref="DistanceTo"/> reads them.</summary>
    internal double[] Ecef => _ecef;

    /// <summary>
    /// The <paramref name="k"/> targets nearest to <paramref name="origin"/> by geometry-to-geometry distance,
    /// ties broken by ordinal id; exact (best-first search, pruned only by proven lower bounds). With a finite
    /// <paramref name="maxMeters"/> only targets whose interval starts within it are considered, and certainty is
    /// judged against it; with none every hit is <see cref="ProximityCertainty.Certain"/> and
    /// <see cref="ProximityHit.IsExact"/> tells an estimated distance from an exact one.
    /// </summary>
    public IReadOnlyList<ProximityHit> Nearest(Geometry origin, int k, double originUncertaintyMeters = 0, double maxMeters = double.PositiveInfinity, Func<ProximityItem, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(originUncertaintyMeters);
        return NearestCore(new Origin(origin), k, originUncertaintyMeters, maxMeters, filter, excludeId: null);
    }

    /// <summary>
    /// For every origin feature its <paramref name="k"/> nearest targets within <paramref name="maxMeters"/>
    /// (see <see cref="Nearest"/>). With <paramref name="excludeSameId"/>, a target with the origin's id is skipped
    /// (for a matrix of a collection against itself).
    /// </summary>
    public IReadOnlyList<ProximityMatrixRow> Matrix(IEnumerable<ProximityItem> origins, int k, double maxMeters, Func<ProximityItem, bool>? filter = null, bool excludeSameId = false)
    {
        ArgumentNullException.ThrowIfNull(origins);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var list = origins as IReadOnlyList<ProximityItem> ?? [.. origins];
        var rows = new ProximityMatrixRow[list.Count];

        // Rows are independent and the index is immutable: one origin per work item, on every core.
        Parallel.For(0, list.Count, i =>
        {
            var origin = list[i];
            var hits = NearestCore(new Origin(origin.Geometry), k, origin.LocationUncertaintyMeters, maxMeters, filter, excludeSameId ? origin.Id : null);
            rows[i] = new ProximityMatrixRow(origin, hits);
        });
        return rows;
    }

    /// <summary>
    /// For every origin feature, the number of targets within each radius of <paramref name="ringsMeters"/>
    /// (cumulative: a target within 1000 m also counts for 3000 m), split into certain and possible, and its
    /// nearest target at any distance.
    /// </summary>
    public IReadOnlyList<ProximityRingsRow> Rings(IEnumerable<ProximityItem> origins, IReadOnlyList<double> ringsMeters, Func<ProximityItem, bool>? filter = null, bool excludeSameId = false)
    {
        ArgumentNullException.ThrowIfNull(origins);
        ArgumentNullException.ThrowIfNull(ringsMeters);
        if (ringsMeters.Count == 0 || ringsMeters.Any(r => !(r >= 0) || double.IsInfinity(r)))
        {
            throw new ArgumentException("Ring radii must be finite and non-negative.", nameof(ringsMeters));
        }

        var outer = ringsMeters.Max();
        var list = origins as IReadOnlyList<ProximityItem> ?? [.. origins];
        var rows = new ProximityRingsRow[list.Count];
        Parallel.For(0, list.Count, i => rows[i] = RingsRow(list[i], ringsMeters, outer, filter, excludeSameId));
        return rows;
    }

    private ProximityRingsRow RingsRow(ProximityItem origin, IReadOnlyList<double> ringsMeters, double outer, Func<ProximityItem, bool>? filter, bool excludeSameId)
    {
        var found = Scratch.RentFound();
        Interlocked.Increment(ref _radiusQueriesRunning);
        try
        {
            var query = new Origin(origin.Geometry);
            var originUncertaintyMeters = origin.LocationUncertaintyMeters;
            var effective = excludeSameId ? Exclude(filter, origin.Id) : filter;
            CollectWithin(query, outer, originUncertaintyMeters, effective, found);
            var rings = new ProximityRing[ringsMeters.Count];
            for (var r = 0; r < rings.Length; r++)
            {
                var radius = ringsMeters[r];
                int count = 0, certain = 0, possible = 0;
                foreach (var (index, d) in found)
                {
                    var slack = originUncertaintyMeters + _uncertainty[index];
                    count += d <= radius ? 1 : 0;
                    certain += d + slack <= radius ? 1 : 0;
                    possible += d - slack <= radius && d + slack > radius ? 1 : 0;
                }

                rings[r] = new ProximityRing(radius, count, certain, possible);
            }

            var nearest = NearestCore(query, 1, originUncertaintyMeters, double.PositiveInfinity, effective, excludeId: null);
            return new ProximityRingsRow(origin, rings, nearest.Count > 0 ? nearest[0] : null);
        }
        finally
        {
            Interlocked.Decrement(ref _radiusQueriesRunning);
            Scratch.Return(found);
        }
    }

    private static Func<ProximityItem, bool> Exclude(Func<ProximityItem, bool>? filter, string id) =>
        filter is null
            ? item => !string.Equals(item.Id, id, StringComparison.Ordinal)
            : item => !string.Equals(item.Id, id, StringComparison.Ordinal) && filter(item);

    private void CollectWithin(Origin query, double radius, double originUncertaintyMeters, Func<ProximityItem, bool>? filter, List<(int Index, double Distance)> found)
    {
        if (query.IsEmpty)
        {
            return;
        }

        var reach = radius + originUncertaintyMeters + MaxUncertaintyMeters + Slack;
        var parts = GeodesicEnvelope.SplitAtAntimeridian(GeodesicEnvelope.Expand(query.Envelope, reach));
        var candidates = Scratch.RentCandidates();
        try
        {
            foreach (var part in parts)
            {
                _tree.Search(part.MinX, part.MinY, part.MaxX, part.MaxY, candidates);
            }

            if (parts.Count > 1)
            {
                var distinct = candidates.Distinct().ToList();
                candidates.Clear();
                candidates.AddRange(distinct);
            }

            // Each run of candidates writes its hits into its own slots of `found`, made as long as the candidates,
            // then the runs are closed up in candidate order, so the result does not depend on the scheduling. A
            // large answer (a radius of a few kilometres in a dense city meets tens of thousands of candidates) is
            // screened and measured on every core (InBlocks).
            var first = found.Count;
            var n = candidates.Count;
            CollectionsMarshal.SetCount(found, first + n);
            var hitsPerRun = new int[Math.Max(1, (n + ParallelRunLength - 1) / ParallelRunLength)];
            InBlocks(n, (start, end) =>
            {
                var slots = CollectionsMarshal.AsSpan(found).Slice(first + start, end - start);
                hitsPerRun[start / ParallelRunLength] = Filter(query, radius, originUncertaintyMeters, reach, filter, candidates, start, end, slots);
            });

            var all = CollectionsMarshal.AsSpan(found);
            var count = first + hitsPerRun[0];
            for (var run = 1; run < hitsPerRun.Length; run++)
            {
                all.Slice(first + (run * ParallelRunLength), hitsPerRun[run]).CopyTo(all[count..]);
                count += hitsPerRun[run];
            }

            CollectionsMarshal.SetCount(found, count);
        }
        finally
        {
            Scratch.Return(candidates);
        }
    }

    // Screens and measures candidates[start..end), writing the hits to `hits` (as long as the run); returns their number.
    private int Filter(Origin query, double radius, double originUncertaintyMeters, double reach, Func<ProximityItem, bool>? filter, List<int> candidates, int start, int end, Span<(int Index, double Distance)> hits)
    {
        var count = 0;
        // Candidates of a point origin are screened before any distance is computed. A point target by its straight
        // chord from the origin, which is never longer than the geodesic (and the kernel is within Slack of the
        // geodesic): a fifth of the candidates lie in the query box but outside the circle. A shape by the bound of
        // LocalDistanceBound on its geodesic box, which is leaf i of the tree since items are numbered in the tree's
        // order.
        var pointOrigin = query.Shape is null;
        var bound = pointOrigin ? new LocalDistanceBound(query.Lon, query.Lat, reach) : default;
        double qx = query.X, qy = query.Y, qz = query.Z;
        var ecef = _ecef;
        foreach (var i in CollectionsMarshal.AsSpan(candidates)[start..end])
        {
            var cutoff = radius + originUncertaintyMeters + _uncertainty[i];
            if (pointOrigin)
            {
                if (_shapes[i] is null)
                {
                    double dx = ecef[3 * i] - qx, dy = ecef[(3 * i) + 1] - qy, dz = ecef[(3 * i) + 2] - qz;
                    var chordLimit = cutoff + Slack;
                    if ((dx * dx) + (dy * dy) + (dz * dz) > chordLimit * chordLimit)
                    {
                        continue;
                    }
                }
                else if (bound.ProvesBoxBeyond(_tree.MinX(i), _tree.MaxX(i), _tree.MinY(i), _tree.MaxY(i), cutoff + Slack))
                {
                    continue;
                }
            }

            if (filter is not null && !filter(_items[i]))
            {
                continue;
            }

            var d = DistanceTo(query, i, cutoff, envelopeBoundChecked: pointOrigin);
            if (d <= cutoff)
            {
                hits[count++] = (i, d);
            }
        }

        return count;
    }

    /// <summary>
    /// Per-thread buffers for the candidate and hit lists of radius queries. A large radius query meets tens of
    /// thousands of candidates: fresh lists of that size land on the large-object heap and bring on full collections
    /// of a heap that holds the whole collection, which lengthen the tail latencies. Rented and returned, so a filter
    /// that itself queries the index on the same thread gets fresh lists rather than the ones in use.
    /// </summary>
    private static class Scratch
    {
        // Lists that grew past this are dropped rather than kept, so one huge query does not pin its buffers forever.
        private const int MaxKept = 1 << 20;

        [ThreadStatic]
        private static List<int>? _candidates;

        [ThreadStatic]
        private static List<(int Index, double Distance)>? _found;

        public static List<int> RentCandidates()
        {
            var list = _candidates ?? new List<int>(256);
            _candidates = null;
            return list;
        }

        public static List<(int Index, double Distance)> RentFound()
        {
            var list = _found ?? new List<(int Index, double Distance)>(256);
            _found = null;
            return list;
        }

        public static void Return(List<int> list)
        {
            list.Clear();
            _candidates = list.Capacity <= MaxKept ? list : null;
        }

        public static void Return(List<(int Index, double Distance)> list)
        {
            list.Clear();
            _found = list.Capacity <= MaxKept ? list : null;
        }
    }

    // Runs body(start, end) over [0, n): at once below ParallelFrom or when every core has a query, else in runs of
    // ParallelRunLength on every core.
    // The calling thread takes part in the loop, so under full load this degrades to the serial loop rather than
    // waiting for the pool; an exception from the body surfaces as itself, as it would from the serial loop.
    private static void InBlocks(int n, Action<int, int> body)
    {
        if (n < ParallelFrom || Volatile.Read(ref _radiusQueriesRunning) >= Environment.ProcessorCount)
        {
            body(0, n);
            return;
        }

        try
        {
            Parallel.For(0, (n + ParallelRunLength - 1) / ParallelRunLength, run => body(run * ParallelRunLength, Math.Min(n, (run + 1) * ParallelRunLength)));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    private RankedHits Rank(List<(int Index, double Distance)> found, double radius, double originUncertaintyMeters)
    {
        // Items, distances and uncertainties gathered in the order the hits were found, which is the items' order in
        // memory, so the arrays of the whole collection are read as a stream (gathered in ranked order they were read
        // at random, cache misses per hit); the positions then ordered by distance (DistanceSort), each run of exactly equal
        // distances put in ordinal id order (only ties read the ids), and the answer written in that order from the
        // gathered arrays, which are small enough to stay in cache.
        var n = found.Count;
        var items = ArrayPool<ProximityItem>.Shared.Rent(n);
        var slacks = ArrayPool<double>.Shared.Rent(n);
        var distances = ArrayPool<double>.Shared.Rent(n);
        var order = ArrayPool<int>.Shared.Rent(n);
        try
        {
            InBlocks(n, (start, end) =>
            {
                for (var j = start; j < end; j++)
                {
                    var (index, d) = found[j];
                    items[j] = _items[index];
                    slacks[j] = originUncertaintyMeters + _uncertainty[index];
                    distances[j] = d;
                }
            });

            DistanceSort.Sort(distances.AsSpan(0, n), order.AsSpan(0, n));
            var positions = order.AsSpan(0, n);
            for (var start = 0; start < n;)
            {
                var end = start + 1;
                while (end < n && distances[positions[end]] == distances[positions[start]])
                {
                    end++;
                }

                if (end - start > 1)
                {
                    positions[start..end].Sort((a, b) => string.CompareOrdinal(items[a].Id, items[b].Id));
                }

                start = end;
            }

            var entries = new ChunkedList<(ProximityItem Item, double Distance, double Slack)>(n);
            InBlocks(n, (start, end) =>
            {
                for (var r = start; r < end; r++)
                {
                    var j = order[r];
                    entries[r] = (items[j], distances[j], slacks[j]);
                }
            });

            return new RankedHits(entries, radius);
        }
        finally
        {
            Array.Clear(items, 0, n);
            ArrayPool<ProximityItem>.Shared.Return(items);
            ArrayPool<double>.Shared.Return(slacks);
            ArrayPool<double>.Shared.Return(distances);
            ArrayPool<int>.Shared.Return(order);
        }
    }

    private ProximityHit MakeHit(int index, int rank, double d, double originUncertaintyMeters, double radius) =>
        Hit(_items[index], rank, d, originUncertaintyMeters + _uncertainty[index], radius);

    // A hit at distance d whose uncertainties add up to `slack`: certain when its far end is within the radius.
    internal static ProximityHit Hit(ProximityItem item, int rank, double d, double slack, double radius)
    {
        var upper = d + slack;
        return new ProximityHit(item, rank, d, Math.Max(0, d - slack), upper, upper <= radius ? ProximityCertainty.Certain : ProximityCertainty.Possible);
    }

    // envelopeBoundChecked: a point origin's radius query has already tested this shape's box (its tree leaf) with
    // LocalDistanceBound, as tight as the envelope bound to within 2e-4 of the distance, so that is not repeated.
    internal double DistanceTo(Origin query, int i, double cutoff, bool envelopeBoundChecked = false)
    {
        var shape = _shapes[i];
        if (query.Shape is null)
        {
            if (shape is null)
            {
                // The short-line kernel within its reach (within ShortGeodesic.ErrorBoundMeters of Karney's), the
                // inverse problem beyond; whichever answers, that number alone decides membership.
                var d = ShortGeodesic.Distance(query.X, query.Y, query.Z, _ecef[3 * i], _ecef[(3 * i) + 1], _ecef[(3 * i) + 2]);
                if (double.IsNaN(d))
                {
                    d = Geodesic.DistanceMeters(query.Lon, query.Lat, _lon[i], _lat[i]);
                }

                return d <= cutoff ? d : double.PositiveInfinity;
            }

            if (_edges.Has(i))
            {
                // A point inside the shape's box (its tree leaf) may lie inside the polygon; only then is the shape
                // itself read. Otherwise the distance is to the edges, read from the index's own stream of them.
                var inBox = query.Lon >= _tree.MinX(i) && query.Lon <= _tree.MaxX(i) && query.Lat >= _tree.MinY(i) && query.Lat <= _tree.MaxY(i);
                var d = inBox && shape.HasArea && shape.ContainsPoint(query.Lon, query.Lat) ? 0 : _edges.DistanceToEdges(i, query.X, query.Y, query.Z);
                if (!double.IsNaN(d))
                {
                    return d <= cutoff ? d : double.PositiveInfinity;
                }
            }

            return GeodesicDistanceOp.PointDistance(query.Lon, query.Lat, query.X, query.Y, query.Z, shape, cutoff, envelopeBoundChecked);
        }

        return shape is null
            ? GeodesicDistanceOp.PointDistance(_lon[i], _lat[i], _ecef[3 * i], _ecef[(3 * i) + 1], _ecef[(3 * i) + 2], query.Shape, cutoff)
            : GeodesicDistanceOp.Distance(query.Shape, shape, cutoff);
    }

    private readonly record struct QueueKey(double Distance, int Kind, int Item);

    private sealed class QueueKeyComparer(ProximityItem[] items) : IComparer<QueueKey>
    {
        public int Compare(QueueKey x, QueueKey y)
        {
            var c = x.Distance.CompareTo(y.Distance);
            if (c != 0)
            {
                return c;
            }

            // Unresolved boxes before resolved items at the same distance, so an equally near item with a
            // smaller id still inside a box is found before the tie is settled; resolved items by ordinal id.
            c = x.Kind.CompareTo(y.Kind);
            return c != 0 || x.Kind == 0 ? c : string.CompareOrdinal(items[x.Item].Id, items[y.Item].Id);
        }
    }

    private List<ProximityHit> NearestCore(Origin query, int k, double originUncertaintyMeters, double maxMeters, Func<ProximityItem, bool>? filter, string? excludeId)
    {
        var hits = new List<ProximityHit>(Math.Min(k, 64));
        if (k == 0 || query.IsEmpty || _items.Length == 0)
        {
            return hits;
        }

        var reach = maxMeters + originUncertaintyMeters + MaxUncertaintyMeters + Slack;
        var env = query.Envelope;
        var queue = new PriorityQueue<int, QueueKey>(new QueueKeyComparer(_items));
        queue.Enqueue(_tree.Root, new QueueKey(BoxBound(env, _tree.Root), 0, 0));
        while (queue.TryDequeue(out var position, out var key))
        {
            if (key.Distance > reach)
            {
                break;
            }

            if (key.Kind == 1)
            {
                hits.Add(MakeHit(key.Item, hits.Count + 1, key.Distance, originUncertaintyMeters, maxMeters));
                if (hits.Count == k)
                {
                    break;
                }

                continue;
            }

            if (_tree.IsLeaf(position))
            {
                var i = _tree.ItemAt(position);
                var item = _items[i];
                if ((filter is not null && !filter(item)) || (excludeId is not null && string.Equals(item.Id, excludeId, StringComparison.Ordinal)))
                {
                    continue;
                }

                var cutoff = maxMeters + originUncertaintyMeters + item.LocationUncertaintyMeters;
                var d = DistanceTo(query, i, cutoff);
                if (d <= cutoff)
                {
                    queue.Enqueue(-1, new QueueKey(d, 1, i));
                }

                continue;
            }

            var (start, end) = _tree.Children(position);
            for (var c = start; c < end; c++)
            {
                var bound = BoxBound(env, c);
                if (bound <= reach)
                {
                    queue.Enqueue(c, new QueueKey(bound, 0, 0));
                }
            }
        }

        return hits;
    }

    private double BoxBound(Envelope env, int position) =>
        GeodesicEnvelope.LowerBoundMeters(env.MinX, env.MaxX, env.MinY, env.MaxY, _tree.MinX(position), _tree.MaxX(position), _tree.MinY(position), _tree.MaxY(position));

    /// <summary>The query origin: a bare point (the common case, no allocation) or a prepared shape.</summary>
    internal sealed class Origin
    {
        public Origin(Geometry geometry)
        {
            ArgumentNullException.ThrowIfNull(geometry);
            if (geometry is Point point)
            {
                IsEmpty = point.IsEmpty;
                Lon = point.X;
                Lat = point.Y;
                Envelope = IsEmpty ? new Envelope() : new Envelope(Lon, Lon, Lat, Lat);
                if (!IsEmpty)
                {
                    ShortGeodesic.ToEcef(Lon, Lat, out var x, out var y, out var z);
                    (X, Y, Z) = (x, y, z);
                }
            }
            else
            {
                Shape = GeodesicShape.Create(geometry);
                IsEmpty = Shape.IsEmpty;
                Envelope = Shape.Envelope;
            }
        }

        public GeodesicShape? Shape { get; }

        public double Lon { get; }

        public double Lat { get; }

        /// <summary>The point's earth-centred coordinates (for <see cref="ShortGeodesic"/>).</summary>
        public double X { get; }

        public double Y { get; }

        public double Z { get; }

        public bool IsEmpty { get; }

        public Envelope Envelope { get; }
    }
}

/// <summary>One target of <see cref="ProximityIndex.VisitWithin"/>.</summary>
/// <param name="position">The target's position in the index (<see cref="ProximityIndex.ItemAt"/>).</param>
/// <param name="distanceMeters">Geodesic distance between the geometries, as <see cref="ProximityHit.DistanceMeters"/>.</param>
/// <param name="slackMeters">Origin plus target uncertainty: the true distance lies in [max(0, d − slack), d + slack].</param>
public delegate void ProximityVisitor(int position, double distanceMeters, double slackMeters);
