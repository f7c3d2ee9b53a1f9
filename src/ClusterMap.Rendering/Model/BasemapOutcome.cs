using NetTopologySuite.Geometries;

namespace ClusterMap.Rendering.Model;

/// <summary>Where a figure's basemap comes from: the service's external XYZ source, or none (ClusterMap's own land and water).</summary>
public interface IBasemapSource
{
    /// <summary>Whether an external source is set: a tile drawn earlier was drawn over it.</summary>
    bool IsConfigured { get; }

    /// <summary>The source and datum figures are drawn over (empty without one): another source draws other pixels.</summary>
    string Identity { get; }

    /// <summary>The tiles under a figure, or why the figure is drawn over ClusterMap's own basemap.</summary>
    Task<BasemapOutcome> FetchAsync(MapRequest request, CancellationToken cancellationToken);
}

/// <summary>No external basemap: every figure over ClusterMap's own land and water (the CLI's case).</summary>
public sealed class OwnBasemap : IBasemapSource
{
    public static readonly OwnBasemap Instance = new();

    public bool IsConfigured => false;

    public string Identity => "";

    public Task<BasemapOutcome> FetchAsync(MapRequest request, CancellationToken cancellationToken) => Task.FromResult(BasemapOutcome.Own);
}

/// <summary>
/// What a figure is drawn over: the external basemap's tiles and the datum to move the drawing into, or ClusterMap's
/// own basemap (not configured, or the source failed); <see cref="HeaderValue"/> says which.
/// </summary>
public sealed record BasemapOutcome(RasterBasemap? Basemap, Func<Coordinate, Coordinate>? ToDatum, string HeaderValue)
{
    public static readonly BasemapOutcome Own = new(null, null, "own");

    /// <summary>Said of a figure drawn over the source earlier (a cached tile): no tiles at hand, the header only.</summary>
    public static readonly BasemapOutcome External = new(null, null, "external");

    /// <summary>Widest shift of GCJ-02 and BD-09 from WGS84 in China, with room: features this far outside a view can move into it.</summary>
    private const double MaxShiftMeters = 1500;

    public bool IsFallback => HeaderValue.StartsWith("fallback", StringComparison.Ordinal);

    /// <summary>Part of cache keys: figures over different basemaps or datums differ.</summary>
    public string Tag => Basemap is null ? "own" : ToDatum is null ? "external" : "external-shifted";

    /// <summary>The read margin of a view, widened by the datum shift when the drawing moves.</summary>
    public double ReadMarginPixels(double marginPixels, double metersPerPixel) =>
        ToDatum is null ? marginPixels : marginPixels + (MaxShiftMeters / metersPerPixel);

    public MapRequest Apply(MapRequest request) => Basemap is null ? request : request with { Basemap = Basemap, ToBasemapDatum = ToDatum };

    public MapData Apply(MapData data) => ToDatum is { } toDatum ? data.InDatum(toDatum) : data;
}
