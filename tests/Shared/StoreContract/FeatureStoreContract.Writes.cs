using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace ClusterMap.Storage.Contract;

/// <summary>
/// Feature writes (insert, upsert, delete) and API keys. Only <see cref="IFeatureStore"/> calls, so every store runs
/// the same cases; each write test checks what the store derives (count, extent, geometry type, queryables, data
/// version) against what the features say, and each failing write checks that nothing changed.
/// </summary>
public abstract partial class FeatureStoreContract
{
    private const string Sites = "sites";

    private static FeatureRecord Feature(string id, string wkt, string properties = "{}") => new(id, new WKTReader().Read(wkt), properties);

    /// <summary>Three points: "a" is the westmost and southmost, "c" the eastmost and northmost.</summary>
    private Task SeedSitesAsync() => Store.ReplaceCollectionsAsync(
    [
        new CollectionImport(new CollectionDefinition(Sites, "Sites", "Test sites"),
        [
            Feature("a", "POINT (121.40 31.10)", """{"sector":"集成电路","area_km2":4.0}"""),
            Feature("b", "POINT (121.50 31.20)", """{"sector":"生物医药"}"""),
            Feature("c", "POINT (121.60 31.30)", """{"sector":"集成电路","open":true}"""),
        ]),
        new CollectionImport(new CollectionDefinition("others", "Others", "Another collection"),
        [
            Feature("a", "POINT (0 0)", """{"x":1}"""),
        ]),
    ]);

    private async Task<CollectionInfo> SitesAsync() => await Store.GetCollectionAsync(Sites) ?? throw new InvalidOperationException("sites is gone");

    private async Task<string[]> IdsInBboxAsync(double minLon, double minLat, double maxLon, double maxLat) =>
        [.. (await Store.GetItemsAsync(new ItemsQuery(Sites, [new Envelope(minLon, maxLon, minLat, maxLat)], [], 1000, 0))).Features.Select(f => f.Id)];

    /// <summary>What the store's derived info should be, computed from its features the way a full replace does.</summary>
    private async Task AssertDerivedInfoMatchesFeaturesAsync()
    {
        var features = await Store.GetAllItemsAsync(Sites);
        var expected = CollectionSummary.Of(features);
        var actual = await SitesAsync();
        Assert.Equal(features.Count, actual.FeatureCount);
        Assert.Equal(expected.GeometryType, actual.GeometryType);
        Assert.Equal(expected.Queryables, actual.Queryables);
        Assert.Equal(expected.Extent, actual.Extent);
    }

    private static void AssertSameJson(string expected, string actual) =>
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(expected).RootElement, JsonDocument.Parse(actual).RootElement), $"expected {expected}, got {actual}");

    [Fact]
    public async Task WriteFeatures_Insert_AddsFeaturesAndUpdatesDerivedInfo()
    {
        await SeedSitesAsync();
        var before = await SitesAsync();
        var versionBefore = await Store.GetDataVersionAsync();

        var result = await Store.WriteFeaturesAsync(Sites,
        [
            Feature("d", "POINT (121.70 31.40)", """{"sector":"人工智能","founded":2019}"""),
            Feature("e", "POINT (121.30 31.00)", """{"name_en":"E"}"""),
        ], FeatureWriteMode.Insert);

        Assert.Equal(2, result.Inserted);
        Assert.Equal(0, result.Replaced);
        Assert.True(result.DataVersion > versionBefore);
        Assert.Equal(result.DataVersion, await Store.GetDataVersionAsync());
        var after = await SitesAsync();
        Assert.Equal(5, after.FeatureCount);
        Assert.Equal(new Envelope(121.30, 121.70, 31.00, 31.40), after.Extent);
        Assert.Equal(["area_km2", "founded", "name_en", "open", "sector"], after.Queryables);
        Assert.Equal("Point", after.GeometryType);
        Assert.True(after.UpdatedAt >= before.UpdatedAt);
        var d = await Store.GetItemAsync(Sites, "d");
        Assert.NotNull(d);
        Assert.Equal(new Coordinate(121.70, 31.40), d.Geometry.Coordinate);
        AssertSameJson("""{"sector":"人工智能","founded":2019}""", d.PropertiesJson);
        await AssertDerivedInfoMatchesFeaturesAsync();
    }

    [Fact]
    public async Task WriteFeatures_Insert_FeaturesAreFoundByBboxAtFloat32UnrepresentableEdges()
    {
        await SeedSitesAsync();

        // 121.45 and 31.15 are not float32 values: an index box rounded inward would lose the point.
        await Store.WriteFeaturesAsync(Sites, [Feature("edge", "POINT (121.45 31.15)")], FeatureWriteMode.Insert);

        Assert.Equal(["edge"], await IdsInBboxAsync(121.45, 31.15, 121.45, 31.15));
        Assert.Contains("edge", (await Store.GetAllItemsAsync(Sites)).Select(f => f.Id));
    }

    [Fact]
    public async Task WriteFeatures_InsertWithStoredIds_ThrowsConflictListingThemAndWritesNothing()
    {
        await SeedSitesAsync();
        var versionBefore = await Store.GetDataVersionAsync();
        var before = await SitesAsync();

        var conflict = await Assert.ThrowsAsync<FeatureConflictException>(() => Store.WriteFeaturesAsync(Sites,
        [
            Feature("new-1", "POINT (121.0 31.0)"),
            Feature("b", "POINT (121.0 31.0)"),
            Feature("c", "POINT (121.0 31.0)"),
        ], FeatureWriteMode.Insert));

        Assert.Equal(["b", "c"], conflict.FeatureIds.Order(StringComparer.Ordinal));
        Assert.Equal(Sites, conflict.CollectionId);
        Assert.Equal(versionBefore, await Store.GetDataVersionAsync());
        Assert.Null(await Store.GetItemAsync(Sites, "new-1"));
        Assert.Equal(new Coordinate(121.50, 31.20), (await Store.GetItemAsync(Sites, "b"))!.Geometry.Coordinate);
        var after = await SitesAsync();
        Assert.Equal(before.FeatureCount, after.FeatureCount);
        Assert.Equal(before.Extent, after.Extent);
        Assert.Equal(before.UpdatedAt, after.UpdatedAt);
    }

    [Fact]
    public async Task WriteFeatures_IdOfAnotherCollection_IsNotAConflict()
    {
        await SeedSitesAsync();

        await Store.WriteFeaturesAsync("others", [Feature("b", "POINT (1 1)")], FeatureWriteMode.Insert);

        Assert.Equal(2, (await Store.GetCollectionAsync("others"))!.FeatureCount);
        Assert.Equal(new Coordinate(121.50, 31.20), (await Store.GetItemAsync(Sites, "b"))!.Geometry.Coordinate);
    }

    [Theory]
    [InlineData(FeatureWriteMode.Insert)]
    [InlineData(FeatureWriteMode.Upsert)]
    public async Task WriteFeatures_IdRepeatedWithinOneWrite_ThrowsConflictAndWritesNothing(FeatureWriteMode mode)
    {
        await SeedSitesAsync();
        var versionBefore = await Store.GetDataVersionAsync();

        var conflict = await Assert.ThrowsAsync<FeatureConflictException>(() => Store.WriteFeaturesAsync(Sites,
        [
            Feature("x", "POINT (121.0 31.0)"),
            Feature("y", "POINT (121.1 31.0)"),
            Feature("x", "POINT (121.2 31.0)"),
        ], mode));

        Assert.Equal(["x"], conflict.FeatureIds);
        Assert.Equal(versionBefore, await Store.GetDataVersionAsync());
        Assert.Null(await Store.GetItemAsync(Sites, "x"));
        Assert.Null(await Store.GetItemAsync(Sites, "y"));
    }

    [Theory]
    [InlineData(FeatureWriteMode.Insert)]
    [InlineData(FeatureWriteMode.Upsert)]
    public async Task WriteFeatures_UnknownCollection_ThrowsNotFoundAndCreatesNothing(FeatureWriteMode mode)
    {
        await SeedSitesAsync();
        var versionBefore = await Store.GetDataVersionAsync();

        var missing = await Assert.ThrowsAsync<CollectionNotFoundException>(() =>
            Store.WriteFeaturesAsync("nowhere", [Feature("x", "POINT (121.0 31.0)")], mode));

        Assert.Equal("nowhere", missing.CollectionId);
        Assert.Null(await Store.GetCollectionAsync("nowhere"));
        Assert.Equal(versionBefore, await Store.GetDataVersionAsync());
    }

    [Fact]
    public async Task WriteFeatures_Upsert_ReplacesStoredFeaturesWholeAndInsertsNewOnes()
    {
        await SeedSitesAsync();
        var versionBefore = await Store.GetDataVersionAsync();

        // "c" held the only "open" and the north-east corner; its replacement has neither.
        var result = await Store.WriteFeaturesAsync(Sites,
        [
            Feature("c", "POINT (121.55 31.25)", """{"sector":"新材料"}"""),
            Feature("f", "POINT (121.45 31.15)", """{"sector":"新材料"}"""),
        ], FeatureWriteMode.Upsert);

        Assert.Equal(1, result.Inserted);
        Assert.Equal(1, result.Replaced);
        Assert.True(result.DataVersion > versionBefore);
        var c = await Store.GetItemAsync(Sites, "c");
        Assert.NotNull(c);
        Assert.Equal(new Coordinate(121.55, 31.25), c.Geometry.Coordinate);
        AssertSameJson("""{"sector":"新材料"}""", c.PropertiesJson);
        var after = await SitesAsync();
        Assert.Equal(4, after.FeatureCount);
        Assert.Equal(new Envelope(121.40, 121.55, 31.10, 31.25), after.Extent);
        Assert.Equal(["area_km2", "sector"], after.Queryables);
        Assert.Empty(await IdsInBboxAsync(121.59, 31.29, 121.61, 31.31));
        Assert.Equal(["c"], await IdsInBboxAsync(121.54, 31.24, 121.56, 31.26));
        await AssertDerivedInfoMatchesFeaturesAsync();
    }

    [Fact]
    public async Task WriteFeatures_MixedGeometryTypes_BecomeGeometryAndReturnToPointWhenThePolygonGoes()
    {
        await SeedSitesAsync();

        await Store.WriteFeaturesAsync(Sites, [Feature("poly", "POLYGON ((121.0 31.0, 121.1 31.0, 121.1 31.1, 121.0 31.0))")], FeatureWriteMode.Insert);
        Assert.Equal(CollectionSummary.MixedGeometryType, (await SitesAsync()).GeometryType);
        Assert.Equal(new Envelope(121.0, 121.60, 31.0, 31.30), (await SitesAsync()).Extent);
        await AssertDerivedInfoMatchesFeaturesAsync();

        Assert.True(await Store.DeleteFeatureAsync(Sites, "poly"));
        Assert.Equal("Point", (await SitesAsync()).GeometryType);
        Assert.Equal(new Envelope(121.40, 121.60, 31.10, 31.30), (await SitesAsync()).Extent);
        await AssertDerivedInfoMatchesFeaturesAsync();

        // Replacing the only point of a type by another type changes the collection's type too.
        await Store.WriteFeaturesAsync(Sites, [Feature("poly", "POLYGON ((121.0 31.0, 121.1 31.0, 121.1 31.1, 121.0 31.0))")], FeatureWriteMode.Upsert);
        await Store.WriteFeaturesAsync(Sites, [Feature("poly", "POINT (121.42 31.12)")], FeatureWriteMode.Upsert);
        Assert.Equal("Point", (await SitesAsync()).GeometryType);
        await AssertDerivedInfoMatchesFeaturesAsync();
    }

    [Fact]
    public async Task WritesAndDeletes_InAnyOrder_KeepDerivedInfoEqualToTheFeatures()
    {
        // A store may keep its derived info incrementally: a seeded run of upserts and deletes that move extent edges,
        // mix and unmix geometry types and add and drop properties, checked against the features after every step.
        await SeedSitesAsync();
        var random = new Random(8);
        string[] wkts = ["POINT ({0} {1})", "POLYGON (({0} {1}, {2} {1}, {2} {3}, {0} {1}))", "LINESTRING ({0} {1}, {2} {3})"];
        string[] properties = ["{}", """{"sector":"a"}""", """{"sector":"b","rare":1}""", """{"open":true,"note":null}""", """{"k":[1]}"""];
        for (var step = 0; step < 60; step++)
        {
            var ids = (await Store.GetAllItemsAsync(Sites)).Select(f => f.Id).ToList();
            if (ids.Count > 0 && random.Next(3) == 0)
            {
                Assert.True(await Store.DeleteFeatureAsync(Sites, ids[random.Next(ids.Count)]));
            }
            else
            {
                var written = Enumerable.Range(0, random.Next(1, 3)).Select(_ =>
                {
                    double x = 121 + random.Next(100) / 100.0, y = 31 + random.Next(100) / 100.0;
                    var wkt = string.Format(System.Globalization.CultureInfo.InvariantCulture, wkts[random.Next(wkts.Length)], x, y, x + 0.05, y + 0.05);
                    return Feature($"s{random.Next(8)}", wkt, properties[random.Next(properties.Length)]);
                }).DistinctBy(f => f.Id).ToList();
                await Store.WriteFeaturesAsync(Sites, written, FeatureWriteMode.Upsert);
            }

            await AssertDerivedInfoMatchesFeaturesAsync();
            // A page of the whole collection is counted from the kept count: it must follow every write too.
            Assert.Equal((await Store.GetAllItemsAsync(Sites)).Count, (await Store.GetItemsAsync(new ItemsQuery(Sites, [], [], 1, 0))).NumberMatched);
        }
    }

    [Fact]
    public async Task WriteFeatures_Empty_ChangesNothing()
    {
        await SeedSitesAsync();
        var versionBefore = await Store.GetDataVersionAsync();

        var result = await Store.WriteFeaturesAsync(Sites, [], FeatureWriteMode.Insert);

        Assert.Equal(0, result.Inserted + result.Replaced);
        Assert.Equal(versionBefore, await Store.GetDataVersionAsync());
        Assert.Equal(3, (await SitesAsync()).FeatureCount);
    }

    [Fact]
    public async Task WriteFeatures_IntoEmptyCollection_SetsItsDerivedInfo()
    {
        await Store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition(Sites, "Sites", "Empty at first"), [])]);
        Assert.Null((await SitesAsync()).Extent);

        await Store.WriteFeaturesAsync(Sites, [Feature("only", "LINESTRING (121.0 31.0, 121.2 31.1)", """{"k":"v"}""")], FeatureWriteMode.Upsert);

        var after = await SitesAsync();
        Assert.Equal("LineString", after.GeometryType);
        Assert.Equal(new Envelope(121.0, 121.2, 31.0, 31.1), after.Extent);
        Assert.Equal(["k"], after.Queryables);
        Assert.Equal(1, after.FeatureCount);
    }

    [Fact]
    public async Task DeleteFeature_RemovesItAndUpdatesDerivedInfo()
    {
        await SeedSitesAsync();
        var versionBefore = await Store.GetDataVersionAsync();

        Assert.True(await Store.DeleteFeatureAsync(Sites, "c"));

        Assert.True(await Store.GetDataVersionAsync() > versionBefore);
        Assert.Null(await Store.GetItemAsync(Sites, "c"));
        Assert.Empty(await IdsInBboxAsync(121.59, 31.29, 121.61, 31.31));
        var after = await SitesAsync();
        Assert.Equal(2, after.FeatureCount);
        Assert.Equal(new Envelope(121.40, 121.50, 31.10, 31.20), after.Extent);
        Assert.Equal(["area_km2", "sector"], after.Queryables);
        Assert.NotNull(await Store.GetItemAsync("others", "a"));
        await AssertDerivedInfoMatchesFeaturesAsync();
    }

    [Fact]
    public async Task DeleteFeature_TheLastOne_LeavesAnEmptyCollection()
    {
        await SeedSitesAsync();

        foreach (var id in new[] { "a", "b", "c" })
        {
            Assert.True(await Store.DeleteFeatureAsync(Sites, id));
        }

        var after = await SitesAsync();
        Assert.Equal(0, after.FeatureCount);
        Assert.Null(after.Extent);
        Assert.Empty(after.Queryables);
        Assert.Empty(await Store.GetAllItemsAsync(Sites));
    }

    [Theory]
    [InlineData(Sites, "no-such-feature")]
    [InlineData("no-such-collection", "a")]
    public async Task DeleteFeature_Missing_ReturnsFalseAndChangesNothing(string collectionId, string featureId)
    {
        await SeedSitesAsync();
        var versionBefore = await Store.GetDataVersionAsync();

        Assert.False(await Store.DeleteFeatureAsync(collectionId, featureId));

        Assert.Equal(versionBefore, await Store.GetDataVersionAsync());
        Assert.Equal(3, (await SitesAsync()).FeatureCount);
    }

    [Fact]
    public async Task ReplaceCollections_AfterWrites_ReplacesEverythingWritten()
    {
        await SeedSitesAsync();
        await Store.WriteFeaturesAsync(Sites, [Feature("d", "POLYGON ((121.0 31.0, 121.1 31.0, 121.1 31.1, 121.0 31.0))", """{"z":1}""")], FeatureWriteMode.Insert);

        await Store.ReplaceCollectionsAsync([new CollectionImport(new CollectionDefinition(Sites, "Sites", "Again"), [Feature("q", "POINT (121.3 31.3)", """{"q":true}""")])]);
        await Store.WriteFeaturesAsync(Sites, [Feature("r", "POINT (121.4 31.4)")], FeatureWriteMode.Insert);

        Assert.Equal(["q", "r"], (await Store.GetAllItemsAsync(Sites)).Select(f => f.Id));
        var after = await SitesAsync();
        Assert.Equal("Point", after.GeometryType);
        Assert.Equal(["q"], after.Queryables);
        await AssertDerivedInfoMatchesFeaturesAsync();
    }

    private static ApiKeyRecord Key(string keyId, string name, string secret) =>
        // Whole seconds: every store keeps at least that precision.
        new(keyId, name, SHA256.HashData(Encoding.UTF8.GetBytes(secret)), new DateTimeOffset(2026, 11, 29, 5, 30, 0, TimeSpan.Zero));

    [Fact]
    public async Task ApiKeys_AddedKey_IsReturnedWithItsHash()
    {
        var key = Key("k1a2b3c4", "planning bureau", "secret-one");

        await Store.AddApiKeyAsync(key);

        var stored = await Store.GetApiKeyAsync("k1a2b3c4");
        Assert.NotNull(stored);
        Assert.Equal(key.Name, stored.Name);
        Assert.Equal(key.SecretSha256, stored.SecretSha256);
        Assert.Equal(key.CreatedAt, stored.CreatedAt);
        Assert.Null(await Store.GetApiKeyAsync("unknown"));
    }

    [Fact]
    public async Task ApiKeys_SameKeyIdTwice_FailsAndKeepsTheFirst()
    {
        await Store.AddApiKeyAsync(Key("dup", "first", "one"));

        await Assert.ThrowsAnyAsync<Exception>(() => Store.AddApiKeyAsync(Key("dup", "second", "two")));

        Assert.Equal("first", (await Store.GetApiKeyAsync("dup"))!.Name);
    }

    [Fact]
    public async Task ApiKeys_Revoked_IsNoLongerReturnedOrListed()
    {
        await Store.AddApiKeyAsync(Key("keep", "kept", "one"));
        await Store.AddApiKeyAsync(Key("gone", "revoked", "two"));
        Assert.Equal(["gone", "keep"], (await Store.GetApiKeysAsync()).Select(k => k.KeyId).Order(StringComparer.Ordinal));

        Assert.True(await Store.RevokeApiKeyAsync("gone"));

        Assert.Null(await Store.GetApiKeyAsync("gone"));
        Assert.Equal(["keep"], (await Store.GetApiKeysAsync()).Select(k => k.KeyId));
        Assert.False(await Store.RevokeApiKeyAsync("gone"));
        Assert.False(await Store.RevokeApiKeyAsync("never"));
    }
}
