using System.Text.RegularExpressions;

namespace ClusterMap.Core.Features;

/// <summary>
/// Collection ids are kebab-case (<c>parks</c>, <c>metro-stations</c>) so they are safe in URLs, file names and SQL
/// identifiers alike.
/// </summary>
public static partial class CollectionId
{
    public const int MaxLength = 64;

    public const string AcceptedForm = "lower-case letters and digits in words joined by single hyphens (kebab-case), at most 64 characters, e.g. 'metro-stations'";

    public static bool IsValid(string? id) => id is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(id);

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
