using System.Text;
using Microsoft.Data.Sqlite;

namespace ClusterMap.Tests.Shared;

/// <summary>
/// A test class's own temporary folder, with the path of a store file in it and a way to write input files; deleted
/// after each test (SQLite's connection pools are cleared first so no pooled handle keeps the store open).
/// </summary>
public abstract class ScratchFolder : IDisposable
{
    // GBK and GB18030 test files need the code-page encodings, which .NET does not register by default.
    static ScratchFolder() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    protected ScratchFolder(string name) => Folder = Directory.CreateTempSubdirectory($"clustermap-{name}-").FullName;

    protected string Folder { get; }

    protected string DatabasePath => Path.Combine(Folder, "store.db");

    /// <summary>Writes <paramref name="content"/> to a file in the folder (UTF-8 without a byte-order mark unless told); returns its path.</summary>
    protected string WriteFile(string name, string content, Encoding? encoding = null)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllBytes(path, (encoding ?? new UTF8Encoding(false)).GetBytes(content));
        return path;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
