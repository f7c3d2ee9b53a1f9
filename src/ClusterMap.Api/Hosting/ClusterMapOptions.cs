using System.ComponentModel.DataAnnotations;

namespace ClusterMap.Api.Hosting;

/// <summary>Where the data lives. Relative paths are taken from the directory the service is started in.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The SQLite database file; built from <see cref="GeodataPath"/> on first start if it does not exist.</summary>
    [Required(AllowEmptyStrings = false)]
    public string SqlitePath { get; set; } = ".data/clustermap.db";

    /// <summary>The folder with <c>collections.json</c> and the shipped GeoJSON files.</summary>
    [Required(AllowEmptyStrings = false)]
    public string GeodataPath { get; set; } = "geodata";
}

/// <summary>Behaviour of the OGC API – Features endpoints.</summary>
public sealed class FeaturesOptions
{
    public const string Section = "Features";

    /// <summary>Items per page when the request gives no <c>limit</c>.</summary>
    [Range(1, 1_000_000)]
    public int DefaultLimit { get; set; } = 10;

    /// <summary>Largest page; a larger <c>limit</c> is clamped to it, as OGC API – Features Part 1 §7.15.3 allows.</summary>
    [Range(1, 1_000_000)]
    public int MaxLimit { get; set; } = 10_000;

    /// <summary>Title of the service on the landing page.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Title { get; set; } = "ClusterMap";

    [Required(AllowEmptyStrings = false)]
    public string Description { get; set; } = "Shanghai's featured industrial parks, universities and research institutes, and how close they sit: OGC API – Features with exact geodesic proximity.";
}
