using System.Net;
using System.Threading.RateLimiting;
using ClusterMap.Api.Problems;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ClusterMap.Api.Hosting;

/// <summary>
/// Limits and abuse protection, each with the framework's own middleware where it has one: body size caps, request
/// timeouts, per-client rate limiting, CORS and security headers. Every refusal is a ProblemDetails.
/// </summary>
internal static class ProtectionSetup
{
    public static IServiceCollection AddClusterMapProtection(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LimitsOptions>().Bind(configuration.GetSection(LimitsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitingOptions>().Bind(configuration.GetSection(RateLimitingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CrossOriginOptions>().Bind(configuration.GetSection(CrossOriginOptions.Section))
            .Validate(o => !o.WriteOrigins.Contains("*"), "Cors:WriteOrigins must list origins (https://host[:port]); \"*\" would open writes to every site.")
            .ValidateOnStart();

        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<LimitsOptions>>((timeouts, limits) =>
        {
            var seconds = limits.Value.RequestTimeoutSeconds;
            timeouts.DefaultPolicy = seconds <= 0 ? null : new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(seconds),
                TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
                WriteTimeoutResponse = context => ApiProblems.RequestTimedOut(seconds).ExecuteAsync(context),
            };
        });

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>>((limiter, options) =>
        {
            var o = options.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var address = context.Connection.RemoteIpAddress;
                var exempt = o.PermitLimit == 0
                    // No address means no network peer (a Unix socket or the in-process test host): local too.
                    || (o.ExemptLoopback && (address is null || IPAddress.IsLoopback(address)))
                    || context.Request.Path.StartsWithSegments(OperabilitySetup.LivenessPath)
                    || context.Request.Path.StartsWithSegments(OperabilitySetup.ReadinessPath);
                return exempt
                    ? RateLimitPartition.GetNoLimiter("exempt")
                    : RateLimitPartition.GetFixedWindowLimiter(address?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = o.PermitLimit,
                        Window = TimeSpan.FromSeconds(o.WindowSeconds),
                        QueueLimit = 0,
                    });
            });
            limiter.OnRejected = async (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(o.WindowSeconds);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ApiProblems.TooManyRequests(seconds).ExecuteAsync(rejected.HttpContext);
            };
        });

        services.AddCors();
        services.AddSingleton<ICorsPolicyProvider, ClusterMapCorsPolicyProvider>();
        return services;
    }

    /// <summary>After the exception handler and status pages, before everything that does work.</summary>
    public static WebApplication UseClusterMapProtection(this WebApplication app)
    {
        app.Use(AddSecurityHeaders);
        app.UseCors();
        app.UseRateLimiter();
        var maxBodyBytes = app.Services.GetRequiredService<IOptions<LimitsOptions>>().Value.MaxRequestBodyBytes;
        app.Use((context, next) => CapRequestBody(context, next, maxBodyBytes));
        app.UseRequestTimeouts();
        return app;
    }

    /// <summary>
    /// nosniff on every answer, so an error echoing input can never be read as HTML; framing, referrer and a
    /// minimal CSP on HTML pages that do not set their own (the client's page sets a fuller one).
    /// </summary>
    private static Task AddSecurityHeaders(HttpContext context, Func<Task> next)
    {
        // A static callback with the context as its state: no closure allocated per request.
        context.Response.OnStarting(static state =>
        {
            var response = ((HttpContext)state).Response;
            var headers = response.Headers;
            headers[HeaderNames.XContentTypeOptions] = "nosniff";
            if (response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
            {
                if (!headers.ContainsKey(HeaderNames.ContentSecurityPolicy))
                {
                    headers[HeaderNames.ContentSecurityPolicy] = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'";
                }

                headers.TryAdd(HeaderNames.XFrameOptions, "DENY");
                headers.TryAdd("Referrer-Policy", "no-referrer");
            }

            return Task.CompletedTask;
        }, context);
        return next();
    }

    /// <summary>
    /// A declared body over the cap is refused before a byte of it is read; a chunked one is cut off by the server
    /// when it passes the cap (Kestrel's per-request limit, which the exception handler turns into the same 413).
    /// </summary>
    private static Task CapRequestBody(HttpContext context, Func<Task> next, long max)
    {
        if (context.Request.ContentLength > max)
        {
            return ApiProblems.BodyTooLarge(max).ExecuteAsync(context);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = max;
        }

        return next();
    }

    /// <summary>Maps the server's own "bad request" exceptions (body over the cap, malformed body) to their status, not 500.</summary>
    public static int ExceptionStatusCode(Exception exception) =>
        exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
}

/// <summary>Read origins may read; write origins may also write; preflights for writes from anywhere else get no grant.</summary>
internal sealed class ClusterMapCorsPolicyProvider : ICorsPolicyProvider
{
    private static readonly string[] _readMethods = ["GET", "HEAD"];
    private static readonly string[] _allMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
    private static readonly string[] _exposedHeaders = [OperabilitySetup.RequestIdHeader, "Retry-After", "Content-Crs", "Link", "ETag", "Location"];

    // Built once, since the options are read at start-up: a policy built per request would allocate on every call from a page.
    private readonly Dictionary<string, Task<CorsPolicy?>> _writePolicies;
    private readonly Task<CorsPolicy?> _readPolicy;

    public ClusterMapCorsPolicyProvider(IOptions<CrossOriginOptions> options)
    {
        var o = options.Value;
        _writePolicies = new Dictionary<string, Task<CorsPolicy?>>(StringComparer.OrdinalIgnoreCase);
        foreach (var origin in o.WriteOrigins)
        {
            _writePolicies.TryAdd(origin, Task.FromResult<CorsPolicy?>(Builder().WithOrigins(origin).WithMethods(_allMethods).Build()));
        }

        var read = o.ReadOrigins.Length == 0 || o.ReadOrigins.Contains("*")
            ? Builder().AllowAnyOrigin().WithMethods(_readMethods)
            : Builder().WithOrigins(o.ReadOrigins).WithMethods(_readMethods);
        _readPolicy = Task.FromResult<CorsPolicy?>(read.Build());
    }

    public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName) =>
        _writePolicies.TryGetValue(context.Request.Headers.Origin.ToString(), out var write) ? write : _readPolicy;

    private static CorsPolicyBuilder Builder() => new CorsPolicyBuilder().AllowAnyHeader().WithExposedHeaders(_exposedHeaders);
}
