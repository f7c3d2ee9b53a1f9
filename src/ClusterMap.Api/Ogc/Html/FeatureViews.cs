using System.Globalization;
using System.Text.Json;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Parameters;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Storage;
using ClusterMap.Rendering.Data;
using ClusterMap.Rendering.Model;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Ogc.Html;

/// <summary>
/// The HTML views of a collection's items (a paged table, a static map of the page, a CQL2 filter box) and of one
/// feature (its properties and provenance, a static map, its nearest features as the proximity engine measures them).
/// </summary>
internal static class FeatureViews
{
    /// <summary>Nearest features listed per target collection on a feature's page (and drawn on its map).</summary>
    public const int NearestK = 5;

    private const int MapWidth = 640;
    private const int MapHeight = 360;
    private const int MaxColumns = 6;
    private const int MaxCellLength = 48;

    // Properties shown under Provenance rather than among the others.
    // The first of these a feature has is its list of sources (source_url repeats the first of source_urls).
    private static readonly string[] _sourceProperties = ["source_urls", "source_url", "sources", "source"];
    private static readonly string[] _licenceProperties = ["license", "licence", "attribution"];

    /// <summary>A filter the items page could not apply: what was typed, the 400's text and the position in it.</summary>
    public sealed record FilterError(string Text, string Detail, int? Position);

    public static HtmlPageResult Items(
        ViewContext view, CollectionInfo collection, CollectionQueryables queryables, FeaturePage? page, long offset, int pageSize, FilterError? error, IReadOnlyList<Link>? links = null)
    {
        var t = view.Text;
        var path = $"/collections/{OgcLinks.Escape(collection.Id)}";
        var content = new List<HtmlNode?> { FilterForm(view, path + "/items", error) };
        if (page is not null)
        {
            var matched = page.Matched.Count.ToString(CultureInfo.InvariantCulture);
            content.Add(H.E("p", page.Features.Count == 0
                ? t.NoneMatch
                : (page.Matched.IsExact ? t.Showing : t.ShowingMoreThan)(page.Matched.Count, offset + 1, offset + page.Features.Count))
                .Attr("id", "matched").Attr(page.Matched.IsExact ? "data-matched" : "data-matched-more-than", matched));
            var timeStamp = view.Request.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            content.Add(H.E("p", $"{t.TimeStamp}: {timeStamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}").Class("note"));
            content.Add(Pager(view, page, offset, pageSize));
            if (PageMap(view, collection.Id, page.Features) is { } map)
            {
                content.Add(map);
            }

            content.Add(FeatureTable(view, path, queryables, page.Features));
            content.Add(Pager(view, page, offset, pageSize));
        }

        return HtmlPageResult.Of(view, $"{collection.Definition.Title} — {t.Items}",
            [("ClusterMap", view.Root + "/?f=html"), (t.Collections, view.View("/collections")), (collection.Definition.Title, view.View(path)), (t.Items, "")],
            [new(view.As("json"), "alternate", OgcLinks.GeoJson, "GeoJSON"), new(view.As("csv"), "alternate", "text/csv", "CSV")],
            content,
            links,
            error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    public static async Task<HtmlPageResult> ItemAsync(ViewContext view, CollectionInfo collection, FeatureRecord feature, IReadOnlyList<Link> jsonLinks, CancellationToken cancellationToken)
    {
        var t = view.Text;
        var services = view.Request.HttpContext.RequestServices;
        var path = $"/collections/{OgcLinks.Escape(collection.Id)}";
        var catalog = await services.GetRequiredService<MapDataProvider>().GetCatalogAsync(cancellationToken);
        var kind = catalog.Skeleton.Layer(collection.Id)?.Kind;
        var targets = kind is null ? [] : NearestTargets(catalog.Skeleton, kind.Value);
        using var properties = JsonDocument.Parse(feature.PropertiesJson);
        var root = properties.RootElement;
        var (name, otherName) = Names(root, view.Text.Lang);
        var reference = $"{collection.Id}/{feature.Id}";

        var links = new List<HtmlNode?>
        {
            H.A(view.As("json"), "GeoJSON").Attr("type", OgcLinks.GeoJson),
            kind is MapLayerKind.Parks or MapLayerKind.Universities or MapLayerKind.Institutes
                ? H.A(ViewContext.Url($"{view.Root}/reports/{OgcLinks.Escape(collection.Id)}/{OgcLinks.Escape(feature.Id)}.pdf", [(LangParameter.Name, t.Lang)]), t.Report).Attr("type", "application/pdf").Attr("id", "report-link")
                : null,
            H.A($"{view.Root}/?f=html#lang={t.Lang}&sel={Uri.EscapeDataString(reference)}", t.OpenInClient).Attr("id", "client-link"),
        };
        var content = new List<HtmlNode?>
        {
            otherName is null ? null : H.E("p", otherName).Class("other-name").Attr("lang", t.Lang == "zh" ? "en" : "zh"),
            H.E("p", H.Many(links.Where(l => l is not null).SelectMany((l, i) => new[] { i > 0 ? (HtmlNode)" · " : null, l }))).Class("actions"),
        };
        if (kind is not null)
        {
            var query = new List<(string, string?)> { ("highlight", reference), ("width", "640"), ("height", "400"), (LangParameter.Name, t.Lang) };
            if (targets.Count > 0)
            {
                query.Add(("nearest", NearestK.ToString(CultureInfo.InvariantCulture)));
                query.Add(("nearest_to", string.Join(',', targets.Select(l => l.Id))));
            }

            content.Add(MapFigure(ViewContext.Url(view.Root + "/maps/static.png", query), t.FeatureMap, 640, 400));
        }

        content.Add(H.E("h2", t.Provenance));
        content.Add(Provenance(view, root));
        foreach (var target in targets)
        {
            content.Add(await NearestTableAsync(view, collection.Id, feature, target, cancellationToken));
        }

        content.Add(H.E("h2", t.Properties));
        content.Add(H.E("table",
            H.E("thead", H.E("tr", H.E("th", t.Property), H.E("th", t.Value))),
            H.E("tbody", root.EnumerateObject().Select(p => H.E("tr", H.E("th", H.E("code", p.Name)), H.E("td", Value(p.Value))).Attr("data-name", p.Name)))).Class("properties"));
        content.Add(H.E("details",
            H.E("summary", $"{t.Geometry}: {feature.Geometry.GeometryType}"),
            H.E("pre", new NetTopologySuite.IO.WKTWriter().Write(feature.Geometry)).Class("wkt")).Class("geometry"));
        return HtmlPageResult.Of(view, name ?? feature.Id,
            [("ClusterMap", view.Root + "/?f=html"), (t.Collections, view.View("/collections")), (collection.Definition.Title, view.View(path)), (t.Items, view.View(path + "/items")), (name ?? feature.Id, "")],
            [new(view.As("json"), "alternate", OgcLinks.GeoJson, "GeoJSON")],
            content,
            jsonLinks);
    }

    /// <summary>What a feature's map draws lines to and its page lists: institutions for a park, parks otherwise (as the static map's default).</summary>
    private static List<MapLayer> NearestTargets(MapData skeleton, MapLayerKind kind) =>
        kind == MapLayerKind.Parks
            ? [.. skeleton.OfKind(MapLayerKind.Universities), .. skeleton.OfKind(MapLayerKind.Institutes)]
            : kind is MapLayerKind.Universities or MapLayerKind.Institutes ? [.. skeleton.OfKind(MapLayerKind.Parks)] : [];

    /// <summary>The k nearest of one target collection, by the engine and snapshots that answer <c>/proximity/nearest</c>.</summary>
    private static async Task<HtmlNode> NearestTableAsync(ViewContext view, string collectionId, FeatureRecord feature, MapLayer target, CancellationToken cancellationToken)
    {
        var t = view.Text;
        var services = view.Request.HttpContext.RequestServices;
        var snapshots = services.GetRequiredService<ProximityTargets>();
        var window = services.GetRequiredService<IOptions<ProximityOptions>>().VersionWindow();
        var heading = H.E("h2", $"{t.Nearest} {target.Title}");
        if (await snapshots.GetAsync(target.Id, window, cancellationToken) is not { } found)
        {
            return heading;
        }

        var uncertainty = FeatureProperties.UncertaintyMeters(feature.PropertiesJson);
        Func<ProximityItem, bool>? notItself = target.Id == collectionId ? item => item.Id != feature.Id : null;
        var candidates = await found.ForNearestAsync(feature.Geometry, NearestK, uncertainty, double.PositiveInfinity, notItself, cancellationToken);
        var hits = candidates.ProximityIndex.Nearest(feature.Geometry, NearestK, uncertainty, double.PositiveInfinity, notItself);
        var targetPath = $"/collections/{OgcLinks.Escape(target.Id)}/items/";
        var rows = hits.Select(hit =>
        {
            var record = candidates.Find(hit.Id);
            string? hitName = null;
            if (record is not null)
            {
                using var document = JsonDocument.Parse(record.PropertiesJson);
                hitName = Names(document.RootElement, t.Lang).Name;
            }

            return H.E("tr",
                H.E("td", hit.Rank.ToString(CultureInfo.InvariantCulture)).Class("number"),
                H.E("td", H.A(view.View(targetPath + OgcLinks.Escape(hit.Id)), hitName ?? hit.Id)),
                H.E("td", Meters(hit.DistanceMeters)).Class("number"),
                H.E("td", hit.IsExact ? t.Exact : $"{Meters(hit.MinDistanceMeters)}–{Meters(hit.MaxDistanceMeters)}").Class("number")).Attr("data-id", hit.Id);
        });
        return H.Many([
            heading,
            H.E("table",
                H.E("thead", H.E("tr", H.E("th", t.Rank), H.E("th", t.Name), H.E("th", t.DistanceM), H.E("th", t.RangeM))),
                H.E("tbody", rows)).Class("nearest").Attr("data-target", target.Id),
            H.E("p", t.DistanceNote).Class("note"),
        ]);
    }

    private static HtmlElement Provenance(ViewContext view, JsonElement properties)
    {
        var t = view.Text;
        var facts = new List<(string Label, HtmlNode Value)>();
        if (_sourceProperties.Select(n => Present(properties, n)).FirstOrDefault(v => v is not null) is { } sources)
        {
            facts.Add((t.Sources, Value(sources)));
        }

        if (Present(properties, "location_method") is { } method)
        {
            facts.Add((t.LocationMethod, Value(method)));
        }

        if (Present(properties, "location_uncertainty_m") is { ValueKind: JsonValueKind.Number } uncertainty)
        {
            facts.Add((t.Uncertainty, $"{Meters(uncertainty.GetDouble())} {t.Meters}"));
        }

        foreach (var name in _licenceProperties)
        {
            if (Present(properties, name) is { } value)
            {
                facts.Add((name == "attribution" ? t.Attribution : t.License, Value(value)));
            }
        }

        return H.E("dl", facts.SelectMany(f => new HtmlNode[] { H.E("dt", f.Label), H.E("dd", f.Value) })).Class("facts provenance");
    }

    private static JsonElement? Present(JsonElement properties, string name) =>
        properties.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static HtmlElement FilterForm(ViewContext view, string itemsPath, FilterError? error)
    {
        var t = view.Text;
        var query = view.Request.Query;
        // Every other parameter of this page rides along, except those the new filter replaces; paging restarts.
        var hidden = query
            .Where(p => p.Key is not ("filter" or "filter-lang" or "offset" or "f"))
            .Select(p => H.E("input").Attr("type", "hidden").Attr("name", p.Key).Attr("value", p.Value.ToString()))
            .Append(H.E("input").Attr("type", "hidden").Attr("name", "f").Attr("value", HtmlParameters.Html));
        var text = error?.Text ?? (query.TryGetValue("filter", out var given) && query["filter-lang"].ToString() is "" or FilterParameter.TextLanguage ? given.ToString() : "");
        var form = H.E("form",
            H.E("label", t.Filter).Attr("for", "filter"),
            H.E("input").Attr("type", "text").Attr("name", "filter").Attr("id", "filter").Attr("value", text).Attr("placeholder", t.FilterHint)
                .Attr("maxlength", FilterParameter.MaxLength.ToString(CultureInfo.InvariantCulture)).Attr("aria-invalid", error is null ? null : "true"),
            H.Many(hidden),
            H.E("button", t.Apply).Attr("type", "submit"),
            text.Length > 0 ? H.A(view.Here(("filter", null), ("filter-lang", null), ("offset", null)), t.ClearFilter).Class("clear") : null)
            .Attr("method", "get").Attr("action", view.Root + itemsPath).Class("filter");
        if (error is null)
        {
            return form;
        }

        var marked = error.Position is { } position && position >= 0 && position <= error.Text.Length
            ? H.E("pre",
                error.Text[..position],
                H.E("mark", position < error.Text.Length ? error.Text[position].ToString() : " "),
                position < error.Text.Length ? error.Text[(position + 1)..] : null).Class("filter-text")
            : null;
        return H.E("div",
            form,
            H.E("div",
                H.E("p", H.E("strong", t.FilterError), error.Position is { } at ? $" ({t.AtCharacter(at)})" : null),
                H.E("p", error.Detail),
                marked).Class("error").Attr("role", "alert").Attr("id", "filter-error"));
    }

    private static HtmlElement Pager(ViewContext view, FeaturePage page, long offset, int pageSize)
    {
        var t = view.Text;
        var limit = pageSize.ToString(CultureInfo.InvariantCulture);
        return H.E("nav",
            offset > 0
                ? H.A(view.Here(("limit", limit), ("offset", Math.Max(0, offset - pageSize).ToString(CultureInfo.InvariantCulture)), ("f", HtmlParameters.Html)), "← " + t.Previous).Attr("rel", "prev")
                : null,
            page.HasNext(offset)
                ? H.A(view.Here(("limit", limit), ("offset", (offset + pageSize).ToString(CultureInfo.InvariantCulture)), ("f", HtmlParameters.Html)), t.Next + " →").Attr("rel", "next")
                : null).Class("pager");
    }

    /// <summary>
    /// The id, the name and the first few short properties in stored order: in the page's language where a property
    /// has an English twin (<c>district</c> / <c>district_en</c>), without ids and bookkeeping.
    /// </summary>
    private static HtmlElement FeatureTable(ViewContext view, string collectionPath, CollectionQueryables queryables, IReadOnlyList<FeatureRecord> features)
    {
        var t = view.Text;
        var documents = features.Select(f => JsonDocument.Parse(f.PropertiesJson)).ToList();
        try
        {
            var scalar = queryables.Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            var names = documents.SelectMany(d => d.RootElement.EnumerateObject().Select(p => p.Name)).Distinct(StringComparer.Ordinal).ToList();
            var columns = names
                .Where(n => scalar.Contains(n) && !n.StartsWith("name", StringComparison.Ordinal) && !n.EndsWith("_source", StringComparison.Ordinal) && !n.EndsWith("_id", StringComparison.Ordinal))
                .Where(n => t.Lang == "en" ? !names.Contains(n + "_en") : !(n.EndsWith("_en", StringComparison.Ordinal) && names.Contains(n[..^3])))
                .Where(n => documents.All(d => !d.RootElement.TryGetProperty(n, out var v) || v.ValueKind != JsonValueKind.String || v.GetString()!.Length <= MaxCellLength))
                .Take(MaxColumns)
                .ToList();
            var rows = features.Select((f, i) =>
            {
                var properties = documents[i].RootElement;
                var (name, other) = Names(properties, t.Lang);
                return H.E("tr",
                    H.E("td", H.A(view.View($"{collectionPath}/items/{OgcLinks.Escape(f.Id)}"), f.Id)),
                    H.E("td", name ?? "", other is null ? null : H.E("span", other).Class("other-name")),
                    H.Many(columns.Select(c => H.E("td", properties.TryGetProperty(c, out var v) ? Value(v) : "")))).Attr("data-id", f.Id);
            });
            return H.E("table",
                H.E("thead", H.E("tr", H.E("th", t.Id), H.E("th", t.Name), H.Many(columns.Select(c => H.E("th", H.E("code", c)))))),
                H.E("tbody", rows.ToList())).Class("items");
        }
        finally
        {
            documents.ForEach(d => d.Dispose());
        }
    }

    /// <summary>A static map of the area of the page's features, drawing their collection (no script needed).</summary>
    private static HtmlElement? PageMap(ViewContext view, string collectionId, IReadOnlyList<FeatureRecord> features)
    {
        var envelope = new Envelope();
        foreach (var feature in features.Where(f => !f.Geometry.IsEmpty))
        {
            envelope.ExpandToInclude(feature.Geometry.EnvelopeInternal);
        }

        if (envelope.IsNull)
        {
            return null;
        }

        // A margin around the features, and a box with an area even for a single point.
        var margin = Math.Max(0.01, Math.Max(envelope.Width, envelope.Height) * 0.08);
        envelope.ExpandBy(margin);
        var box = string.Join(',', new[]
        {
            Math.Max(-180, envelope.MinX), Math.Max(-85, envelope.MinY), Math.Min(180, envelope.MaxX), Math.Min(85, envelope.MaxY),
        }.Select(v => v.ToString("0.######", CultureInfo.InvariantCulture)));
        var url = ViewContext.Url(view.Root + "/maps/static.png",
            [("bbox", box), ("layers", collectionId), ("width", MapWidth.ToString(CultureInfo.InvariantCulture)), ("height", MapHeight.ToString(CultureInfo.InvariantCulture)), (LangParameter.Name, view.Text.Lang)]);
        return MapFigure(url, view.Text.PageMap, MapWidth, MapHeight);
    }

    private static HtmlElement MapFigure(string url, string caption, int width, int height) =>
        H.E("figure",
            H.E("img").Attr("src", url).Attr("alt", caption).Attr("width", width.ToString(CultureInfo.InvariantCulture)).Attr("height", height.ToString(CultureInfo.InvariantCulture)).Attr("id", "static-map"),
            H.E("figcaption", caption)).Class("map");

    /// <summary>The feature's name in the page's language and the other one, where the data has them.</summary>
    private static (string? Name, string? Other) Names(JsonElement properties, string lang)
    {
        string? Text(string name) => properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
        var (zh, en, plain) = (Text("name_zh"), Text("name_en"), Text("name"));
        var name = (lang == "zh" ? zh ?? en : en ?? zh) ?? plain;
        var other = lang == "zh" ? (zh is null ? null : en) : (en is null ? null : zh);
        return (name, other == name ? null : other);
    }

    /// <summary>A JSON value as text; web addresses become links, arrays list their items, objects their members.</summary>
    internal static HtmlNode Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when value.GetString() is { } s && (s.StartsWith("https://", StringComparison.Ordinal) || s.StartsWith("http://", StringComparison.Ordinal)) =>
            H.A(s, s).Attr("rel", "noreferrer"),
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => "",
        JsonValueKind.Array => H.E("ul", value.EnumerateArray().Select(v => H.E("li", Value(v)))).Class("values"),
        JsonValueKind.Object => H.E("dl", value.EnumerateObject().SelectMany(m => new HtmlNode[] { H.E("dt", H.E("code", m.Name)), H.E("dd", Value(m.Value)) })).Class("facts"),
        _ => value.GetRawText(),
    };

    private static string Meters(double meters) => meters.ToString("N0", CultureInfo.InvariantCulture);
}
