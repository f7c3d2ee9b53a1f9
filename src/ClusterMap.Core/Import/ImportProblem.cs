using System.Globalization;
using System.Text;

namespace ClusterMap.Core.Import;

/// <summary>One reason a feature (or the whole file) cannot be imported.</summary>
/// <param name="Location">Where in the file: <c>line 12</c>, <c>feature 3 (id 'sjtu-minhang')</c>, or <c>file</c>.</param>
/// <param name="Field">The member at fault: <c>geometry</c>, <c>id</c>, <c>properties</c>, <c>crs</c>…</param>
/// <param name="Reason">What is wrong and what is accepted instead.</param>
public sealed record ImportProblem(string Location, string Field, string Reason)
{
    public override string ToString() => $"{Location}: {Field}: {Reason}";

    internal static string FeatureLocation(int featureNumber, string? featureId) =>
        featureId is null
            ? string.Create(CultureInfo.InvariantCulture, $"feature {featureNumber}")
            : string.Create(CultureInfo.InvariantCulture, $"feature {featureNumber} (id '{featureId}')");
}

/// <summary>
/// Thrown when a file cannot be imported; lists every problem found, not only the first, so a user can fix the
/// file in one pass. Nothing has been written when this is thrown.
/// </summary>
public sealed class ImportRejectedException(string source, IReadOnlyList<ImportProblem> problems)
    : Exception(Describe(source, problems))
{
    public string SourceName { get; } = source;

    public IReadOnlyList<ImportProblem> Problems { get; } = problems;

    private static string Describe(string source, IReadOnlyList<ImportProblem> problems)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{source}: rejected, nothing was imported ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):");
        foreach (var problem in problems)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  {source}: {problem}");
        }

        return text.ToString();
    }
}
