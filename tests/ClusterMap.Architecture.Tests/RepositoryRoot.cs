namespace ClusterMap.Architecture.Tests;

/// <summary>
/// The repository the tests were built from: the nearest folder above the test binaries that holds ClusterMap.sln.
/// The tests read the source tree there (project files, C# files, documentation), not copies in the bin folder.
/// </summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "ClusterMap.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ClusterMap.sln not found above " + AppContext.BaseDirectory);
    }
}
