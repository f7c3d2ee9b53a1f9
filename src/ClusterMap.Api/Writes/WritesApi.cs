using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Ogc;
using ClusterMap.Api.Parameters;
using ClusterMap.Api.Problems;
using ClusterMap.Core.Features;
using ClusterMap.Core.Import;
using ClusterMap.Core.Storage;
using ClusterMap.Rendering.Data;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ClusterMap.Api.Writes;

/// <summary>
/// OGC API – Features Part 4 (Create, Replace, Delete) behind API keys: POST a Feature (or a FeatureCollection, the
/// bulk import) to a collection's items, PUT a feature to replace or create it, DELETE it. Bodies are read and
/// validated exactly as <c>clustermap import</c> reads GeoJSON; a write lands whole or not at all.
/// </summary>
internal static class WritesApi
{
    private const string FeatureForm = "a GeoJSON Feature (RFC 7946, WGS84 lon/lat) with a valid geometry";
    private const string PostForm = "a GeoJSON Feature, or a FeatureCollection for a bulk write (RFC 7946, WGS84 lon/lat), with valid geometries";

    /// <summary><c>mode</c> of a POST: whether posted ids may replace stored features.</summary>
    public static readonly QueryParameter<FeatureWriteMode> Mode = new("mode",
        "'insert' (the default: every id must be new) or 'upsert' (features with stored ids replace them)",
        "insert: every id must be new, else 409 and nothing is written; upsert: features with stored ids replace them whole.",
        (string text, out FeatureWriteMode mode) =>
        {
            mode = text == "upsert" ? FeatureWriteMode.Upsert : FeatureWriteMode.Insert;
            return text is "insert" or "upsert";
        })
    {
        Default = FeatureWriteMode.Insert,
        Schema = ParameterSchema.OneOf(["insert", "upsert"], "insert"),
    };

    /// <summary>What a bulk write did, and the ids it wrote (server-assigned ones included).</summary>
    public sealed record WriteSummary(
        [property: JsonPropertyName("inserted")] int Inserted,
        [property: JsonPropertyName("replaced")] int Replaced,
        [property: JsonPropertyName("ids")] IReadOnlyList<string> Ids,
        [property: JsonPropertyName("links")] IReadOnlyList<Link> Links);

    public static IEndpointRouteBuilder MapWritesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/collections").WithTags("Writes").AddEndpointFilter<ApiKeyFilter>();
        group.MapPost("/{collectionId}/items", PostItems).WithName("createFeature")
            .WithSummary("Add a feature, or many (bulk), to a collection")
            .WithDescription("Body: a GeoJSON Feature, or a FeatureCollection for a bulk write. A feature without an id gets a server-assigned one (a UUID). mode=insert (the default) refuses ids the collection already holds with 409 and writes nothing; mode=upsert replaces them. A single new feature answers 201 with its Location; a bulk write answers 201 (200 when it only replaced) with the ids written.")
            .WithWriteDocs(PostForm)
            .WithQueryParameters(new([Mode]));
        group.MapPut("/{collectionId}/items/{featureId}", PutItem).WithName("replaceFeature")
            .WithSummary("Replace a feature, or create it with this id")
            .WithDescription("Body: a GeoJSON Feature whose id, if given, equals featureId. 204 when it replaced a feature, 201 with Location when it created one.")
            .WithWriteDocs(FeatureForm)
            .WithQueryParameters(OperationParameters.None);
        group.MapDelete("/{collectionId}/items/{featureId}", DeleteItem).WithName("deleteFeature")
            .WithSummary("Delete a feature")
            .WithWriteDocs(bodyForm: null)
            .WithQueryParameters(OperationParameters.None);
        return routes;
    }

    public static async Task<Results<Created, Created<WriteSummary>, Ok<WriteSummary>, NoContent, ProblemHttpResult>> PostItems(
        string collectionId, HttpRequest request, IFeatureStore store, IOptions<LimitsOptions> limits, MapDataProvider maps, CancellationToken cancellationToken)
    {
        var query = QueryParameters.Of(request);
        if (query.CheckNames() is { } parameterProblem || !query.TryRead(Mode, out var mode, out parameterProblem))
        {
            return parameterProblem;
        }

        if (await store.GetCollectionAsync(collectionId, cancellationToken) is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        var (document, bodyProblem) = await ReadJsonBodyAsync(request, limits.Value.MaxRequestBodyBytes, PostForm, cancellationToken);
        if (document is null)
        {
            return bodyProblem!;
        }

        using (document)
        {
            var readOptions = new GeoJsonReadOptions(NewId: () => Guid.CreateVersion7().ToString());
            IReadOnlyList<FeatureRecord> features;
            var bulk = TypeOf(document.RootElement) == "FeatureCollection";
            try
            {
                features = TypeOf(document.RootElement) switch
                {
                    "Feature" => [GeoJsonFeatureReader.ReadFeature(document.RootElement, "body", readOptions)],
                    "FeatureCollection" => GeoJsonFeatureReader.ReadCollection(document.RootElement, "body", readOptions),
                    _ => throw new ImportRejectedException("body", [new ImportProblem("body", "type", "expected \"type\": \"Feature\" or \"FeatureCollection\"")]),
                };
            }
            catch (ImportRejectedException rejected)
            {
                return ApiProblems.InvalidBody(PostForm, rejected.Problems);
            }

            var (result, writeProblem) = await WriteAsync(store, maps, collectionId, features, mode, cancellationToken);
            if (result is null)
            {
                return writeProblem!;
            }

            var itemsUrl = $"{OgcLinks.BaseUrl(request)}/collections/{OgcLinks.Escape(collectionId)}/items";
            if (!bulk)
            {
                return result.Inserted == 1 ? TypedResults.Created($"{itemsUrl}/{OgcLinks.Escape(features[0].Id)}") : TypedResults.NoContent();
            }

            var summary = new WriteSummary(result.Inserted, result.Replaced, [.. features.Select(f => f.Id)],
                [new(itemsUrl, "items", OgcLinks.GeoJson, "The collection's features")]);
            return result.Inserted > 0 ? TypedResults.Created(itemsUrl, summary) : TypedResults.Ok(summary);
        }
    }

    public static async Task<Results<Created, NoContent, ProblemHttpResult>> PutItem(
        string collectionId, string featureId, HttpRequest request, IFeatureStore store, IOptions<LimitsOptions> limits, MapDataProvider maps, CancellationToken cancellationToken)
    {
        if (QueryParameters.Of(request).CheckNames() is { } parameterProblem)
        {
            return parameterProblem;
        }

        if (await store.GetCollectionAsync(collectionId, cancellationToken) is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        var (document, bodyProblem) = await ReadJsonBodyAsync(request, limits.Value.MaxRequestBodyBytes, FeatureForm, cancellationToken);
        if (document is null)
        {
            return bodyProblem!;
        }

        FeatureRecord feature;
        using (document)
        {
            try
            {
                feature = TypeOf(document.RootElement) == "Feature"
                    ? GeoJsonFeatureReader.ReadFeature(document.RootElement, "body", new GeoJsonReadOptions(NewId: () => featureId))
                    : throw new ImportRejectedException("body", [new ImportProblem("body", "type", "expected \"type\": \"Feature\" (a bulk FeatureCollection goes to POST …/items)")]);
            }
            catch (ImportRejectedException rejected)
            {
                return ApiProblems.InvalidBody(FeatureForm, rejected.Problems);
            }
        }

        if (feature.Id != featureId)
        {
            return ApiProblems.FeatureIdMismatch(featureId, feature.Id);
        }

        var (result, writeProblem) = await WriteAsync(store, maps, collectionId, [feature], FeatureWriteMode.Upsert, cancellationToken);
        if (result is null)
        {
            return writeProblem!;
        }

        return result.Inserted == 1
            ? TypedResults.Created($"{OgcLinks.BaseUrl(request)}/collections/{OgcLinks.Escape(collectionId)}/items/{OgcLinks.Escape(featureId)}")
            : TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteItem(
        string collectionId, string featureId, HttpRequest request, IFeatureStore store, MapDataProvider maps, CancellationToken cancellationToken)
    {
        if (QueryParameters.Of(request).CheckNames() is { } parameterProblem)
        {
            return parameterProblem;
        }

        if (await store.GetCollectionAsync(collectionId, cancellationToken) is null)
        {
            return ApiProblems.CollectionNotFound(collectionId);
        }

        if (!await store.DeleteFeatureAsync(collectionId, featureId, cancellationToken))
        {
            return ApiProblems.FeatureNotFound(collectionId, featureId);
        }

        maps.Invalidate();
        return TypedResults.NoContent();
    }

    private static async Task<(FeatureWriteResult? Result, ProblemHttpResult? Problem)> WriteAsync(
        IFeatureStore store, MapDataProvider maps, string collectionId, IReadOnlyList<FeatureRecord> features, FeatureWriteMode mode, CancellationToken cancellationToken)
    {
        try
        {
            var result = await store.WriteFeaturesAsync(collectionId, features, mode, cancellationToken);
            // Proximity snapshots key on the store's data version; tiles and maps check it at intervals, so tell
            // them now that this process has changed it.
            maps.Invalidate();
            return (result, null);
        }
        catch (CollectionNotFoundException)
        {
            return (null, ApiProblems.CollectionNotFound(collectionId));
        }
        catch (FeatureConflictException conflict)
        {
            return (null, ApiProblems.FeatureConflict(collectionId, conflict.FeatureIds));
        }
    }

    private static string? TypeOf(JsonElement root)
    {
        try
        {
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
        }
        catch (InvalidOperationException)
        {
            // Valid JSON that is not text (an unpaired surrogate escape, "\ud800"): no type at all.
            return null;
        }
    }

    /// <summary>
    /// The body as parsed JSON, or the problem: 415 for a media type other than (UTF-8) GeoJSON or JSON, 413 above the
    /// size cap (read no further than the cap, whatever Content-Length says), 400 for text that is not JSON.
    /// </summary>
    private static async Task<(JsonDocument? Document, ProblemHttpResult? Problem)> ReadJsonBodyAsync(
        HttpRequest request, long maxBytes, string acceptedForm, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !(mediaType.MediaType.Equals("application/geo+json", StringComparison.OrdinalIgnoreCase) || mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            || !(!mediaType.Charset.HasValue || mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, ApiProblems.UnsupportedMediaType(request.ContentType));
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, ApiProblems.BodyTooLarge(maxBytes));
        }

        // The cap is enforced here, for every server; Kestrel's own (30 MB by default) would answer without a problem body.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, ApiProblems.BodyTooLarge(maxBytes));
            }

            buffer.Write(chunk, 0, read);
        }

        // The JSON parser does not check UTF-8 inside strings (invalid bytes would be stored as replacement
        // characters), and a member given twice would be read by one part of the code one way and by another the other.
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            return (null, ApiProblems.InvalidBody(acceptedForm, [new ImportProblem("body", "encoding", "not valid UTF-8; GeoJSON must be UTF-8 (RFC 7946 §11)")]));
        }

        try
        {
            return (JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256, AllowDuplicateProperties = false }), null);
        }
        catch (JsonException ex)
        {
            var location = string.Create(CultureInfo.InvariantCulture, $"line {(ex.LineNumber ?? 0) + 1}");
            return (null, ApiProblems.InvalidBody(acceptedForm, [new ImportProblem(location, "body", "not valid JSON, or a member named twice in one object")]));
        }
    }
}
