using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Ogc.Html;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Features;
using ClusterMap.Core.Filtering;
using ClusterMap.Core.Storage;
using ClusterMap.Projections;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ClusterMap.Api.Ogc;

/// <summary>OGC API – Features collections, items and single features (Part 1), and queryables (Part 3).</summary>
internal static class CollectionsApi
{
    public const string Crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

    /// <summary>The property that names the district (a <c>districts</c> feature id) a feature lies in.</summary>
    private const string DistrictIdProperty = "district_id";

    public sealed record SpatialExtent(
        [property: JsonPropertyName("bbox")] IReadOnlyList<double[]> Bbox,
        [property: JsonPropertyName("crs")] string Crs);

    public sealed record TemporalExtent(
        [property: JsonPropertyName("interval")] IReadOnlyList<string?[]> Interval,
        [property: JsonPropertyName("trs")] string Trs);

    public sealed record Extent(
        [property: JsonPropertyName("spatial"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SpatialExtent? Spatial,
        [property: JsonPropertyName("temporal"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TemporalExtent? Temporal = null);

    public sealed record Collection(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("description")] string Description,
        [property: JsonPropertyName("attribution")] string Attribution,
        [property: JsonPropertyName("license")] string License,
        [property: JsonPropertyName("extent")] Extent? Extent,
        [property: JsonPropertyName("itemType")] string ItemType,
        [property: JsonPropertyName("crs")] IReadOnlyList<string> Crs,
        [property: JsonPropertyName("geometryType")] string GeometryType,
        [property: JsonPropertyName("numberOfFeatures")] long NumberOfFeatures,
        [property: JsonPropertyName("links")] IReadOnlyList<Link> Links)
    {
        /// <summary>Further members the collection was imported with (e.g. <c>catalogue</c>), served as they are.</summary>
        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Metadata { get; init; }
    }

    public sealed record Collections(
        [property: JsonPropertyName("links")] IReadOnlyList<Link> Links,
        [property: JsonPropertyName("collections")] IReadOnlyList<Collection> Items);

    /// <summary>The temporal reference system of temporal extents (OGC API – Features Part 1, 7.13).</summary>
    public const string Gregorian = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian";

    public static IEndpointRouteBuilder MapCollectionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/collections").WithTags("Data").WithDataVersionETag();
        group.MapGet("", GetCollections).WithName("getCollections").WithSummary("The feature collections in the dataset")
            .WithQueryParameters(HtmlParameters.JsonOrHtml);
        group.MapGet("/{collectionId}", GetCollection).WithName("describeCollection").WithSummary("Describe a feature collection")
            .WithQueryParameters(HtmlParameters.JsonOrHtml);
        group.MapGet("/{collectionId}/queryables", GetQueryables).WithName("getQueryables")
            .WithSummary("Properties that filters can name, as JSON Schema 2020-12 (type, format, enum, x-ogc-role)").WithQueryParameters(HtmlParameters.JsonOrHtml);
        group.MapGet("/{collectionId}/items", GetItems).WithName("getFeatures")
            .WithSummary("Features of a collection, filtered by bbox, datetime, a CQL2 filter and property equality, in pages")
            .WithDescription("Pages of features in store order, with numberReturned, next/prev links (which carry every filter) and numberMatched when the matches number at most Features:MaxExactCount (or the page is the last). filter takes CQL2 text or JSON (OGC API – Features Part 3) on the properties listed at /collections/{collectionId}/queryables; datetime selects on the property that has x-ogc-role primary-instant there. Any scalar queryable also filters by equality, e.g. ?sector=集成电路.")
            .WithQueryParameters<ItemsParameters>(p => p.Items);
        group.MapGet("/{collectionId}/items/{featureId}", GetItem).WithName("getFeature").WithSummary("One feature by id")
            .WithQueryParameters(ItemsParameters.Item);
        return routes;
    }

    public static async Task<Results<Ok<Collections>, HtmlPageResult, ProblemHttpResult>> GetCollections(
        HttpRequest request, IFeatureStore store, CollectionQueryablesCache queryables, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        if (query.CheckNames() is { } problem || !HtmlViews.TryContext(request, query, out var view, out problem))
        {
            return problem;
        }

        var root = OgcLinks.BaseUrl(request);
        var collections = await store.GetCollectionsAsync(cancellationToken);
        var described = new List<Collection>();
        foreach (var collection in collections)
        {
            described.Add(Describe(root, collection, await queryables.GetAsync(collection, cancellationToken)));
        }

        return HtmlViews.Wanted(request, query.Text(HtmlParameters.Format))
            ? CollectionViews.Collections(view, described)
            : TypedResults.Ok(new Collections(
            [
                new($"{root}/collections", "self", OgcLinks.Json, "The feature collections"),
                new($"{root}/collections?f=html", "alternate", OgcLinks.Html, "The feature collections as HTML"),
            ], described));
    }

    public static async Task<Results<Ok<Collection>, HtmlPageResult, ProblemHttpResult>> GetCollection(
        string collectionId, HttpRequest request, IFeatureStore store, CollectionQueryablesCache queryables, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        if (query.CheckNames() is { } problem || !HtmlViews.TryContext(request, query, out var view, out problem))
        {
            return problem;
        }

        var collection = await store.GetCollectionAsync(collectionId, cancellationToken);
        if (collection is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        var offered = await queryables.GetAsync(collection, cancellationToken);
        var described = Describe(OgcLinks.BaseUrl(request), collection, offered);
        return HtmlViews.Wanted(request, query.Text(HtmlParameters.Format)) ? CollectionViews.Collection(view, described, offered) : TypedResults.Ok(described);
    }

    public static async Task<Results<ContentHttpResult, HtmlPageResult, ProblemHttpResult>> GetQueryables(
        string collectionId, HttpRequest request, IFeatureStore store, CollectionQueryablesCache queryables, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        if (query.CheckNames() is { } problem || !HtmlViews.TryContext(request, query, out var view, out problem))
        {
            return problem;
        }

        var collection = await store.GetCollectionAsync(collectionId, cancellationToken);
        if (collection is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        var root = OgcLinks.BaseUrl(request);
        var offered = await queryables.GetAsync(collection, cancellationToken);
        if (HtmlViews.Wanted(request, query.Text(HtmlParameters.Format)))
        {
            return CollectionViews.Queryables(view, collection, offered);
        }

        return TypedResults.Content(
            QueryablesSchema.ToJsonSchema(offered.Properties, $"{root}/collections/{OgcLinks.Escape(collection.Id)}/queryables", collection.Definition.Title, offered.TemporalProperty),
            "application/schema+json", Encoding.UTF8);
    }

    public static async Task<Results<FeatureCollectionResult, FeatureCsvResult, HtmlPageResult, ProblemHttpResult>> GetItems(
        string collectionId, HttpRequest request, IFeatureStore store, CollectionQueryablesCache queryablesCache, IOptions<FeaturesOptions> options, ItemsParameters parameters, TimeProvider clock, CancellationToken cancellationToken)
    {
        var collection = await store.GetCollectionAsync(collectionId, cancellationToken);
        if (collection is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        var queryables = collection.Queryables.ToHashSet(StringComparer.Ordinal);
        var query = QueryParameters.Of(request);
        ProblemHttpResult? problem;
        if ((problem = query.CheckNames(queryables.Contains)) is not null
            || !query.TryRead(CrsParameter.Output, out var crs, out problem)
            || !query.TryRead(CrsParameter.BboxCrs, out var bboxCrs, out problem)
            || (problem = Bbox(query, bboxCrs, out var bbox)) is not null
            || !query.TryRead(parameters.Limit, out var limit, out problem)
            || !query.TryRead(ItemsParameters.Offset, out var offset, out problem)
            || !query.TryRead(ItemsParameters.Format, out var format, out problem)
            || !HtmlViews.TryContext(request, query, out var view, out problem))
        {
            return problem;
        }

        format = HtmlViews.Wanted(request, query.Text(ItemsParameters.Format)) ? HtmlParameters.Html : format;
        var (filter, filterProblem) = await ReadFilterAsync(query, collection, queryablesCache, cancellationToken);
        if (filterProblem is not null)
        {
            // A browser's filter box shows its error on the page; any other bad parameter stays a ProblemDetails.
            return format == HtmlParameters.Html && filterProblem.ProblemDetails.Extensions.TryGetValue("parameter", out var name) && name as string == FilterParameter.Filter.Name
                ? FeatureViews.Items(view, collection, await queryablesCache.GetAsync(collection, cancellationToken), null, offset, (int)Math.Min(limit, options.Value.MaxLimit),
                    new(query.Text(FilterParameter.Filter) ?? "", filterProblem.ProblemDetails.Detail ?? "", filterProblem.ProblemDetails.Extensions.TryGetValue("position", out var at) ? at as int? : null))
                : filterProblem;
        }

        if (!query.TryRead(FilterParameter.SortBy, out var sortBy, out problem)
            || !query.TryRead(FilterParameter.SkipGeometry, out var skipGeometry, out problem)
            || !query.TryRead(FilterParameter.Properties, out var selected, out problem))
        {
            return problem;
        }

        if (selected.Count > 0 && (await queryablesCache.GetAsync(collection, cancellationToken)).PropertyNames is var names
            && selected.FirstOrDefault(n => !names.Contains(n)) is { } unknownProperty)
        {
            return ApiProblems.InvalidParameter(FilterParameter.Properties.Name,
                $"{FilterParameter.Properties.AcceptedForm}; '{ApiProblems.Excerpt(unknownProperty)}' is not one of them");
        }

        ItemsOrder? order = null;
        if (sortBy.Count > 0)
        {
            var offered = await queryablesCache.GetAsync(collection, cancellationToken);
            var unknown = sortBy.FirstOrDefault(k => !offered.Queryables.TryGet(k.Property, out var type) || type == Core.Filtering.Cql2PropertyType.Geometry);
            if (unknown is not null)
            {
                return ApiProblems.InvalidParameter(FilterParameter.SortBy.Name,
                    $"{FilterParameter.SortBy.AcceptedForm}; '{ApiProblems.Excerpt(unknown.Property)}' is not one of them (see /collections/{collection.Id}/queryables)");
            }

            order = new ItemsOrder(sortBy, offered.Queryables);
        }

        var filters = request.Query
            .Where(pair => queryables.Contains(pair.Key) && query.Operation.Find(pair.Key) is null)
            .Select(pair => new PropertyFilter(pair.Key, pair.Value.ToString()))
            .ToList();
        var pageSize = (int)Math.Min(limit, options.Value.MaxLimit);
        var maxExactCount = options.Value.MaxExactCount == 0 ? (int?)null : options.Value.MaxExactCount;
        var page = await store.GetItemsAsync(new ItemsQuery(collection.Id, bbox, filters, pageSize, (int)offset, filter, order, maxExactCount), cancellationToken);
        if (query.Has(FilterParameter.Properties))
        {
            page = page with { Features = [.. page.Features.Select(f => f with { PropertiesJson = SelectProperties(f.PropertiesJson, selected) })] };
        }

        var root = OgcLinks.BaseUrl(request);
        var itemsUrl = $"{root}/collections/{OgcLinks.Escape(collection.Id)}/items";
        var links = new List<Link>
        {
            new(PageUrl(itemsUrl, request.Query, pageSize, offset), "self", OgcLinks.GeoJson, "This page"),
            new(PageUrl(itemsUrl, request.Query, pageSize, offset, HtmlParameters.Html), "alternate", OgcLinks.Html, "This page as HTML"),
            new($"{root}/collections/{OgcLinks.Escape(collection.Id)}", "collection", OgcLinks.Json, collection.Definition.Title),
        };
        if (page.HasNext(offset))
        {
            links.Add(new(PageUrl(itemsUrl, request.Query, pageSize, offset + pageSize), "next", OgcLinks.GeoJson, "Next page"));
        }

        if (offset > 0)
        {
            links.Add(new(PageUrl(itemsUrl, request.Query, pageSize, Math.Max(0, offset - pageSize)), "prev", OgcLinks.GeoJson, "Previous page"));
        }

        if (format == HtmlParameters.Html)
        {
            return FeatureViews.Items(view, collection, await queryablesCache.GetAsync(collection, cancellationToken), page, offset, pageSize, null, links);
        }

        if (format == "csv")
        {
            return new FeatureCsvResult(page.Features, crs, $"{collection.Id}.csv", links.FirstOrDefault(l => l.Rel == "next")?.Href);
        }

        return new FeatureCollectionResult(page, links, clock.GetUtcNow(), crs, skipGeometry);
    }

    public static async Task<Results<FeatureResult, HtmlPageResult, ProblemHttpResult>> GetItem(
        string collectionId, string featureId, HttpRequest request, IFeatureStore store, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        if ((query.CheckNames() is { } problem) || !query.TryRead(CrsParameter.Output, out var crs, out problem)
            || !HtmlViews.TryContext(request, query, out var view, out problem))
        {
            return problem;
        }

        var collection = await store.GetCollectionAsync(collectionId, cancellationToken);
        if (collection is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        var feature = await store.GetItemAsync(collection.Id, featureId, cancellationToken);
        if (feature is null)
        {
            return ApiProblems.FeatureNotFound(collection.Id, featureId);
        }

        var root = OgcLinks.BaseUrl(request);
        var collectionUrl = $"{root}/collections/{OgcLinks.Escape(collection.Id)}";
        List<Link> links =
        [
            new($"{collectionUrl}/items/{OgcLinks.Escape(feature.Id)}", "self", OgcLinks.GeoJson, "This feature"),
            new($"{collectionUrl}/items/{OgcLinks.Escape(feature.Id)}?f=html", "alternate", OgcLinks.Html, "This feature as HTML"),
            new(collectionUrl, "collection", OgcLinks.Json, collection.Definition.Title),
        ];
        if (CollectionRole.Of(collection.Definition) == CollectionRole.District)
        {
            links.AddRange(InsideDistrict(root, feature.Id, await store.GetCollectionsAsync(cancellationToken)));
        }

        return HtmlViews.Wanted(request, query.Text(ItemsParameters.ItemFormat))
            ? await FeatureViews.ItemAsync(view, collection, feature, links, cancellationToken)
            : new FeatureResult(feature, links, crs);
    }

    /// <summary>
    /// <c>filter</c> (in <c>filter-lang</c>, its literals in <c>filter-crs</c>) and <c>datetime</c> as one condition, checked
    /// against the collection's queryables; null when neither is given.
    /// </summary>
    internal static async Task<(ItemsFilter? Filter, ProblemHttpResult? Problem)> ReadFilterAsync(
        QueryParameters query, CollectionInfo collection, CollectionQueryablesCache queryablesCache, CancellationToken cancellationToken)
    {
        var (filter, problem) = await FilterReader.ReadAsync(query, FilterParameters.Features, collection, queryablesCache, cancellationToken);
        if (problem is not null || !query.TryRead(FilterParameter.Datetime, out var datetime, out problem))
        {
            return (null, problem);
        }

        if (filter is null && datetime is null)
        {
            return (null, null);
        }

        var offered = await queryablesCache.GetAsync(collection, cancellationToken);
        var conditions = new List<Cql2Node>();
        if (filter is not null)
        {
            conditions.Add(filter.Condition);
        }

        if (datetime is not null)
        {
            // Part 1 selects the features whose temporal geometry meets datetime: without a temporal property, none does.
            conditions.Add(offered.TemporalProperty is { } temporal ? datetime.ToFilter(temporal) : new Cql2Boolean(false));
        }

        return (new ItemsFilter(conditions.Count == 1 ? conditions[0] : new Cql2And(conditions), offered.Queryables), null);
    }

    /// <summary><c>bbox</c> in the CRS that <c>bbox-crs</c> names (CRS84 by default).</summary>
    private static ProblemHttpResult? Bbox(QueryParameters query, Crs bboxCrs, out IReadOnlyList<NetTopologySuite.Geometries.Envelope> bbox)
    {
        if (bboxCrs == CrsRegistry.Wgs84)
        {
            return query.TryRead(ItemsParameters.Bbox, out bbox, out var problem) ? null : problem;
        }

        bbox = ItemsParameters.Bbox.Default;
        return query.Text(ItemsParameters.Bbox) is { } text && !CrsParameter.TryParseBbox(text, bboxCrs, out bbox)
            ? ApiProblems.InvalidParameter(ItemsParameters.Bbox.Name, CrsParameter.BboxForm(bboxCrs))
            : null;
    }

    /// <summary>
    /// What lies inside a district: for every collection whose features carry the <c>district_id</c> the geodata build
    /// computes from the polygons, its items filtered to this district.
    /// </summary>
    private static IEnumerable<Link> InsideDistrict(string root, string districtId, IReadOnlyList<CollectionInfo> collections) =>
        collections
            .Where(c => c.Queryables.Contains(DistrictIdProperty, StringComparer.Ordinal))
            .Select(c => new Link(
                $"{root}/collections/{OgcLinks.Escape(c.Id)}/items?{DistrictIdProperty}={Uri.EscapeDataString(districtId)}",
                "related", OgcLinks.GeoJson, $"{c.Definition.Title} in this district"));

    private static Collection Describe(string root, CollectionInfo info, CollectionQueryables queryables)
    {
        var url = $"{root}/collections/{OgcLinks.Escape(info.Id)}";
        var spatial = info.Extent is { } e ? new SpatialExtent([[e.MinX, e.MinY, e.MaxX, e.MaxY]], Crs84) : null;
        var temporal = queryables.TemporalExtent is { } t
            ? new TemporalExtent([[Rfc3339Text(t.Start), Rfc3339Text(t.End)]], Gregorian)
            : null;
        var extent = spatial is null && temporal is null ? null : new Extent(spatial, temporal);
        return new Collection(
            info.Id, info.Definition.Title, info.Definition.Description, info.Definition.Attribution, info.Definition.License,
            extent, "feature", [.. CrsRegistry.Served.Select(c => CrsApi.Uri(c, root))], info.GeometryType, info.FeatureCount,
            [
                new(url, "self", OgcLinks.Json, "This collection"),
                new($"{url}?f=html", "alternate", OgcLinks.Html, "This collection as HTML"),
                new($"{url}/items", "items", OgcLinks.GeoJson, "Its features"),
                new($"{url}/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "Properties to filter on"),
                .. TilesOgcApi.CollectionLinks(url),
            ])
        {
            Metadata = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(info.Definition.MetadataJson) is { Count: > 0 } metadata ? metadata : null,
        };
    }

    /// <summary>The members of a properties object that <c>properties</c> names, in their stored order and form.</summary>
    private static string SelectProperties(string propertiesJson, IReadOnlyList<string> names)
    {
        using var document = JsonDocument.Parse(propertiesJson);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, GeoJsonWriting.WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var member in document.RootElement.EnumerateObject().Where(m => names.Contains(m.Name, StringComparer.Ordinal)))
            {
                writer.WritePropertyName(member.Name);
                writer.WriteRawValue(member.Value.GetRawText(), skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Rfc3339Text(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", CultureInfo.InvariantCulture);

    private static string PageUrl(string itemsUrl, IQueryCollection query, int limit, long offset, string? format = null)
    {
        var text = new StringBuilder(itemsUrl).Append('?');
        foreach (var (name, value) in query.Where(p => p.Key != ItemsParameters.LimitName && p.Key != ItemsParameters.Offset.Name && (format is null || p.Key != FormatParameter.Name)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value.ToString())).Append('&');
        }

        if (format is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"{FormatParameter.Name}={format}&");
        }

        return text.Append(CultureInfo.InvariantCulture, $"limit={limit}&offset={offset}").ToString();
    }
}
