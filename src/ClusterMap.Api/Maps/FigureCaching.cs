using System.Security.Cryptography;
using System.Text;
using ClusterMap.Api.Hosting;
using ClusterMap.Api.Tiles;
using ClusterMap.Rendering;
using ClusterMap.Rendering.Model;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;

namespace ClusterMap.Api.Maps;

/// <summary>
/// Strong ETags for static maps and reports, known before anything is drawn: a figure is a function of its request
/// (path and query), the store's data version and the renderer's build, so a hash of the three names its bytes.
/// A client that holds them gets 304 without a rendering.
/// </summary>
internal static class FigureCaching
{
    // Another build of the renderer may draw the same request differently.
    private static readonly string _rendererBuild = typeof(MapRenderer).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    public static string ETag(HttpRequest request, long dataVersion, string basemap = "")
    {
        var identity = $"{request.Path.Value}{request.QueryString.Value}\n{dataVersion}\n{_rendererBuild}\n{basemap}";
        return $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)).AsSpan(0, 16))}\"";
    }

    /// <summary>
    /// The reproducibility stamp of a figure answered now: its data version, the time, and the request's own absolute
    /// URL, which draws the same view again. The time is not part of the ETag: a client revalidating keeps its copy,
    /// stamped when it was first rendered.
    /// </summary>
    public static FigureStamp Stamp(HttpRequest request, long dataVersion, TimeProvider clock) =>
        new(dataVersion, clock.GetUtcNow(), Permalink(request, UriHelper.BuildRelative(path: request.Path, query: request.QueryString)));

    /// <summary>
    /// The absolute URL of <paramref name="pathAndQuery"/> (already encoded, starting with '/') as a reader reaches the
    /// service: under <c>Maps:PublicBaseUrl</c> when it is set (a service behind a proxy sees its own host, not the
    /// public one), else the request's scheme, host and path base.
    /// </summary>
    public static string Permalink(HttpRequest request, string pathAndQuery)
    {
        var publicBase = request.HttpContext.RequestServices.GetRequiredService<IOptions<MapsOptions>>().Value.PublicBaseUrl;
        return string.IsNullOrEmpty(publicBase)
            ? $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}{pathAndQuery}"
            : publicBase.TrimEnd('/') + pathAndQuery;
    }

    /// <summary>States the ETag and Cache-Control of the answer; true when the client already holds it (answer 304).</summary>
    /// <param name="context">The request and its response.</param>
    /// <param name="dataVersion">The store's data version.</param>
    /// <param name="options">The maps' settings.</param>
    /// <param name="basemap">Which basemap the figure is drawn over (<see cref="BasemapSource.Identity"/>): another source draws another figure.</param>
    public static bool IsNotModified(HttpContext context, long dataVersion, MapsOptions options, string basemap = "")
    {
        var etag = ETag(context.Request, dataVersion, basemap);
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = options.TileCacheControl;
        return TilesApi.Matches(context.Request.Headers.IfNoneMatch, etag);
    }
}
