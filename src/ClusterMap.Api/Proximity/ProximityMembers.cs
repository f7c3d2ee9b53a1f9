using System.Collections.Frozen;
using System.Text.Json;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Storage;

namespace ClusterMap.Api.Proximity;

/// <summary>How proximity answers name their members; one place, so JSON, GeoJSON and CSV agree.</summary>
internal static class ProximityMembers
{
    public const string DistanceM = "distance_m";
    public const string DistanceMinM = "distance_min_m";
    public const string DistanceMaxM = "distance_max_m";
    public const string DistanceExact = "distance_exact";
    public const string Rank = "rank";
    public const string Within = "within";

    /// <summary>Every member an answer adds to a feature's properties.</summary>
    public static readonly FrozenSet<string> All = FrozenSet.ToFrozenSet([DistanceM, DistanceMinM, DistanceMaxM, DistanceExact, Rank, Within], StringComparer.Ordinal);

    public static string Certainty(ProximityCertainty certainty) => certainty == ProximityCertainty.Certain ? "certain" : "possible";

    /// <summary>Distances are exact to micrometres, but centimetres are all any location here can claim.</summary>
    public static double Round(double meters) => Math.Round(meters, 2, MidpointRounding.AwayFromZero);

    public static string? Name(CollectionSnapshot snapshot, string featureId, string language)
    {
        var feature = snapshot.Find(featureId);
        if (feature is null)
        {
            return null;
        }

        using var properties = JsonDocument.Parse(feature.PropertiesJson);
        foreach (var candidate in new[] { $"name_{language}", "name" })
        {
            if (properties.RootElement.TryGetProperty(candidate, out var value) && value.ValueKind == JsonValueKind.String)
            {
                return value.GetString();
            }
        }

        return null;
    }
}
