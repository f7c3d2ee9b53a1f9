using SkiaSharp;

namespace ClusterMap.Rendering.Model;

/// <summary>Sector families a park's sector text is sorted into, one colour each.</summary>
public enum SectorFamily
{
    LifeSciences,
    Semiconductors,
    AiRobotics,
    Digital,
    GreenEnergy,
    Materials,
    AviationMarine,
    Consumer,
    Other,
}

/// <summary>
/// The fixed park palette: Paul Tol's "muted" scheme, designed to stay distinguishable under the common colour
/// vision deficiencies and in greyscale print. The park sectors of the catalogue (13 texts) outnumber its nine
/// colours, so sectors are grouped into families by keywords; a sector that matches none is "Other" (pale grey).
/// The mapping is fixed so a colour means the same sector in every map and report.
/// </summary>
public static class SectorPalette
{
    public sealed record Entry(SectorFamily Family, SKColor Color, string NameZh, string NameEn);

    public static readonly IReadOnlyList<Entry> Entries =
    [
        new(SectorFamily.LifeSciences, new SKColor(0xCC, 0x66, 0x77), "生物医药", "Life sciences"),
        new(SectorFamily.Semiconductors, new SKColor(0x33, 0x22, 0x88), "集成电路", "Integrated circuits"),
        new(SectorFamily.AiRobotics, new SKColor(0x88, 0xCC, 0xEE), "人工智能与机器人", "AI and robotics"),
        new(SectorFamily.Digital, new SKColor(0x44, 0xAA, 0x99), "数字经济", "Digital economy"),
        new(SectorFamily.GreenEnergy, new SKColor(0x11, 0x77, 0x33), "绿色低碳与新能源", "Green energy"),
        new(SectorFamily.Materials, new SKColor(0x99, 0x99, 0x33), "新材料", "New materials"),
        new(SectorFamily.AviationMarine, new SKColor(0xDD, 0xCC, 0x77), "航空与海洋", "Aviation and marine"),
        new(SectorFamily.Consumer, new SKColor(0xAA, 0x44, 0x99), "时尚消费", "Consumer goods"),
        new(SectorFamily.Other, new SKColor(0xDD, 0xDD, 0xDD), "其他或未注明", "Other or not stated"),
    ];

    // Order matters: "marine economy + intelligent manufacturing" is marine before it is manufacturing.
    private static readonly (SectorFamily Family, string[] Keywords)[] _rules =
    [
        (SectorFamily.AviationMarine, ["aviation", "aerospace", "marine", "ocean", "航空", "海洋"]),
        (SectorFamily.LifeSciences, ["biomed", "pharm", "life science", "medical", "health", "生物", "医"]),
        (SectorFamily.Semiconductors, ["integrated circuit", "semiconductor", "chip", "集成电路", "芯片"]),
        (SectorFamily.AiRobotics, ["artificial intelligence", "robot", "人工智能", "机器人", "智能制造"]),
        (SectorFamily.Digital, ["metaverse", "digital", "online", "internet", "software", "元宇宙", "数字", "在线", "软件"]),
        (SectorFamily.GreenEnergy, ["green", "low-carbon", "hydrogen", "energy", "vehicle", "automotive", "绿色", "低碳", "氢", "能源", "汽车"]),
        (SectorFamily.Materials, ["material", "材料"]),
        (SectorFamily.Consumer, ["fashion", "consumer", "时尚", "消费"]),
    ];

    public static Entry Of(SectorFamily family) => Entries[(int)family];

    public static SectorFamily Classify(string? sectorZh, string? sectorEn)
    {
        var text = $"{sectorEn} {sectorZh}".ToLowerInvariant();
        if (string.IsNullOrWhiteSpace(text))
        {
            return SectorFamily.Other;
        }

        foreach (var (family, keywords) in _rules)
        {
            if (keywords.Any(k => text.Contains(k, StringComparison.Ordinal)))
            {
                return family;
            }
        }

        return SectorFamily.Other;
    }
}
