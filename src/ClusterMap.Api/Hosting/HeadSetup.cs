namespace ClusterMap.Api.Hosting;

/// <summary>
/// HEAD on every GET route (RFC 9110 §9.3.2): the request is routed and answered as a GET, with the same status and
/// headers, and the body is thrown away. Tile caches and CDNs revalidate with HEAD.
/// </summary>
internal static class HeadSetup
{
    /// <summary>Must come before routing, which then matches the GET endpoint.</summary>
    public static void UseHeadAsGet(this WebApplication app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }

        var body = context.Response.Body;
        context.Request.Method = HttpMethods.Get;
        context.Response.Body = Stream.Null;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
            context.Request.Method = HttpMethods.Head;
        }
    });
}
