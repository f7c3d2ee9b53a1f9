namespace ClusterMap.Architecture.Tests;

/// <summary>
/// The documentation's relative links work: README.md, every page of docs/ and geodata/README.md link only to
/// files that exist and to sections that the target page's headings produce (GitHub's heading ids). The pages are
/// read from the source tree, so a renamed heading or a moved file fails here rather than on the repository's site.
/// </summary>
public class DocumentationLinkTests
{
    private static readonly string _root = RepositoryRoot.Path;

    private static IReadOnlyList<string> Pages()
    {
        var docs = Path.Combine(_root, "docs");
        Assert.True(File.Exists(Path.Combine(docs, "index.md")), $"{docs}/index.md is missing: the documentation index");
        return
        [
            Path.Combine(_root, "README.md"),
            .. Directory.GetFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal),
            Path.Combine(_root, "geodata", "README.md"),
        ];
    }

    [Fact]
    public void Documentation_HasNoDeadRelativeLinksOrAnchors()
    {
        var problems = MarkdownLinks.Problems(_root, Pages());

        Assert.True(problems.Count == 0, "Dead links in the documentation:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void EveryDocsPage_IsLinkedFromTheReadmeOrTheIndex()
    {
        var readme = File.ReadAllText(Path.Combine(_root, "README.md"));
        var index = File.ReadAllText(Path.Combine(_root, "docs", "index.md"));
        var unlinked = Directory.GetFiles(Path.Combine(_root, "docs"), "*.md")
            .Select(Path.GetFileName)
            .Where(name => name != "index.md" && !readme.Contains($"(docs/{name}", StringComparison.Ordinal) && !index.Contains($"({name}", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(unlinked);
    }

    [Fact]
    public void Readme_IsShort()
    {
        var lines = File.ReadAllLines(Path.Combine(_root, "README.md")).Length;

        Assert.True(lines <= 200, $"README.md has {lines} lines; keep it to 200 and move the detail to a page of docs/");
    }

    [Fact]
    public void Checker_ReportsAMissingFileAMissingAnchorAndALinkOutOfTheRepository()
    {
        var folder = Directory.CreateTempSubdirectory("clustermap-links-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "target.md"), "# Target\n\n## Present section\n");
            var page = Path.Combine(folder.FullName, "page.md");
            File.WriteAllText(page, string.Join('\n',
                "[fine](target.md#present-section) and [fine too](#local)",
                "## Local",
                "[missing file](nowhere.md) [missing anchor](target.md#absent-section) [outside](../../etc/passwd)",
                "```sh",
                "[inside a code block](nowhere-either.md)",
                "```",
                "`[in a code span](nowhere-at-all.md)` and [external](https://example.org/x.md#y)"));

            var problems = MarkdownLinks.Problems(folder.FullName, [page]);

            Assert.Collection(
                problems,
                p => Assert.StartsWith("page.md:3: (nowhere.md): no such file", p, StringComparison.Ordinal),
                p => Assert.StartsWith("page.md:3: (target.md#absent-section): no heading of target.md has the id 'absent-section'", p, StringComparison.Ordinal),
                p => Assert.StartsWith("page.md:3: (../../etc/passwd): points outside the repository", p, StringComparison.Ordinal));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("Scaling out with PostGIS", "scaling-out-with-postgis")]
    [InlineData("Mainland China region (GCJ-02 / BD-09)", "mainland-china-region-gcj-02--bd-09")]
    [InlineData("The `clustermap` command", "the-clustermap-command")]
    [InlineData("Where the time goes: the 1M / 5 km p99", "where-the-time-goes-the-1m--5-km-p99")]
    [InlineData("Settings (`Maps` section, or `Maps__…` environment variables)", "settings-maps-section-or-maps__-environment-variables")]
    [InlineData("**Bold**, _emphasis_ and `location_uncertainty_m`", "bold-emphasis-and-location_uncertainty_m")]
    [InlineData("[A link](api.md) in a heading", "a-link-in-a-heading")]
    [InlineData("特色产业园区（2022年版）：名录", "特色产业园区2022年版名录")]
    [InlineData("中文 / English", "中文--english")]
    [InlineData("Proximity figures ", "proximity-figures")]
    [InlineData("Heading with closing hashes ##", "heading-with-closing-hashes")]
    public void Slug_FollowsGitHubsHeadingIds(string heading, string expected)
    {
        var anchors = MarkdownLinks.Anchors("# " + heading);

        Assert.Equal([expected], anchors);
    }

    [Fact]
    public void Anchors_OfRepeatedHeadings_AreNumbered_AndHeadingsInCodeBlocksAreNot()
    {
        var anchors = MarkdownLinks.Anchors("## Load\n\n```sh\n# Load\n```\n\n### Load\n\n<a id=\"custom\"></a>\n\n## Load");

        Assert.True(anchors.SetEquals(["load", "load-1", "load-2", "custom"]), string.Join(", ", anchors));
    }
}
