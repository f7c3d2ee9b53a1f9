namespace ClusterMap.Core.Analysis;

/// <summary>
/// The fourteen discipline categories (学科门类) of China's Ministry of Education catalogue of degree disciplines
/// (《研究生教育学科专业目录（2022年）》): 01 philosophy … 14 interdisciplinary (added in 2021). A first-level
/// discipline (一级学科, four digits, e.g. 0809) or an undergraduate specialty (six digits) belongs to the category of its
/// first two digits. (GB/T 13745, the national research classification, uses other codes and is not read here.)
/// </summary>
public static class DisciplineCategories
{
    private static readonly (int Code, string NameZh, string NameEn)[] _all =
    [
        (1, "哲学", "Philosophy"),
        (2, "经济学", "Economics"),
        (3, "法学", "Law"),
        (4, "教育学", "Education"),
        (5, "文学", "Literature"),
        (6, "历史学", "History"),
        (7, "理学", "Science"),
        (8, "工学", "Engineering"),
        (9, "农学", "Agriculture"),
        (10, "医学", "Medicine"),
        (11, "军事学", "Military science"),
        (12, "管理学", "Management"),
        (13, "艺术学", "Art"),
        (14, "交叉学科", "Interdisciplinary"),
    ];

    /// <summary>Every category as (code 1–14, Chinese name, English name).</summary>
    public static IReadOnlyList<(int Code, string NameZh, string NameEn)> All => _all;

    /// <summary>The bit of a category in a mask of categories (<see cref="ushort"/>, bit = code).</summary>
    public static ushort Bit(int code) => (ushort)(1 << code);

    /// <summary>
    /// A category from a two-, four- or six-digit code (<c>08</c>, <c>0809</c>, <c>080901</c>) or a category's
    /// Chinese or English name (<c>工学</c>, <c>Engineering</c>); false for anything else.
    /// </summary>
    public static bool TryParse(string? text, out int code)
    {
        code = 0;
        var value = text?.Trim() ?? "";
        if (value.Length is 2 or 4 or 6 && value.All(char.IsAsciiDigit))
        {
            code = ((value[0] - '0') * 10) + (value[1] - '0');
            return code is >= 1 and <= 14;
        }

        foreach (var (c, zh, en) in _all)
        {
            if (value == zh || string.Equals(value, en, StringComparison.OrdinalIgnoreCase))
            {
                code = c;
                return true;
            }
        }

        return false;
    }

    /// <summary>The codes of a mask, ascending, as two-digit text (<c>07</c>, <c>08</c>).</summary>
    public static IEnumerable<string> Codes(ushort mask) =>
        _all.Where(c => (mask & Bit(c.Code)) != 0).Select(c => c.Code.ToString("D2", System.Globalization.CultureInfo.InvariantCulture));
}
