namespace Umt.Tests.TestSupport;

/// <summary>Locations in the repository the tests run against (found from the test assembly upward).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "plugins.json")) && File.Exists(Path.Combine(dir.FullName, "Umt.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Could not find the repository root (plugins.json + Umt.sln) above " + AppContext.BaseDirectory);
    }
}
