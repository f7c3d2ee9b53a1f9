using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClusterMap.Core.Text;

namespace ClusterMap.Core.Analysis;

/// <summary>
/// Which discipline categories (<see cref="DisciplineCategories"/>) fit a park's sector, and how an institution's
/// disciplines are read from its properties. A modelling choice, not a fact: it is read from two CSV tables that
/// ship in <c>geodata/</c> and that a planner can replace.
/// </summary>
/// <remarks>
/// <para>The sector table (<c>sector,discipline,note</c>): one row per sector and fitting category, the sector
/// spelt as parks' <c>sector</c> property spells it, the category as a code or name.</para>
/// <para>An institution's categories come from its <c>disciplines</c> property (an array of codes or names, or one
/// text separated by <c>;</c>, <c>,</c> or <c>、</c>) when it has one, otherwise from the category table
/// (<c>major_category,discipline,note</c>), which maps the Ministry of Education's institution category
/// (院校类别, e.g. 理工类) to the discipline categories it implies. A category the table does not map (综合类,
/// comprehensive) and an institution with neither property have no known disciplines: their fit is unknown, never
/// guessed.</para>
/// </remarks>
public sealed class SectorFitTable
{
    /// <summary>The property listing an institution's disciplines.</summary>
    public const string DisciplinesProperty = "disciplines";

    /// <summary>The property holding the Ministry of Education institution category (院校类别).</summary>
    public const string CategoryProperty = "major_category";

    private static readonly char[] _separators = [';', ',', '、', '；', '，'];

    private readonly Dictionary<string, ushort> _sectors;
    private readonly Dictionary<string, ushort> _categories;

    private SectorFitTable(Dictionary<string, ushort> sectors, Dictionary<string, ushort> categories, string version)
    {
        _sectors = sectors;
        _categories = categories;
        Version = version;
    }

    /// <summary>No table: every fit is unknown.</summary>
    public static SectorFitTable Empty { get; } = new([], [], "none");

    /// <summary>A short hash of both tables' text, for ETags and for answers to say which table made them.</summary>
    public string Version { get; }

    /// <summary>The sectors the table knows, sorted.</summary>
    public IReadOnlyList<string> Sectors => [.. _sectors.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Reads the sector table and, optionally, the institution-category table. Throws <see cref="FormatException"/>
    /// naming the line of a row whose discipline is not a known category or whose header is not as expected.
    /// </summary>
    public static SectorFitTable Parse(string sectorCsv, string? categoryCsv)
    {
        ArgumentNullException.ThrowIfNull(sectorCsv);
        var sectors = ReadTable(sectorCsv, "sector", "sector table");
        var categories = categoryCsv is null ? [] : ReadTable(categoryCsv, CategoryProperty, "category table");
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(sectorCsv + "\u0000" + (categoryCsv ?? "")));
        return new SectorFitTable(sectors, categories, Convert.ToHexStringLower(hash)[..12]);
    }

    /// <summary>The categories that fit <paramref name="sector"/>; false when the table has no row for it.</summary>
    public bool TryGetSector(string? sector, out ushort categories)
    {
        categories = 0;
        return sector is not null && _sectors.TryGetValue(sector.Trim(), out categories);
    }

    /// <summary>An institution's discipline categories as a mask (<see cref="DisciplineCategories.Bit"/>); 0 when unknown.</summary>
    public ushort DisciplinesOf(JsonElement properties)
    {
        if (properties.ValueKind != JsonValueKind.Object)
        {
            return 0;
        }

        if (properties.TryGetProperty(DisciplinesProperty, out var listed))
        {
            ushort mask = 0;
            IEnumerable<string?> values = listed.ValueKind switch
            {
                JsonValueKind.Array => listed.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()),
                JsonValueKind.String => listed.GetString()!.Split(_separators, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                _ => [],
            };
            foreach (var value in values)
            {
                if (DisciplineCategories.TryParse(value, out var code))
                {
                    mask |= DisciplineCategories.Bit(code);
                }
            }

            if (mask != 0)
            {
                return mask;
            }
        }

        return properties.TryGetProperty(CategoryProperty, out var category) && category.ValueKind == JsonValueKind.String
            && _categories.TryGetValue(category.GetString()!.Trim(), out var implied)
            ? implied
            : (ushort)0;
    }

    private static Dictionary<string, ushort> ReadTable(string csv, string keyColumn, string tableName)
    {
        var table = new Dictionary<string, ushort>(StringComparer.Ordinal);
        var reader = new CsvReader(new StringReader(csv));
        var header = reader.Read();
        if (header is null || header.Cells.Count < 2 || header.Cells[0].Trim().TrimStart('\uFEFF') != keyColumn || header.Cells[1].Trim() != "discipline")
        {
            throw new FormatException($"The {tableName} must start with the header '{keyColumn},discipline[,note]'.");
        }

        while (reader.Read() is { } row)
        {
            if (row.Cells.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            var key = row.Cells[0].Trim();
            if (key.Length == 0 || row.Cells.Count < 2 || !DisciplineCategories.TryParse(row.Cells[1], out var code))
            {
                throw new FormatException($"Line {row.Line} of the {tableName}: expected '{keyColumn},discipline' with a discipline category code (01–14) or name.");
            }

            table[key] = (ushort)(table.GetValueOrDefault(key) | DisciplineCategories.Bit(code));
        }

        return table;
    }
}
