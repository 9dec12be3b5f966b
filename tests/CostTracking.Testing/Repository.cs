namespace CostTracking.Testing;

/// <summary>The repository the tests run from: its root is the folder above the test binaries that holds <c>CostTracking.Core.sln</c>.</summary>
public static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>Gets the repository's root folder.</summary>
    public static string Root => LazyRoot.Value;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CostTracking.Core.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No CostTracking.Core.sln above {AppContext.BaseDirectory}: the tests must run from a build inside the repository.");
    }
}
