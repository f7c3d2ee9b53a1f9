using System.Globalization;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;

namespace ClusterMap.Cli.Commands;

/// <summary>
/// How <c>clustermap import --mode</c> meets a collection's stored features: <c>replace</c> (the default) swaps the
/// whole collection; <c>append</c> adds features and refuses the file, listing them, if any id is already stored;
/// <c>upsert</c> adds new ids and replaces stored ones. Append and upsert into a collection that does not exist
/// create it. Each is one transaction: all of the file lands, or none of it.
/// </summary>
internal static class ImportMode
{
    public const string Replace = "replace";
    public const string Append = "append";
    public const string Upsert = "upsert";
    public const string AcceptedForm = "replace (the default: the file becomes the collection), append (every id must be new) or upsert (new ids are added, stored ids replaced)";

    public static bool IsValid(string mode) => mode is Replace or Append or Upsert;

    /// <summary>Writes the features; returns the line to print on success, or throws <see cref="FeatureConflictException"/>.</summary>
    public static async Task<string> WriteAsync(IFeatureStore store, string mode, CollectionDefinition definition, CollectionInfo? existing, IReadOnlyList<FeatureRecord> features, CancellationToken cancellationToken)
    {
        var count = features.Count;
        var noun = count == 1 ? "feature" : "features";
        if (mode == Replace || existing is null)
        {
            await store.ReplaceCollectionsAsync([new CollectionImport(definition, features)], cancellationToken);
            return existing is null
                ? $"Imported {count} {noun} into '{definition.Id}' (new collection)"
                : $"Imported {count} {noun} into '{definition.Id}' (replacing {existing.FeatureCount})";
        }

        var result = await store.WriteFeaturesAsync(definition.Id, features, mode == Append ? FeatureWriteMode.Insert : FeatureWriteMode.Upsert, cancellationToken);
        return string.Create(CultureInfo.InvariantCulture,
            $"Imported {count} {noun} into '{definition.Id}' ({mode}: {result.Inserted} added, {result.Replaced} replaced; {existing.FeatureCount + result.Inserted} in all)");
    }
}
