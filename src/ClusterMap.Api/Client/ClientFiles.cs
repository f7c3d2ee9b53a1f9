using ClusterMap.Api.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ClusterMap.Api.Client;

/// <summary>
/// The browser client's files (index.html, ES modules, CSS, vendored Leaflet) from the wwwroot folder that the build
/// copies beside the assembly, so they are served whatever directory the service starts in (`make run` starts in
/// the repository root, tests in a temporary folder). HTML carries a Content-Security-Policy: scripts and styles
/// from this origin only, no inline script, images also from the configured external basemap.
/// </summary>
internal static class ClientFiles
{
    public const string IndexFile = "index.html";

    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "wwwroot");

    public static WebApplication UseClusterMapClient(this WebApplication app)
    {
        var basemap = app.Services.GetRequiredService<IOptions<ClientOptions>>().Value;
        var policy = ContentSecurityPolicy(basemap);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(Root),
            OnPrepareResponse = context =>
            {
                // Revalidate on every load (ETag makes that a 304), so a new release is never mixed with cached modules.
                context.Context.Response.Headers.CacheControl = "no-cache";
                if (context.File.Name.EndsWith(".html", StringComparison.Ordinal))
                {
                    AddPageHeaders(context.Context.Response, policy);
                }
            },
        });
        return app;
    }

    /// <summary>The client's page as the answer to a request for <c>/</c> that prefers HTML.</summary>
    public static PhysicalFileHttpResult Index(HttpContext context)
    {
        AddPageHeaders(context.Response, ContentSecurityPolicy(context));
        context.Response.Headers.CacheControl = "no-cache";
        return TypedResults.PhysicalFile(Path.Combine(Root, IndexFile), "text/html; charset=utf-8");
    }

    /// <summary>The page's security headers, on the client and on the server-rendered HTML views alike.</summary>
    internal static void AddPageHeaders(HttpResponse response, string policy)
    {
        response.Headers[HeaderNames.ContentSecurityPolicy] = policy;
        response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        response.Headers[HeaderNames.XFrameOptions] = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    /// <summary>The policy for a page served by this request's service (its configured external basemap included).</summary>
    internal static string ContentSecurityPolicy(HttpContext context) =>
        ContentSecurityPolicy(context.RequestServices.GetRequiredService<IOptions<ClientOptions>>().Value);

    public static string ContentSecurityPolicy(ClientOptions options)
    {
        var images = "'self' data: blob:";
        if (ClientConfig.ExternalOrigin(options) is { } origin)
        {
            images += " " + origin;
        }

        return $"default-src 'self'; script-src 'self'; style-src 'self'; img-src {images}; connect-src 'self'; "
            + "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
    }
}
