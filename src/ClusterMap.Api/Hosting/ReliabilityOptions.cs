using System.ComponentModel.DataAnnotations;

namespace ClusterMap.Api.Hosting;

/// <summary>Caps that keep one request from taking the service down: body size, time, matrix size.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>
    /// Largest request body in bytes (only the write API takes bodies); a larger one is refused with 413 before it
    /// is read, and a chunked one when it passes the cap.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// How long a request may run before it is cancelled and answered 503 (0: no timeout). Work that observes the
    /// request's cancellation token (store queries, proximity searches) stops then.
    /// </summary>
    [Range(0, 3600)]
    public double RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>Largest proximity matrix, origins × k cells; a larger one is refused with 400.</summary>
    [Range(1, int.MaxValue)]
    public int MaxMatrixCells { get; set; } = 1_000_000;
}

/// <summary>Per-client rate limiting (fixed window per remote IP address).</summary>
public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    /// <summary>Requests one client may make per window; 0 turns rate limiting off.</summary>
    [Range(0, int.MaxValue)]
    public int PermitLimit { get; set; } = 1200;

    [Range(1, 86_400)]
    public int WindowSeconds { get; set; } = 60;

    /// <summary>
    /// Loopback clients (the machine itself: `make loadtest`, a reverse proxy on the same host) are not limited.
    /// Behind a proxy on the same host every client then looks like loopback: set this to false there.
    /// </summary>
    public bool ExemptLoopback { get; set; } = true;
}

/// <summary>Cross-origin (CORS) access: reads open to the listed origins, writes closed unless listed.</summary>
public sealed class CrossOriginOptions
{
    public const string Section = "Cors";

    /// <summary>
    /// Origins allowed to read (GET, HEAD) from a browser; empty (the default) means any, as suits a public read API.
    /// (Empty rather than "*" because configuration adds listed origins to a default list instead of replacing it.)
    /// </summary>
    public string[] ReadOrigins { get; set; } = [];

    /// <summary>Origins also allowed to write (POST, PUT, PATCH, DELETE); none by default. "*" is not accepted here.</summary>
    public string[] WriteOrigins { get; set; } = [];
}
