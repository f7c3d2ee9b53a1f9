using System.Buffers;

namespace ClusterMap.Core.Proximity;

/// <summary>
/// Orders hits by distance: the positions 0 … n − 1 of a list of non-negative distances, sorted so that their
/// distances ascend. Positions of exactly equal distances come out in an unspecified order (the caller ranks those
/// ties by id).
/// </summary>
/// <remarks>
/// <para>
/// Each distance is first narrowed to a 32-bit float, which keeps the order (rounding to nearest never reverses two
/// numbers, and the bits of non-negative floats order as the numbers do) but can merge close ones, and packed with
/// its position into one 64-bit key, float bits above. Those keys are sorted by their upper half with a
/// least-significant-digit radix sort over three 11-bit digits, skipping a digit every key shares, and each run of keys whose
/// floats are equal (distances within a relative 6e-8, a handful in 20,000 hits) is then put in order of the exact
/// distances.
/// </para>
/// <para>
/// Why: a large radius answer ranks tens of thousands of hits. A comparison sort pays a mispredicted branch on about
/// every comparison, since comparing random distances is a coin toss for the branch predictor; a radix sort of the
/// doubles that moves keys and items in separate arrays touches twice the memory per pass. Three passes over one
/// array of packed keys move the least. Short lists are sorted by the runtime's sort of the same packed keys.
/// </para>
/// </remarks>
internal static class DistanceSort
{
    private const int RadixFrom = 512;

    /// <summary>
    /// Fills <paramref name="order"/> with the positions of <paramref name="distances"/> in ascending order of
    /// distance. Every distance must be zero or positive (no NaN); at most <see cref="int.MaxValue"/> of them.
    /// </summary>
    public static void Sort(ReadOnlySpan<double> distances, Span<int> order)
    {
        if (distances.Length != order.Length)
        {
            throw new ArgumentException("Distances and order must have the same length.", nameof(order));
        }

        var n = distances.Length;
        var buffer = ArrayPool<ulong>.Shared.Rent(n);
        var spare = n >= RadixFrom ? ArrayPool<ulong>.Shared.Rent(n) : null;
        try
        {
            var keys = buffer.AsSpan(0, n);
            for (var i = 0; i < n; i++)
            {
                // Adding +0 turns a −0, whose sign bit would sort it after every other key, into +0.
                var narrowed = (float)(distances[i] + 0.0);
                keys[i] = ((ulong)BitConverter.SingleToUInt32Bits(narrowed) << 32) | (uint)i;
            }

            if (spare is null)
            {
                keys.Sort();
            }
            else
            {
                keys = RadixSortUpperHalf(keys, spare.AsSpan(0, n));
            }

            for (var i = 0; i < n; i++)
            {
                order[i] = (int)(uint)keys[i];
            }

            // Runs of equal floats: put in order of their exact distances (insertion sort; the runs are short).
            for (var start = 0; start < n;)
            {
                var end = start + 1;
                while (end < n && keys[end] >> 32 == keys[start] >> 32)
                {
                    end++;
                }

                for (var i = start + 1; i < end; i++)
                {
                    var position = order[i];
                    var j = i - 1;
                    while (j >= start && distances[order[j]] > distances[position])
                    {
                        order[j + 1] = order[j];
                        j--;
                    }

                    order[j + 1] = position;
                }

                start = end;
            }
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(buffer);
            if (spare is not null)
            {
                ArrayPool<ulong>.Shared.Return(spare);
            }
        }
    }

    // Sorts the keys by their upper 32 bits (stable LSD radix over three digits of 11, 11 and 10 bits); returns
    // whichever of the two buffers holds the result.
    private static Span<ulong> RadixSortUpperHalf(Span<ulong> keys, Span<ulong> spare)
    {
        const int digitBits = 11;
        const int buckets = 1 << digitBits;
        const int mask = buckets - 1;
        var n = keys.Length;
        Span<int> counts = stackalloc int[3 * buckets];
        counts.Clear();
        foreach (var key in keys)
        {
            var upper = (uint)(key >> 32);
            counts[(int)(upper & mask)]++;
            counts[buckets + (int)((upper >> digitBits) & mask)]++;
            counts[(2 * buckets) + (int)(upper >> (2 * digitBits))]++;
        }

        Span<int> offsets = stackalloc int[buckets];
        Span<ulong> source = keys, target = spare;
        for (var digit = 0; digit < 3; digit++)
        {
            var histogram = counts.Slice(digit * buckets, buckets);
            var shift = 32 + (digitBits * digit);
            if (histogram[(int)((source[0] >> shift) & mask)] == n)
            {
                continue; // every key has this digit: the pass would not move anything
            }

            var sum = 0;
            for (var d = 0; d < buckets; d++)
            {
                offsets[d] = sum;
                sum += histogram[d];
            }

            foreach (var key in source)
            {
                target[offsets[(int)((key >> shift) & mask)]++] = key;
            }

            var swap = source;
            source = target;
            target = swap;
        }

        return source;
    }
}
