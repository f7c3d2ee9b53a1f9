using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ClusterMap.Cli.Formats;
using ClusterMap.Core.Storage;
using ClusterMap.Core.Tiles;
using ClusterMap.Rendering;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Tiles;
using ClusterMap.Rendering.VectorTiles;
using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Commands;

/// <summary>
/// <c>clustermap tiles seed --bbox … --zooms 8-14 --out FILE.mbtiles</c>: the tiles of an area drawn as the service
/// draws them (the same <see cref="TileDrawing"/> path), written to an MBTiles 1.3 file for reports made where the
/// service cannot be reached. Written beside the destination and moved into place when complete, so an error or
/// Ctrl-C never leaves a half-written file under the requested name.
/// </summary>
internal static class TilesCommand
{
    /// <summary>Above this many tiles a seed is refused: a typo in --zooms would otherwise run for days.</summary>
    public const long MaxTiles = 2_000_000;

    public const string BboxForm = "minLon,minLat,maxLon,maxLat in WGS84 degrees, min < max, latitudes within ±85.0511 (e.g. 121.2,30.9,121.9,31.5)";

    public const string ZoomsForm = "a zoom or a range MIN-MAX, 0 ≤ MIN ≤ MAX ≤ 22 (e.g. 8-14)";

    public static Command Create()
    {
        var bbox = new Option<string>("--bbox") { Description = "Area to seed: " + BboxForm, Required = true, HelpName = "minLon,minLat,maxLon,maxLat" };
        var zooms = new Option<string>("--zooms") { Description = "Zoom levels: " + ZoomsForm, Required = true, HelpName = "MIN-MAX" };
        var style = new Option<string>("--style") { Description = $"Raster style: {string.Join(", ", MapStyles.Names)}", DefaultValueFactory = _ => MapStyles.Default, HelpName = "STYLE" };
        var format = new Option<string>("--format") { Description = "png (raster tiles of --style) or mvt (Mapbox Vector Tiles of --collections)", DefaultValueFactory = _ => "png", HelpName = "png|mvt" };
        var collections = new Option<string?>("--collections") { Description = "With --format mvt: comma-separated collection ids, one layer each (default: every collection)", HelpName = "IDS" };
        var lang = new Option<string>("--lang") { Description = "Labels of raster tiles: zh, en or both", DefaultValueFactory = _ => "both", HelpName = "zh|en|both" };
        var output = new Option<FileInfo>("--out") { Description = "MBTiles file to write", Required = true, HelpName = "PATH" };
        var database = CommonOptions.Database();
        var seed = new Command("seed", "Draw the tiles of an area at some zooms, as the service draws them, into an MBTiles file (raster PNG or vector MVT).")
        {
            bbox, zooms, style, format, collections, lang, output, database,
        };
        seed.SetAction((result, cancellationToken) => SeedUntilStoppedAsync(
            new SeedArguments(result.GetValue(bbox)!, result.GetValue(zooms)!, result.GetValue(style)!, result.GetValue(format)!, result.GetValue(collections),
                result.GetValue(lang)!, result.GetValue(output)!, result.GetValue(database)!),
            Console.Out, Console.Error, cancellationToken));
        return new Command("tiles", "Tiles for use without the service.") { seed };
    }

    /// <summary>
    /// Seeds until done or until Ctrl-C (SIGINT) or SIGTERM, which cancel the seed so the partial file is deleted
    /// rather than the process ending under it.
    /// </summary>
    private static async Task<int> SeedUntilStoppedAsync(SeedArguments arguments, TextWriter log, TextWriter error, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            return await SeedAsync(arguments, log, error, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await error.WriteLineAsync($"Stopped: nothing was written to {arguments.Output.FullName}.");
            return 130;
        }
    }

    public sealed record SeedArguments(string Bbox, string Zooms, string Style, string Format, string? Collections, string Lang, FileInfo Output, string Database);

    public static async Task<int> SeedAsync(SeedArguments arguments, TextWriter log, TextWriter error, CancellationToken cancellationToken)
    {
        if (!TryParseBbox(arguments.Bbox, out var bounds))
        {
            await error.WriteLineAsync($"--bbox: '{arguments.Bbox}' is not a box; expected {BboxForm}.");
            return 2;
        }

        if (!TryParseZooms(arguments.Zooms, out var minZoom, out var maxZoom))
        {
            await error.WriteLineAsync($"--zooms: '{arguments.Zooms}' is not a zoom range; expected {ZoomsForm}.");
            return 2;
        }

        var vector = arguments.Format switch
        {
            "png" => false,
            "mvt" or "pbf" => true,
            _ => (bool?)null,
        };
        if (vector is null)
        {
            await error.WriteLineAsync($"--format: '{arguments.Format}' is not a tile format; expected png or mvt.");
            return 2;
        }

        if (!MapStyles.Exists(arguments.Style))
        {
            await error.WriteLineAsync($"--style: '{arguments.Style}' is not a style; expected one of {string.Join(", ", MapStyles.Names)}.");
            return 2;
        }

        if (arguments.Collections is not null && !vector.Value)
        {
            await error.WriteLineAsync("--collections: chooses the layers of vector tiles; with --format png the layers are the --style's (use --format mvt, or leave --collections out).");
            return 2;
        }

        if (!MapLanguageNames.TryParse(arguments.Lang, out var language))
        {
            await error.WriteLineAsync($"--lang: '{arguments.Lang}' is not a label language; expected zh, en or both.");
            return 2;
        }

        var count = CountTiles(bounds, minZoom, maxZoom);
        if (count > MaxTiles)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"--zooms: {arguments.Zooms} over --bbox {arguments.Bbox} is {count:N0} tiles; at most {MaxTiles:N0} are seeded at once (a smaller box or fewer zooms)."));
            return 2;
        }

        var location = StoreLocation.Parse(arguments.Database);
        if (!location.Exists)
        {
            await error.WriteLineAsync($"--db: {location.Display}: no such database (start the service once, or import a file, to create it).");
            return 2;
        }

        var store = await location.OpenAsync(cancellationToken);
        // One data version for the whole file: a write while seeding does not mix old and new tiles.
        using var provider = new MapDataProvider(store, new CollectionSnapshotCache(store), new MapReadSettings(DataVersionCheckMilliseconds: int.MaxValue), TimeProvider.System);
        var catalog = await provider.GetCatalogAsync(cancellationToken);
        IReadOnlyList<string> layerIds;
        if (vector.Value)
        {
            var known = catalog.Collections.Select(c => c.Id).ToList();
            layerIds = arguments.Collections is null
                ? known
                : arguments.Collections.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var unknown = layerIds.Where(id => !known.Contains(id)).ToList();
            if (layerIds.Count == 0 || unknown.Count > 0)
            {
                await error.WriteLineAsync($"--collections: '{arguments.Collections}' names collections that are not in {location.Display} ({string.Join(", ", unknown)}); expected comma-separated ids from: {string.Join(", ", known)}.");
                return 2;
            }
        }
        else
        {
            layerIds = [.. catalog.Skeleton.InDrawingOrder(MapStyles.Layers(arguments.Style, catalog.Skeleton)).Select(l => l.Id)];
        }

        using var renderer = vector.Value ? null : CreateRenderer(error);
        if (!vector.Value && renderer is null)
        {
            return 1;
        }

        var metadata = await MetadataAsync(store, catalog, arguments, bounds, minZoom, maxZoom, vector.Value, layerIds, cancellationToken);
        var clock = Stopwatch.StartNew();
        // Nothing kept in memory: every tile is drawn once; meta-tile label layouts are shared by their tiles.
        var cache = new TileCache(0);
        var labels = new TileLabelCache();
        var written = 0L;
        await using (var file = MbTilesWriter.Create(arguments.Output.FullName))
        {
            await file.WriteMetadataAsync(metadata, cancellationToken);
            await Parallel.ForEachAsync(TilesCovering(bounds, minZoom, maxZoom), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, async (tile, token) =>
            {
                // Tiles draw synchronously: without a yield the workers take tile after tile on the pool's threads and
                // queued work (the Ctrl-C handler that cancels the seed) can wait behind them.
                await Task.Yield();
                var bytes = vector.Value
                    ? await VectorTileAsync(tile, layerIds, provider, cache, token)
                    : (await TileDrawing.GetOrRenderRasterTileAsync(arguments.Style, tile, 1, language, provider, cache, labels, renderer!, OwnBasemap.Instance, token)).Tile.Bytes;
                if (bytes is not null)
                {
                    file.AddTile(tile, bytes);
                    Interlocked.Increment(ref written);
                }
            });
            await file.CompleteAsync(cancellationToken);
        }

        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Seeded {written:N0} {(vector.Value ? "vector" : "raster")} tiles ({(vector.Value ? string.Join(", ", layerIds) : "style " + arguments.Style)}, zoom {minZoom}–{maxZoom}, data version {catalog.Version}) into {arguments.Output.FullName} in {clock.Elapsed.TotalSeconds:F1} s."));
        return 0;
    }

    /// <summary>
    /// The tile as the service's vector tile routes write each collection's, one layer each, gzip-compressed as MBTiles
    /// stores vector tiles; null when no layer has a feature there. A tile is a sequence of layers, so the collections'
    /// tiles concatenated are one tile with all their layers.
    /// </summary>
    private static async Task<byte[]?> VectorTileAsync(TileIndex tile, IReadOnlyList<string> collections, MapDataProvider provider, TileCache cache, CancellationToken cancellationToken)
    {
        using var joined = new MemoryStream();
        foreach (var collection in collections)
        {
            var part = await TileDrawing.GetOrRenderVectorTileAsync(collection, tile, provider, cache, cancellationToken);
            joined.Write(part!.Bytes);
        }

        return joined.Length == 0 ? null : MbTilesWriter.Gzip(joined.ToArray());
    }

    /// <summary>The renderer, or null after saying why it cannot start (e.g. no fonts).</summary>
    internal static MapRenderer? CreateRenderer(TextWriter error)
    {
        try
        {
            return MapRenderer.Create();
        }
        catch (InvalidOperationException e)
        {
            error.WriteLine(e.Message);
            return null;
        }
    }

    private static async Task<IReadOnlyList<KeyValuePair<string, string>>> MetadataAsync(
        IFeatureStore store, MapCatalog catalog, SeedArguments arguments, Envelope bounds, int minZoom, int maxZoom, bool vector, IReadOnlyList<string> layerIds, CancellationToken cancellationToken)
    {
        static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
        var layers = layerIds.Select(id => catalog.Skeleton.Layer(id)!).ToList();
        var attribution = string.Join(" · ", layers.Select(l => l.Attribution).Where(a => !string.IsNullOrWhiteSpace(a)).Distinct());
        var centreZoom = Math.Clamp((minZoom + maxZoom) / 2, minZoom, maxZoom);
        var metadata = new List<KeyValuePair<string, string>>
        {
            new("name", vector ? $"ClusterMap vector tiles: {string.Join(", ", layerIds)}" : MapStyles.Title(arguments.Style)),
            new("format", vector ? "pbf" : "png"),
            new("bounds", $"{Number(bounds.MinX)},{Number(bounds.MinY)},{Number(bounds.MaxX)},{Number(bounds.MaxY)}"),
            new("center", $"{Number(bounds.Centre.X)},{Number(bounds.Centre.Y)},{centreZoom}"),
            new("minzoom", minZoom.ToString(CultureInfo.InvariantCulture)),
            new("maxzoom", maxZoom.ToString(CultureInfo.InvariantCulture)),
            new("attribution", attribution),
            new("description", $"Drawn by ClusterMap from data version {catalog.Version}"),
            new("type", "overlay"),
            new("version", catalog.Version.ToString(CultureInfo.InvariantCulture)),
        };
        if (vector)
        {
            var described = new List<object>();
            foreach (var layer in layers)
            {
                described.Add(new
                {
                    id = layer.Id,
                    description = layer.Title,
                    fields = await VectorLayerFields.OfAsync(store, catalog.Collection(layer.Id)!, cancellationToken),
                    minzoom = minZoom,
                    maxzoom = maxZoom,
                });
            }

            metadata.Add(new("json", System.Text.Json.JsonSerializer.Serialize(new { vector_layers = described })));
        }

        return metadata;
    }

    /// <summary>Every tile of zooms <paramref name="minZoom"/>–<paramref name="maxZoom"/> that meets the box, zoom by zoom, row by row.</summary>
    internal static IEnumerable<TileIndex> TilesCovering(Envelope lonLat, int minZoom, int maxZoom)
    {
        for (var z = minZoom; z <= maxZoom; z++)
        {
            var (northWest, southEast) = Corners(lonLat, z);
            for (var y = northWest.Y; y <= southEast.Y; y++)
            {
                for (var x = northWest.X; x <= southEast.X; x++)
                {
                    yield return TileIndex.Create(z, x, y);
                }
            }
        }
    }

    internal static long CountTiles(Envelope lonLat, int minZoom, int maxZoom)
    {
        var count = 0L;
        for (var z = minZoom; z <= maxZoom; z++)
        {
            var (northWest, southEast) = Corners(lonLat, z);
            count += (long)(southEast.X - northWest.X + 1) * (southEast.Y - northWest.Y + 1);
        }

        return count;
    }

    private static (TileIndex NorthWest, TileIndex SouthEast) Corners(Envelope lonLat, int z) =>
        (TileIndex.Containing(new Coordinate(lonLat.MinX, lonLat.MaxY), z), TileIndex.Containing(new Coordinate(lonLat.MaxX, lonLat.MinY), z));

    internal static bool TryParseBbox(string text, out Envelope bounds)
    {
        bounds = new Envelope();
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 4)
        {
            return false;
        }

        var values = new double[4];
        for (var i = 0; i < 4; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
            {
                return false;
            }
        }

        var (minLon, minLat, maxLon, maxLat) = (values[0], values[1], values[2], values[3]);
        if (minLon < -180 || maxLon > 180 || minLat < -WebMercator.MaxLatitude || maxLat > WebMercator.MaxLatitude || minLon >= maxLon || minLat >= maxLat)
        {
            return false;
        }

        bounds = new Envelope(minLon, maxLon, minLat, maxLat);
        return true;
    }

    internal static bool TryParseZooms(string text, out int minZoom, out int maxZoom)
    {
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        minZoom = maxZoom = -1;
        var ok = parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out minZoom)
            && int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out maxZoom);
        return ok && minZoom >= TileIndex.MinZoom && maxZoom <= TileIndex.MaxZoom && minZoom <= maxZoom;
    }
}
