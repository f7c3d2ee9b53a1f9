using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;

namespace ClusterMap.Tests.Shared;

/// <summary>
/// The CQL2 translation's tests, written once for every store: each store's test class says how to run a translated
/// filter on a store filled with <see cref="Cql2BruteForceCases.Features"/>, and every filter of the set must select
/// what the in-memory evaluator selects from the same features.
/// </summary>
public abstract class Cql2TranslationContract
{
    /// <summary>The features the store under test holds.</summary>
    protected abstract IReadOnlyList<FeatureRecord> Features { get; }

    /// <summary>Ids of the features the store selects with <paramref name="filter"/>'s translation.</summary>
    protected abstract Task<List<string>> SelectIdsAsync(Cql2Node filter);

    public static TheoryData<string> Filters() => [.. Cql2BruteForceCases.All().Select(c => c.Label)];

    [Theory]
    [MemberData(nameof(Filters), MemberType = typeof(Cql2TranslationContract))]
    public async Task Filter_SelectsWhatTheInMemoryEvaluatorSelects(string label)
    {
        var filter = Cql2BruteForceCases.All().Single(c => c.Label == label).Filter;
        var expected = Cql2BruteForceCases.BruteForce(filter, Features);

        var actual = await SelectIdsAsync(filter);

        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
        // Every filter of the set selects some features and leaves others: an empty or full answer proves nothing.
        Assert.InRange(expected.Count, 1, Features.Count - 1);
    }
}
