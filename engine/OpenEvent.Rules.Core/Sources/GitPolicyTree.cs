using System.Formats.Tar;

namespace OpenEvent.Rules.Sources;

/// <summary>
/// A policy folder as it is at a git commit, exported into a temporary folder with <c>git archive</c>: the working
/// tree, the index and HEAD are never touched, so it works on a dirty checkout and in CI. Dispose to delete the copy.
/// </summary>
public sealed class GitPolicyTree : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private readonly string _root;

    private GitPolicyTree(string root, string folder, string commit)
    {
        _root = root;
        Folder = folder;
        Commit = commit;
    }

    /// <summary>Where the exported policy folder is (inside a temporary folder).</summary>
    public string Folder { get; }

    /// <summary>The full commit id the reference resolved to.</summary>
    public string Commit { get; }

    /// <summary>
    /// Exports <paramref name="policyPath"/> (a folder or file, relative to the current directory or absolute; it need
    /// not exist in the working tree) as it is at <paramref name="gitRef"/> of the repository that contains it.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not in a git repository, an unknown reference, or a path the commit does not have; the message says which.</exception>
    public static GitPolicyTree Export(string gitRef, string policyPath)
    {
        var fullPath = Path.GetFullPath(policyPath);

        // git runs in the nearest folder that exists: the policy folder may have been added or removed since the commit.
        var anchor = fullPath;
        while (!Directory.Exists(anchor))
        {
            anchor = Path.GetDirectoryName(anchor) ?? throw new InvalidOperationException($"no folder of '{policyPath}' exists");
        }

        var prefix = Git(anchor, "not in a git repository", "rev-parse", "--show-prefix");
        var inRepository = (prefix + Path.GetRelativePath(anchor, fullPath).Replace('\\', '/')).TrimEnd('/');
        if (inRepository is "." or "")
        {
            inRepository = ".";
        }
        else if (inRepository.EndsWith("/.", StringComparison.Ordinal))
        {
            inRepository = inRepository[..^2];
        }

        var commit = Git(anchor, $"'{gitRef}' is not a commit of this repository", "rev-parse", "--verify", "--quiet", "--end-of-options", gitRef + "^{commit}");
        var top = Git(anchor, "not in a git repository", "rev-parse", "--show-toplevel");
        var archive = GitCommand.Run(top, s_timeout, "archive", "--format=tar", commit, "--", inRepository);
        if (archive.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{inRepository}' does not exist at {gitRef} ({commit[..12]}): {archive.Error}");
        }

        var root = Path.Combine(Path.GetTempPath(), "oer-git-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        using (var tar = new MemoryStream(archive.Output))
        {
            TarFile.ExtractToDirectory(tar, root, overwriteFiles: false);
        }

        return new GitPolicyTree(root, inRepository == "." ? root : Path.Combine(root, inRepository), commit);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary copy is harmless.
        }
    }

    private static string Git(string folder, string failure, params string[] arguments)
    {
        GitCommand.Result result;
        try
        {
            result = GitCommand.Run(folder, s_timeout, arguments);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("git is not installed (needed to read policies at a commit)");
        }

        return result.ExitCode == 0 ? result.Text : throw new InvalidOperationException(failure + (result.Error.Length > 0 ? $": {result.Error}" : ""));
    }
}
