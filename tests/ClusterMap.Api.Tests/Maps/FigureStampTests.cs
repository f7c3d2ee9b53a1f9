using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using ClusterMap.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterMap.Api.Tests.Maps;

/// <summary>
/// Every static map and report page carries what makes it reproducible: the store's data version, the time it was
/// rendered and its permalink, in words (read back with pdftotext) and as a QR code (decoded back with zbarimg).
/// </summary>
public sealed partial class FigureStampTests(MapTestFactory factory) : IClassFixture<MapTestFactory>
{
    private const string Bbox = "121.1,31.05,121.5,31.35";

    [GeneratedRegex(@"Data version (\d+) · rendered (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) · permalink:")]
    private static partial Regex StampText();

    private async Task<long> DataVersionAsync() => await factory.Services.GetRequiredService<IFeatureStore>().GetDataVersionAsync();

    [Theory]
    [InlineData("/reports/parks/park-1.pdf")]
    [InlineData("/reports/universities/uni-1.pdf?lang=en")]
    [InlineData("/maps/static.pdf?highlight=parks/park-1&nearest=2")]
    public async Task Pdf_PrintsDataVersionRenderTimeAndPermalink_OnEveryPage(string path)
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var response = await factory.CreateClient().GetAsync(path);
        var after = DateTimeOffset.UtcNow.AddSeconds(1);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var words = await PdfWords.ReadAsync(await response.Content.ReadAsByteArrayAsync());

        foreach (var page in words.GroupBy(w => w.Page))
        {
            var text = string.Join(" ", page.Select(w => w.Text));
            var stamp = StampText().Match(text);
            Assert.True(stamp.Success, $"no stamp on page {page.Key}: {text}");
            Assert.Equal(await DataVersionAsync(), long.Parse(stamp.Groups[1].Value, CultureInfo.InvariantCulture));
            var rendered = DateTimeOffset.ParseExact(stamp.Groups[2].Value, "yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            Assert.InRange(rendered, before, after);

            // The permalink is cut where its line is full: joined without spaces, the page holds it whole.
            Assert.Contains("http://localhost" + path, string.Concat(page.Select(w => w.Text)), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/maps/static.png?highlight=parks/park-1&nearest=2&lang=en")]
    [InlineData($"/maps/static.png?bbox={Bbox}&width=640&height=480")]
    [InlineData($"/maps/static.png?bbox={Bbox}&width=400&height=300&dpi=192&parks.sector=%E7%94%9F%E7%89%A9%E5%8C%BB%E8%8D%AF")]
    public async Task Png_QrCode_DecodesToThePermalink(string path)
    {
        var bytes = await factory.CreateClient().GetByteArrayAsync(path);
        Assert.Equal("http://localhost" + path, await DecodeQrAsync(bytes, "map.png"));
    }

    [Fact]
    public async Task ReportPage_QrCode_DecodesToThePermalink()
    {
        const string path = "/reports/parks/park-1.pdf?lang=zh";
        var pdf = await factory.CreateClient().GetByteArrayAsync(path);
        var directory = Directory.CreateTempSubdirectory("clustermap-qr-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, "report.pdf"), pdf);
            // 150 dpi: a 1.5 pt module is three pixels.
            await MapAssertions.RunAsync("pdftoppm", directory, "-r", "150", "-f", "1", "-l", "1", "-png", "report.pdf", "page");
            var page = Assert.Single(Directory.GetFiles(directory, "page*.png"));
            Assert.Equal("http://localhost" + path, await DecodeQrAsync(await File.ReadAllBytesAsync(page), "page.png"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Svg_DrawsTheQrCodeAsVectorSquares_NotAnImage()
    {
        var svg = await factory.CreateClient().GetStringAsync($"/maps/static.svg?bbox={Bbox}");
        Assert.DoesNotContain("<image", svg, StringComparison.Ordinal);
        Assert.Contains("Data version", svg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ETag_IsTheSameAcrossRenderTimes_AndRevalidates()
    {
        var client = factory.CreateClient();
        const string path = "/maps/static.png?highlight=parks/park-1&width=300&height=300";
        var first = await client.GetAsync(path);
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var second = await client.GetAsync(path);
        Assert.Equal(first.Headers.ETag, second.Headers.ETag);

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, path);
        revalidate.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(first.Headers.ETag!.Tag));
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(revalidate)).StatusCode);
    }

    /// <summary>The text of the one QR code zbarimg finds in a PNG.</summary>
    private static async Task<string> DecodeQrAsync(byte[] png, string name)
    {
        var directory = Directory.CreateTempSubdirectory("clustermap-qr-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, name), png);
            var output = await MapAssertions.RunAsync("zbarimg", directory, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", name);
            return Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
