using NetTopologySuite.Geometries;

namespace ClusterMap.Core.Features;

/// <summary>
/// One feature as stored: a stable string id, a WGS84 geometry (X = longitude, Y = latitude) and its properties
/// kept as a JSON object text, so that what was imported is served back exactly as it came.
/// </summary>
public sealed record FeatureRecord(string Id, Geometry Geometry, string PropertiesJson);
