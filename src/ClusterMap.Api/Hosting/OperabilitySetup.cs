using System.Diagnostics;
using ClusterMap.Core.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Console;

namespace ClusterMap.Api.Hosting;

/// <summary>
/// What an operator needs to run the service: JSON logs when stdout is redirected (one object per line, so a log
/// shipper needs no parser) and the plain console format in a terminal,
/// a request id on every answer and log line, <c>/healthz</c> and <c>/readyz</c>.
/// </summary>
internal static partial class OperabilitySetup
{
    public const string RequestIdHeader = "X-Request-Id";

    public const string LivenessPath = "/healthz";

    public const string ReadinessPath = "/readyz";

    private const int MaxRequestIdLength = 128;

    private static readonly Func<ILogger, string, IDisposable?> _requestScope = LoggerMessage.DefineScope<string>("RequestId:{RequestId}");

    public static WebApplicationBuilder AddClusterMapOperability(this WebApplicationBuilder builder)
    {
        // Defaults below every other configuration source, so appsettings or Logging__Console__… variables still
        // win. A log shipper reads stdout when it is redirected: JSON lines with UTC timestamps and the request id
        // from the log scope, so it needs no parser. A developer watching a terminal reads the plain single-line format.
        var terminal = !Console.IsOutputRedirected;
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:Console:FormatterName"] = terminal ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Json,
                ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
                ["Logging:Console:FormatterOptions:SingleLine"] = "true",
                ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
                ["Logging:Console:FormatterOptions:TimestampFormat"] = terminal ? "HH:mm:ss " : "yyyy-MM-ddTHH:mm:ss.fffZ",
                // The framework's per-request hosting scope (its own RequestId and RequestPath) and the Activity behind
                // the TraceId/SpanId scope repeat what our request line already carries, and cost about as much CPU as
                // a cached tile's whole handling (docs/performance.md, HTTP cost per request). Off unless an operator asks for them;
                // a tracing listener (OpenTelemetry) still gets its Activity.
                ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
            },
        });
        builder.Services.AddHealthChecks().AddCheck<StoreReadinessCheck>("store", tags: ["ready"]);
        builder.Services.AddOptions<ProblemDetailsOptions>().Configure(o =>
        {
            var earlier = o.CustomizeProblemDetails;
            o.CustomizeProblemDetails = context =>
            {
                earlier?.Invoke(context);
                context.ProblemDetails.Detail ??= FrameworkProblemDetail(context.HttpContext, context.ProblemDetails.Status);
                context.ProblemDetails.Extensions.TryAdd("requestId", context.HttpContext.TraceIdentifier);
            };
        });
        return builder;
    }

    /// <summary>
    /// First in the pipeline: takes a sane incoming X-Request-Id (or keeps the server's own id), echoes it on the
    /// answer, puts it in the log scope of everything the request logs, and logs one line when the request ends.
    /// </summary>
    public static WebApplication UseClusterMapRequestIds(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ClusterMap.Requests");
        app.Use(async (context, next) =>
        {
            var incoming = context.Request.Headers[RequestIdHeader];
            if (incoming.Count == 1 && IsSaneRequestId(incoming[0]))
            {
                context.TraceIdentifier = incoming[0]!;
            }

            var requestId = context.TraceIdentifier;
            // Set when the answer starts: the exception handler clears headers set earlier.
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[RequestIdHeader] = requestId;
                return Task.CompletedTask;
            });
            var started = Stopwatch.GetTimestamp();
            using (_requestScope(logger, requestId))
            {
                try
                {
                    await next(context);
                }
                finally
                {
                    // The path only: query strings may carry what a client considers private.
                    LogRequest(logger, context.Request.Method, context.Request.Path.Value, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        });
        return app;
    }

    /// <summary>Source-generated: no argument array or boxing per request, and nothing at all when the level is off.</summary>
    [LoggerMessage(EventId = 0, Level = LogLevel.Information, Message = "{Method} {Path} answered {StatusCode} in {ElapsedMilliseconds:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string method, string? path, int statusCode, double elapsedMilliseconds);

    /// <summary>A detail for the problems the framework raises itself (no route, wrong method, a crash), which have none.</summary>
    private static string FrameworkProblemDetail(HttpContext context, int? status) => status switch
    {
        StatusCodes.Status404NotFound => "There is nothing at this path; GET /api lists every endpoint and its parameters.",
        StatusCodes.Status405MethodNotAllowed => $"This path does not answer {context.Request.Method}; GET /api lists the methods of every endpoint.",
        >= 500 => $"The service failed to answer; the log holds the cause under request id {context.TraceIdentifier}.",
        _ => "The request could not be answered as sent; GET /api describes every endpoint and its parameters.",
    };

    /// <summary>Printable ASCII letters, digits and <c>-._:</c> only, so the id can go into a header and a log unescaped.</summary>
    public static bool IsSaneRequestId(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxRequestIdLength
        && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or ':');

    public static WebApplication MapClusterMapHealth(this WebApplication app)
    {
        // Liveness runs no check: the process answering is the whole question.
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }
}

/// <summary>Ready when the store answers a query and holds at least one collection with features.</summary>
internal sealed class StoreReadinessCheck(IFeatureStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var collections = await store.GetCollectionsAsync(cancellationToken);
            var features = collections.Sum(c => (long)c.FeatureCount);
            return features > 0
                ? HealthCheckResult.Healthy($"{collections.Count} collections, {features} features")
                : HealthCheckResult.Unhealthy("The store holds no features.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The store cannot be queried.", ex);
        }
    }
}
