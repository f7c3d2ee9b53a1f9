using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ClusterMap.Api.Hosting;
using ClusterMap.Core.Tiles;
using ClusterMap.Projections.Chinese;
using ClusterMap.Rendering.Model;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;

namespace ClusterMap.Api.Maps;

/// <summary>
/// The external basemap of <c>Maps:Basemap</c>: fetches the tiles under one figure (all of them, within the timeout,
/// at most <see cref="BasemapOptions.MaxConcurrency"/> requests at once across figures, through a disk cache keyed by
/// URL) or says why it could not, so the figure falls back to ClusterMap's own basemap instead of failing.
/// </summary>
internal sealed partial class BasemapSource : IBasemapSource, IDisposable
{
    /// <summary>The response header that tells which basemap a figure was drawn over.</summary>
    public const string Header = "ClusterMap-Basemap";

    private readonly BasemapOptions _options;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _requests;
    private readonly string[] _subdomains;
    private readonly Func<Coordinate, Coordinate>? _toDatum;
    private readonly ILogger<BasemapSource> _logger;
    private readonly TimeProvider _clock;

    public BasemapSource(IOptions<MapsOptions> options, ILogger<BasemapSource> logger, TimeProvider clock)
    {
        _options = options.Value.Basemap;
        _logger = logger;
        _clock = clock;
        _requests = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
        _subdomains = (_options.Subdomains ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        _toDatum = DatumOf(_options.Datum) switch
        {
            "GCJ-02" => ChineseCoordinates.Wgs84ToGcj02,
            "BD-09" => ChineseCoordinates.Wgs84ToBd09,
            _ => null,
        };
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.All })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(_options.UserAgent);
    }

    public bool IsConfigured => _options.IsConfigured;

    /// <summary>The source and datum figures are drawn over, for their ETags (the key left out: it changes no pixel).</summary>
    public string Identity => IsConfigured ? $"{_options.Url}\n{DatumOf(_options.Datum)}\n{_options.MaxZoom}" : "";

    /// <summary>The provider's credit when a basemap is configured (for TileJSON), else null.</summary>
    public string? Attribution => IsConfigured ? $"{_options.Title}: {_options.Attribution}" : null;

    /// <summary>The datum named as the options accept it (case and hyphen aside), or null when it is none of them.</summary>
    public static string? DatumOf(string? text)
    {
        var compact = (text ?? "").Replace("-", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
        return BasemapOptions.Datums.FirstOrDefault(d => d.Replace("-", "", StringComparison.Ordinal) == compact);
    }

    /// <summary>The tiles under a figure, or why the figure is drawn over ClusterMap's own basemap.</summary>
    public async Task<BasemapOutcome> FetchAsync(MapRequest request, CancellationToken cancellationToken)
    {
        if (!IsConfigured)
        {
            return BasemapOutcome.Own;
        }

        var tiles = RasterBasemap.TilesFor(request, _options.MaxZoom);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.TimeoutMilliseconds);
        string reason;
        try
        {
            var images = await Task.WhenAll(tiles.Select(t => GetTileAsync(t, deadline.Token)));
            return new BasemapOutcome(new RasterBasemap(_options.Title, _options.Attribution!, [.. tiles.Zip(images, (t, i) => new RasterBasemapTile(t, i))]), _toDatum, BasemapOutcome.External.HeaderValue);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            reason = "timeout";
        }
        catch (HttpRequestException e)
        {
            reason = e.StatusCode is { } status ? $"status-{(int)status}" : "unreachable";
        }
        catch (NotAnImageException)
        {
            reason = "not-an-image";
        }

        LogFallback(_logger, reason, tiles.Count);
        return new BasemapOutcome(null, null, $"fallback; reason={reason}");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "External basemap failed ({Reason}, {Tiles} tiles): the figure is drawn over ClusterMap's own basemap")]
    private static partial void LogFallback(ILogger logger, string reason, int tiles);

    /// <summary>The URL of one tile; the key is substituted here and nowhere else.</summary>
    internal string UrlOf(TileIndex tile)
    {
        var url = new StringBuilder(_options.Url)
            .Replace("{z}", tile.Z.ToString(CultureInfo.InvariantCulture))
            .Replace("{x}", tile.X.ToString(CultureInfo.InvariantCulture))
            .Replace("{y}", tile.Y.ToString(CultureInfo.InvariantCulture))
            .Replace("{key}", Uri.EscapeDataString(_options.Key ?? ""));
        if (_subdomains.Length > 0)
        {
            // Always the same server for the same tile, so HTTP caches along the way see one URL per tile.
            url.Replace("{s}", _subdomains[(tile.X + tile.Y) % _subdomains.Length]);
        }

        return url.ToString();
    }

    private async Task<byte[]> GetTileAsync(TileIndex tile, CancellationToken cancellationToken)
    {
        var url = UrlOf(tile);
        var path = Path.Combine(_options.CacheDirectory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url))) + ".tile");
        if (_options.CacheHours > 0 && File.Exists(path)
            && _clock.GetUtcNow().UtcDateTime - File.GetLastWriteTimeUtc(path) < TimeSpan.FromHours(_options.CacheHours))
        {
            try
            {
                return await File.ReadAllBytesAsync(path, cancellationToken);
            }
            catch (IOException)
            {
                // Replaced or removed meanwhile: fetched again below.
            }
        }

        byte[] bytes;
        await _requests.WaitAsync(cancellationToken);
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        finally
        {
            _requests.Release();
        }

        if (!IsImage(bytes))
        {
            throw new NotAnImageException();
        }

        if (_options.CacheHours > 0)
        {
            await StoreAsync(path, bytes);
        }

        return bytes;
    }

    /// <summary>PNG, JPEG or WebP by their signatures: providers answer errors with HTML or JSON under status 200.</summary>
    internal static bool IsImage(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G'])
        || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || (bytes.Length > 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8));

    private static async Task StoreAsync(string path, byte[] bytes)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            // Written aside, then moved: a reader never sees half a tile.
            var temporary = $"{path}.{Guid.NewGuid():N}.part";
            await File.WriteAllBytesAsync(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cache is an optimisation: a read-only disk still draws the figure.
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _requests.Dispose();
    }

    private sealed class NotAnImageException : Exception;
}

/// <summary>How a response states the basemap its figure was drawn over.</summary>
internal static class BasemapHeaders
{
    /// <summary>States the basemap in the response; a fallback figure is not to be cached (the next may have the real one).</summary>
    public static void WriteHeaders(this BasemapOutcome outcome, HttpResponse response)
    {
        response.Headers[BasemapSource.Header] = outcome.HeaderValue;
        if (outcome.IsFallback)
        {
            response.Headers.ETag = default;
            response.Headers.CacheControl = "no-store";
        }
    }
}
