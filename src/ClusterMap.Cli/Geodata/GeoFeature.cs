using NetTopologySuite.Geometries;

namespace ClusterMap.Cli.Geodata;

/// <summary>
/// One feature as it will be written: a stable id, a WGS84 geometry and properties in the order given
/// (the order is part of the byte-for-byte output, so it is explicit rather than a dictionary's).
/// </summary>
internal sealed record GeoFeature(string Id, Geometry Geometry, IReadOnlyList<KeyValuePair<string, object?>> Properties);

/// <summary>Builds an ordered property list; values are string, double, int, bool, null or string[].</summary>
internal sealed class PropertyList
{
    private readonly List<KeyValuePair<string, object?>> _items = [];

    public PropertyList Add(string key, object? value)
    {
        if (_items.Exists(p => p.Key == key))
        {
            throw new InvalidOperationException($"Property '{key}' added twice.");
        }

        _items.Add(new KeyValuePair<string, object?>(key, value));
        return this;
    }

    public IReadOnlyList<KeyValuePair<string, object?>> ToList() => [.. _items];
}
