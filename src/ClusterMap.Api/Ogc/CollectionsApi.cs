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

    private const string LimitName = "limit";
    private const string OffsetName = "offset";

    /// <summary>The property that names the district (a <c>districts</c> feature id) a feature lies in.</summary>
    private const string DistrictIdProperty = "district_id";

    private static readonly string[] _formatOnly = [QueryParameters.FormatName];
    private static readonly string[] _itemParameters = [QueryParameters.FormatName, CrsParameter.Name];
    private static readonly string[] _itemsFormats = ["json", "csv"];
    private static readonly string[] _itemsParameters = [BboxParameter.Name, CrsParameter.BboxCrsName, CrsParameter.Name, LimitName, OffsetName, QueryParameters.FormatName];

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
        var group = routes.MapGroup("/collections").WithTags("Data");
        group.MapGet("", GetCollections).WithName("getCollections").WithSummary("The feature collections in the dataset").WithFormatParameter();
        group.MapGet("/{collectionId}", GetCollection).WithName("describeCollection").WithSummary("Describe a feature collection").WithFormatParameter();
        group.MapGet("/{collectionId}/queryables", GetQueryables).WithName("getQueryables")
            .WithSummary("Properties that items can be filtered on by equality, e.g. ?sector=集成电路").WithFormatParameter();
        group.MapGet("/{collectionId}/items", GetItems).WithName("getFeatures")
            .WithSummary("Features of a collection, filtered by bbox and property equality, in pages")
            .WithDescription("Pages of features in store order, with numberMatched, numberReturned and next/prev links.")
            .WithItemsParameters();
        group.MapGet("/{collectionId}/items/{featureId}", GetItem).WithName("getFeature").WithSummary("One feature by id").WithFormatParameter();
        return routes;
    }

    public static async Task<Results<Ok<Collections>, ProblemHttpResult>> GetCollections(HttpRequest request, IFeatureStore store, CancellationToken cancellationToken)
    {
        if (new QueryParameters(request.Query).CheckNames(_formatOnly) is { } problem)
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
        if (new QueryParameters(request.Query).CheckNames(_formatOnly) is { } problem)
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
        if (new QueryParameters(request.Query).CheckNames(_formatOnly) is { } problem)
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
        string collectionId, HttpRequest request, IFeatureStore store, IOptions<FeaturesOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var collection = await store.GetCollectionAsync(collectionId, cancellationToken);
        if (collection is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        var queryables = collection.Queryables.ToHashSet(StringComparer.Ordinal);
        var query = new QueryParameters(request.Query);
        if (query.CheckNames(_itemsParameters, queryables.Contains, _itemsFormats) is { } problem)
        {
            return problem;
        }

        var crs = CrsRegistry.Wgs84;
        if (query.Single(CrsParameter.Name) is { } crsText && !CrsParameter.TryParse(crsText, out crs))
        {
            return ApiProblems.InvalidParameter(CrsParameter.Name, CrsParameter.AcceptedForm);
        }

        var bboxCrs = CrsRegistry.Wgs84;
        if (query.Single(CrsParameter.BboxCrsName) is { } bboxCrsText && !CrsParameter.TryParse(bboxCrsText, out bboxCrs))
        {
            return ApiProblems.InvalidParameter(CrsParameter.BboxCrsName, CrsParameter.AcceptedForm);
        }

        IReadOnlyList<NetTopologySuite.Geometries.Envelope> bbox = [];
        if (query.Single(BboxParameter.Name) is { } bboxText)
        {
            if (bboxCrs == CrsRegistry.Wgs84 ? !BboxParameter.TryParse(bboxText, out bbox) : !CrsParameter.TryParseBbox(bboxText, bboxCrs, out bbox))
            {
                return ApiProblems.InvalidParameter(BboxParameter.Name, bboxCrs == CrsRegistry.Wgs84
                    ? BboxParameter.AcceptedForm
                    : $"four comma-separated numbers minX,minY,maxX,maxY in {bboxCrs.Code} ({(bboxCrs.LatitudeFirst ? "latitude first" : "easting or longitude first")}), min ≤ max");
            }
        }

        var maxLimit = options.Value.MaxLimit;
        var limit = (long)options.Value.DefaultLimit;
        // OGC Part 1 §7.15.3: a limit above the maximum is not an error; the server returns at most its maximum.
        if (query.Single(LimitName) is { } limitText && !NumberParameter.TryParseInteger(limitText, 1, long.MaxValue, out limit))
        {
            return ApiProblems.InvalidParameter(LimitName, string.Create(CultureInfo.InvariantCulture, $"a whole number from 1 to {maxLimit} (larger values are clamped to {maxLimit})"));
        }

        long offset = 0;
        if (query.Single(OffsetName) is { } offsetText && !NumberParameter.TryParseInteger(offsetText, 0, int.MaxValue, out offset))
        {
            return ApiProblems.InvalidParameter(OffsetName, "a whole number ≥ 0 (the number of matching features to skip)");
        }

        var filters = request.Query
            .Where(pair => queryables.Contains(pair.Key) && !_itemsParameters.Contains(pair.Key))
            .Select(pair => new PropertyFilter(pair.Key, pair.Value.ToString()))
            .ToList();
        var pageSize = (int)Math.Min(limit, maxLimit);
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

        if (query.Single(QueryParameters.FormatName) == "csv")
        {
            return new FeatureCsvResult(page.Features, crs, $"{collection.Id}.csv", links.FirstOrDefault(l => l.Rel == "next")?.Href);
        }

        return new FeatureCollectionResult(page, links, clock.GetUtcNow(), crs);
    }

    public static async Task<Results<FeatureResult, ProblemHttpResult>> GetItem(
        string collectionId, string featureId, HttpRequest request, IFeatureStore store, CancellationToken cancellationToken)
    {
        var query = new QueryParameters(request.Query);
        if (query.CheckNames(_itemParameters) is { } problem)
        {
            return problem;
        }

        var crs = CrsRegistry.Wgs84;
        if (query.Single(CrsParameter.Name) is { } crsText && !CrsParameter.TryParse(crsText, out crs))
        {
            return ApiProblems.InvalidParameter(CrsParameter.Name, CrsParameter.AcceptedForm);
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
        foreach (var (name, value) in query.Where(p => p.Key is not (LimitName or OffsetName)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value.ToString())).Append('&');
        }

        return text.Append(CultureInfo.InvariantCulture, $"limit={limit}&offset={offset}").ToString();
    }
}
