namespace ClusterMap.Core.Analysis;

/// <summary>
/// For every node of an institution collection's R-tree, its kept institutions counted by the classes a research-base
/// band needs, per uncertainty class: their number, per tier, with unknown disciplines, and fitting each distinct
/// sector of the fit table; and the smallest and largest uncertainty of each class in the node. A radius count then
/// takes a node whose every institution of a class falls in the same bands (certain, possible and estimated alike)
/// from these counts, without a distance each, and measures only the institutions of nodes that straddle a band's
/// edge.
/// </summary>
/// <remarks>
/// The uncertainty classes are the distinct uncertainties of the kept institutions when there are at most
/// <see cref="MaxClasses"/> (the shipped and generated data have four or five), otherwise eight ranges of them. Within a
/// class the certain and possible edges of a band lie at one distance (a range's width when ranges), so the straddling
/// nodes are those a band's edge crosses, not those of a ring as wide as the spread of all uncertainties.
/// </remarks>
internal sealed class ResearchBaseNodeCounts
{
    /// <summary>The most uncertainty classes kept per node.</summary>
    internal const int MaxClasses = 8;

    /// <summary>Not kept by the filter: no class.</summary>
    internal const byte NoClass = byte.MaxValue;

    private readonly int[] _counts;
    private readonly double[] _minUncertainty;
    private readonly double[] _maxUncertainty;

    public ResearchBaseNodeCounts(InstitutionSource source, SectorFitTable fit)
    {
        Fit = fit;
        var index = source.Index;
        var tree = index.Tree;
        var n = tree.NumItems;
        var tierCount = InstitutionTiers.All.Count;
        SectorMasks = [.. fit.Sectors.Select(s => fit.TryGetSector(s, out var mask) ? mask : (ushort)0).Distinct()];
        Stride = tierCount + 2 + SectorMasks.Length;

        var distinct = Enumerable.Range(0, n).Where(source.IsKept).Select(index.UncertaintyAt).Distinct().Order().ToArray();
        var bounds = distinct.Length <= MaxClasses ? distinct : [.. Enumerable.Range(0, MaxClasses).Select(j => distinct[j * distinct.Length / MaxClasses])];
        Classes = Math.Max(1, bounds.Length);
        ClassUncertainties = distinct.Length is > 0 and <= MaxClasses ? distinct : null;
        MaxUncertaintyMeters = distinct.Length == 0 ? 0 : distinct[^1];
        ItemClass = new byte[n];
        for (var i = 0; i < n; i++)
        {
            if (!source.IsKept(i))
            {
                ItemClass[i] = NoClass;
                continue;
            }

            var k = Array.BinarySearch(bounds, index.UncertaintyAt(i));
            ItemClass[i] = (byte)(k >= 0 ? k : ~k - 1);
        }

        FirstNode = n;
        var nodes = n == 0 ? 0 : tree.Root + 1 - n;
        _counts = new int[nodes * (Classes + 1) * Stride];
        _minUncertainty = new double[nodes * (Classes + 1)];
        _maxUncertainty = new double[nodes * (Classes + 1)];
        Array.Fill(_minUncertainty, double.PositiveInfinity);
        Array.Fill(_maxUncertainty, double.NegativeInfinity);

        // Children always sit at lower positions than their node, so one pass up the positions sums every level.
        for (var node = n; node < n + nodes; node++)
        {
            var (start, end) = tree.Children(node);
            for (var c = start; c < end; c++)
            {
                if (tree.IsLeaf(c))
                {
                    var i = tree.ItemAt(c);
                    var k = ItemClass[i];
                    if (k == NoClass)
                    {
                        continue;
                    }

                    foreach (var into in (ReadOnlySpan<int>)[k, Classes])
                    {
                        var block = Block(node, into);
                        block[0]++;
                        block[1 + (int)source.Tiers[i]]++;
                        var disciplines = source.Disciplines[i];
                        if (disciplines == 0)
                        {
                            block[1 + tierCount]++;
                        }
                        else
                        {
                            for (var s = 0; s < SectorMasks.Length; s++)
                            {
                                block[2 + tierCount + s] += (disciplines & SectorMasks[s]) != 0 ? 1 : 0;
                            }
                        }

                        Widen(node, into, index.UncertaintyAt(i), index.UncertaintyAt(i));
                    }

                    continue;
                }

                for (var k = 0; k <= Classes; k++)
                {
                    var child = Block(c, k);
                    if (child[0] == 0)
                    {
                        continue;
                    }

                    var block = Block(node, k);
                    for (var j = 0; j < Stride; j++)
                    {
                        block[j] += child[j];
                    }

                    var at = ((c - FirstNode) * (Classes + 1)) + k;
                    Widen(node, k, _minUncertainty[at], _maxUncertainty[at]);
                }
            }
        }
    }

    /// <summary>The fit table whose sectors <see cref="SectorMasks"/> lists.</summary>
    public SectorFitTable Fit { get; }

    /// <summary>The distinct discipline masks of the fit table's sectors; a block's fit counts follow this order.</summary>
    public ushort[] SectorMasks { get; }

    /// <summary>Length of one block: count, one per tier, unknown disciplines, one per sector mask.</summary>
    public int Stride { get; }

    /// <summary>Number of uncertainty classes.</summary>
    public int Classes { get; }

    /// <summary>The position of the first node (the number of items).</summary>
    public int FirstNode { get; }

    /// <summary>Class k's one uncertainty, when every class is a single uncertainty; null when they are ranges.</summary>
    public double[]? ClassUncertainties { get; }

    /// <summary>Largest uncertainty of a kept institution.</summary>
    public double MaxUncertaintyMeters { get; }

    /// <summary>Per item position: its uncertainty class, or <see cref="NoClass"/> when the filter drops it.</summary>
    public byte[] ItemClass { get; }

    /// <summary>
    /// The counts of class <paramref name="k"/> under <paramref name="node"/> (a node position, not a leaf); class
    /// <see cref="Classes"/> is every class together.
    /// </summary>
    public Span<int> Block(int node, int k) => _counts.AsSpan((((node - FirstNode) * (Classes + 1)) + k) * Stride, Stride);

    /// <summary>The smallest and largest uncertainty of class <paramref name="k"/> under <paramref name="node"/> (<see cref="Classes"/>: of all).</summary>
    public (double Min, double Max) Uncertainty(int node, int k)
    {
        var at = ((node - FirstNode) * (Classes + 1)) + k;
        return (_minUncertainty[at], _maxUncertainty[at]);
    }

    /// <summary>The position of <paramref name="mask"/> in <see cref="SectorMasks"/>, or -1.</summary>
    public int SectorSlot(ushort mask) => Array.IndexOf(SectorMasks, mask);

    private void Widen(int node, int k, double min, double max)
    {
        var at = ((node - FirstNode) * (Classes + 1)) + k;
        _minUncertainty[at] = Math.Min(_minUncertainty[at], min);
        _maxUncertainty[at] = Math.Max(_maxUncertainty[at], max);
    }
}
