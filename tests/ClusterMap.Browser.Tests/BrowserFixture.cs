using System.Text.Json;
using ClusterMap.Tests.Shared;
using Microsoft.Playwright;

namespace ClusterMap.Browser.Tests;

/// <summary>
/// One real service (on the shipped geodata/, as `make run` serves it) and one headless Debian chromium, shared by
/// every browser test: starting either takes seconds, and the tests only read.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium; Playwright's own browser builds cannot be downloaded here.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    public static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    private IPlaywright? _playwright;

    public ServiceProcess Service { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    /// <summary>Where screenshots for the README go, when CLUSTERMAP_SCREENSHOTS names a folder (`make screenshots`).</summary>
    public static string? ScreenshotFolder => Environment.GetEnvironmentVariable("CLUSTERMAP_SCREENSHOTS") is { Length: > 0 } folder ? folder : null;

    public static string Geodata { get; } = Path.Combine(ServiceProcess.RepositoryRoot(), "geodata");

    public async Task InitializeAsync()
    {
        Service = await ServiceProcess.StartAsync(Geodata);
        Api = new HttpClient { BaseAddress = Service.BaseAddress };
        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchAsync(_playwright);
    }

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs });

    public async Task<JsonElement> GetJsonAsync(string url)
    {
        using var response = await Api.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A new page (its own context: no shared storage) at the given size, watching for console errors.</summary>
    public async Task<ClientPage> OpenAsync(string hash = "", int width = 1280, int height = 800, string? locale = "en-US", Uri? service = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = locale,
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        var client = new ClientPage(page, service ?? Service.BaseAddress);
        await client.GotoAsync(hash);
        return client;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        Api?.Dispose();
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
