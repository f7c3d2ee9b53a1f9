using System.Text;
using ClusterMap.Core.Import;
using ClusterMap.Projections;
using NetTopologySuite.IO.Esri;
using NetTopologySuite.IO.Esri.Shapefiles.Readers;

namespace ClusterMap.Cli.Formats;

/// <summary>
/// Reads an Esri Shapefile (.shp with its .dbf, .shx, and .prj/.cpg when present) through
/// NetTopologySuite.IO.Esri.Shapefile. The .prj says the CRS; the .cpg (or <c>--encoding</c>) the DBF text encoding.
/// </summary>
internal static class ShapefileFormat
{
    public static (FeatureReadResult Read, Crs? Declared) Read(string path, string? idField, string? encodingName)
    {
        var prjPath = Path.ChangeExtension(path, ".prj");
        Crs? declared = null;
        if (File.Exists(prjPath))
        {
            var wkt = File.ReadAllText(prjPath).Trim();
            if (!CrsRegistry.TryResolveWkt(wkt, out var crs, out var reason))
            {
                throw new ImportRejectedException(path, [new ImportProblem(Path.GetFileName(prjPath), "crs", reason + "; or state the CRS with --crs")]);
            }

            declared = crs;
        }

        Encoding? encoding = null;
        if (encodingName is not null)
        {
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            encoding = encodingName.Trim().ToLowerInvariant() switch
            {
                "utf-8" or "utf8" => new UTF8Encoding(false),
                "gb18030" or "gbk" or "cp936" or "gb2312" => Encoding.GetEncoding(encodingName.Trim().ToLowerInvariant() == "cp936" ? "gbk" : encodingName.Trim().ToLowerInvariant()),
                _ => throw new ImportRejectedException(path, [new ImportProblem("file", "encoding", $"unknown encoding '{encodingName}': expected {CsvFeatureReader.AcceptedEncodings}")]),
            };
        }

        var collector = new FeatureCollector("record");
        ShapefileReader reader;
        try
        {
            reader = Shapefile.OpenRead(path, new ShapefileReaderOptions { Encoding = encoding, GeometryBuilderMode = GeometryBuilderMode.IgnoreInvalidShapes });
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or ArgumentException or FileNotFoundException or EndOfStreamException)
        {
            throw new ImportRejectedException(path, [new ImportProblem("file", "file", $"not a readable Shapefile ({ex.Message.TrimEnd('.')}); a Shapefile needs its .shp, .shx and .dbf side by side")]);
        }

        using (reader)
        {
            var names = reader.Fields.Select(f => f.Name).ToList();
            var idName = idField ?? names.FirstOrDefault(n => string.Equals(n, "id", StringComparison.OrdinalIgnoreCase));
            if (idName is null || !names.Contains(idName, StringComparer.OrdinalIgnoreCase))
            {
                throw new ImportRejectedException(path, [new ImportProblem("file", "id",
                    $"{(idField is null ? "no id field" : $"--id-field names '{idField}', which the .dbf does not have")}: name the field that holds each feature's id with --id-field; fields: {string.Join(", ", names)}")]);
            }

            idName = names.First(n => string.Equals(n, idName, StringComparison.OrdinalIgnoreCase));
            var number = 0;
            try
            {
                while (reader.Read(out var deleted))
                {
                    number++;
                    if (deleted)
                    {
                        continue;
                    }

                    var values = reader.Fields.Select(f => (f.Name, f.Value)).ToList();
                    collector.Add(number, idName, reader.Fields[idName].Value, reader.Geometry,
                        () => AttributeJson.Write(values.Where(v => v.Name != idName).Select(v => (v.Name, (object?)v.Value, false))));
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or ArgumentException or EndOfStreamException or FormatException)
            {
                collector.Problem(new ImportProblem($"record {number + 1}", "file", $"cannot be read ({ex.Message.TrimEnd('.')}): truncated or damaged Shapefile"));
            }

            return (collector.Result(reader.Encoding.WebName), declared);
        }
    }
}
