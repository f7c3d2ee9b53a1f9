using System.Text.Json.Nodes;
using ClusterMap.Rendering.Model;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Ogc;

/// <summary>The CRSs an OGC API map can be drawn in: CRS84 (equirectangular, lon/lat degrees) and EPSG:3857.</summary>
internal sealed record MapCrs(string Uri, string Curie, Func<Coordinate, Coordinate> FromLonLat, Func<Coordinate, Coordinate> ToLonLat)
{
    public static readonly MapCrs Crs84 = new("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "[OGC:CRS84]", c => new Coordinate(c.X, c.Y), c => new Coordinate(c.X, c.Y));

    public static readonly MapCrs WebMercator = new(TilesOgcApi.Crs3857Uri, "[EPSG:3857]", Core.Tiles.WebMercator.FromLonLat, Core.Tiles.WebMercator.ToLonLat);

    public static readonly IReadOnlyList<MapCrs> All = [Crs84, WebMercator];

    public const string AcceptedForm =
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84 (the default) or http://www.opengis.net/def/crs/EPSG/0/3857, as a URI or a safe CURIE ([OGC:CRS84], [EPSG:3857])";

    public static bool TryParse(string text, out MapCrs crs)
    {
        var found = All.FirstOrDefault(c => c.Names.Contains(text, StringComparer.Ordinal));
        crs = found ?? Crs84;
        return found is not null;
    }

    private string[] Names => [Uri, Uri.Replace("http://", "https://", StringComparison.Ordinal), Curie, Curie.Trim('[', ']')];

    /// <summary>A box of this CRS as the box of another (both CRSs map lon/lat boxes to boxes, axis by axis).</summary>
    public Envelope To(MapCrs other, Envelope box)
    {
        if (ReferenceEquals(this, other))
        {
            return box;
        }

        var a = other.FromLonLat(ToLonLat(new Coordinate(box.MinX, box.MinY)));
        var b = other.FromLonLat(ToLonLat(new Coordinate(box.MaxX, box.MaxY)));
        return new Envelope(a, b);
    }

    public Envelope FromLonLatBox(Envelope lonLat) => Crs84.To(this, lonLat);
}

/// <summary>
/// One map image: a box in a <see cref="MapCrs"/> drawn on <see cref="Width"/> × <see cref="Height"/> pixels, each
/// pixel a cell of that CRS (cells need not be square). The renderer draws Web Mercator with square pixels; a view
/// hands it every geometry already placed in "drawing metres" — the CRS's coordinates scaled so that one pixel is
/// the same number of units across and down — so the one drawing routine draws any of these CRSs.
/// </summary>
internal sealed class MapView
{
    private readonly double _toDrawingX;
    private readonly double _toDrawingY;

    private MapView(MapCrs crs, Envelope bounds, int width, int height)
    {
        Crs = crs;
        Bounds = bounds;
        Width = width;
        Height = height;
        var lonLat = crs.To(MapCrs.Crs84, bounds);
        ReadMeters = Core.Tiles.WebMercator.FromLonLat(lonLat);
        // Drawing metres per pixel: the Web Mercator metres per pixel across the box, so that the renderer's zoom-
        // dependent choices (symbol sizes, which labels fit) are those of a Web Mercator map of the same place.
        MetersPerPixel = ReadMeters.Width / width;
        _toDrawingX = MetersPerPixel / (bounds.Width / width);
        _toDrawingY = MetersPerPixel / (bounds.Height / height);
    }

    public MapCrs Crs { get; }

    /// <summary>The box drawn, in <see cref="Crs"/>.</summary>
    public Envelope Bounds { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The box in Web Mercator metres: what the store is asked for.</summary>
    public Envelope ReadMeters { get; }

    public double MetersPerPixel { get; }

    public static MapView Of(MapCrs crs, Envelope bounds, int width, int height) => new(crs, bounds, width, height);

    /// <summary>The request for the renderer: the view's box in drawing metres.</summary>
    public MapRequest Request(IReadOnlySet<string>? layers, MapLanguage language) =>
        new(new Envelope(Bounds.MinX * _toDrawingX, Bounds.MaxX * _toDrawingX, Bounds.MinY * _toDrawingY, Bounds.MaxY * _toDrawingY), Width, Height)
        {
            Layers = layers,
            Language = language,
        };

    /// <summary>A lon/lat position in drawing metres.</summary>
    public Coordinate ToDrawing(Coordinate lonLat)
    {
        var projected = Crs.FromLonLat(lonLat);
        return new Coordinate(projected.X * _toDrawingX, projected.Y * _toDrawingY);
    }

    /// <summary>
    /// The features placed in drawing metres. Each keeps its lon/lat (distances and halo radii are measured on it);
    /// a district's label point, which the renderer projects from lon/lat itself, is given as the lon/lat whose Web
    /// Mercator position is its place in drawing metres.
    /// </summary>
    /// <summary>Whether drawing metres are Web Mercator metres: only then can a store's Mercator clusters be drawn as they are.</summary>
    public bool DrawsInWebMercator => ReferenceEquals(Crs, MapCrs.WebMercator) && Math.Abs(_toDrawingX - 1) < 1e-12 && Math.Abs(_toDrawingY - 1) < 1e-12;

    public MapData Place(MapData data) =>
        DrawsInWebMercator
            ? data
            : new MapData([.. data.Layers.Select(layer => layer with { Features = [.. layer.Features.Select(f => Place(f, layer.Kind))] })], data.Version);

    private MapFeature Place(MapFeature feature, MapLayerKind kind)
    {
        var meters = feature.LonLat.Copy();
        meters.Apply(new ToDrawingFilter(this));
        meters.GeometryChanged();
        return kind == MapLayerKind.Districts
            ? feature with { Meters = meters, PropertiesJson = WithLabelPoint(feature) }
            : feature with { Meters = meters };
    }

    private string WithLabelPoint(MapFeature feature)
    {
        var properties = JsonNode.Parse(feature.PropertiesJson) as JsonObject ?? [];
        var label = properties["label_lon"] is JsonValue lon && properties["label_lat"] is JsonValue lat
            && lon.TryGetValue<double>(out var x) && lat.TryGetValue<double>(out var y)
            ? new Coordinate(x, y)
            : feature.LonLat.InteriorPoint.Coordinate;
        var placed = Core.Tiles.WebMercator.ToLonLat(ToDrawing(label));
        properties["label_lon"] = placed.X;
        properties["label_lat"] = placed.Y;
        return properties.ToJsonString();
    }

    private sealed class ToDrawingFilter(MapView view) : ICoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq, int i)
        {
            var drawing = view.ToDrawing(new Coordinate(seq.GetX(i), seq.GetY(i)));
            seq.SetX(i, drawing.X);
            seq.SetY(i, drawing.Y);
        }
    }
}
