namespace ClusterMap.Core.Filtering;

/// <summary>What is wrong with a filter and where: <see cref="Position"/> is the character offset in the filter text.</summary>
/// <param name="Position">Zero-based character offset of the offending token or node.</param>
/// <param name="Message">The whole explanation, naming the position.</param>
/// <param name="Expected">What would have been accepted there (for a client to show or to fix the filter).</param>
public sealed record Cql2Error(int Position, string Message, string Expected);

/// <summary>A filter could not be parsed or does not fit the collection's queryables.</summary>
public sealed class Cql2Exception(Cql2Error error) : Exception(error.Message)
{
    public Cql2Error Error { get; } = error;

    internal static Cql2Exception At(int position, string expected, string found) =>
        new(new Cql2Error(position, $"At character {position}: expected {expected}, found {found}.", expected));
}
