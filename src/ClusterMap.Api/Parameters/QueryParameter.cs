using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace ClusterMap.Api.Parameters;

/// <summary>
/// One query parameter as the service accepts it and documents it: its name, what it does, the form it accepts
/// (the text of every 400 about it), whether it is required, and its schema in the API document. Handlers read values
/// through the typed <see cref="QueryParameter{T}"/>; the OpenAPI document lists the same objects, so the two
/// cannot disagree.
/// </summary>
internal abstract class QueryParameter(string name, string acceptedForm, string description)
{
    public string Name => name;

    /// <summary>What a 400 about this parameter says is expected ("Parameter 'k' is invalid: expected …").</summary>
    public string AcceptedForm => acceptedForm;

    /// <summary>What the parameter does, one sentence for the API document.</summary>
    public string Description => description;

    public bool Required { get; init; }

    /// <summary>An empty value counts as no value (a collection id cannot be empty, so it is reported as missing).</summary>
    public bool EmptyIsMissing { get; init; }

    /// <summary>Its schema in the API document; a new object each time, since document transformers may change it.</summary>
    public Func<OpenApiSchema> Schema { get; init; } = ParameterSchema.String;

    /// <summary>OpenAPI <c>style: form, explode: false</c>: a list given as one comma-separated value.</summary>
    public bool CommaSeparated { get; init; }

    public OpenApiParameter ToOpenApi()
    {
        var parameter = new OpenApiParameter
        {
            Name = Name,
            In = ParameterLocation.Query,
            Description = $"{Description} Expected: {AcceptedForm}.",
            Required = Required,
            Schema = Schema(),
        };
        if (CommaSeparated)
        {
            parameter.Style = ParameterStyle.Form;
            parameter.Explode = false;
        }

        return parameter;
    }
}

/// <summary>A query parameter whose value is parsed to a <typeparamref name="T"/>, with its default when absent.</summary>
internal sealed class QueryParameter<T>(string name, string acceptedForm, string description, QueryParameter<T>.Parser parse)
    : QueryParameter(name, acceptedForm, description)
{
    public delegate bool Parser(string text, out T value);

    /// <summary>The value of an optional parameter that is not given.</summary>
    public T Default { get; init; } = default!;

    public bool TryParse(string text, out T value) => parse(text, out value);
}

/// <summary>Schemas of query parameters in the API document.</summary>
internal static class ParameterSchema
{
    public static OpenApiSchema String() => new() { Type = JsonSchemaType.String };

    public static Func<OpenApiSchema> Number(double? minimum = null, double? maximum = null) => () => new()
    {
        Type = JsonSchemaType.Number,
        Minimum = minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Maximum = maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static Func<OpenApiSchema> Integer(long minimum, long? maximum = null, long? @default = null) => () => new()
    {
        Type = JsonSchemaType.Integer,
        Minimum = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Maximum = maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Default = @default is { } d ? JsonValue.Create(d) : null,
    };

    public static Func<OpenApiSchema> OneOf(IReadOnlyList<string> values, string? @default = null) => () => new()
    {
        Type = JsonSchemaType.String,
        Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))],
        Default = @default is null ? null : JsonValue.Create(@default),
    };

    public static Func<OpenApiSchema> NumberList(int minItems, int maxItems) => () => new()
    {
        Type = JsonSchemaType.Array,
        MinItems = minItems,
        MaxItems = maxItems,
        Items = new OpenApiSchema { Type = JsonSchemaType.Number },
    };

    public static Func<OpenApiSchema> StringList() => () => new()
    {
        Type = JsonSchemaType.Array,
        Items = new OpenApiSchema { Type = JsonSchemaType.String },
    };
}
