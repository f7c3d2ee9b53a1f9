using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering.Drawing;
using ClusterMap.Rendering.Generalization;
using ClusterMap.Rendering.Labels;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Shapes;
using ClusterMap.Rendering.Text;
using NetTopologySuite.Geometries;
using SkiaSharp;

namespace ClusterMap.Rendering.Scene;

/// <summary>
/// The "prepare" half: turns features into a <see cref="MapScene"/> in logical pixels, culls what the view cannot
/// show, builds paths, places labels. Nothing here draws.
/// </summary>
internal sealed class SceneBuilder
{
    /// <summary>Symbols this far outside the view are still prepared, so halos and labels that reach in are drawn.</summary>
    private const float SymbolMargin = 16;

    // Where along a nearest line its distance may sit (0 = the origin, 1 = the far end), in order of preference; then
    // the same points moved to either side of the line; last, just past the far end, where the browser client writes it.
    private static readonly float[] _linkLabelSides = [0, 1, -1];
    private static readonly float[] _linkLabelPositions = [0.5f, 0.6f, 0.4f, 0.7f, 0.3f, 0.8f, 0.65f, 0.75f, 0.85f, 0.9f, 0.55f, 0.45f, 0.35f, 0.25f, 0.2f];
    private static readonly float[] _linkLabelBeyondEnd = [1.25f, 1.4f, 1.6f];

    private readonly MapData _data;
    private readonly MapRequest _request;
    private readonly TextMeasurer _measurer;
    private readonly MapScene _scene;
    private readonly double _mpp;
    private readonly double _collapseMeters;
    private readonly double _minX;
    private readonly double _maxY;
    private readonly double _zoom;
    private readonly SKRect _frame;
    private readonly List<MapLayer> _layers;
    private readonly HashSet<string> _contributing = new(StringComparer.Ordinal);
    private readonly List<SKRect> _obstacles = [];
    private MapFeature? _highlight;

    /// <summary>The features <see cref="MapRequest.Marks"/> names, with their marks: drawn like the highlight, never clustered.</summary>
    private readonly Dictionary<MapFeature, FeatureMark> _marked = new(ReferenceEqualityComparer.Instance);
    private List<DrawnPoint> _points = [];
    private MapLayer? _highlightLayer;

    private SceneBuilder(MapData data, MapRequest request, TextMeasurer measurer)
    {
        _data = data;
        _request = request;
        _measurer = measurer;
        _scene = new MapScene(request.Width, request.Height);
        _mpp = request.MetersPerPixel;
        _collapseMeters = MapGeneralization.CollapseMeters(_mpp);
        _minX = request.BoundsMeters.MinX;
        _maxY = request.BoundsMeters.MaxY;
        _zoom = request.DrawingZoom;
        _frame = new SKRect(0, 0, request.Width, request.Height);
        // Links are relations, not places: nothing to draw. Districts are part of the basemap: boundaries and names only.
        // An external basemap stands in for ClusterMap's own land and water.
        _layers = [.. data.InDrawingOrder(request.Layers).Where(l => MapGeneralization.IsDrawn(l.Kind)
            && (request.Basemap is null || l.Kind is not (MapLayerKind.Land or MapLayerKind.Water)))];
    }

    public static MapScene Prepare(MapData data, MapRequest request, MapFonts fonts)
    {
        using var measurer = new TextMeasurer(fonts);
        var builder = new SceneBuilder(data, request, measurer);
        try
        {
            return builder.Build();
        }
        catch
        {
            builder._scene.Dispose();
            throw;
        }
    }

    private MapScene Build()
    {
        _scene.Background = MapTheme.NoData;
        if (_request.Highlight is { } h && _data.Layer(h.CollectionId) is { } highlightLayer && highlightLayer.Find(h.FeatureId) is { } feature)
        {
            _highlightLayer = highlightLayer;
            _highlight = feature;
        }

        foreach (var mark in _request.Marks)
        {
            if (_data.Layer(mark.Feature.CollectionId)?.Find(mark.Feature.FeatureId) is { } marked)
            {
                _marked.TryAdd(marked, mark);
            }
        }

        AddBasemapTiles();
        foreach (var layer in _layers)
        {
            AddAreas(layer);
        }

        AddHalos();
        AddRings();
        AddLinks();
        AddSymbols();
        List<MapLayer> drawnLayers = [.. BasemapCredit(), .. _layers.Where(l => _contributing.Contains(l.Id))];
        var layout = _request.Figure is null ? null : new FigureLayout(_scene, _request, _measurer, _obstacles);
        var bottom = layout?.AddBands(_request.Figure!, drawnLayers) ?? _request.Height;

        // The subject's words (distances, its own name, ring radii) are placed before the figure's panels, which then
        // take corners clear of them: a legend never hides what the figure is about.
        LabelPlacer? placer = null;
        var subject = new List<PlacedLabel>();
        if (_request.Tile is null)
        {
            placer = new LabelPlacer(_measurer, _frame);
            _obstacles.ForEach(placer.AddObstacle);
            AddSymbolObstacles(placer);
            PlaceRingAndLinkLabels(placer, subject);
        }

        if (layout is not null)
        {
            var keepClear = subject.Select(l => l.Box)
                .Concat(_scene.Symbols.Where(s => s.Highlight).Select(s => Inflated(SymbolBox(s.Center, s.Kind), 3)))
                .ToList();
            var bands = _obstacles.Count;
            layout.AddPanels(_request.Figure!, drawnLayers, _mpp, FigureContents(), keepClear, _scene.Links, bottom);
            _obstacles.Skip(bands).ToList().ForEach(o => placer?.AddObstacle(o));
        }

        AddLabels(placer, subject);
        _scene.DrawnLayers.AddRange(_layers.Where(l => _contributing.Contains(l.Id)).Select(l => l.Id));
        return _scene;
    }

    /// <summary>A WGS84 lon/lat point in the basemap's datum, in Web Mercator metres.</summary>
    private Coordinate ToMeters(Coordinate lonLat) => WebMercator.FromLonLat(_request.ToBasemapDatum is { } toDatum ? toDatum(lonLat) : lonLat);

    private void AddBasemapTiles()
    {
        if (_request.Basemap is not { } basemap)
        {
            return;
        }

        foreach (var (tile, bytes) in basemap.Tiles)
        {
            // A tile that does not decode leaves its square the no-data grey.
            if (SKImage.FromEncodedData(bytes) is not { } image)
            {
                continue;
            }

            var bounds = tile.BoundsMeters;
            var topLeft = ToPixel(bounds.MinX, bounds.MaxY);
            var bottomRight = ToPixel(bounds.MaxX, bounds.MinY);
            _scene.AddImage(image, new SKRect(topLeft.X, topLeft.Y, bottomRight.X, bottomRight.Y));
        }
    }

    /// <summary>The external basemap as the attribution lists it, before the layers drawn over it.</summary>
    private IEnumerable<MapLayer> BasemapCredit() => _request.Basemap is { } basemap
        ? [new MapLayer("basemap", basemap.Title, MapLayerKind.Land, basemap.Attribution, "", [])]
        : [];

    private SKPoint ToPixel(double mx, double my) => new((float)((mx - _minX) / _mpp), (float)((_maxY - my) / _mpp));

    private SKPoint ToPixel(Coordinate meters) => ToPixel(meters.X, meters.Y);

    private Envelope ViewWithMargin(double marginPixels)
    {
        var view = new Envelope(_request.BoundsMeters);
        view.ExpandBy(marginPixels * _mpp);
        return view;
    }

    // ---- areas ---------------------------------------------------------------------------------------------------

    private void AddAreas(MapLayer layer)
    {
        var view = ViewWithMargin(4);
        var pointsOnly = !IsBasemap(layer.Kind);
        SKPath? path = null;
        // A shape counted into a crowded cell is drawn as that cell's cluster, not as an area. A layer given whole is
        // counted here, over cells reaching a cell beyond the view: the anchor of a shape that fits in a cell and meets
        // the view lies within half a cell of it.
        var features = layer.Clusters is null && MapGeneralization.IsClustered(layer.Kind)
            ? Clustered(layer, ViewWithMargin(4 + (MapGeneralization.CellMeters(_mpp) / _mpp))).Features
            : layer.Features;
        foreach (var feature in features)
        {
            if (feature.Meters is Point or MultiPoint || !feature.Meters.EnvelopeInternal.Intersects(view)
                || (pointsOnly && MapGeneralization.Collapses(feature, _collapseMeters)))
            {
                continue;
            }

            var geometry = MapGeneralization.SimplifiedMeters(feature, SimplifyZoom);

            if (layer.Kind == MapLayerKind.Parks)
            {
                // Park areas each take their sector colour, so each gets its own path.
                var own = _scene.NewPath();
                AppendGeometry(own, geometry, view);
                var color = SectorPalette.Of(feature.Sector).Color;
                _scene.Areas.Add(new SceneArea(own, color.WithAlpha(0x99), color, 1.2f));
            }
            else
            {
                path ??= _scene.NewPath();
                AppendGeometry(path, geometry, view);
            }

            _contributing.Add(layer.Id);
        }

        if (path is null)
        {
            return;
        }

        _scene.Areas.Add(layer.Kind switch
        {
            MapLayerKind.Land => new SceneArea(path, MapTheme.Land, null, 0),
            MapLayerKind.Water => new SceneArea(path, MapTheme.Water, MapTheme.WaterEdge, 0.6f),
            // District polygons cover the whole city: filled they would tint every map, so only their edges are drawn.
            MapLayerKind.Districts => new SceneArea(path, null, MapTheme.DistrictEdge, MapTheme.DistrictEdgeWidth),
            _ => new SceneArea(path, MapTheme.ContextArea.WithAlpha(0x80), MapTheme.SoftInk, 0.8f),
        });
    }

    /// <summary>Layers drawn as areas at every scale, never as symbols or labelled points: the basemap's.</summary>
    private static bool IsBasemap(MapLayerKind kind) => kind is MapLayerKind.Land or MapLayerKind.Water or MapLayerKind.Districts;

    /// <summary>The whole zoom whose half-pixel tolerance is no coarser than this map's pixel.</summary>
    private int SimplifyZoom => Math.Clamp((int)Math.Ceiling(_zoom - 1e-9), TileIndex.MinZoom, TileIndex.MaxZoom);

    private void AppendGeometry(SKPath path, NetTopologySuite.Geometries.Geometry geometry, Envelope view)
    {
        for (var i = 0; i < geometry.NumGeometries; i++)
        {
            var part = geometry.GetGeometryN(i);
            if (!part.EnvelopeInternal.Intersects(view))
            {
                continue;
            }

            switch (part)
            {
                case Polygon polygon:
                    AppendRing(path, polygon.ExteriorRing.Coordinates, close: true);
                    // Holes outside the view change nothing inside it (the water layer has hundreds).
                    foreach (var hole in polygon.InteriorRings)
                    {
                        if (hole.EnvelopeInternal.Intersects(view))
                        {
                            AppendRing(path, hole.Coordinates, close: true);
                        }
                    }

                    break;
                case LineString line:
                    AppendRing(path, line.Coordinates, close: false);
                    break;
            }
        }

        path.FillType = SKPathFillType.EvenOdd;
    }

    private void AppendRing(SKPath path, Coordinate[] coordinates, bool close)
    {
        if (coordinates.Length < 2)
        {
            return;
        }

        path.MoveTo(ToPixel(coordinates[0]));
        for (var i = 1; i < coordinates.Length; i++)
        {
            path.LineTo(ToPixel(coordinates[i]));
        }

        if (close)
        {
            path.Close();
        }
    }

    // ---- points --------------------------------------------------------------------------------------------------

    private static double LabelMinZoom(MapLayerKind kind) => kind switch
    {
        MapLayerKind.Parks => 9,
        MapLayerKind.Institutes => 10,
        MapLayerKind.Universities => 11.5,
        _ => 13.5,
    };

    private static float SymbolRadius(MapLayerKind kind) => kind switch
    {
        MapLayerKind.Parks => MapTheme.ParkRadius,
        MapLayerKind.Universities => MapTheme.UniversityHalfSide,
        MapLayerKind.Institutes => MapTheme.InstituteHalfDiagonal,
        _ => MapTheme.MetroRadius,
    };

    private static SymbolKind SymbolOf(MapLayerKind kind) => kind switch
    {
        MapLayerKind.Parks => SymbolKind.Park,
        MapLayerKind.Universities => SymbolKind.University,
        MapLayerKind.Institutes => SymbolKind.Institute,
        _ => SymbolKind.Context,
    };

    /// <summary>
    /// Where a feature is drawn as a symbol at this scale (a point, or a polygon too small to see), else null. Not the
    /// anchor it is counted at (<see cref="CountedAnchor"/>): a shape of a quiet cell wider than the collapse size is drawn
    /// as an area.
    /// </summary>
    private Coordinate? Anchor(MapLayer layer, MapFeature feature) => feature.Meters switch
    {
        Point point => point.Coordinate,
        _ when !IsBasemap(layer.Kind) && MapGeneralization.Collapses(feature, _collapseMeters) => feature.Meters.EnvelopeInternal.Centre,
        _ => null,
    };

    /// <summary>
    /// Where a feature of a layer given whole is counted on cells of this side (<see cref="ClusterGrid"/>, in the
    /// drawing's metres): a point at itself, a shape that fits in a cell at its envelope's centre; else null.
    /// </summary>
    private static Coordinate? CountedAnchor(MapLayer layer, MapFeature feature, double cellMeters) => feature.Meters switch
    {
        Point point => point.Coordinate,
        MultiPoint => null,
        _ when !IsBasemap(layer.Kind) && !feature.Meters.IsEmpty && feature.Meters.EnvelopeInternal.Width < cellMeters
            && feature.Meters.EnvelopeInternal.Height < cellMeters => feature.Meters.EnvelopeInternal.Centre,
        _ => null,
    };

    /// <summary>
    /// Point layers from the bottom up (context, parks, universities, institutes; the highlight last), generalised: in
    /// each layer, a grid cell (fixed in world pixels, counted whole) holding more than
    /// <see cref="MapGeneralization.MaxPointsPerCell"/> anchors is one cluster at their mean (<see cref="ClusterGrid"/>).
    /// The layer's source has usually counted the cells already (<see cref="MapLayer.Clusters"/>); a layer given whole
    /// is clustered here by the same rule, in the drawing's own metres.
    /// </summary>
    private List<DrawnPoint> GeneralisedPoints(double marginPixels)
    {
        var view = ViewWithMargin(marginPixels);
        var gather = ViewWithMargin(marginPixels + (MapGeneralization.CellMeters(_mpp) / _mpp));
        var result = new List<DrawnPoint>();
        DrawnPoint? highlight = null;
        var marks = new List<DrawnPoint>();
        foreach (var layer in _layers)
        {
            if (IsBasemap(layer.Kind))
            {
                continue;
            }

            var shown = MapGeneralization.DrawsSymbols(layer.Kind, _zoom);
            var (clusters, features, cellMeters) = Clustered(layer, view);
            var gathered = new List<(MapFeature Feature, Coordinate At, (long X, long Y) Cell)>();
            foreach (var feature in features)
            {
                var standsOut = StandsOut(feature);
                if (!shown && !standsOut)
                {
                    continue;
                }

                if (Anchor(layer, feature) is not { } at)
                {
                    continue;
                }

                if (feature == _highlight)
                {
                    highlight = view.Contains(at) ? new DrawnPoint(layer, feature, at, 1, true) : null;
                }
                else if (standsOut)
                {
                    if (view.Contains(at))
                    {
                        marks.Add(new DrawnPoint(layer, feature, at, 1, true));
                    }
                }
                else if (gather.Contains(at))
                {
                    gathered.Add((feature, at, ClusterGrid.Cell(at, cellMeters)));
                }
            }

            // What is left of a cell is at most MaxPointsPerCell features: all drawn, the first few by id named.
            HashSet<MapFeature>? unlabelled = null;
            foreach (var members in gathered.GroupBy(g => g.Cell).Where(m => m.Count() > MapGeneralization.MaxLabelsPerCell))
            {
                unlabelled ??= [];
                unlabelled.UnionWith(members.Select(m => m.Feature).OrderBy(f => f.Id, StringComparer.Ordinal).Skip(MapGeneralization.MaxLabelsPerCell));
            }

            foreach (var (feature, at, _) in gathered)
            {
                if (view.Contains(at))
                {
                    result.Add(new DrawnPoint(layer, feature, at, 1, unlabelled is null || !unlabelled.Contains(feature)));
                }
            }

            if (shown)
            {
                result.AddRange(clusters.Where(c => view.Contains(c.MeanMeters)).Select(c => new DrawnPoint(layer, null, c.MeanMeters, (int)c.Count, false)));
            }
        }

        result.AddRange(marks);
        if (highlight is { } h)
        {
            result.Add(h);
        }

        return result;
    }

    private bool StandsOut(MapFeature feature) => feature == _highlight || _marked.ContainsKey(feature);

    /// <summary>
    /// A layer's clusters and the features drawn one by one: as its source counted them, or (a layer given whole)
    /// counted here over the cells meeting <paramref name="view"/>, from anchors in the drawing's metres.
    /// </summary>
    private (IReadOnlyList<GridCluster> Clusters, IReadOnlyList<MapFeature> Features, double CellMeters) Clustered(MapLayer layer, Envelope view)
    {
        if (layer.Clusters is { } counted)
        {
            return (counted.Cells, layer.Features, counted.CellMeters);
        }

        var cellMeters = MapGeneralization.CellMeters(_mpp);
        var features = layer.Features;
        var (clusters, whole) = ClusterGrid.Group(
            features.Count,
            i => StandsOut(features[i]) ? null : CountedAnchor(layer, features[i], cellMeters),
            _ => true,
            ClusterGrid.CellRange(view, cellMeters),
            cellMeters,
            MapGeneralization.MaxPointsPerCell);
        return (clusters, [.. whole.Select(i => features[i])], cellMeters);
    }

    private void AddHalos()
    {
        // A halo can be far larger than the view, so the search reaches as far as the largest uncertainty.
        var maxUncertainty = _layers.SelectMany(l => l.Features).Select(f => f.UncertaintyMeters).DefaultIfEmpty(0).Max();
        if (maxUncertainty < MapTheme.HaloMinMeters)
        {
            return;
        }

        var reach = (maxUncertainty * 1.3 / _mpp) + SymbolMargin;
        foreach (var (layer, feature, at, count, _) in GeneralisedPoints(reach))
        {
            if (feature is null || layer.Kind is not (MapLayerKind.Parks or MapLayerKind.Universities or MapLayerKind.Institutes) || feature.UncertaintyMeters < MapTheme.HaloMinMeters)
            {
                continue;
            }

            var radius = (float)(feature.UncertaintyMeters * WebMercator.ScaleFactor(feature.LonLat.Coordinate.Y) / _mpp);
            var center = ToPixel(at);
            if (radius < SymbolRadius(layer.Kind) + 2 || !Touches(center, radius))
            {
                continue;
            }

            var color = layer.Kind == MapLayerKind.Parks ? SectorPalette.Of(feature.Sector).Color : (layer.Kind == MapLayerKind.Universities ? MapTheme.University : MapTheme.Institute);
            _scene.Halos.Add(new SceneHalo(center, radius, color));
            _contributing.Add(layer.Id);
        }
    }

    private bool Touches(SKPoint center, float radius) =>
        center.X + radius >= 0 && center.X - radius <= _request.Width && center.Y + radius >= 0 && center.Y - radius <= _request.Height;

    private void AddRings()
    {
        if (_highlight is null || _request.RingsMeters.Count == 0)
        {
            return;
        }

        var center = _highlight.LonLat.Coordinate;
        foreach (var radius in _request.RingsMeters.Order())
        {
            var path = _scene.NewPath();
            var ring = GeodesicCircle.Ring(center, radius);
            path.MoveTo(ToPixel(ToMeters(ring[0])));
            foreach (var vertex in ring.Skip(1))
            {
                path.LineTo(ToPixel(ToMeters(vertex)));
            }

            path.Close();
            _scene.Rings.Add(new SceneArea(path, null, MapTheme.Ring, 1.2f, [6, 4]));
        }
    }

    /// <summary>
    /// The links with one per pair of ends: features sharing an anchor point (two parks placed at one metro station)
    /// would otherwise draw one line twice and write its distance twice along it.
    /// </summary>
    private IEnumerable<NearestLink> DistinctLinks() =>
        _request.NearestLinks.DistinctBy(l => (l.FromLonLat.X, l.FromLonLat.Y, l.ToLonLat.X, l.ToLonLat.Y));

    private void AddLinks()
    {
        foreach (var link in DistinctLinks())
        {
            var from = ToPixel(ToMeters(link.FromLonLat));
            var to = ToPixel(ToMeters(link.ToLonLat));
            _scene.Links.Add(new SceneLine(from, to, MapTheme.Link, 1.1f, null));
        }
    }

    private void AddSymbols()
    {
        var highlight = new List<SceneSymbol>();
        _points = GeneralisedPoints(SymbolMargin);
        foreach (var (layer, feature, at, count, _) in _points)
        {
            if (feature is null)
            {
                var clusterColor = layer.Kind switch
                {
                    MapLayerKind.Parks => MapTheme.ParkCluster,
                    MapLayerKind.Universities => MapTheme.University,
                    MapLayerKind.Institutes => MapTheme.Institute,
                    _ => MapTheme.SoftInk,
                };
                _scene.Clusters.Add(new SceneCluster(ToPixel(at), MapTheme.ClusterRadius(count), clusterColor, count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                _contributing.Add(layer.Id);
                continue;
            }

            var color = layer.Kind == MapLayerKind.Parks ? SectorPalette.Of(feature.Sector).Color : MapTheme.Ink;
            var symbol = new SceneSymbol(SymbolOf(layer.Kind), ToPixel(at), color, feature == _highlight || _marked.ContainsKey(feature));
            (symbol.Highlight ? highlight : _scene.Symbols).Add(symbol);
            _contributing.Add(layer.Id);
        }

        _scene.Symbols.AddRange(highlight);
    }

    private FigureContents FigureContents() => new(
        [.. _scene.Symbols.Where(s => s.Kind == SymbolKind.Park && _frame.Contains(s.Center)).Select(s => s.Fill).Distinct()],
        [.. _scene.Symbols.Where(s => _frame.Contains(s.Center)).Select(s => s.Kind).Distinct()],
        _scene.Halos.Count > 0,
        _scene.Rings.Count > 0,
        _scene.Links.Count > 0);

    // ---- labels --------------------------------------------------------------------------------------------------

    private static SKRect Inflated(SKRect rect, float by)
    {
        rect.Inflate(by, by);
        return rect;
    }

    /// <param name="placer">The placer of a figure, holding its panels and the subject's labels; null for a tile.</param>
    /// <param name="subject">The labels the placer has placed already.</param>
    private void AddLabels(LabelPlacer? placer, List<PlacedLabel> subject)
    {
        IReadOnlyList<PlacedLabel> labels;
        if (_request.Tile is { } tile)
        {
            labels = TileLabels(tile, _request.TileLabels ?? PlaceTileLabels(_data, tile, _request.Layers, _request.Language, _measurer));
        }
        else
        {
            subject.AddRange(placer!.PlaceAll(Candidates(_points.Where(p => p.Feature is { } f && f != _highlight && !_marked.ContainsKey(f)))));
            subject.AddRange(PlaceDistrictLabels(placer, _ => true));
            labels = subject;
        }

        foreach (var label in labels)
        {
            _scene.LabelBoxes.Add(label.Box);
            for (var i = 0; i < label.Lines.Count; i++)
            {
                _scene.Labels.Add(new SceneText(label.Lines[i], label.Baselines[i], label.Size, label.Bold, label.Color, label.Align, Halo: true));
            }
        }
    }

    /// <summary>
    /// Labels keep clear of park and institute symbols. Campus and station symbols are too many to keep clear of at
    /// city scale (89 campuses): a label may cover one, drawn on top with its white halo.
    /// </summary>
    private static bool IsObstacle(SymbolKind kind) => kind is SymbolKind.Park or SymbolKind.Institute;

    private void AddSymbolObstacles(LabelPlacer placer)
    {
        foreach (var symbol in _scene.Symbols.Where(s => IsObstacle(s.Kind) || s.Highlight))
        {
            placer.AddObstacle(SymbolBox(symbol.Center, symbol.Kind));
        }

        foreach (var cluster in _scene.Clusters)
        {
            placer.AddObstacle(new SKRect(cluster.Center.X - cluster.Radius, cluster.Center.Y - cluster.Radius, cluster.Center.X + cluster.Radius, cluster.Center.Y + cluster.Radius));
        }
    }

    private static SKRect SymbolBox(SKPoint center, SymbolKind kind)
    {
        var r = kind switch
        {
            SymbolKind.Park => MapTheme.ParkRadius,
            SymbolKind.University => MapTheme.UniversityHalfSide,
            SymbolKind.Institute => MapTheme.InstituteHalfDiagonal,
            _ => MapTheme.MetroRadius,
        } + 1;
        return new SKRect(center.X - r, center.Y - r, center.X + r, center.Y + r);
    }

    private IEnumerable<LabelCandidate> Candidates(IEnumerable<DrawnPoint> points)
    {
        foreach (var (layer, feature, at, count, labelled) in points)
        {
            var isHighlight = feature == _highlight;
            if (feature is null || (!isHighlight && (!labelled || _zoom < LabelMinZoom(layer.Kind))))
            {
                continue;
            }

            var lines = MapWords.Names(feature, _request.Language);
            if (lines.Count == 0)
            {
                continue;
            }

            var (priority, size) = layer.Kind switch
            {
                MapLayerKind.Parks => (2, MapTheme.LabelSizePark),
                MapLayerKind.Institutes => (3, MapTheme.LabelSizeInstitute),
                MapLayerKind.Universities => (4, MapTheme.LabelSizeUniversity),
                _ => (5, MapTheme.LabelSizeContext),
            };
            var color = layer.Kind == MapLayerKind.Context ? MapTheme.SoftInk : MapTheme.Ink;
            yield return isHighlight
                ? new LabelCandidate(lines, MapTheme.LabelSizeHighlight, true, ToPixel(at), SymbolRadius(layer.Kind) + 3, 0, $"{layer.Id}/{feature.Id}", MapTheme.Ink)
                : new LabelCandidate(lines, size, layer.Kind == MapLayerKind.Parks, ToPixel(at), SymbolRadius(layer.Kind), priority, $"{layer.Id}/{feature.Id}", color);
        }
    }

    private void PlaceRingAndLinkLabels(LabelPlacer placer, List<PlacedLabel> placed)
    {
        // Distances first: they are written nowhere else on the figure, while the highlighted feature's name is its title
        // too; so a long name can never sit on a short line and hide the distance written along it.
        foreach (var link in DistinctLinks())
        {
            var from = ToPixel(ToMeters(link.FromLonLat));
            var to = ToPixel(ToMeters(link.ToLonLat));
            // The middle of the line first, then points further along it either way, until one is free: lines from one
            // origin crowd near it, so the outer half of each line is tried finely, then the same points moved off the
            // line to either side (lines to neighbouring targets run almost together), before a distance is given up.
            var length = Math.Max(1, SKPoint.Distance(from, to));
            var normal = new SKPoint(-(to.Y - from.Y) / length, (to.X - from.X) / length);
            var offset = MapTheme.LabelSizeDistance * 1.3f;
            var candidates = _linkLabelSides.SelectMany(side => _linkLabelPositions.Select(t => new SKPoint(
                    from.X + ((to.X - from.X) * t) + (normal.X * side * offset),
                    from.Y + ((to.Y - from.Y) * t) + (normal.Y * side * offset))))
                .Concat(_linkLabelBeyondEnd.Select(t => new SKPoint(from.X + ((to.X - from.X) * t), from.Y + ((to.Y - from.Y) * t))));
            foreach (var at in candidates)
            {
                var candidate = new LabelCandidate([MapWords.Distance(link.DistanceMeters)], MapTheme.LabelSizeDistance, false, at, 0, 1, "link", MapTheme.Link);
                if (placer.TryPlaceCentered(candidate) is { } label)
                {
                    placed.Add(label);
                    _scene.LabelBackgrounds.Add(label.Box);
                    break;
                }
            }
        }

        if (_highlight is not null)
        {
            // The highlighted feature's own name goes next, before the rings' and every other label.
            var anchor = Anchor(_highlightLayer!, _highlight) ?? _highlight.Meters.Coordinate;
            if (PlaceHighlightLabel(placer, Candidates([new DrawnPoint(_highlightLayer!, _highlight, anchor, 1, true)]).FirstOrDefault()) is { } name)
            {
                placed.Add(name);
            }

            PlaceRingLabels(placer, placed);
        }

        PlaceMarkLabels(placer, placed);
    }

    /// <summary>
    /// The marks of <see cref="MapRequest.Marks"/>, after the highlight's name and before any panel: marks whose symbols
    /// (nearly) coincide share one label ("3, 7"), so features placed at one shared point are all named.
    /// </summary>
    private void PlaceMarkLabels(LabelPlacer placer, List<PlacedLabel> placed)
    {
        var groups = new List<(SKPoint At, MapLayer Layer, List<FeatureMark> Marks)>();
        foreach (var point in _points.Where(p => p.Feature is { } f && _marked.ContainsKey(f)))
        {
            var at = ToPixel(point.Meters);
            var group = groups.FindIndex(g => SKPoint.Distance(g.At, at) <= MarkGroupPixels);
            if (group < 0)
            {
                groups.Add((at, point.Layer, [_marked[point.Feature!]]));
            }
            else
            {
                groups[group].Marks.Add(_marked[point.Feature!]);
            }
        }

        foreach (var (at, layer, marks) in groups)
        {
            var text = string.Join(", ", marks.Select(m => m.Label));
            var candidate = new LabelCandidate([text], MapTheme.LabelSizeMark, true, at, SymbolRadius(layer.Kind) + 2, 0, $"mark/{text}", MapTheme.Ink);
            if (PlaceHighlightLabel(placer, candidate) is { } label)
            {
                placed.Add(label);
            }
        }
    }

    /// <summary>Marked symbols closer than this (pixels) are one place on the map and share a label.</summary>
    private const float MarkGroupPixels = 6;

    private void PlaceRingLabels(LabelPlacer placer, List<PlacedLabel> placed)
    {
        if (_highlight is not null)
        {
            foreach (var radius in _request.RingsMeters.Order())
            {
                // On the ring: at the top if free, else at the bottom, the sides, the diagonals.
                foreach (var azimuth in new[] { 0.0, 180, 90, 270, 45, 315, 135, 225 })
                {
                    var onRing = GeodesicCircle.Destination(_highlight.LonLat.Coordinate, azimuth, radius);
                    var at = ToPixel(ToMeters(onRing));
                    var candidate = new LabelCandidate([MapWords.ScaleLength(radius)], MapTheme.LabelSizeDistance, true, at, 0, 1, $"ring/{radius}", MapTheme.Ring);
                    if (placer.TryPlaceCentered(candidate) is { } label)
                    {
                        placed.Add(label);
                        break;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The subject is always named if the map has room anywhere near it: its label tries the eight positions around
    /// the symbol, then the same with its Latin name wrapped narrower, then a little further out, before it is given up.
    /// </summary>
    private PlacedLabel? PlaceHighlightLabel(LabelPlacer placer, LabelCandidate? candidate)
    {
        if (candidate is null)
        {
            return null;
        }

        foreach (var further in new[] { 0f, 6, 12, 20, 30, 42 })
        {
            foreach (var wrap in new[] { float.MaxValue, 220, 150, 100 })
            {
                // Only a line with spaces is wrapped: a Chinese name cut in two reads as two names.
                var lines = candidate.Lines.SelectMany(l => l.Contains(' ', StringComparison.Ordinal) ? _measurer.Wrap(l, candidate.Size, candidate.Bold, wrap) : [l]).ToList();
                if (placer.TryPlace(candidate with { Lines = lines, AnchorRadius = candidate.AnchorRadius + further }) is { } label)
                {
                    return label;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Tile labels from the layout of the tile's meta-tile (<see cref="TileLabelLayout"/>), moved into the tile's pixels:
    /// each label whose box touches the tile is drawn, in part if it crosses an edge.
    /// </summary>
    private List<PlacedLabel> TileLabels(TileIndex tile, TileLabelLayout layout)
    {
        var (metaX, metaY, _) = TileLabelLayout.MetaTile(tile);
        var dx = (float)((metaX - tile.X) * 256);
        var dy = (float)((metaY - tile.Y) * 256);
        return [.. layout.Labels.Select(l => l.Offset(dx, dy)).Where(l => l.Box.IntersectsWith(_frame))];
    }

    /// <summary>
    /// The labels of the meta-tile holding <paramref name="tile"/>: every point whose anchor lies in the meta-tile
    /// competes, in the placer's deterministic priority order, for a place wholly inside it. So every tile that a
    /// label touches belongs to the same meta-tile and draws the same label, and the work is bounded by the meta-tile.
    /// </summary>
    internal static TileLabelLayout PlaceTileLabels(MapData data, TileIndex tile, IReadOnlySet<string>? layers, MapLanguage language, TextMeasurer measurer)
    {
        var (_, _, bounds) = TileLabelLayout.MetaTile(tile);
        var side = (int)Math.Round(bounds.Width / WebMercator.MetersPerPixel(tile.Z));
        var request = new MapRequest(bounds, side, side) { Layers = layers, Language = language, Tile = tile };
        var builder = new SceneBuilder(data, request, measurer);
        try
        {
            return new TileLabelLayout(builder.PlaceMetaTileLabels());
        }
        finally
        {
            builder._scene.Dispose();
        }
    }

    private IReadOnlyList<PlacedLabel> PlaceMetaTileLabels()
    {
        if (_request.Highlight is { } h && _data.Layer(h.CollectionId) is { } highlightLayer && highlightLayer.Find(h.FeatureId) is { } feature)
        {
            _highlightLayer = highlightLayer;
            _highlight = feature;
        }

        AddSymbols();
        var placer = new LabelPlacer(_measurer, _frame);
        AddSymbolObstacles(placer);
        // Half-open on the right and bottom, so a point on the line between two meta-tiles belongs to one of them.
        bool InMetaTile(SKPoint pixel) => pixel.X >= 0 && pixel.X < _frame.Right && pixel.Y >= 0 && pixel.Y < _frame.Bottom;
        var placed = new List<PlacedLabel>(placer.PlaceAll(Candidates(_points.Where(p => InMetaTile(ToPixel(p.Meters))))));
        if (_zoom is >= DistrictTileLabelMinZoom and < DistrictTileLabelMaxZoom)
        {
            placed.AddRange(PlaceDistrictLabels(placer, InMetaTile));
        }

        return placed;
    }

    /// <summary>
    /// District names on tiles from this zoom (the city fills a few tiles) up to, not including, the maximum (streets
    /// and features take over, and a district spans more than a meta-tile, so its one name is rarely in view).
    /// </summary>
    private const int DistrictTileLabelMinZoom = 9;

    private const int DistrictTileLabelMaxZoom = 13;

    /// <summary>
    /// District names, after every feature label (features keep priority), centred on the district's label point and
    /// only where the whole label fits inside the district's outline at this scale: a district too small to hold its
    /// name at this zoom is left unnamed. They keep clear of every symbol, campuses and stations included.
    /// </summary>
    private List<PlacedLabel> PlaceDistrictLabels(LabelPlacer placer, Func<SKPoint, bool> anchorFilter)
    {
        var placed = new List<PlacedLabel>();
        var districts = _layers.Where(l => l.Kind == MapLayerKind.Districts).ToList();
        if (districts.Count == 0)
        {
            return placed;
        }

        foreach (var symbol in _scene.Symbols.Where(s => !IsObstacle(s.Kind) && !s.Highlight))
        {
            placer.AddObstacle(SymbolBox(symbol.Center, symbol.Kind));
        }

        var lineHeight = TextMeasurer.LineHeight(MapTheme.LabelSizeDistrict);
        foreach (var layer in districts)
        {
            foreach (var feature in layer.Features.OrderBy(f => f.Id, StringComparer.Ordinal))
            {
                var lines = MapWords.Names(feature, _request.Language);
                if (lines.Count == 0 || feature.Meters is not (Polygon or MultiPolygon))
                {
                    continue;
                }

                var anchorMeters = ToMeters(DistrictLabelPoint(feature));
                var anchor = ToPixel(anchorMeters);
                if (!anchorFilter(anchor) || !_frame.Contains(anchor))
                {
                    continue;
                }

                var halfWidth = ((lines.Max(l => _measurer.Width(l, MapTheme.LabelSizeDistrict, false)) / 2) + 2) * _mpp;
                var halfHeight = ((lineHeight * lines.Count / 2) + 2) * _mpp;
                var box = feature.Meters.Factory.ToGeometry(new Envelope(
                    anchorMeters.X - halfWidth, anchorMeters.X + halfWidth, anchorMeters.Y - halfHeight, anchorMeters.Y + halfHeight));
                if (!HoldsLabel(feature, box))
                {
                    continue;
                }

                var candidate = new LabelCandidate(lines, MapTheme.LabelSizeDistrict, false, anchor, 0, 9, $"{layer.Id}/{feature.Id}", MapTheme.DistrictLabel);
                if (placer.TryPlaceCentered(candidate) is { } label)
                {
                    placed.Add(label);
                    _contributing.Add(layer.Id);
                }
            }
        }

        return placed;
    }

    private bool HoldsLabel(MapFeature district, NetTopologySuite.Geometries.Geometry box)
    {
        try
        {
            return MapGeneralization.SimplifiedMeters(district, SimplifyZoom).Covers(box);
        }
        catch (TopologyException)
        {
            // An outline the overlay cannot read is drawn, but not named.
            return false;
        }
    }

    /// <summary>The point a district's name is centred on: its <c>label_lon</c>/<c>label_lat</c>, else a point inside it.</summary>
    private static Coordinate DistrictLabelPoint(MapFeature feature)
    {
        using var document = System.Text.Json.JsonDocument.Parse(feature.PropertiesJson);
        var properties = document.RootElement;
        return properties.ValueKind == System.Text.Json.JsonValueKind.Object
            && properties.TryGetProperty("label_lon", out var lon) && lon.ValueKind == System.Text.Json.JsonValueKind.Number
            && properties.TryGetProperty("label_lat", out var lat) && lat.ValueKind == System.Text.Json.JsonValueKind.Number
            ? new Coordinate(lon.GetDouble(), lat.GetDouble())
            : feature.LonLat.InteriorPoint.Coordinate;
    }
}

/// <summary>A point as the map draws it: one feature, or a cluster of several.</summary>
/// <param name="Layer">The layer it belongs to.</param>
/// <param name="Feature">The feature; null for a cluster.</param>
/// <param name="Meters">Where it is drawn (a cluster at its members' mean), Web Mercator metres.</param>
/// <param name="Count">1, or how many features the cluster stands for.</param>
/// <param name="Labelled">False for points of a crowded cell beyond the first few by id, which are drawn but not named.</param>
internal readonly record struct DrawnPoint(MapLayer Layer, MapFeature? Feature, Coordinate Meters, int Count, bool Labelled);

/// <summary>What the legend must explain: only what the map really shows.</summary>
internal sealed record FigureContents(IReadOnlyList<SKColor> ParkColors, IReadOnlyList<SymbolKind> Symbols, bool Halos, bool Rings, bool Links);
