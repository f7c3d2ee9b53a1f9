using System.Text;
using ExcelDataReader;

namespace ClusterMap.Cli.Geodata;

/// <summary>The Ministry of Education's 全国普通高等学校名单 (univ_moe.xls), Shanghai rows.</summary>
internal static class MoeList
{
    public static IReadOnlyList<MoeInstitution> LoadShanghai(string path)
    {
        // .xls (BIFF8) text may be stored in a legacy code page.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        using var stream = File.OpenRead(path);
        using var reader = ExcelReaderFactory.CreateReader(stream);
        var result = new List<MoeInstitution>();
        Dictionary<string, int>? columns = null;
        while (reader.Read())
        {
            var cells = Enumerable.Range(0, reader.FieldCount)
                .Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)?.Trim() ?? "")
                .ToArray();
            if (columns is null)
            {
                if (Array.IndexOf(cells, "学校名称") >= 0)
                {
                    columns = cells.Select((c, i) => (c, i)).Where(x => x.c.Length > 0)
                        .GroupBy(x => x.c).ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
                }

                continue;
            }

            if (Cell(cells, columns, "所在地") != "上海市" || Cell(cells, columns, "学校名称").Length == 0)
            {
                continue;
            }

            result.Add(new MoeInstitution(
                Cell(cells, columns, "学校名称"),
                Cell(cells, columns, "学校标识码"),
                Cell(cells, columns, "主管部门"),
                Cell(cells, columns, "办学层次"),
                Cell(cells, columns, "备注")));
        }

        return columns is null
            ? throw new InvalidDataException($"{path}: no header row with 学校名称.")
            : result;
    }

    private static string Cell(string[] cells, Dictionary<string, int> columns, string name) =>
        columns.TryGetValue(name, out var i) && i < cells.Length ? cells[i] : "";
}
