using ClusterMap.Api.Hosting;
using ClusterMap.Core.Tiles;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Parameters;

/// <summary>
/// The parameters of <c>/maps/static.{format}</c>. The size limits and defaults come from <see cref="MapsOptions"/>;
/// the parameters that name collections or features are checked against the data, which also words their 400.
/// </summary>
internal sealed class StaticMapParameters
{
    public const string BboxForm = "a non-empty box minLon,minLat,maxLon,maxLat with minLon < maxLon and minLat < maxLat, latitudes within ±85.05 (e.g. 121.3,31.0,121.8,31.4)";

    /// <summary>What a 400 says of <c>center</c> or <c>zoom</c> given with <c>bbox</c>.</summary>
    public const string NotWithBbox = "no value when 'bbox' is given: use either bbox or center and zoom";

    public StaticMapParameters(IOptions<MapsOptions> options)
    {
        var maxPixels = MaxPixels = options.Value.MaxPixels;
        Width = Size(SizeParameter.WidthName, "The width in CSS pixels.", maxPixels, options.Value.DefaultWidth);
        Height = Size(SizeParameter.HeightName, "The height in CSS pixels.", maxPixels, options.Value.DefaultHeight);
        Dpi = new(SizeParameter.DpiName, SizeParameter.DpiAcceptedForm(maxPixels), "Device pixels per inch: 96 draws one per CSS pixel, 192 or 300 for print.",
            (string text, out long dpi) => NumberParameter.TryParseInteger(text, SizeParameter.MinDpi, SizeParameter.MaxDpi, out dpi))
        {
            Default = 96,
            Schema = ParameterSchema.Integer(SizeParameter.MinDpi, SizeParameter.MaxDpi, 96),
        };
        Map = new([Bbox, Center, Zoom, Width, Height, Layers, Highlight, Radius, LangParameter.Definition, Dpi, Title, Nearest, NearestTo])
        {
            // The 400 words it so; layer filters are {collection}.{property}, each property one listed there.
            OthersAccepted = ItemsParameters.QueryablesAccepted,
        };
    }

    public static readonly QueryParameter<Envelope> Bbox = new(BboxParameter.Name, BboxForm, "The area to show; the map widens it to the output's aspect ratio.",
        (string text, out Envelope box) =>
        {
            var ok = BboxParameter.TryParse(text, out var parts) && parts.Count == 1 && parts[0].Width > 0 && parts[0].Height > 0
                && Math.Max(Math.Abs(parts[0].MinY), Math.Abs(parts[0].MaxY)) <= WebMercator.MaxLatitude;
            box = ok ? parts[0] : new Envelope();
            return ok;
        })
    {
        CommaSeparated = true,
        Schema = ParameterSchema.NumberList(4, 4),
    };

    public static readonly QueryParameter<Coordinate> Center = new(CenterParameter.Name, CenterParameter.AcceptedForm, "The map's centre, instead of bbox.", CenterParameter.TryParse)
    {
        CommaSeparated = true,
        Schema = ParameterSchema.NumberList(2, 2),
    };

    public static readonly QueryParameter<double> Zoom = new(ZoomParameter.Name, ZoomParameter.AcceptedForm, "The Web Mercator zoom level, with center.", ZoomParameter.TryParse)
    {
        Schema = ParameterSchema.Number(0, TileIndex.MaxZoom),
    };

    /// <summary>Checked against the data's collections, which the 400 lists (<see cref="LayersParameter.AcceptedForm"/>).</summary>
    public static readonly QueryParameter<string> Layers = Text(LayersParameter.Name, "comma-separated collection ids (GET /collections lists them)", "The collections to draw (default: all).");

    public static readonly QueryParameter<string> Highlight = Text(HighlightParameter.Name, HighlightParameter.AcceptedForm, "The feature to emphasise; rings and nearest lines start from it.");

    public static readonly QueryParameter<IReadOnlyList<double>> Radius = new(RadiusParameter.Name, RadiusParameter.AcceptedForm, "Rings around the highlighted feature.", RadiusParameter.TryParse)
    {
        Default = [],
        CommaSeparated = true,
        Schema = ParameterSchema.NumberList(1, 5),
    };

    public static readonly QueryParameter<string> Title = Text(StaticMapTitle, "any text", "The figure's title (default: the highlighted feature's name, or the map's subject).");

    public static readonly QueryParameter<long> Nearest = new(NearestParameter.Name, NearestParameter.AcceptedForm, "Lines to the k nearest features of each nearest_to collection, with their geodesic distances.",
        (string text, out long k) => NumberParameter.TryParseInteger(text, 1, NearestParameter.MaxK, out k))
    {
        Schema = ParameterSchema.Integer(1, NearestParameter.MaxK),
    };

    /// <summary>Checked against the data's collections, which the 400 lists (<see cref="NearestParameter.ToAcceptedForm"/>).</summary>
    public static readonly QueryParameter<string> NearestTo = Text(NearestParameter.ToName, "comma-separated collection ids (GET /collections lists them), given with 'nearest'",
        "The collections the nearest lines go to (default: universities and institutes for a park, parks otherwise).");

    private const string StaticMapTitle = "title";

    /// <summary>The largest side in device pixels, whatever the dpi.</summary>
    public int MaxPixels { get; }

    public QueryParameter<long> Width { get; }

    public QueryParameter<long> Height { get; }

    public QueryParameter<long> Dpi { get; }

    public OperationParameters Map { get; }

    private static QueryParameter<long> Size(string name, string description, int maxPixels, int @default) =>
        new(name, SizeParameter.AcceptedForm(maxPixels), description,
            (string text, out long pixels) => NumberParameter.TryParseInteger(text, SizeParameter.MinPixels, maxPixels, out pixels))
        {
            Default = @default,
            Schema = ParameterSchema.Integer(SizeParameter.MinPixels, maxPixels, @default),
        };

    private static QueryParameter<string> Text(string name, string acceptedForm, string description) =>
        new(name, acceptedForm, description, (string text, out string value) => (value = text) is not null);
}
