using System.CommandLine;
using ClusterMap.Core.Analysis;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Model;
using ClusterMap.Rendering.Reports;

namespace ClusterMap.Cli.Commands;

/// <summary>
/// <c>clustermap report --collection parks (--id ID | --ids a,b | --filter CQL2) --out FILE.pdf</c>: the service's
/// PDF brief of one feature, or its atlas of a selection, composed by the same <see cref="ReportComposer"/> and
/// <see cref="AtlasComposer"/> from the database the command opens, for reports made where the service cannot be
/// reached. Every page's stamp carries the permalink of the same view on the service (<c>--base-url</c>). Written beside
/// the destination and moved into place when complete, so an error never leaves a half-written file under its name.
/// </summary>
internal static class ReportCommand
{
    /// <summary>The service's address in the permalinks when <c>--base-url</c> is not given: where <c>make run</c> serves.</summary>
    public const string DefaultBaseUrl = "http://127.0.0.1:5080";

    public static Command Create()
    {
        var collection = new Option<string>("--collection") { Description = "The collection reported on: parks, universities or institutes (a collection of one of those roles)", Required = true, HelpName = "ID" };
        var id = new Option<string?>("--id") { Description = "One feature's brief (the service's /reports/{collection}/{id}.pdf)", HelpName = "ID" };
        var ids = new Option<string?>("--ids") { Description = "An atlas of these features, in this order (comma-separated ids)", HelpName = "A,B,…" };
        var filter = new Option<string?>("--filter") { Description = "An atlas of the features a CQL2 text filter selects (as the items' filter=, e.g. \"sector = '集成电路'\")", HelpName = "CQL2" };
        var lang = new Option<string>("--lang") { Description = "Names and labels: zh, en or both", DefaultValueFactory = _ => "both", HelpName = "zh|en|both" };
        var baseUrl = new Option<string>("--base-url") { Description = "The service's address, for the permalink printed and QR-coded on every page", DefaultValueFactory = _ => DefaultBaseUrl, HelpName = "URL" };
        var geodata = new Option<string>("--geodata") { Description = "The geodata folder whose analysis/ holds the sector fit table of a park's research base (the service's Storage:GeodataPath)", DefaultValueFactory = _ => "geodata", HelpName = "DIR" };
        var output = new Option<FileInfo>("--out") { Description = "PDF file to write", Required = true, HelpName = "PATH" };
        var database = CommonOptions.Database();
        var command = new Command("report", "Write a feature's PDF brief (--id) or an atlas of a selection (--ids, --filter, or the whole collection), as the service draws them.")
        {
            collection, id, ids, filter, lang, baseUrl, geodata, output, database,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            new ReportArguments(result.GetValue(collection)!, result.GetValue(id), result.GetValue(ids), result.GetValue(filter), result.GetValue(lang)!,
                result.GetValue(baseUrl)!, result.GetValue(output)!, result.GetValue(database)!, result.GetValue(geodata)!),
            Console.Out, Console.Error, cancellationToken));
        return command;
    }

    // Geodata: the folder of the research base's fit table (--geodata), as the service's Storage:GeodataPath.
    public sealed record ReportArguments(string Collection, string? Id, string? Ids, string? Filter, string Lang, string BaseUrl, FileInfo Output, string Database, string Geodata);

    public static async Task<int> RunAsync(ReportArguments arguments, TextWriter log, TextWriter error, CancellationToken cancellationToken)
    {
        if (new[] { arguments.Id, arguments.Ids, arguments.Filter }.Count(a => a is not null) > 1)
        {
            await error.WriteLineAsync("--id, --ids, --filter: give at most one (--id for one brief, --ids or --filter for an atlas; none for an atlas of the whole collection).");
            return 2;
        }

        if (!MapLanguageNames.TryParse(arguments.Lang, out var language))
        {
            await error.WriteLineAsync($"--lang: '{arguments.Lang}' is not a label language; expected zh, en or both.");
            return 2;
        }

        if (!Uri.TryCreate(arguments.BaseUrl, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https") || baseUri.Query.Length > 0 || baseUri.Fragment.Length > 0)
        {
            await error.WriteLineAsync($"--base-url: '{arguments.BaseUrl}' is not the service's address; expected an absolute http(s) URL without query or fragment (e.g. {DefaultBaseUrl}).");
            return 2;
        }

        var location = StoreLocation.Parse(arguments.Database);
        if (!location.Exists)
        {
            await error.WriteLineAsync($"--db: {location.Display}: no such database (start the service once, or import a file, to create it).");
            return 2;
        }

        // As the service reads it: a folder without the table (or none at all) leaves every fit unknown, and the
        // research base says so under its table.
        var fit = AnalysisInputs.FitTable(arguments.Geodata);
        var store = await location.OpenAsync(cancellationToken);
        using var provider = new MapDataProvider(store, new CollectionSnapshotCache(store), new MapReadSettings(DataVersionCheckMilliseconds: int.MaxValue), TimeProvider.System);
        var catalog = await provider.GetCatalogAsync(cancellationToken);
        if (catalog.Skeleton.Layer(arguments.Collection) is not { Kind: MapLayerKind.Parks or MapLayerKind.Universities or MapLayerKind.Institutes })
        {
            var reportable = catalog.Skeleton.Layers.Where(l => l.Kind is MapLayerKind.Parks or MapLayerKind.Universities or MapLayerKind.Institutes).Select(l => l.Id);
            await error.WriteLineAsync($"--collection: '{arguments.Collection}' is not a collection of parks, universities or institutes in {location.Display}; expected one of: {string.Join(", ", reportable)}.");
            return 2;
        }

        // The nearest tables are measured over whole target collections, as the service measures them; of the subject's
        // layer only the selection is read.
        var data = await provider.GetForFigureAsync(catalog, null, cancellationToken);
        var layer = data.Layer(arguments.Collection)!;
        var renderer = TilesCommand.CreateRenderer(error);
        if (renderer is null)
        {
            return 1;
        }

        using (renderer)
        {
            var root = baseUri.AbsoluteUri.TrimEnd('/');
            var now = TimeProvider.System.GetUtcNow();
            var langQuery = arguments.Lang == "both" ? "" : $"?lang={arguments.Lang}";
            FigureStamp StampOf(string path) => new(data.Version, now, root + path);
            string BriefPath(MapFeature feature) => $"/reports/{Uri.EscapeDataString(layer.Id)}/{Uri.EscapeDataString(feature.Id)}.pdf{langQuery}";

            byte[] pdf;
            string what;
            if (arguments.Id is { } featureId)
            {
                if (await provider.FindAsync(catalog, layer.Id, featureId, cancellationToken) is not { } feature)
                {
                    await error.WriteLineAsync($"--id: '{featureId}' is not a feature of {layer.Id} in {location.Display}; expected an id that `clustermap export --collection {layer.Id}` lists.");
                    return 2;
                }

                var brief = await ReportComposer.FeaturePageAsync(catalog, data, layer, feature, ReportComposer.TargetsOf(data, layer), language,
                    StampOf(BriefPath(feature)), fit, provider, OwnBasemap.Instance, cancellationToken);
                pdf = renderer.RenderReportPdf(brief.Drawn, brief.Page);
                what = $"the brief of {layer.Id}/{feature.Id}";
            }
            else
            {
                var (selected, selection, atlasQuery) = await SelectAsync(arguments, store, catalog, provider, layer, error, cancellationToken);
                if (selected is null)
                {
                    return 2;
                }

                var langPart = arguments.Lang == "both" ? "" : $"lang={arguments.Lang}";
                var query = string.Join("&", new[] { atlasQuery, langPart }.Where(p => p.Length > 0));
                var (pages, _) = await AtlasComposer.AtlasAsync(catalog, data, layer, selected, AtlasComposer.SelectionLine(selection, selected.Count, layer, catalog.Collection(layer.Id)!.FeatureCount), language,
                    StampOf($"/reports/{Uri.EscapeDataString(layer.Id)}.pdf{(query.Length > 0 ? "?" + query : "")}"), f => StampOf(BriefPath(f)),
                    fit, provider, OwnBasemap.Instance, cancellationToken);
                pdf = renderer.RenderReportPdf($"{layer.Title}: {selection}", pages);
                what = $"an atlas of {selected.Count} {(selected.Count == 1 ? "feature" : "features")} of {layer.Id} ({selection})";
            }

            var partial = new FileInfo(arguments.Output.FullName + ".partial");
            await File.WriteAllBytesAsync(partial.FullName, pdf, cancellationToken);
            File.Move(partial.FullName, arguments.Output.FullName, overwrite: true);
            await log.WriteLineAsync($"Wrote {what}, data version {data.Version}, to {arguments.Output.FullName}.");
            return 0;
        }
    }

    /// <summary>The atlas's features in order, the selection in words and as the service's query; null features after an error.</summary>
    private static async Task<(IReadOnlyList<MapFeature>? Selected, string Selection, string Query)> SelectAsync(
        ReportArguments arguments, IFeatureStore store, MapCatalog catalog, MapDataProvider provider, MapLayer layer, TextWriter error, CancellationToken cancellationToken)
    {
        if (arguments.Ids is { } idsText)
        {
            var ids = idsText.Split(',', StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
            var selected = new List<MapFeature>();
            foreach (var id in ids)
            {
                if (id.Length == 0 || await provider.FindAsync(catalog, layer.Id, id, cancellationToken) is not { } feature)
                {
                    await error.WriteLineAsync($"--ids: '{id}' is not a feature of {layer.Id}; expected comma-separated ids of {layer.Id}.");
                    return (null, "", "");
                }

                selected.Add(feature);
            }

            return (selected, $"ids {string.Join(", ", ids)}", "ids=" + Uri.EscapeDataString(string.Join(",", ids)));
        }

        if (arguments.Filter is { } text)
        {
            var collection = (await store.GetCollectionAsync(layer.Id, cancellationToken))!;
            var offered = await new CollectionQueryablesCache(store).GetAsync(collection, cancellationToken);
            ItemsFilter filter;
            try
            {
                var parsed = Cql2.Parse(text, Cql2Language.Text);
                Cql2Validator.Validate(parsed, offered.Queryables);
                filter = new ItemsFilter(parsed, offered.Queryables);
            }
            catch (Cql2Exception ex)
            {
                await error.WriteLineAsync($"--filter: {ex.Error.Message} Expected {ex.Error.Expected}.");
                return (null, "", "");
            }

            var page = await store.GetItemsAsync(new ItemsQuery(layer.Id, [], [], int.MaxValue, 0, filter), cancellationToken);
            var selected = page.Features.Select(MapData.ToMapFeature).ToList();
            if (selected.Count == 0)
            {
                await error.WriteLineAsync($"--filter: '{text}' selects none of {layer.Id}; expected a filter that selects at least one feature.");
                return (null, "", "");
            }

            return (selected, $"filter {text}", "filter=" + Uri.EscapeDataString(text));
        }

        // The command has no atlas limit: the whole collection is read, in store order, as one page.
        return (await provider.AllUpToAsync(catalog, layer.Id, int.MaxValue, cancellationToken), "the whole collection", "");
    }
}
