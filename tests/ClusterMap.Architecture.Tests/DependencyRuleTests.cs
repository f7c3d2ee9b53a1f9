using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace ClusterMap.Architecture.Tests;

/// <summary>
/// The dependency rule that keeps ClusterMap's projects apart (docs/architecture.md states it for readers):
/// (1) ClusterMap.Core references no other ClusterMap project, only NetTopologySuite packages, and nothing of
/// ASP.NET Core, SkiaSharp, Dapper, Npgsql, ProjNet or SQLite; (2) every other project under src/ except the two
/// hosts is an adapter and references no ClusterMap project but Core; (3) only the hosts (Api, Cli) compose
/// adapters, and the CLI does not depend on the web host; (4) namespaces equal folders. Rules 1–3 are checked twice:
/// in the built assemblies' metadata (what the code really uses) and in the project files (what it may use).
/// </summary>
public class DependencyRuleTests
{
    private static readonly string[] _hosts = ["ClusterMap.Api", "ClusterMap.Cli"];

    private static readonly string[] _heavyDependencies = ["Microsoft.AspNetCore", "SkiaSharp", "Dapper", "Npgsql", "ProjNet", "ProjNET", "Microsoft.Data.Sqlite", "SQLitePCL"];

    private static readonly string _repositoryRoot = RepositoryRoot.Path;

    public static TheoryData<string> SourceProjects() =>
        [.. Directory.GetDirectories(Path.Combine(_repositoryRoot, "src")).Select(d => new DirectoryInfo(d).Name).Order(StringComparer.Ordinal)];

    private static IReadOnlyList<string> AssemblyReferences(string projectName)
    {
        var assemblyName = projectName == "ClusterMap.Cli" ? "clustermap" : projectName;
        var path = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        Assert.True(File.Exists(path), $"{path} is not built beside the architecture tests; reference {projectName} from this test project.");
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return [.. metadata.AssemblyReferences.Select(handle => metadata.GetString(metadata.GetAssemblyReference(handle).Name))];
    }

    private static (IReadOnlyList<string> Projects, IReadOnlyList<string> Packages) ProjectFileReferences(string projectName)
    {
        var project = XDocument.Load(Path.Combine(_repositoryRoot, "src", projectName, projectName + ".csproj"));
        var projects = project.Descendants("ProjectReference").Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/'))).ToList();
        var packages = project.Descendants("PackageReference").Select(e => e.Attribute("Include")!.Value).ToList();
        return (projects, packages);
    }

    private static bool IsClusterMap(string name) => name.StartsWith("ClusterMap.", StringComparison.Ordinal) || name == "clustermap";

    [Fact]
    public void Core_DependsOnNoOtherProjectAndNoHeavyLibrary()
    {
        var references = AssemblyReferences("ClusterMap.Core");
        var (projects, packages) = ProjectFileReferences("ClusterMap.Core");

        Assert.DoesNotContain(references, IsClusterMap);
        Assert.Empty(projects);
        Assert.All(references.Concat(packages), name => Assert.DoesNotContain(_heavyDependencies, heavy => name.StartsWith(heavy, StringComparison.OrdinalIgnoreCase)));
        Assert.All(packages, package => Assert.StartsWith("NetTopologySuite", package, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Adapters_DependOnCoreOnly(string projectName)
    {
        if (projectName == "ClusterMap.Core" || _hosts.Contains(projectName))
        {
            return;
        }

        var references = AssemblyReferences(projectName).Where(IsClusterMap);
        var (projects, _) = ProjectFileReferences(projectName);

        Assert.All(references, name => Assert.Equal("ClusterMap.Core", name));
        Assert.All(projects, name => Assert.Equal("ClusterMap.Core", name));
    }

    [Fact]
    public void Cli_DoesNotDependOnTheWebHost()
    {
        Assert.DoesNotContain("ClusterMap.Api", AssemblyReferences("ClusterMap.Cli"));
        Assert.DoesNotContain("ClusterMap.Api", ProjectFileReferences("ClusterMap.Cli").Projects);
    }

    [Fact]
    public void Namespaces_MatchFolders()
    {
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_repositoryRoot, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Path.Combine(_repositoryRoot, "src"), file);
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal))
            {
                continue;
            }

            var declaration = File.ReadLines(file).FirstOrDefault(line => line.StartsWith("namespace ", StringComparison.Ordinal));
            if (declaration is null)
            {
                continue;
            }

            var folder = Path.GetDirectoryName(relative)!.Replace('/', '.');
            var expected = folder;
            var actual = declaration["namespace ".Length..].TrimEnd(';').Trim();
            if (actual != expected)
            {
                offenders.Add($"{relative}: namespace {actual}, folder says {expected}");
            }
        }

        Assert.Empty(offenders);
    }
}
