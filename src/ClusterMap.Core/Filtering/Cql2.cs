namespace ClusterMap.Core.Filtering;

/// <summary>The two encodings of a CQL2 filter (the <c>filter-lang</c> parameter's values).</summary>
public enum Cql2Language
{
    Text,
    Json,
}

/// <summary>
/// Entry point of the CQL2 parser: text or JSON to one tree (<see cref="Cql2Node"/>). Parsing checks the grammar
/// only; <see cref="Cql2Validator"/> then checks the tree against a collection's queryables.
/// </summary>
public static class Cql2
{
    /// <summary>Parses a filter; throws <see cref="Cql2Exception"/> naming the position and what was expected there.</summary>
    public static Cql2Node Parse(string filter, Cql2Language language) =>
        language == Cql2Language.Json ? Cql2JsonParser.Parse(filter) : Cql2TextParser.Parse(filter);

    public static Cql2Node ParseText(string filter) => Cql2TextParser.Parse(filter);

    public static Cql2Node ParseJson(string filter) => Cql2JsonParser.Parse(filter);

    /// <summary>Parses, then validates against <paramref name="queryables"/>; false with the first error otherwise.</summary>
    public static bool TryParse(string filter, Cql2Language language, Cql2Queryables queryables, out Cql2Node node, out Cql2Error? error)
    {
        try
        {
            node = Parse(filter, language);
            Cql2Validator.Validate(node, queryables);
            error = null;
            return true;
        }
        catch (Cql2Exception ex)
        {
            node = new Cql2Boolean(false);
            error = ex.Error;
            return false;
        }
    }
}
