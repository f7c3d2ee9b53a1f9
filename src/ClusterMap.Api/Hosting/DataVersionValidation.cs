using System.Security.Cryptography;
using System.Text;
using ClusterMap.Api.Tiles;
using ClusterMap.Core.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ClusterMap.Api.Hosting;

/// <summary>
/// Strong validators for answers that are a function of their request and the stored data: the ETag hashes what
/// names the representation (scheme, host, path, query, Accept, Accept-Language), the store's data version and this
/// build, so it is known before the handler runs and a client that holds the answer gets 304 without a query.
/// <c>Cache-Control: no-cache</c>: the data can change at any time, so clients revalidate before each reuse. A write
/// changes the data version and with it every ETag (the version is trusted for
/// <c>Proximity:DataVersionCheckMilliseconds</c>, as the proximity snapshots are; writes through this process are
/// seen at once).
/// </summary>
internal static class DataVersionValidation
{
    public const string CacheControl = "no-cache";

    // Another build may write the same data differently.
    private static readonly string _build = typeof(DataVersionValidation).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    /// <summary>Adds the validator to every GET endpoint of the builder; only 200 answers carry it.</summary>
    public static TBuilder WithDataVersionETag<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var services = http.RequestServices;
            var version = await services.GetRequiredService<CollectionSnapshotCache>()
                .GetDataVersionAsync(services.GetRequiredService<IOptions<ProximityOptions>>().VersionWindow(), http.RequestAborted);
            var etag = ETag(http.Request, version);
            var headers = http.Response.Headers;
            if (TilesApi.Matches(http.Request.Headers.IfNoneMatch, etag))
            {
                headers.ETag = etag;
                headers.CacheControl = CacheControl;
                headers.Append(HeaderNames.Vary, HeaderNames.Accept);
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            http.Response.OnStarting(() =>
            {
                if (http.Response.StatusCode == StatusCodes.Status200OK)
                {
                    headers.ETag = etag;
                    headers.CacheControl = CacheControl;
                    headers.Append(HeaderNames.Vary, HeaderNames.Accept);
                }

                return Task.CompletedTask;
            });
            return await next(context);
        });

    private static string ETag(HttpRequest request, long dataVersion)
    {
        var identity = string.Join('\n',
            request.Scheme, request.Host.Value, request.PathBase.Value, request.Path.Value, request.QueryString.Value,
            request.Headers.Accept.ToString(), request.Headers.AcceptLanguage.ToString(), dataVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), _build);
        return $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)).AsSpan(0, 16))}\"";
    }
}
