using System.Collections;

namespace ClusterMap.Core.Proximity;

/// <summary>
/// The answer of a radius query in rank order: for each hit only its item, distance and summed uncertainty are
/// stored, and the <see cref="ProximityHit"/> (rank, distance interval, certainty, all functions of those and the
/// radius) is made when it is read.
/// </summary>
/// <remarks>
/// A large radius answer holds tens of thousands of hits. Stored whole, at 48 bytes each, they would make a megabyte
/// of garbage per query and a young-generation collection every few queries, which lengthens the tail latencies;
/// this keeps half of that, in chunks that stay off the large-object heap (<see cref="ChunkedList{T}"/>).
/// The uncertainty is stored rather than read from the item when the hit is read: the items lie all over the heap,
/// and reading each one's field would be a cache miss per hit.
/// </remarks>
internal sealed class RankedHits(ChunkedList<(ProximityItem Item, double Distance, double Slack)> entries, double radiusMeters)
    : IReadOnlyList<ProximityHit>
{
    public int Count => entries.Count;

    public ProximityHit this[int index]
    {
        get
        {
            var (item, distance, slack) = entries[index];
            return ProximityIndex.Hit(item, index + 1, distance, slack, radiusMeters);
        }
    }

    public IEnumerator<ProximityHit> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
