using SkiaSharp;

namespace ClusterMap.Rendering.Drawing;

/// <summary>Colours and sizes of everything but the park palette, in logical pixels.</summary>
internal static class MapTheme
{
    public static readonly SKColor NoData = new(0xE4, 0xE4, 0xE0);
    public static readonly SKColor Land = new(0xF4, 0xF1, 0xEA);
    public static readonly SKColor Water = new(0xAB, 0xCF, 0xE3);
    public static readonly SKColor WaterEdge = new(0x8F, 0xB8, 0xD0);
    /// <summary>District boundaries and names: a muted violet-grey, apart from land, water and every feature colour.</summary>
    public static readonly SKColor DistrictEdge = new(0x9C, 0x84, 0xA8);
    public static readonly SKColor DistrictLabel = new(0x6B, 0x5A, 0x78);
    public const float DistrictEdgeWidth = 1.3f;
    public static readonly SKColor ContextArea = new(0xD8, 0xD4, 0xCC);
    public static readonly SKColor Ink = new(0x22, 0x22, 0x22);
    public static readonly SKColor SoftInk = new(0x55, 0x55, 0x55);
    public static readonly SKColor Halo = SKColors.White;
    public static readonly SKColor University = new(0x1F, 0x3A, 0x5F);
    public static readonly SKColor Institute = new(0x7A, 0x1F, 0x3D);
    public static readonly SKColor Metro = new(0x77, 0x77, 0x77);
    public static readonly SKColor Ring = new(0x22, 0x22, 0x22);
    public static readonly SKColor Link = new(0x33, 0x33, 0x33);
    public static readonly SKColor Panel = new(0xFF, 0xFF, 0xFF, 0xE6);
    public static readonly SKColor PanelEdge = new(0xBB, 0xBB, 0xBB);

    /// <summary>Clusters of parks of many sectors take no sector's colour.</summary>
    public static readonly SKColor ParkCluster = new(0x4A, 0x6B, 0x3A);

    public const float ParkRadius = 6;
    public const float UniversityHalfSide = 4.5f;
    public const float InstituteHalfDiagonal = 6;
    public const float MetroRadius = 2.5f;
    public const float ContextRadius = 3;

    /// <summary>Uncertainties below this many metres are not drawn: they would hide under the symbol.</summary>
    public const double HaloMinMeters = 300;

    public const float LabelSizeCluster = 9.5f;

    /// <summary>A cluster's circle grows with the logarithm of its count: 9 px for a few, 18 px for ten thousand.</summary>
    public static float ClusterRadius(int count) => 9 + (float)(Math.Log10(Math.Max(count, 1)) * 2.25);

    public const float LabelSizePark = 12;
    public const float LabelSizeInstitute = 11;
    public const float LabelSizeUniversity = 10.5f;
    public const float LabelSizeContext = 9.5f;
    public const float LabelSizeHighlight = 13.5f;

    /// <summary>The numbers that mark an atlas's features on its cover map.</summary>
    public const float LabelSizeMark = 10.5f;
    public const float LabelSizeDistance = 10;
    public const float LabelSizeDistrict = 12.5f;
}
