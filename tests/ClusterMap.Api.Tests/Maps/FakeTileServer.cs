using System.Collections.Concurrent;
using ClusterMap.Core.Tiles;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace ClusterMap.Api.Tests.Maps;

/// <summary>
/// A small XYZ tile server on loopback (Kestrel, a free port) for the external-basemap tests: every tile is drawn by
/// <c>draw</c> (a solid colour, or marks at known places), after an optional delay; it counts the tiles it served.
/// </summary>
public sealed class FakeTileServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);

    private FakeTileServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>The URL template the service is given.</summary>
    public string Template => $"{BaseUrl}/{{z}}/{{x}}/{{y}}.png";

    public int Hits => _hits.Values.Sum();

    public static async Task<FakeTileServer> StartAsync(Action<SKCanvas, TileIndex> draw, TimeSpan? delay = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeTileServer(app);
        app.MapGet("/{z:int}/{x:int}/{y}.png", async (int z, int x, string y, HttpContext context) =>
        {
            server._hits.AddOrUpdate(context.Request.Path.Value!, 1, (_, n) => n + 1);
            if (delay is { } wait)
            {
                await Task.Delay(wait, context.RequestAborted);
            }

            var tile = TileIndex.Create(z, x, int.Parse(y, System.Globalization.CultureInfo.InvariantCulture));
            using var surface = SKSurface.Create(new SKImageInfo(256, 256, SKColorType.Rgba8888, SKAlphaType.Premul));
            draw(surface.Canvas, tile);
            using var image = surface.Snapshot();
            using var png = image.Encode(SKEncodedImageFormat.Png, 100);
            return Results.File(png.ToArray(), "image/png");
        });
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    /// <summary>Every tile one colour.</summary>
    public static Action<SKCanvas, TileIndex> Solid(SKColor color) => (canvas, _) => canvas.Clear(color);

    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
