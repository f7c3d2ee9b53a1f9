using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Features;
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

    public sealed record Extent([property: JsonPropertyName("spatial")] SpatialExtent Spatial);

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

    public sealed record QueryableProperty([property: JsonPropertyName("title")] string Title);

    public sealed record Queryables(
        [property: JsonPropertyName("$schema")] string Schema,
        [property: JsonPropertyName("$id")] string Id,
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("title")] string Title,
        [property: JsonPropertyName("properties")] IReadOnlyDictionary<string, QueryableProperty> Properties);

    public static IEndpointRouteBuilder MapCollectionsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/collections").WithTags("Data").WithDataVersionETag();
        group.MapGet("", GetCollections).WithName("getCollections").WithSummary("The feature collections in the dataset")
            .WithQueryParameters(OperationParameters.JsonOnly);
        group.MapGet("/{collectionId}", GetCollection).WithName("describeCollection").WithSummary("Describe a feature collection")
            .WithQueryParameters(OperationParameters.JsonOnly);
        group.MapGet("/{collectionId}/queryables", GetQueryables).WithName("getQueryables")
            .WithSummary("Properties that items can be filtered on by equality, e.g. ?sector=集成电路").WithQueryParameters(OperationParameters.JsonOnly);
        group.MapGet("/{collectionId}/items", GetItems).WithName("getFeatures")
            .WithSummary("Features of a collection, filtered by bbox and property equality, in pages")
            .WithDescription("Pages of features in store order, with numberMatched, numberReturned and next/prev links. Any property listed at /collections/{collectionId}/queryables filters by equality, e.g. ?sector=集成电路.")
            .WithQueryParameters<ItemsParameters>(p => p.Items);
        group.MapGet("/{collectionId}/items/{featureId}", GetItem).WithName("getFeature").WithSummary("One feature by id")
            .WithQueryParameters(ItemsParameters.Item);
        return routes;
    }

    public static async Task<Results<Ok<Collections>, ProblemHttpResult>> GetCollections(HttpRequest request, IFeatureStore store, CancellationToken cancellationToken)
    {
        if (QueryParameters.Of(request).CheckNames() is { } problem)
        {
            return problem;
        }

        var root = OgcLinks.BaseUrl(request);
        var collections = await store.GetCollectionsAsync(cancellationToken);
        return TypedResults.Ok(new Collections(
            [new($"{root}/collections", "self", OgcLinks.Json, "The feature collections")],
            [.. collections.Select(c => Describe(root, c))]));
    }

    public static async Task<Results<Ok<Collection>, ProblemHttpResult>> GetCollection(
        string collectionId, HttpRequest request, IFeatureStore store, CancellationToken cancellationToken)
    {
        if (QueryParameters.Of(request).CheckNames() is { } problem)
        {
            return problem;
        }

        var collection = await store.GetCollectionAsync(collectionId, cancellationToken);
        return collection is null
            ? ApiProblems.CollectionNotFound(collectionId)
            : TypedResults.Ok(Describe(OgcLinks.BaseUrl(request), collection));
    }

    public static async Task<Results<JsonHttpResult<Queryables>, ProblemHttpResult>> GetQueryables(
        string collectionId, HttpRequest request, IFeatureStore store, CancellationToken cancellationToken)
    {
        if (QueryParameters.Of(request).CheckNames() is { } problem)
        {
            return problem;
        }

        var collection = await store.GetCollectionAsync(collectionId, cancellationToken);
        if (collection is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        var root = OgcLinks.BaseUrl(request);
        return TypedResults.Json(
            new Queryables(
                "https://json-schema.org/draft/2020-12/schema",
                $"{root}/collections/{OgcLinks.Escape(collection.Id)}/queryables",
                "object",
                collection.Definition.Title,
                collection.Queryables.ToDictionary(name => name, name => new QueryableProperty(name), StringComparer.Ordinal)),
            contentType: "application/schema+json");
    }

    public static async Task<Results<FeatureCollectionResult, FeatureCsvResult, ProblemHttpResult>> GetItems(
        string collectionId, HttpRequest request, IFeatureStore store, IOptions<FeaturesOptions> options, ItemsParameters parameters, TimeProvider clock, CancellationToken cancellationToken)
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
            || !query.TryRead(ItemsParameters.Format, out var format, out problem))
        {
            return problem;
        }

        var filters = request.Query
            .Where(pair => queryables.Contains(pair.Key) && query.Operation.Find(pair.Key) is null)
            .Select(pair => new PropertyFilter(pair.Key, pair.Value.ToString()))
            .ToList();
        var pageSize = (int)Math.Min(limit, options.Value.MaxLimit);
        var page = await store.GetItemsAsync(new ItemsQuery(collection.Id, bbox, filters, pageSize, (int)offset), cancellationToken);

        var root = OgcLinks.BaseUrl(request);
        var itemsUrl = $"{root}/collections/{OgcLinks.Escape(collection.Id)}/items";
        var links = new List<Link>
        {
            new(PageUrl(itemsUrl, request.Query, pageSize, offset), "self", OgcLinks.GeoJson, "This page"),
            new($"{root}/collections/{OgcLinks.Escape(collection.Id)}", "collection", OgcLinks.Json, collection.Definition.Title),
        };
        if (offset + page.Features.Count < page.NumberMatched)
        {
            links.Add(new(PageUrl(itemsUrl, request.Query, pageSize, offset + pageSize), "next", OgcLinks.GeoJson, "Next page"));
        }

        if (offset > 0)
        {
            links.Add(new(PageUrl(itemsUrl, request.Query, pageSize, Math.Max(0, offset - pageSize)), "prev", OgcLinks.GeoJson, "Previous page"));
        }

        if (format == "csv")
        {
            return new FeatureCsvResult(page.Features, crs, $"{collection.Id}.csv", links.FirstOrDefault(l => l.Rel == "next")?.Href);
        }

        return new FeatureCollectionResult(page, links, clock.GetUtcNow(), crs);
    }

    public static async Task<Results<FeatureResult, ProblemHttpResult>> GetItem(
        string collectionId, string featureId, HttpRequest request, IFeatureStore store, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        if ((query.CheckNames() is { } problem) || !query.TryRead(CrsParameter.Output, out var crs, out problem))
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
            new(collectionUrl, "collection", OgcLinks.Json, collection.Definition.Title),
        ];
        if (CollectionRole.Of(collection.Definition) == CollectionRole.District)
        {
            links.AddRange(InsideDistrict(root, feature.Id, await store.GetCollectionsAsync(cancellationToken)));
        }

        return new FeatureResult(feature, links, crs);
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

    private static Collection Describe(string root, CollectionInfo info)
    {
        var url = $"{root}/collections/{OgcLinks.Escape(info.Id)}";
        var extent = info.Extent is { } e ? new Extent(new SpatialExtent([[e.MinX, e.MinY, e.MaxX, e.MaxY]], Crs84)) : null;
        return new Collection(
            info.Id, info.Definition.Title, info.Definition.Description, info.Definition.Attribution, info.Definition.License,
            extent, "feature", [.. CrsRegistry.Served.Select(c => CrsApi.Uri(c, root))], info.GeometryType, info.FeatureCount,
            [
                new(url, "self", OgcLinks.Json, "This collection"),
                new($"{url}/items", "items", OgcLinks.GeoJson, "Its features"),
                new($"{url}/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "Properties to filter on"),
            ])
        {
            Metadata = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(info.Definition.MetadataJson) is { Count: > 0 } metadata ? metadata : null,
        };
    }

    private static string PageUrl(string itemsUrl, IQueryCollection query, int limit, long offset)
    {
        var text = new StringBuilder(itemsUrl).Append('?');
        foreach (var (name, value) in query.Where(p => p.Key != ItemsParameters.LimitName && p.Key != ItemsParameters.Offset.Name).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value.ToString())).Append('&');
        }

        return text.Append(CultureInfo.InvariantCulture, $"limit={limit}&offset={offset}").ToString();
    }
}
