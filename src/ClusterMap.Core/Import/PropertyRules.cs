using System.Globalization;
using System.Text.Json.Nodes;

namespace ClusterMap.Core.Import;

/// <summary>The type a property must have: <c>string</c>, <c>number</c>, <c>integer</c> or <c>boolean</c>.</summary>
public enum PropertyType
{
    String,
    Number,
    Integer,
    Boolean,
}

/// <summary>
/// What an import demands of every feature's properties: the names that must be present and non-empty
/// (<c>--require name,sector</c>) and the types some must have (<c>--types area_km2=number,listed=boolean</c>).
/// CSV cells are text, so there a declared type is a conversion: <c>"12.5"</c> becomes the number 12.5 and a cell
/// that does not parse is a problem; in GeoJSON, GeoPackage and Shapefile values already have a type, which must match.
/// </summary>
public sealed record PropertyRules(IReadOnlyList<string> Required, IReadOnlyDictionary<string, PropertyType> Types)
{
    public const string AcceptedTypesForm = "comma-separated NAME=TYPE pairs, TYPE one of string, number, integer, boolean (e.g. area_km2=number,listed=boolean)";

    public static PropertyRules None { get; } = new([], new Dictionary<string, PropertyType>());

    /// <summary>Parses <c>--require</c> and <c>--types</c>; false when <paramref name="types"/> is not NAME=TYPE pairs.</summary>
    public static bool TryParse(string? require, string? types, out PropertyRules rules)
    {
        rules = None;
        var required = (require ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var parsed = new Dictionary<string, PropertyType>(StringComparer.Ordinal);
        foreach (var pair in (types ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || !Enum.TryParse<PropertyType>(parts[1], ignoreCase: true, out var type) || !Enum.IsDefined(type)
                || int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            {
                return false;
            }

            parsed[parts[0]] = type;
        }

        rules = new PropertyRules(required, parsed);
        return true;
    }

    /// <summary>
    /// Checks (and, for text cells, converts) one feature's properties; returns the problems as (field, reason).
    /// </summary>
    public IReadOnlyList<(string Field, string Reason)> Apply(JsonObject properties, bool textCells)
    {
        var problems = new List<(string, string)>();
        foreach (var name in Required)
        {
            var value = properties[name];
            if (value is null || (value.GetValueKind() == System.Text.Json.JsonValueKind.String && string.IsNullOrWhiteSpace(value.GetValue<string>())))
            {
                problems.Add(("properties." + name, "missing: --require demands a non-empty value"));
            }
        }

        foreach (var (name, type) in Types)
        {
            if (properties[name] is not { } value)
            {
                continue;
            }

            var kind = value.GetValueKind();
            if (textCells && kind == System.Text.Json.JsonValueKind.String)
            {
                var text = value.GetValue<string>().Trim();
                if (text.Length == 0)
                {
                    properties[name] = null;
                    continue;
                }

                JsonNode? converted = type switch
                {
                    PropertyType.String => JsonValue.Create(text),
                    PropertyType.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => JsonValue.Create(d),
                    PropertyType.Integer when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
                    PropertyType.Boolean when bool.TryParse(text, out var b) => JsonValue.Create(b),
                    _ => null,
                };
                if (converted is null)
                {
                    problems.Add(("properties." + name, $"'{text}' is not {Describe(type)} (--types {name}={type.ToString().ToLowerInvariant()})"));
                }
                else
                {
                    properties[name] = converted;
                }

                continue;
            }

            var matches = type switch
            {
                PropertyType.String => kind == System.Text.Json.JsonValueKind.String,
                PropertyType.Number => kind == System.Text.Json.JsonValueKind.Number,
                PropertyType.Integer => kind == System.Text.Json.JsonValueKind.Number && value.AsValue().TryGetValue<long>(out _),
                PropertyType.Boolean => kind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False,
                _ => false,
            };
            if (!matches)
            {
                problems.Add(("properties." + name, $"{value.ToJsonString()} is not {Describe(type)} (--types {name}={type.ToString().ToLowerInvariant()})"));
            }
        }

        return problems;
    }

    private static string Describe(PropertyType type) => type switch
    {
        PropertyType.String => "a string",
        PropertyType.Number => "a finite number (decimal point, no thousands separator)",
        PropertyType.Integer => "a whole number",
        _ => "true or false",
    };
}
