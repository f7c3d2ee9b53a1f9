using System.Text.Json;
using System.Text.Json.Serialization;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;

namespace ClusterMap.Core.Import;

/// <summary>One shipped collection as listed in <c>geodata/collections.json</c>.</summary>
public sealed record GeodataManifestEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("attribution")] string? Attribution,
    [property: JsonPropertyName("license")] string? License,
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("idField")] string? IdField,
    [property: JsonPropertyName("catalogue")] GeodataCatalogueReference? Catalogue)
{
    /// <summary>
    /// The date or timestamp property that places a feature in time (what <c>datetime</c> selects on), when the
    /// features have several; served in the collection's metadata as <c>temporal_property</c>.
    /// </summary>
    [JsonPropertyName("temporal_property")]
    public string? TemporalProperty { get; init; }
}

/// <summary>A catalogue file beside the manifest (e.g. the parks' gazetted list and what is still missing).</summary>
public sealed record GeodataCatalogueReference([property: JsonPropertyName("file")] string? File);

/// <summary>
/// The shipped data set: <c>geodata/collections.json</c> lists the collections, each a GeoJSON file beside it.
/// Collections are data, not code: adding a layer means adding a file and a manifest entry.
/// </summary>
public static class GeodataManifest
{
    public const string FileName = "collections.json";

    private sealed record ManifestDocument([property: JsonPropertyName("collections")] List<GeodataManifestEntry>? Collections);

    public static IReadOnlyList<GeodataManifestEntry> Load(string geodataDirectory)
    {
        var path = Path.Combine(geodataDirectory, FileName);
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException($"No geodata manifest at '{Path.GetFullPath(path)}'. Point Storage:GeodataPath (env Storage__GeodataPath) at the folder that holds {FileName}.", path);
        }

        ManifestDocument? document;
        try
        {
            using var stream = System.IO.File.OpenRead(path);
            document = JsonSerializer.Deserialize<ManifestDocument>(stream);
        }
        catch (JsonException ex)
        {
            throw new ImportRejectedException(path, [new ImportProblem($"line {(ex.LineNumber ?? 0) + 1}", "file", "not a valid manifest: expected {\"collections\": [{\"id\", \"title\", \"description\", \"file\", …}]}")]);
        }

        var entries = document?.Collections ?? [];
        var problems = new List<ImportProblem>();
        foreach (var (entry, index) in entries.Select((e, i) => (e, i + 1)))
        {
            if (!CollectionId.IsValid(entry.Id))
            {
                problems.Add(new ImportProblem($"collection {index}", "id", $"'{entry.Id}' is not {CollectionId.AcceptedForm}"));
            }

            if (entry.Role is { } role && !CollectionRole.IsKnown(role))
            {
                problems.Add(new ImportProblem($"collection {index}", "role", $"'{role}' is not one of {CollectionRole.AcceptedForm}"));
            }

            foreach (var (field, file) in new[] { ("file", entry.File), ("catalogue.file", entry.Catalogue?.File ?? "catalogue.json") })
            {
                if (string.IsNullOrWhiteSpace(file) || Path.IsPathRooted(file) || file.Contains("..", StringComparison.Ordinal))
                {
                    problems.Add(new ImportProblem($"collection {index}", field, "expected a file name relative to the manifest's folder"));
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new ImportRejectedException(path, problems);
        }

        return entries;
    }

    /// <summary>
    /// The collection's definition. Its metadata holds the manifest's <c>role</c> (how maps draw it, see
    /// <see cref="CollectionRole"/>) and a referenced catalogue file, served with the collection as <c>catalogue</c>.
    /// </summary>
    public static CollectionDefinition ToDefinition(GeodataManifestEntry entry, string geodataDirectory)
    {
        var metadata = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (entry.Role is { } role)
        {
            metadata[CollectionRole.MetadataMember] = JsonSerializer.SerializeToElement(role);
        }

        if (entry.TemporalProperty is { } temporalProperty)
        {
            metadata[Filtering.CollectionQueryables.TemporalPropertyMember] = JsonSerializer.SerializeToElement(temporalProperty);
        }

        if (entry.Catalogue?.File is { } catalogueFile)
        {
            var path = Path.Combine(geodataDirectory, catalogueFile);
            using var catalogue = JsonDocument.Parse(System.IO.File.ReadAllText(path));
            metadata["catalogue"] = catalogue.RootElement.Clone();
        }

        return new CollectionDefinition(entry.Id, entry.Title, entry.Description, entry.Attribution ?? "", entry.License ?? "",
            metadata.Count == 0 ? "{}" : JsonSerializer.Serialize(metadata));
    }

    /// <summary>Reads and validates every collection the manifest lists; throws on the first file with problems.</summary>
    public static IReadOnlyList<CollectionImport> ReadAll(string geodataDirectory)
    {
        var imports = new List<CollectionImport>();
        foreach (var entry in Load(geodataDirectory))
        {
            var path = Path.Combine(geodataDirectory, entry.File);
            using var stream = System.IO.File.OpenRead(path);
            var features = GeoJsonFeatureReader.Read(stream, path, new GeoJsonReadOptions(entry.IdField));
            imports.Add(new CollectionImport(ToDefinition(entry, geodataDirectory), features));
        }

        return imports;
    }
}
