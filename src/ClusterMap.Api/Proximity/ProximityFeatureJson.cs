using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ClusterMap.Api.Ogc;
using ClusterMap.Core.Features;
using ClusterMap.Core.Proximity;
using ClusterMap.Core.Storage;
using ClusterMap.Projections;

namespace ClusterMap.Api.Proximity;

/// <summary>
/// Each feature's GeoJSON up to and including its stored properties — <c>{"type":"Feature","id":…,"geometry":…,
/// "properties":{…,</c> — serialised on first use and kept for the life of its snapshot (a new data version is a new
/// snapshot, so nothing here can go stale). A request copies these bytes and writes only the few numbers of its
/// answer, rather than writing the geometry and re-parsing the properties of every feature it returns.
/// </summary>
internal sealed class ProximityFeatureJson
{
    private static readonly ConditionalWeakTable<CollectionSnapshot, ProximityFeatureJson> _bySnapshot = new();

    private readonly CollectionSnapshot _snapshot;
    private readonly ConcurrentDictionary<string, byte[]> _prefixes = new(StringComparer.Ordinal);

    private ProximityFeatureJson(CollectionSnapshot snapshot) => _snapshot = snapshot;

    /// <summary>
    /// The snapshot's feature JSON. The first call starts serialising every feature on a background thread, so that
    /// answers soon find every feature ready: serialising a feature costs far more than copying it, and this way each
    /// feature is serialised once per data version, off the request path.
    /// </summary>
    public static ProximityFeatureJson Of(CollectionSnapshot snapshot) => _bySnapshot.GetValue(snapshot, s =>
    {
        var json = new ProximityFeatureJson(s);
        // A pushed-down query's candidates serve one answer: serialise only the hits, on use.
        if (!s.IsPartial)
        {
            _ = Task.Run(json.SerializeAll);
        }

        return json;
    });

    public ReadOnlySpan<byte> Prefix(ProximityItem item) => _prefixes.TryGetValue(item.Id, out var prefix) ? prefix : _prefixes.GetOrAdd(item.Id, Serialize(item));

    private void SerializeAll()
    {
        foreach (var feature in _snapshot.Features)
        {
            if (!_prefixes.ContainsKey(feature.Id))
            {
                _prefixes.TryAdd(feature.Id, Serialize(feature, CrsRegistry.Wgs84));
            }
        }
    }

    private byte[] Serialize(ProximityItem item) => Serialize(_snapshot.Find(item.Id)!, CrsRegistry.Wgs84);

    public static byte[] Serialize(FeatureRecord feature, Crs crs)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, GeoJsonWriting.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "Feature");
            writer.WriteString("id", feature.Id);
            writer.WritePropertyName("geometry");
            JsonSerializer.Serialize(writer, GeoJsonWriting.InCrs(feature.Geometry, crs), GeoJsonWriting.GeometryOptions);
            writer.WriteStartObject("properties");
            using (var properties = JsonDocument.Parse(feature.PropertiesJson))
            {
                foreach (var property in properties.RootElement.EnumerateObject())
                {
                    // The answer's own members (rank, distance_m…) are written after these; a stored property of the
                    // same name would make a duplicate JSON key, so the answer's value wins, as it does in CSV.
                    if (ProximityMembers.All.Contains(property.Name))
                    {
                        continue;
                    }

                    property.WriteTo(writer);
                }
            }

            // A member after the stored ones, so the writer puts the comma the spliced members need.
            writer.WriteNull("x");
        }

        // Drop the placeholder member `"x":null` but keep the comma before it (or the brace when there is none).
        return buffer.WrittenSpan[..^"\"x\":null".Length].ToArray();
    }
}
