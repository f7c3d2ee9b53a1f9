using System.Text.Json;
using ClusterMap.Core.Features;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using NetTopologySuite.Geometries;

namespace ClusterMap.Rendering.Model;

/// <summary>What a layer is drawn as: the collection's stored role (<see cref="CollectionRole"/>), in drawing order.</summary>
public enum MapLayerKind
{
    Land,
    Water,
    Districts,
    Context,
    Parks,
    Universities,
    Institutes,
    Links,
}

/// <summary>One feature ready to draw: its geometry in lon/lat and in Web Mercator metres, and what labels need.</summary>
public sealed record MapFeature(
    string Id,
    Geometry LonLat,
    Geometry Meters,
    string? NameZh,
    string? NameEn,
    SectorFamily Sector,
    double UncertaintyMeters,
    string PropertiesJson);

/// <summary>One collection as a map layer, with the credit every map that draws it must show.</summary>
public sealed record MapLayer(string Id, string Title, MapLayerKind Kind, string Attribution, string License, IReadOnlyList<MapFeature> Features)
{
    /// <summary>
    /// The crowded cells its source counted (<see cref="ClusterGrid"/>), whose members are not in
    /// <see cref="Features"/>; null when <see cref="Features"/> holds every feature near the view and the renderer
    /// clusters them itself, by the same rule.
    /// </summary>
    public LayerClusters? Clusters { get; init; }

    public MapFeature? Find(string featureId) => Features.FirstOrDefault(f => f.Id == featureId);
}

/// <summary>The clusters of one layer near a view, and the cell side (Web Mercator metres) they were counted with.</summary>
public sealed record LayerClusters(double CellMeters, IReadOnlyList<GridCluster> Cells);

/// <summary>
/// The collections at one store data version as map layers: whole, or only the features near what one map draws
/// (a tile, a meta-tile, a figure).
/// </summary>
public sealed class MapData
{
    public MapData(IReadOnlyList<MapLayer> layers, long version)
    {
        Layers = layers;
        Version = version;
    }

    public IReadOnlyList<MapLayer> Layers { get; }

    /// <summary>The store's data version the snapshot was taken at.</summary>
    public long Version { get; }

    public MapLayer? Layer(string id) => Layers.FirstOrDefault(l => l.Id == id);

    /// <summary>Layers in drawing order: basemap first, then context, parks, universities, institutes.</summary>
    public IEnumerable<MapLayer> InDrawingOrder(IReadOnlySet<string>? visible) =>
        Layers.Where(l => visible is null || visible.Contains(l.Id)).OrderBy(l => (int)l.Kind).ThenBy(l => l.Id, StringComparer.Ordinal);

    /// <summary>
    /// The same features drawn in another datum (<see cref="MapRequest.ToBasemapDatum"/>): each feature's Web Mercator
    /// geometry is recomputed from its lon/lat moved by <paramref name="toDatum"/>, while its lon/lat stays WGS84 (what
    /// distances are measured on).
    /// </summary>
    /// <remarks>
    /// Land and water are left as they are: they are only drawn under ClusterMap's own basemap, which is WGS84. Clusters
    /// keep the cells they were counted in (WGS84 Web Mercator); their mean moves as a point would.
    /// </remarks>
    public MapData InDatum(Func<Coordinate, Coordinate> toDatum) =>
        new([.. Layers.Select(layer => layer.Kind is MapLayerKind.Land or MapLayerKind.Water
            ? layer
            : layer with
            {
                Features = [.. layer.Features.Select(f => f with { Meters = Moved(f.LonLat, toDatum) })],
                Clusters = layer.Clusters is { } clusters
                    ? clusters with { Cells = [.. clusters.Cells.Select(c => c with { MeanMeters = WebMercator.FromLonLat(toDatum(WebMercator.ToLonLat(c.MeanMeters))) })] }
                    : null,
            })], Version);

    private static Geometry Moved(Geometry lonLat, Func<Coordinate, Coordinate> toDatum)
    {
        var meters = lonLat.Copy();
        meters.Apply(new MovedToWebMercatorFilter(toDatum));
        meters.GeometryChanged();
        return meters;
    }

    /// <summary>Builds the snapshot from stored collections and their features.</summary>
    public static MapData From(IEnumerable<(CollectionDefinition Definition, IReadOnlyList<FeatureRecord> Features)> collections, long version)
    {
        var layers = collections
            .Select(c => new MapLayer(
                c.Definition.Id,
                c.Definition.Title,
                KindOf(CollectionRole.Of(c.Definition)),
                c.Definition.Attribution,
                c.Definition.License,
                [.. c.Features.Select(ToMapFeature)]))
            .ToList();
        return new MapData(layers, version);
    }

    /// <summary>The layer kind that draws a collection of the given role; anything unknown is context.</summary>
    public static MapLayerKind KindOf(string role) => role switch
    {
        CollectionRole.Land => MapLayerKind.Land,
        CollectionRole.Water => MapLayerKind.Water,
        CollectionRole.District => MapLayerKind.Districts,
        CollectionRole.Link => MapLayerKind.Links,
        CollectionRole.Park => MapLayerKind.Parks,
        CollectionRole.University => MapLayerKind.Universities,
        CollectionRole.Institute => MapLayerKind.Institutes,
        _ => MapLayerKind.Context,
    };

    /// <summary>The layers of one kind, in id order (e.g. every park collection).</summary>
    public IEnumerable<MapLayer> OfKind(MapLayerKind kind) => Layers.Where(l => l.Kind == kind).OrderBy(l => l.Id, StringComparer.Ordinal);

    public static MapFeature ToMapFeature(FeatureRecord record)
    {
        using var document = JsonDocument.Parse(record.PropertiesJson);
        var properties = document.RootElement;
        // A campus is named with its institution: two campuses of one university must not carry the same label.
        var nameZh = Join(Text(properties, "name_zh"), Text(properties, "campus_zh"), "");
        var nameEn = Join(Text(properties, "name_en") ?? Text(properties, "name"), Text(properties, "campus_en"), ", ");
        var sector = SectorPalette.Classify(Text(properties, "sector"), Text(properties, "sector_en"));
        var uncertainty = properties.ValueKind == JsonValueKind.Object
            && properties.TryGetProperty("location_uncertainty_m", out var u) && u.ValueKind == JsonValueKind.Number
            ? u.GetDouble()
            : 0;
        var meters = record.Geometry.Copy();
        meters.Apply(new ToWebMercatorFilter());
        meters.GeometryChanged();
        return new MapFeature(record.Id, record.Geometry, meters, nameZh, nameEn, sector, uncertainty, record.PropertiesJson);
    }

    private static string? Join(string? name, string? campus, string separator) =>
        name is null ? campus : campus is null || name.Contains(campus, StringComparison.Ordinal) ? name : name + separator + campus;

    private static string? Text(JsonElement properties, string name) =>
        properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;

    private sealed class MovedToWebMercatorFilter(Func<Coordinate, Coordinate> toDatum) : ICoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq, int i)
        {
            var meters = WebMercator.FromLonLat(toDatum(new Coordinate(seq.GetX(i), seq.GetY(i))));
            seq.SetX(i, meters.X);
            seq.SetY(i, meters.Y);
        }
    }

    private sealed class ToWebMercatorFilter : ICoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq, int i)
        {
            var meters = WebMercator.FromLonLat(new Coordinate(seq.GetX(i), seq.GetY(i)));
            seq.SetX(i, meters.X);
            seq.SetY(i, meters.Y);
        }
    }
}
