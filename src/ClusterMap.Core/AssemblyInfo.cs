namespace ClusterMap.Core;

/// <summary>Marker for locating the Core assembly (architecture tests, reflection).</summary>
public static class CoreAssembly;
