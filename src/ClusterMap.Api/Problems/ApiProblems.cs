using System.Globalization;
using ClusterMap.Core.Import;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClusterMap.Api.Problems;

/// <summary>
/// Every error the API gives, in one table. Each names what was wrong and what is accepted instead; raw input is
/// never echoed beyond a short, quoted excerpt.
/// </summary>
internal static class ApiProblems
{
    public static ProblemHttpResult InvalidParameter(string parameter, string acceptedForm) =>
        TypedResults.Problem(
            title: "Invalid query parameter",
            detail: $"Parameter '{parameter}' is invalid: expected {acceptedForm}.",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["parameter"] = parameter });

    /// <summary>A CQL2 filter that does not parse or does not fit the collection; <c>position</c> is the character offset in it.</summary>
    public static ProblemHttpResult InvalidFilter(string parameter, Core.Filtering.Cql2Error error) =>
        TypedResults.Problem(
            title: "Invalid filter",
            detail: $"Parameter '{parameter}' is invalid: {error.Message}",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["parameter"] = parameter, ["position"] = error.Position, ["expected"] = error.Expected });

    public static ProblemHttpResult MissingParameter(string parameter, string acceptedForm) =>
        TypedResults.Problem(
            title: "Missing query parameter",
            detail: $"Parameter '{parameter}' is required: expected {acceptedForm}.",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["parameter"] = parameter });

    public static ProblemHttpResult UnknownReference(string parameter, string reference, string acceptedForm) =>
        TypedResults.Problem(
            title: "Unknown collection or feature",
            detail: $"Parameter '{parameter}': '{Excerpt(reference)}' does not exist; expected {acceptedForm}.",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["parameter"] = parameter });

    public static ProblemHttpResult ConflictingParameters(string parameter, string other) =>
        TypedResults.Problem(
            title: "Conflicting query parameters",
            detail: $"Parameter '{parameter}' cannot be combined with '{other}': give one origin, either from={{collectionId}}/{{featureId}} or lon and lat.",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["parameter"] = parameter });

    public static ProblemHttpResult RepeatedParameter(string parameter) =>
        TypedResults.Problem(
            title: "Repeated query parameter",
            detail: $"Parameter '{parameter}' is given more than once; give it once.",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["parameter"] = parameter });

    public static ProblemHttpResult UnknownParameter(string parameter, IEnumerable<string> accepted) =>
        TypedResults.Problem(
            title: "Unknown query parameter",
            detail: $"Parameter '{Excerpt(parameter)}' is not known here. Accepted: {string.Join(", ", accepted)}.",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["parameter"] = Excerpt(parameter) });

    public static ProblemHttpResult CollectionNotFound(string collectionId) =>
        TypedResults.Problem(
            title: "Collection not found",
            detail: $"Path parameter 'collectionId': there is no collection '{Excerpt(collectionId)}'. GET /collections lists the collections.",
            statusCode: StatusCodes.Status404NotFound,
            extensions: new Dictionary<string, object?> { ["parameter"] = "collectionId" });

    public static ProblemHttpResult FeatureNotFound(string collectionId, string featureId) =>
        TypedResults.Problem(
            title: "Feature not found",
            detail: $"Path parameter 'featureId': collection '{collectionId}' has no feature '{Excerpt(featureId)}'. GET /collections/{collectionId}/items lists its features.",
            statusCode: StatusCodes.Status404NotFound,
            extensions: new Dictionary<string, object?> { ["parameter"] = "featureId" });

    public static ProblemHttpResult CrsNotFound(string crsId) =>
        TypedResults.Problem(
            title: "CRS not found",
            detail: $"Path parameter 'crsId': this service defines GCJ-02 and BD-09 at /crs/{{crsId}}, not '{Excerpt(crsId)}'; the EPSG and OGC CRSs have their registered URIs.",
            statusCode: StatusCodes.Status404NotFound,
            extensions: new Dictionary<string, object?> { ["parameter"] = "crsId" });

    public static ProblemHttpResult TileNotFound(string z, string x, string y) =>
        TypedResults.Problem(
            title: "Tile not found",
            detail: $"'{Excerpt(z)}/{Excerpt(x)}/{Excerpt(y)}' is not a tile: expected {Parameters.TileAddressParameter.AcceptedForm}.",
            statusCode: StatusCodes.Status404NotFound,
            extensions: new Dictionary<string, object?> { ["parameter"] = "z/x/y" });

    public static ProblemHttpResult TileSetNotFound(string name, IEnumerable<string> styles, IEnumerable<string> collections) =>
        TypedResults.Problem(
            title: "Unknown style or collection",
            detail: $"Path parameter 'style': there is no style or collection '{Excerpt(name)}'. Raster styles: {string.Join(", ", styles)}; vector tiles for collections: {string.Join(", ", collections)}.",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["parameter"] = "style" });

    public static ProblemHttpResult StyleNotFound(string style, IEnumerable<string> styles) =>
        TypedResults.Problem(
            title: "Unknown style",
            detail: $"Path parameter 'style': there is no style '{Excerpt(style)}'. Styles: {string.Join(", ", styles)}.",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["parameter"] = "style" });

    public static ProblemHttpResult FormatNotFound(string format, IEnumerable<string> formats) =>
        TypedResults.Problem(
            title: "Format not found",
            detail: $"Path parameter 'format': '{Excerpt(format)}' is not offered. Formats: {string.Join(", ", formats)}.",
            statusCode: StatusCodes.Status404NotFound,
            extensions: new Dictionary<string, object?> { ["parameter"] = "format" });

    // Writes (OGC API – Features Part 4) and their API keys.
    public static ProblemHttpResult MissingApiKey() =>
        TypedResults.Problem(
            title: "API key required",
            detail: "Header 'Authorization' is missing: writing needs an API key, sent as 'Authorization: Bearer cm_…' (or 'X-API-Key: cm_…'). Keys are made with 'clustermap keys create --name …'. Reading needs none.",
            statusCode: StatusCodes.Status401Unauthorized,
            extensions: new Dictionary<string, object?> { ["parameter"] = "Authorization" });

    public static ProblemHttpResult WrongApiKey() =>
        TypedResults.Problem(
            title: "API key not accepted",
            detail: "The API key in 'Authorization' (or 'X-API-Key') is not a valid key of this service: it is unknown, revoked, or not of the form cm_<key id>_<secret>.",
            statusCode: StatusCodes.Status403Forbidden,
            extensions: new Dictionary<string, object?> { ["parameter"] = "Authorization" });

    public static ProblemHttpResult UnsupportedMediaType(string? contentType) =>
        TypedResults.Problem(
            title: "Unsupported media type",
            detail: $"Header 'Content-Type': '{Excerpt(contentType ?? "")}' is not accepted: expected application/geo+json or application/json (UTF-8).",
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            extensions: new Dictionary<string, object?> { ["parameter"] = "Content-Type" });

    public static ProblemHttpResult BodyTooLarge(long maxBytes) =>
        TypedResults.Problem(
            title: "Request body too large",
            detail: string.Create(CultureInfo.InvariantCulture, $"The request 'body' is larger than {maxBytes} bytes (Limits:MaxRequestBodyBytes): send the features in several requests, or import the file with 'clustermap import'."),
            statusCode: StatusCodes.Status413PayloadTooLarge,
            extensions: new Dictionary<string, object?> { ["parameter"] = "body" });

    public static ProblemHttpResult InvalidBody(string acceptedForm, IReadOnlyList<ImportProblem> problems) =>
        TypedResults.Problem(
            title: "Invalid request body",
            detail: string.Create(CultureInfo.InvariantCulture, $"The request 'body' is not accepted ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}, listed in 'problems'): expected {acceptedForm}. Nothing was written."),
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?>
            {
                ["parameter"] = "body",
                ["problems"] = problems.Select(p => new Dictionary<string, string> { ["location"] = p.Location, ["field"] = p.Field, ["reason"] = p.Reason }).ToList(),
            });

    public static ProblemHttpResult FeatureIdMismatch(string pathId, string bodyId) =>
        TypedResults.Problem(
            title: "Feature id mismatch",
            detail: $"Path parameter 'featureId' is '{Excerpt(pathId)}' but the body's id is '{Excerpt(bodyId)}': expected the same id in both, or none in the body.",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["parameter"] = "featureId" });

    public static ProblemHttpResult FeatureConflict(string collectionId, IReadOnlyList<string> featureIds) =>
        TypedResults.Problem(
            title: "Feature ids already exist",
            detail: $"Collection '{collectionId}' already holds, or the body repeats, {featureIds.Count} of the posted 'id' values, listed in 'featureIds'. Nothing was written: replace features with PUT /collections/{collectionId}/items/{{featureId}} or POST with mode=upsert.",
            statusCode: StatusCodes.Status409Conflict,
            extensions: new Dictionary<string, object?> { ["parameter"] = "id", ["featureIds"] = featureIds.Take(1000).ToList() });

    public static ProblemHttpResult MatrixTooLarge(int origins, int k, int maxCells) =>
        TypedResults.Problem(
            title: "Matrix too large",
            detail: $"Parameter 'k': {origins} origins × k {k} is {(long)origins * k} cells, more than the {maxCells} allowed (Limits:MaxMatrixCells); ask for a smaller k.",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["parameter"] = "k" });

    public static ProblemHttpResult TooManyRequests(int retryAfterSeconds) =>
        TypedResults.Problem(
            title: "Too many requests",
            detail: $"This client has made more requests than allowed (RateLimiting:PermitLimit per RateLimiting:WindowSeconds); retry after {retryAfterSeconds} s.",
            statusCode: StatusCodes.Status429TooManyRequests);

    public static ProblemHttpResult RequestTimedOut(double seconds) =>
        TypedResults.Problem(
            title: "Request timed out",
            detail: $"The request took longer than the {seconds} s allowed (Limits:RequestTimeoutSeconds) and was cancelled; narrow it (a smaller bbox, limit or k) or retry.",
            statusCode: StatusCodes.Status503ServiceUnavailable);

    public static ProblemHttpResult BadRequest(int statusCode) =>
        TypedResults.Problem(
            title: "Bad request",
            detail: "The request could not be read (malformed, incomplete or too large).",
            statusCode: statusCode);

    /// <summary>Input quoted back to the user is cut short; JSON serialisation escapes the rest.</summary>
    public static string Excerpt(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
