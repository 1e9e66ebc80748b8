namespace OpenEvent.Rules.Sources;

/// <summary>
/// Identifies the content of a policy folder: "git:&lt;commit&gt;" when the folder is inside a git checkout with no
/// local changes under it, else "sha256:&lt;hash of file names and bytes&gt;" (so an edited working copy never
/// claims a commit it does not match). The hash is the one the loader computed over the bytes it parsed
/// (<see cref="PolicyLoadResult.ContentHash"/>): files are read once, with the loader's guards.
/// </summary>
public static class PolicyRevision
{
    public static string Compute(string contentHash, string? folder)
    {
        if (folder is not null && TryGitCommit(folder) is { } commit)
        {
            return "git:" + commit;
        }

        return "sha256:" + contentHash;
    }

    private static string? TryGitCommit(string folder)
    {
        try
        {
            var head = RunGit(folder, "rev-parse", "HEAD");
            if (head is null || head.Length < 40)
            {
                return null;
            }

            var status = RunGit(folder, "status", "--porcelain", "--", ".");
            return status is { Length: 0 } ? head : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException or TimeoutException)
        {
            return null; // git is not installed: fall back to the content hash.
        }
    }

    private static string? RunGit(string folder, params string[] arguments)
    {
        var result = GitCommand.Run(folder, TimeSpan.FromSeconds(5), arguments);
        return result.ExitCode == 0 ? result.Text : null;
    }
}
