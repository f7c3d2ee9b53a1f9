using System.Text.Json;
using ClusterMap.Core.Analysis;

namespace ClusterMap.Core.Tests.Analysis;

public class SectorFitTableTests
{
    private static readonly SectorFitTable _table = SectorFitTable.Parse("sector,discipline,note\n集成电路,08,x\n集成电路,理学,x\n", "major_category,discipline\n理工类,07\n理工类,Engineering\n");

    [Theory]
    [InlineData("{\"disciplines\":[\"0809\",\"医学\"]}", "08,10")]
    [InlineData("{\"disciplines\":\"07；080901、Art\"}", "07,08,13")]
    [InlineData("{\"major_category\":\"理工类\"}", "07,08")]
    [InlineData("{\"disciplines\":[\"9999\"],\"major_category\":\"理工类\"}", "07,08")]
    [InlineData("{\"major_category\":\"综合类\"}", "")]
    [InlineData("{\"name_en\":\"x\"}", "")]
    public void DisciplinesOf_ReadsListedThenCategory_UnknownOtherwise(string json, string expected)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Equal(expected, string.Join(',', DisciplineCategories.Codes(_table.DisciplinesOf(document.RootElement))));
    }

    [Fact]
    public void TryGetSector_KnownAndUnknown()
    {
        Assert.True(_table.TryGetSector("集成电路", out var mask));
        Assert.Equal("07,08", string.Join(',', DisciplineCategories.Codes(mask)));
        Assert.False(_table.TryGetSector("生物医药", out _));
        Assert.False(_table.TryGetSector(null, out _));
    }

    [Theory]
    [InlineData("sector,discipline\n集成电路,15\n")]
    [InlineData("sector,discipline\n集成电路,化学工程\n")]
    [InlineData("park,discipline\n集成电路,08\n")]
    public void Parse_BadRowsOrHeader_Throw(string csv) =>
        Assert.Throws<FormatException>(() => SectorFitTable.Parse(csv, null));

    [Fact]
    public void ShippedTables_CoverEveryShippedSector()
    {
        var geodata = Path.Combine(RepositoryRoot(), "geodata");
        var table = SectorFitTable.Parse(
            File.ReadAllText(Path.Combine(geodata, "analysis", "sector-discipline-fit.csv")),
            File.ReadAllText(Path.Combine(geodata, "analysis", "institution-category-disciplines.csv")));
        using var parks = JsonDocument.Parse(File.ReadAllText(Path.Combine(geodata, "parks.geojson")));
        var sectors = parks.RootElement.GetProperty("features").EnumerateArray()
            .Select(f => f.GetProperty("properties").GetProperty("sector"))
            .Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!).Distinct().ToList();
        Assert.NotEmpty(sectors);
        Assert.All(sectors, s => Assert.True(table.TryGetSector(s, out _), $"sector '{s}' has no row"));

        // 综合类 stays unknown: its disciplines cannot be told from the category.
        using var comprehensive = JsonDocument.Parse("{\"major_category\":\"综合类\"}");
        Assert.Equal(0, table.DisciplinesOf(comprehensive.RootElement));
    }

    [Fact]
    public void InstitutionTiers_FromProperties()
    {
        static InstitutionTier Of(string json)
        {
            using var document = JsonDocument.Parse(json);
            return InstitutionTiers.Of(document.RootElement);
        }

        Assert.Equal(InstitutionTier.Project985, Of("{\"is_985\":true,\"is_211\":true,\"double_first_class\":true}"));
        Assert.Equal(InstitutionTier.Project211, Of("{\"is_985\":false,\"is_211\":true}"));
        Assert.Equal(InstitutionTier.DoubleFirstClass, Of("{\"is_985\":false,\"is_211\":false,\"double_first_class\":true}"));
        Assert.Equal(InstitutionTier.Other, Of("{\"is_985\":false,\"is_211\":false,\"double_first_class\":false}"));
        Assert.Equal(InstitutionTier.National, Of("{\"type\":\"national large-scale facility (CAS)\"}"));
        Assert.Equal(InstitutionTier.Unrated, Of("{\"type\":\"CAS institute\"}"));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ClusterMap.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
