using System.Globalization;
using System.Text.Json;

namespace ClusterMap.Core.Features;

/// <summary>
/// Reading a feature's properties JSON for the in-memory engines, with the same equality semantics as the
/// stores' property filters: text as text, numbers by value (so <c>4</c> matches <c>4.0</c>), booleans as
/// <c>true</c>/<c>false</c>.
/// </summary>
public static class FeatureProperties
{
    /// <summary>The property that says how far a feature's true location may be from its geometry, in metres.</summary>
    public const string UncertaintyProperty = "location_uncertainty_m";

    /// <summary>Scalar properties as comparable text; arrays, objects and nulls are left out.</summary>
    public static Dictionary<string, string?> ComparableValues(string propertiesJson)
    {
        using var document = JsonDocument.Parse(propertiesJson);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var value = property.Value;
            var text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => NormalizeNumber(value.GetDouble()),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
            if (text is not null)
            {
                values[property.Name] = text;
            }
        }

        return values;
    }

    /// <summary>A query value in the form <see cref="ComparableValues"/> gives, so that equal values compare equal.</summary>
    public static string ComparableQueryValue(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? NormalizeNumber(number)
            : value;

    /// <summary>The feature's <c>location_uncertainty_m</c>, or 0 when it has none (a surveyed or exact location).</summary>
    public static double UncertaintyMeters(string propertiesJson)
    {
        using var document = JsonDocument.Parse(propertiesJson);
        return document.RootElement.TryGetProperty(UncertaintyProperty, out var value)
            && value.ValueKind == JsonValueKind.Number
            && value.TryGetDouble(out var meters) && double.IsFinite(meters) && meters > 0
            ? meters
            : 0;
    }

    private static string NormalizeNumber(double number) => number.ToString("R", CultureInfo.InvariantCulture);
}
