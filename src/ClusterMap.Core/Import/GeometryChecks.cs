using System.Globalization;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Valid;

namespace ClusterMap.Core.Import;

/// <summary>
/// The geometry checks every importer applies to a geometry as read, before any CRS conversion: not empty, every
/// position finite, and valid by the OGC Simple Features rules (closed rings, no self-intersection such as a
/// bow-tie, holes inside shells).
/// </summary>
public static class GeometryChecks
{
    /// <summary>Null when the geometry is fine, else the reason.</summary>
    public static string? Problem(Geometry? geometry)
    {
        if (geometry is null || geometry.IsEmpty)
        {
            return "empty: every feature needs at least one position";
        }

        foreach (var coordinate in geometry.Coordinates)
        {
            if (!double.IsFinite(coordinate.X) || !double.IsFinite(coordinate.Y))
            {
                return string.Create(CultureInfo.InvariantCulture, $"position [{coordinate.X}, {coordinate.Y}] is not a finite number (NaN or infinity)");
            }
        }

        var validation = new IsValidOp(geometry).ValidationError;
        return validation is null
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"invalid {geometry.GeometryType}: {validation.Message} at [{validation.Coordinate?.X}, {validation.Coordinate?.Y}]");
    }
}
