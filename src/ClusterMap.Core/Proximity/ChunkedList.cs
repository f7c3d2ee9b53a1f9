using System.Collections;

namespace ClusterMap.Core.Proximity;

/// <summary>
/// A read-only list filled once, stored in chunks small enough to stay off the large-object heap.
/// </summary>
/// <remarks>
/// A large radius answer (tens of thousands of hits) is a megabyte as one array. Arrays over 85 kB go to the
/// large-object heap, which is collected only with the whole heap: with an index of a million features alive that
/// is rare, so every such answer would take fresh pages from the kernel (a page fault and a zeroed page per 4 kB). Chunks of 1,024 entries are ordinary young objects, reused by the next collection.
/// </remarks>
internal sealed class ChunkedList<T> : IReadOnlyList<T>
{
    private const int ChunkBits = 10;
    private const int ChunkSize = 1 << ChunkBits;

    private readonly T[][] _chunks;

    public ChunkedList(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count = count;
        _chunks = new T[(count + ChunkSize - 1) >> ChunkBits][];
        for (var c = 0; c < _chunks.Length; c++)
        {
            _chunks[c] = new T[Math.Min(ChunkSize, count - (c << ChunkBits))];
        }
    }

    public int Count { get; }

    public T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            return _chunks[index >> ChunkBits][index & (ChunkSize - 1)];
        }

        // Only the builder writes, before the list is handed out.
        internal set => _chunks[index >> ChunkBits][index & (ChunkSize - 1)] = value;
    }

    public IEnumerator<T> GetEnumerator()
    {
        foreach (var chunk in _chunks)
        {
            foreach (var item in chunk)
            {
                yield return item;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
