using System.Globalization;

namespace ClusterMap.Api.Parameters;

/// <summary>Parsers for the proximity endpoints' parameters; each accepted form is stated once, here.</summary>
internal static class ProximityParameters
{
    /// <summary>Half the Earth's circumference: no two points on WGS84 are farther apart.</summary>
    public const double MaxDistanceMeters = 20_000_000;

    public const int MaxK = 1000;

    public const int MaxRings = 20;

    public const string DistanceForm = "a number of metres greater than 0 and at most 20,000,000 (20,000 km), e.g. 5000";

    public const string KForm = "a whole number from 1 to 1000";

    public const string RingsForm = "a comma-separated list of up to 20 increasing distances in metres, each greater than 0 and at most 20,000,000, e.g. 1000,3000,5000,10000";

    public const string FromForm = "a feature as {collectionId}/{featureId}, e.g. universities/sjtu-minhang (or give lon and lat instead)";

    public const string LonForm = "a longitude in degrees from −180 to 180 (WGS84), given together with lat";

    public const string LatForm = "a latitude in degrees from −90 to 90 (WGS84), given together with lon";

    public const string CollectionForm = "the id of a collection listed at /collections, e.g. parks";

    public static readonly IReadOnlyList<double> DefaultRingsMeters = [1000, 3000, 5000, 10000];

    public static readonly QueryParameter<string> Target = Collection("target", "The collection to search, e.g. parks.");

    public static readonly QueryParameter<string> FromCollection = Collection("from", "The collection whose every feature is an origin.");

    public static readonly QueryParameter<string> To = Collection("to", "The collection of the targets, e.g. universities.");

    /// <summary>The origin feature of within/nearest; its absence is reported by the handler, since lon and lat may replace it.</summary>
    public static readonly QueryParameter<(string CollectionId, string FeatureId)> FromFeature = new(
        "from", FromForm, "The origin feature, instead of lon and lat.",
        (string text, out (string, string) reference) =>
        {
            var ok = TryParseFeatureReference(text, out var collectionId, out var featureId);
            reference = (collectionId, featureId);
            return ok;
        });

    public static readonly QueryParameter<double> Lon = new("lon", LonForm, "The origin's longitude, with lat, instead of from.", TryParseLongitude)
    {
        Schema = ParameterSchema.Number(-180, 180),
    };

    public static readonly QueryParameter<double> Lat = new("lat", LatForm, "The origin's latitude, with lon, instead of from.", TryParseLatitude)
    {
        Schema = ParameterSchema.Number(-90, 90),
    };

    public static readonly QueryParameter<double> RadiusM = new("radius_m", DistanceForm, "The radius in metres.", TryParseDistance)
    {
        Required = true,
        Schema = ParameterSchema.Number(0, MaxDistanceMeters),
    };

    public static readonly QueryParameter<int> K = new("k", KForm, "How many nearest targets.", TryParseK)
    {
        Required = true,
        Schema = ParameterSchema.Integer(1, MaxK),
    };

    public static readonly QueryParameter<double?> MaxM = new("max_m", DistanceForm, "Only targets within this many metres.",
        (string text, out double? meters) =>
        {
            var ok = TryParseDistance(text, out var value);
            meters = ok ? value : null;
            return ok;
        })
    {
        Schema = ParameterSchema.Number(0, MaxDistanceMeters),
    };

    public static readonly QueryParameter<IReadOnlyList<double>> RingsM = new("rings_m", RingsForm, "Ring radii in metres (default 1000,3000,5000,10000).", TryParseRings)
    {
        Default = DefaultRingsMeters,
        CommaSeparated = true,
        Schema = ParameterSchema.NumberList(1, MaxRings),
    };

    public static readonly QueryParameter<string> Format = FormatParameter.Of("json", "csv");

    private const string QueryablesAccepted = "any property listed at /collections/{collectionId}/queryables";

    public static readonly OperationParameters Within = new([Target, RadiusM, FromFeature, Lon, Lat, Format, CrsParameter.Output, .. FilterParameters.Targets.All]) { OthersAccepted = QueryablesAccepted };

    public static readonly OperationParameters Nearest = new([Target, K, MaxM, FromFeature, Lon, Lat, Format, CrsParameter.Output, .. FilterParameters.Targets.All]) { OthersAccepted = QueryablesAccepted };

    public static readonly OperationParameters Matrix = new([FromCollection, To, K, MaxM, Format, .. FilterParameters.Targets.All, .. FilterParameters.Origins.All]) { OthersAccepted = QueryablesAccepted };

    public static readonly OperationParameters Rings = new([FromCollection, To, RingsM, Format, .. FilterParameters.Targets.All, .. FilterParameters.Origins.All]) { OthersAccepted = QueryablesAccepted };

    private static QueryParameter<string> Collection(string name, string description) =>
        new(name, CollectionForm, description, (string text, out string id) => (id = text) is not null)
        {
            Required = true,
            EmptyIsMissing = true,
        };

    public static bool TryParseDistance(string text, out double meters) =>
        NumberParameter.TryParseFinite(text, out meters) && meters > 0 && meters <= MaxDistanceMeters;

    public static bool TryParseK(string text, out int k)
    {
        var ok = NumberParameter.TryParseInteger(text, 1, MaxK, out var value);
        k = (int)value;
        return ok;
    }

    public static bool TryParseRings(string text, out IReadOnlyList<double> rings)
    {
        rings = [];
        var parts = text.Split(',');
        if (parts.Length is 0 or > MaxRings)
        {
            return false;
        }

        var values = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParseDistance(parts[i], out values[i]) || (i > 0 && values[i] <= values[i - 1]))
            {
                return false;
            }
        }

        rings = values;
        return true;
    }

    /// <summary><c>collection/featureId</c>; the feature id is everything after the first slash.</summary>
    public static bool TryParseFeatureReference(string text, out string collectionId, out string featureId)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        collectionId = slash > 0 ? text[..slash] : "";
        featureId = slash > 0 ? text[(slash + 1)..] : "";
        return collectionId.Length > 0 && featureId.Length > 0;
    }

    public static bool TryParseLongitude(string text, out double lon) =>
        NumberParameter.TryParseFinite(text, out lon) && lon is >= -180 and <= 180;

    public static bool TryParseLatitude(string text, out double lat) =>
        NumberParameter.TryParseFinite(text, out lat) && lat is >= -90 and <= 90;

    public static string Metres(double meters) => meters.ToString("0.##", CultureInfo.InvariantCulture);
}
