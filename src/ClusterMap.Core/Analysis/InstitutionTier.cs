using System.Text.Json;

namespace ClusterMap.Core.Analysis;

/// <summary>
/// The tier of a university or institute as its own properties state it; each institution has exactly one, the
/// highest that applies (national laboratory or facility, then 985, 211, double first-class).
/// </summary>
public enum InstitutionTier
{
    /// <summary>A national laboratory or national large-scale facility: <c>type</c> starts with "national", or <c>is_national_lab</c> is true.</summary>
    National,

    /// <summary><c>is_985</c> is true (Project 985).</summary>
    Project985,

    /// <summary><c>is_211</c> is true and not 985 (Project 211).</summary>
    Project211,

    /// <summary><c>double_first_class</c> is true and neither 985 nor 211 (双一流).</summary>
    DoubleFirstClass,

    /// <summary>The tier flags are present and none is true.</summary>
    Other,

    /// <summary>No tier flag is present: the data does not say (e.g. a CAS institute), so no tier is claimed.</summary>
    Unrated,
}

/// <summary>Reading <see cref="InstitutionTier"/> from a feature's properties, and the tiers' names in answers.</summary>
public static class InstitutionTiers
{
    /// <summary>Every tier, in the order answers list them.</summary>
    public static IReadOnlyList<InstitutionTier> All { get; } = Enum.GetValues<InstitutionTier>();

    /// <summary>The tier's name in answers and in <c>tier_weights</c>.</summary>
    public static string Name(InstitutionTier tier) => tier switch
    {
        InstitutionTier.National => "national",
        InstitutionTier.Project985 => "985",
        InstitutionTier.Project211 => "211",
        InstitutionTier.DoubleFirstClass => "double_first_class",
        InstitutionTier.Other => "other",
        _ => "unrated",
    };

    /// <summary>A tier from its <see cref="Name"/>.</summary>
    public static bool TryParse(string text, out InstitutionTier tier)
    {
        foreach (var candidate in All)
        {
            if (Name(candidate) == text)
            {
                tier = candidate;
                return true;
            }
        }

        tier = default;
        return false;
    }

    /// <summary>The tier stated by a properties JSON object.</summary>
    public static InstitutionTier Of(JsonElement properties)
    {
        if (properties.ValueKind != JsonValueKind.Object)
        {
            return InstitutionTier.Unrated;
        }

        if (Flag(properties, "is_national_lab") == true
            || (properties.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && type.GetString()!.StartsWith("national", StringComparison.OrdinalIgnoreCase)))
        {
            return InstitutionTier.National;
        }

        var is985 = Flag(properties, "is_985");
        var is211 = Flag(properties, "is_211");
        var doubleFirstClass = Flag(properties, "double_first_class");
        return is985 == true ? InstitutionTier.Project985
            : is211 == true ? InstitutionTier.Project211
            : doubleFirstClass == true ? InstitutionTier.DoubleFirstClass
            : is985 is not null || is211 is not null || doubleFirstClass is not null ? InstitutionTier.Other
            : InstitutionTier.Unrated;
    }

    private static bool? Flag(JsonElement properties, string name) =>
        properties.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        } : null;
}
