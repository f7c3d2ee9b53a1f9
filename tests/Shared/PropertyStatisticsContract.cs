using System.Globalization;
using System.Reflection;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using NetTopologySuite.Geometries;

namespace ClusterMap.Tests.Shared;

/// <summary>
/// The store's own count of property statistics (<see cref="IPropertyStatisticsReader"/>), written once for every
/// store: on generated collections (every JSON type mixed, dates, timestamps with every offset and fraction, invalid
/// and escaped instants, nulls, nested values, Chinese text, few and many distinct values, declared and undeclared
/// temporal properties) the store must count what <see cref="PropertyStatistics.Of"/> counts from the same features read
/// back, and the queryables built from its counts must equal <see cref="CollectionQueryables.Of(CollectionDefinition, IReadOnlyList{FeatureRecord})"/>.
/// </summary>
public abstract class PropertyStatisticsContract
{
    /// <summary>A store holding <see cref="PropertyStatisticsCases.Imports"/>.</summary>
    protected abstract IFeatureStore Store { get; }

    /// <summary>Runs SQL on the store's database behind its back.</summary>
    protected abstract Task ExecuteAsync(string sql);

    // The collection with an escaped NUL is left to the caller (its own test).
    public static TheoryData<string> Collections() => [.. PropertyStatisticsCases.Imports().Select(i => i.Definition.Id).Where(id => id is not PropertyStatisticsCases.Nul and not PropertyStatisticsCases.Kept)];

    [Theory]
    [MemberData(nameof(Collections), MemberType = typeof(PropertyStatisticsContract))]
    public async Task Statistics_EqualWhatTheFeaturesCount(string collectionId)
    {
        var features = await Store.GetAllItemsAsync(collectionId);

        var counted = await ((IPropertyStatisticsReader)Store).GetPropertyStatisticsAsync(collectionId);

        Assert.NotNull(counted);
        Assert.Equal(Describe(PropertyStatistics.Of(features)), Describe(counted));
    }

    [Theory]
    [MemberData(nameof(Collections), MemberType = typeof(PropertyStatisticsContract))]
    public async Task Queryables_FromTheStoresCounts_EqualTheQueryablesOfAllFeatures(string collectionId)
    {
        var collection = (await Store.GetCollectionAsync(collectionId))!;
        var expected = CollectionQueryables.Of(collection.Definition, await Store.GetAllItemsAsync(collectionId));

        var actual = await new CollectionQueryablesCache(WithoutAllItems(Store)).GetAsync(collection);

        Assert.Equal(Describe(expected), Describe(actual));
    }

    [Fact]
    public async Task Statistics_OfEdgeInstants_SeeDatesTimestampsAndTextAlike()
    {
        // The edge set must hold all three readings, or agreeing on it would prove little.
        var counted = (await ((IPropertyStatisticsReader)Store).GetPropertyStatisticsAsync(PropertyStatisticsCases.Instants))!;
        var types = counted.SelectMany(s => s.Votes.Keys).ToHashSet();

        Assert.Superset(new HashSet<Cql2PropertyType> { Cql2PropertyType.Date, Cql2PropertyType.Timestamp, Cql2PropertyType.String }, types);
        Assert.True(counted.Count(s => s.Votes.ContainsKey(Cql2PropertyType.String)) > 1000);
        Assert.True(counted.Count(s => s.Instants is not null) > 1000);
    }

    [Fact]
    public async Task Statistics_OfAnEscapedNul_AreLeftToTheCaller_WhoseQueryablesStillAgree()
    {
        var collection = (await Store.GetCollectionAsync(PropertyStatisticsCases.Nul))!;
        var expected = CollectionQueryables.Of(collection.Definition, await Store.GetAllItemsAsync(collection.Id));

        Assert.Null(await ((IPropertyStatisticsReader)Store).GetPropertyStatisticsAsync(collection.Id));
        Assert.Equal(Describe(expected), Describe(await new CollectionQueryablesCache(Store).GetAsync(collection)));
    }

    [Fact]
    public async Task Statistics_AreKeptWithTheCollection_UntilItChanges()
    {
        var reader = (IPropertyStatisticsReader)Store;
        var counted = Describe((await reader.GetPropertyStatisticsAsync(PropertyStatisticsCases.Kept))!);

        // Features changed behind the store's back leave the collection's stamp as it was: the kept answer is read.
        await ExecuteAsync($"UPDATE features SET properties = '{{\"other\":\"2024-05-06\"}}' WHERE collection_id = '{PropertyStatisticsCases.Kept}'");
        Assert.Equal(counted, Describe((await reader.GetPropertyStatisticsAsync(PropertyStatisticsCases.Kept))!));

        // A write through the store moves the stamp on: the collection is counted again, all of it.
        await Store.WriteFeaturesAsync(PropertyStatisticsCases.Kept, [new FeatureRecord("k9", new Point(121.5, 31.2), """{"sector":"新材料"}""")], FeatureWriteMode.Upsert);
        var recounted = Describe((await reader.GetPropertyStatisticsAsync(PropertyStatisticsCases.Kept))!);

        Assert.Equal(Describe(PropertyStatistics.Of(await Store.GetAllItemsAsync(PropertyStatisticsCases.Kept))), recounted);
        Assert.Contains(recounted, line => line.StartsWith("\"other\" Date=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cache_OfAStoreThatCounts_NeverReadsAllItems()
    {
        var collection = (await Store.GetCollectionAsync(PropertyStatisticsCases.Declared))!;

        // The same spy without the capability must read every item: the spy is what would catch a regression.
        await Assert.ThrowsAsync<InvalidOperationException>(() => new CollectionQueryablesCache(WithoutAllItems(Store, counts: false)).GetAsync(collection));
        var queryables = await new CollectionQueryablesCache(WithoutAllItems(Store)).GetAsync(collection);

        Assert.Equal("updated", queryables.TemporalProperty);
    }

    /// <summary>The queryables as a client sees them: the JSON Schema, the names, the temporal property and its extent.</summary>
    public static string[] Describe(CollectionQueryables queryables)
    {
        ArgumentNullException.ThrowIfNull(queryables);
        return
        [
            QueryablesSchema.ToJsonSchema(queryables.Properties, "urn:test", "test", queryables.TemporalProperty),
            string.Join(",", queryables.PropertyNames.Order(StringComparer.Ordinal)),
            queryables.TemporalProperty ?? "(none)",
            queryables.TemporalExtent is { } e ? $"{e.Start.UtcTicks}..{e.End.UtcTicks}" : "(none)",
        ];
    }

    /// <summary>One line per property: its votes, its few texts (escaped) and its instants as UTC ticks.</summary>
    public static List<string> Describe(IEnumerable<PropertyStatistics> statistics) =>
    [
        .. statistics.Select(s => string.Create(CultureInfo.InvariantCulture,
            $"{JsonSerializer.Serialize(s.Name)} {string.Join(",", s.Votes.Where(v => v.Value > 0).OrderBy(v => v.Key).Select(v => $"{v.Key}={v.Value}"))} "
            + $"texts={(s.Texts is null ? "many" : JsonSerializer.Serialize(s.Texts))} instants={(s.Instants is { } i ? $"{i.Start.UtcTicks}..{i.End.UtcTicks}" : "none")}")),
    ];

    /// <summary>The store behind a proxy whose <see cref="IFeatureStore.GetAllItemsAsync"/> throws; <paramref name="counts"/> keeps its statistics.</summary>
    public static IFeatureStore WithoutAllItems(IFeatureStore store, bool counts = true)
    {
        var proxy = counts ? DispatchProxy.Create<ICountingStore, NoAllItems>() : DispatchProxy.Create<IFeatureStore, NoAllItems>();
        ((NoAllItems)(object)proxy).Inner = store;
        return proxy;
    }

    public interface ICountingStore : IFeatureStore, IPropertyStatisticsReader;

    public class NoAllItems : DispatchProxy
    {
        public object Inner { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.Name == nameof(IFeatureStore.GetAllItemsAsync)
                ? throw new InvalidOperationException("The cache read every item of the collection.")
                : targetMethod.Invoke(Inner, args);
    }
}

/// <summary>The generated collections of <see cref="PropertyStatisticsContract"/>.</summary>
public static class PropertyStatisticsCases
{
    public const string Declared = "declared";
    public const string OneCandidate = "one-candidate";
    public const string TwoCandidates = "two-candidates";
    public const string Instants = "instants";
    public const string Nul = "nul";
    public const string Kept = "kept";

    private static readonly Point _point = new(121.47, 31.23);

    private static readonly string[] _sectors = ["集成电路", "生物医药", "人工智能", "新能源汽车", "航空航天", "高端装备", "新材料", "数字经济"];

    public static IReadOnlyList<CollectionImport> Imports() =>
    [
        Import(Declared, """{"temporal_property":"updated"}""", Mixed(700, seed: 1, secondTemporal: true)),
        Import(OneCandidate, "{}", Mixed(400, seed: 2, secondTemporal: false)),
        Import(TwoCandidates, """{"temporal_property":"sector"}""", Mixed(300, seed: 3, secondTemporal: true)),
        Import("empty", "{}", []),
        Import(Instants, "{}", [.. EdgeInstants().Select((text, i) => Feature($"e{i}", new Dictionary<string, object?> { [$"p{i:D5}"] = text }))]),
        Import(Kept, "{}", Mixed(20, seed: 4, secondTemporal: false)),
        Import(Nul, "{}", [new FeatureRecord("n1", _point, """{"name":"a\u0000b","when":"2020-01-01"}"""), new FeatureRecord("n2", _point, """{"name":"c"}""")]),
    ];

    /// <summary>Strings on both sides of every rule of <see cref="Rfc3339.TryParse"/>, and random mutations of them.</summary>
    public static List<string> EdgeInstants()
    {
        var texts = new List<string>();
        foreach (var year in new[] { "0000", "0001", "1900", "2000", "2023", "2024", "9999" })
        {
            foreach (var month in new[] { "00", "01", "02", "04", "12", "13" })
            {
                foreach (var day in new[] { "00", "01", "28", "29", "30", "31", "32" })
                {
                    texts.Add($"{year}-{month}-{day}");
                }
            }
        }

        foreach (var date in new[] { "0001-01-01", "2024-02-29", "2023-02-29", "9999-12-31", "2020-06-15" })
        {
            foreach (var separator in new[] { "T", "t", " ", "x" })
            {
                foreach (var time in new[] { "00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60", "7:00:00" })
                {
                    foreach (var fraction in new[] { "", ".", ".5", ".123", ".1234567", ".123456789012", ".9999999" })
                    {
                        foreach (var zone in new[] { "Z", "z", "+00:00", "-00:00", "+08:00", "-05:30", "+14:00", "-14:00", "+14:01", "-14:01", "+15:00", "+23:59", "+24:00", "+08:60", "+0800", "", " Z", "Z " })
                        {
                            texts.Add(date + separator + time + fraction + zone);
                        }
                    }
                }
            }
        }

        var random = new Random(11);
        const string Alphabet = "0123456789-:.TtZz+ ５٣a";
        var valid = texts.Where(t => Rfc3339.TryParse(t, out _, out _)).ToList();
        for (var i = 0; i < 3000; i++)
        {
            var chars = valid[random.Next(valid.Count)].ToCharArray();
            chars[random.Next(chars.Length)] = Alphabet[random.Next(Alphabet.Length)];
            texts.Add(random.Next(10) == 0 ? new string(chars) + Alphabet[random.Next(Alphabet.Length)] : new string(chars));
        }

        return texts;
    }

    private static CollectionImport Import(string id, string metadata, List<FeatureRecord> features) =>
        new(new CollectionDefinition(id, id, "Generated for the property statistics tests.", MetadataJson: metadata), features);

    private static FeatureRecord Feature(string id, Dictionary<string, object?> properties) =>
        new(id, _point, JsonSerializer.Serialize(properties, _json));

    private static readonly JsonSerializerOptions _json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Each property mixes JSON types in its own proportions, so that each rule of the majority, the enum and the
    // temporal choice is met on some property; values are drawn from a fixed seed.
    private static List<FeatureRecord> Mixed(int count, int seed, bool secondTemporal)
    {
        var random = new Random(seed);
        var features = new List<FeatureRecord>();
        var instants = EdgeInstants().Where(t => Rfc3339.TryParse(t, out _, out var isDate) && !isDate).ToList();
        for (var i = 0; i < count; i++)
        {
            T Pick<T>(params T[] values) => values[random.Next(values.Length)];
            var p = new Dictionary<string, object?>
            {
                ["sector"] = random.Next(10) == 0 ? null : Pick(_sectors),
                ["name"] = $"园区 {i} 号",
                ["founded"] = random.Next(12) switch
                {
                    0 => "2021-02-30",
                    1 => null,
                    2 => "1992-6-1",
                    _ => new DateTime(1990, 1, 1).AddDays(random.Next(12000)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                },
                ["updated"] = random.Next(20) == 0 ? "not yet" : Pick([.. instants]),
                ["area_km2"] = random.Next(3) == 0 ? random.Next(100) : Math.Round(random.NextDouble() * 100, 3),
                ["floors"] = random.Next(5) == 0 ? "four" : random.Next(40),
                ["open"] = random.Next(4) == 0 ? Pick<object>("yes", "no") : random.Next(2) == 0,
                ["tie"] = i % 2 == 0 ? "a" : true,
                ["tags"] = new[] { Pick(_sectors), "园区" },
                ["meta"] = new Dictionary<string, object> { ["level"] = random.Next(3), ["since"] = "2020-01-01" },
                ["nothing"] = null,
                ["geometry"] = "shadowed",
                ["few_and_dates"] = random.Next(3) == 0 ? "2020-01-01" : Pick("甲", "乙", "丙"),
                ["twelve"] = $"v{i % 12:D2}",
                ["thirteen"] = $"v{i % 13:D2}",
            };
            if (random.Next(6) == 0)
            {
                p.Remove("sector");
            }

            if (secondTemporal)
            {
                p["visited"] = random.Next(2) == 0 ? "2019-03-01" : "2019-03-01T10:00:00.5+08:00";
            }
            else
            {
                p.Remove("founded");
            }

            var json = JsonSerializer.Serialize(p, _json);
            // Numbers as JSON writes them beyond what a double prints, and an instant behind escapes.
            json = json[..^1] + Pick(
                ""","big":9223372036854775808""", ""","big":-9223372036854775808""", ""","big":9223372036854775807""", ""","big":-0""",
                ""","big":1E2""", ""","big":1.0""", ""","big":100000000000000000000000000""", ""","big":12""") + Pick(
                ""","escaped":"2020-01-01T00:00:00\u005a" """, ""","escaped":"\u0041BC" """, ""","escaped":"ABC" """, ""","escaped":"２０２０-01-01" """) + "}";
            features.Add(new FeatureRecord($"f{i}", _point, json));
        }

        return features;
    }
}
