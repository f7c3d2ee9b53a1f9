using System.Net;

namespace ClusterMap.Api.Tests.Maps;

public sealed class ReportsApiTests(MapTestFactory factory) : IClassFixture<MapTestFactory>
{
    [Fact]
    public async Task ParkReport_IsA4Pages_WithNearestInstitutionsResearchBaseAndProvenance()
    {
        var response = await factory.CreateClient().GetAsync("/reports/parks/park-1.pdf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);

        var directory = Directory.CreateTempSubdirectory("clustermap-report-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, "report.pdf"), await response.Content.ReadAsByteArrayAsync());
            // Whitespace as pdftotext spaces it is not the content; one space between words is.
            var text = System.Text.RegularExpressions.Regex.Replace(await MapAssertions.RunAsync("pdftotext", directory, "report.pdf", "-"), @"\s+", " ");
            Assert.Contains("测试园区1 Test Park 1", text, StringComparison.Ordinal);
            // Test Institute 1 lies 7.7 km east of Test Park 1 (geodesic, WGS84): the nearest institution.
            Assert.Matches(@"测试研究所1 Test Institute 1 .*?7\.7", text);
            Assert.Contains("Synthetic test point.", text, StringComparison.Ordinal);
            Assert.Contains("ClusterMap test parks", text, StringComparison.Ordinal);
            Assert.Contains("ClusterMap test basemap", text, StringComparison.Ordinal);
            // A park's brief has its research base (ReportResearchBaseTests reads its figures back).
            Assert.Contains("Research base 研究基础", text, StringComparison.Ordinal);

            await MapAssertions.RunAsync("pdftoppm", directory, "-r", "72", "-png", "report.pdf", "page");
            // The map and nearest table on the first page; the research base and provenance follow on a second.
            var pages = Directory.GetFiles(directory, "page*.png");
            Assert.InRange(pages.Length, 1, 2);
            foreach (var page in pages)
            {
                using var bitmap = MapAssertions.DecodePng(await File.ReadAllBytesAsync(page));
                // A4 is 595.3 × 841.9 pt; pdftoppm rounds each side up or down by a pixel.
                Assert.InRange(bitmap.Width, 595, 596);
                Assert.InRange(bitmap.Height, 841, 843);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Report_UnknownFeatureOrCollection_Is404()
    {
        await (await factory.CreateClient().GetAsync("/reports/parks/none.pdf")).AssertProblemAsync(HttpStatusCode.NotFound, "featureId");
        await (await factory.CreateClient().GetAsync("/reports/land/land-1.pdf")).AssertProblemAsync(HttpStatusCode.NotFound, "collectionId");
    }
}
