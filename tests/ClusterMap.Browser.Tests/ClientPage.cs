using System.Globalization;
using Microsoft.Playwright;

namespace ClusterMap.Browser.Tests;

/// <summary>
/// The client's page as a user meets it, with what the tests read from it, and a record of every console error,
/// uncaught exception and failed request (other than tile loads that Leaflet cancels while zooming).
/// </summary>
public sealed class ClientPage : IAsyncDisposable
{
    private readonly List<string> _errors = [];

    public ClientPage(IPage page, Uri baseAddress)
    {
        Page = page;
        BaseAddress = baseAddress;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_errors)
                {
                    _errors.Add($"console: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_errors)
            {
                _errors.Add($"page error: {error}");
            }
        };
        page.RequestFailed += (_, request) =>
        {
            if (request.Failure is { } failure && !failure.Contains("ERR_ABORTED", StringComparison.Ordinal))
            {
                lock (_errors)
                {
                    _errors.Add($"request failed: {request.Url} {failure}");
                }
            }
        };
    }

    public IPage Page { get; }

    public Uri BaseAddress { get; }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    public async Task GotoAsync(string hash)
    {
        await Page.GotoAsync(new Uri(BaseAddress, "/" + hash).ToString());
        await WaitReadyAsync();
    }

    /// <summary>The client sets body[data-ready] once the collections are drawn and the URL's query has run.</summary>
    public Task WaitReadyAsync() => Page.Locator("body[data-ready='true']").WaitForAsync(new() { Timeout = 30_000 });

    public ILocator Rows(string testId) => Page.Locator($"tr[data-testid='{testId}']");

    public async Task<IReadOnlyList<ResultRow>> ReadRowsAsync(string testId)
    {
        var rows = new List<ResultRow>();
        foreach (var row in await Rows(testId).AllAsync())
        {
            var distance = row.Locator(".distance");
            rows.Add(new ResultRow(
                (await row.GetAttributeAsync("data-ref"))!,
                await row.GetAttributeAsync("data-within"),
                (await row.Locator(".name").InnerTextAsync()).Trim(),
                (await distance.InnerTextAsync()).Trim(),
                double.Parse((await distance.GetAttributeAsync("data-distance-m"))!, CultureInfo.InvariantCulture)));
        }

        return rows;
    }

    /// <summary>Saves a screenshot for the README when `make screenshots` asks for them.</summary>
    public async Task ScreenshotAsync(string name, bool fullPage = false)
    {
        if (BrowserFixture.ScreenshotFolder is { } folder)
        {
            Directory.CreateDirectory(folder);
            await Page.Locator(".panel-body").EvaluateAsync("e => e.scrollTop = 0");
            await Page.WaitForTimeoutAsync(600);   // let tiles finish fading in
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = fullPage });
        }
    }

    public void AssertNoErrors() => Assert.True(Errors.Count == 0, "The page reported errors:\n" + string.Join("\n", Errors));

    public async ValueTask DisposeAsync() => await Page.Context.CloseAsync();
}

/// <summary>One row of a result list as the user reads it.</summary>
public sealed record ResultRow(string Ref, string? Within, string Name, string DistanceText, double DistanceMeters);
