using System.Globalization;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;

namespace ClusterMap.Api.Ogc.Html;

/// <summary>The HTML views of the conformance declaration, the collections and one collection with its queryables.</summary>
internal static class CollectionViews
{
    public static HtmlPageResult Conformance(ViewContext view, IReadOnlyList<string> classes)
    {
        var t = view.Text;
        return HtmlPageResult.Of(view, t.Conformance, [("ClusterMap", view.Root + "/?f=html"), (t.Conformance, "")],
            [new(view.As("json"), "alternate", OgcLinks.Json, "JSON")],
            [
                H.E("p", t.ConformanceIntro),
                H.E("ul", classes.Select(c => H.E("li", H.A(c, c)))).Class("conformance"),
            ]);
    }

    public static HtmlPageResult Collections(ViewContext view, IReadOnlyList<CollectionsApi.Collection> collections)
    {
        var t = view.Text;
        var rows = collections.Select(c => H.E("tr",
            H.E("td", H.A(view.View($"/collections/{OgcLinks.Escape(c.Id)}"), c.Title)),
            H.E("td", H.E("code", c.Id)),
            H.E("td", c.Description, H.E("details", H.E("summary", t.Details), Facts(t, c))),
            H.E("td", c.NumberOfFeatures.ToString("N0", CultureInfo.InvariantCulture)).Class("number"),
            H.E("td", H.A(view.View($"/collections/{OgcLinks.Escape(c.Id)}/items"), t.Items)),
            H.E("td", HtmlPageResult.LinkList(c.Links.Where(l => l.Rel is not ("self" or "alternate"))))).Attr("data-id", c.Id));
        return HtmlPageResult.Of(view, t.Collections, [("ClusterMap", view.Root + "/?f=html"), (t.Collections, "")],
            [new(view.As("json"), "alternate", OgcLinks.Json, "JSON")],
            [
                H.E("p", t.CollectionsIntro),
                H.E("table",
                    H.E("thead", H.E("tr", H.E("th", t.Title), H.E("th", t.Id), H.E("th", t.Description), H.E("th", t.NumberOfFeatures), H.E("th", t.Items), H.E("th", t.Links))),
                    H.E("tbody", rows)).Class("collections"),
            ]);
    }

    public static HtmlPageResult Collection(ViewContext view, CollectionsApi.Collection collection, CollectionQueryables queryables)
    {
        var t = view.Text;
        var path = $"/collections/{OgcLinks.Escape(collection.Id)}";
        return HtmlPageResult.Of(view, collection.Title,
            [("ClusterMap", view.Root + "/?f=html"), (t.Collections, view.View("/collections")), (collection.Title, "")],
            [new(view.As("json"), "alternate", OgcLinks.Json, "JSON")],
            [
                H.E("p", H.A(view.View(path + "/items"), t.Items).Class("button").Attr("id", "items-link"),
                    " ", H.A(view.Root + path + "/queryables", t.Queryables + " (JSON Schema)").Attr("type", "application/schema+json")),
                Facts(t, collection),
                H.E("h2", t.Queryables),
                QueryablesTable(t, queryables),
            ],
            collection.Links);
    }

    public static HtmlPageResult Queryables(ViewContext view, CollectionInfo collection, CollectionQueryables queryables)
    {
        var t = view.Text;
        var path = $"/collections/{OgcLinks.Escape(collection.Id)}";
        return HtmlPageResult.Of(view, $"{collection.Definition.Title} — {t.Queryables}",
            [("ClusterMap", view.Root + "/?f=html"), (t.Collections, view.View("/collections")), (collection.Definition.Title, view.View(path)), (t.Queryables, "")],
            [new(view.As("json"), "alternate", "application/schema+json", "JSON Schema")],
            [QueryablesTable(t, queryables), H.E("p", H.A(view.View(path + "/items"), t.Items))]);
    }

    private static HtmlElement QueryablesTable(ViewText t, CollectionQueryables queryables)
    {
        var rows = queryables.Properties.Select(p => H.E("tr",
            H.E("td", H.E("code", p.Name)),
            H.E("td", TypeName(p.Type)),
            H.E("td", p.Enum is { } values ? string.Join(", ", values) : ""),
            H.E("td", p.Type == Cql2PropertyType.Geometry ? t.PrimaryGeometry : p.Name == queryables.TemporalProperty ? t.PrimaryInstant : "")).Attr("data-name", p.Name));
        return H.E("table",
            H.E("thead", H.E("tr", H.E("th", t.Property), H.E("th", t.Type), H.E("th", t.Values), H.E("th", t.Role))),
            H.E("tbody", rows)).Class("queryables");
    }

    /// <summary>Everything the collection's JSON says besides its title and links, its imported metadata included.</summary>
    private static HtmlElement Facts(ViewText t, CollectionsApi.Collection collection)
    {
        var facts = new List<(string Label, HtmlNode Value)>
        {
            (t.Id, H.E("code", collection.Id)),
            (t.Description, collection.Description),
            (t.NumberOfFeatures, collection.NumberOfFeatures.ToString("N0", CultureInfo.InvariantCulture)),
            (t.GeometryType, collection.GeometryType),
            (t.Attribution, collection.Attribution),
            (t.License, collection.License),
        };
        if (collection.Extent?.Spatial is { } spatial)
        {
            facts.Add((t.SpatialExtent, string.Join(", ", spatial.Bbox[0].Select(v => v.ToString("0.######", CultureInfo.InvariantCulture)))));
        }

        if (collection.Extent?.Temporal is { } temporal)
        {
            facts.Add((t.TemporalExtent, $"{temporal.Interval[0][0] ?? ".."} / {temporal.Interval[0][1] ?? ".."}"));
        }

        facts.Add((t.Crs, H.E("ul", collection.Crs.Select(c => H.E("li", H.E("code", c))))));
        foreach (var (name, value) in collection.Metadata ?? [])
        {
            facts.Add((name, FeatureViews.Value(value)));
        }

        return H.E("dl", facts.SelectMany(f => new HtmlNode[] { H.E("dt", f.Label), H.E("dd", f.Value) })).Class("facts");
    }

    /// <summary>The JSON Schema type (and format) the queryables document gives the property.</summary>
    private static string TypeName(Cql2PropertyType type) => type switch
    {
        Cql2PropertyType.Date => "string (date)",
        Cql2PropertyType.Timestamp => "string (date-time)",
        _ => type.ToString().ToLowerInvariant(),
    };
}
