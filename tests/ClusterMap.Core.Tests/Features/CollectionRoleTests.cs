using System.Text.Json;
using ClusterMap.Core.Features;

namespace ClusterMap.Core.Tests.Features;

public sealed class CollectionRoleTests
{
    private static CollectionDefinition WithMetadata(string json) => new("c", "C", "", "", "", json);

    [Theory]
    [InlineData("{}", "context")]
    [InlineData("""{"role":"park"}""", "park")]
    [InlineData("""{"role":"campus"}""", "context")]
    [InlineData("""{"role":7}""", "context")]
    [InlineData("[]", "context")]
    [InlineData("", "context")]
    public void Of_ReadsAKnownStoredRole_ElseContext(string metadata, string expected) =>
        Assert.Equal(expected, CollectionRole.Of(WithMetadata(metadata)));

    [Fact]
    public void WithRole_SetsTheRoleAndKeepsEveryOtherMember()
    {
        var updated = CollectionRole.WithRole("""{"role":"context","catalogue":{"present":28,"name":"上海"}}""", CollectionRole.Institute);

        using var document = JsonDocument.Parse(updated);
        Assert.Equal("institute", document.RootElement.GetProperty("role").GetString());
        Assert.Equal(28, document.RootElement.GetProperty("catalogue").GetProperty("present").GetInt32());
        Assert.Equal("上海", document.RootElement.GetProperty("catalogue").GetProperty("name").GetString());
        Assert.Equal(CollectionRole.Institute, CollectionRole.Of(WithMetadata(updated)));
    }

    [Fact]
    public void WithRole_RefusesAnUnknownRole() =>
        Assert.Throws<ArgumentException>(() => CollectionRole.WithRole("{}", "campus"));
}
