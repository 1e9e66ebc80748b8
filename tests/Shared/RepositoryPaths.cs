namespace OpenEvent.Rules.Tests.Shared;

/// <summary>Finds files of the repository (policies, schemas, samples) from the test output folder.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenEvent.Rules.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OpenEvent.Rules.sln not found above " + AppContext.BaseDirectory);
    }
}
