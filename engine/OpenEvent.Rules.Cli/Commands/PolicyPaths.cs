using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// Which policy files a command reads, said out loud. Every command takes <c>--policies</c> (validate and test take
/// the same paths positionally too); when none is given the default folder <c>policies</c> is used, and the command
/// says so. A path that does not exist, or holds no policy file, is a command-line mistake (exit 2): evaluating some
/// other set than the one meant, or none, and passing, is the failure this prevents.
/// </summary>
internal sealed record PolicyPaths(string[] Paths, bool Defaulted)
{
    /// <summary>A policy folder exported from a git commit may legitimately hold nothing (the commit before the first policy).</summary>
    public bool AllowEmpty { get; init; }

    public const string DefaultPath = "policies";

    public static PolicyPaths From(params IEnumerable<string>?[] sources)
    {
        var paths = sources.SelectMany(s => s ?? []).Distinct(StringComparer.Ordinal).ToArray();
        return paths.Length > 0 ? new PolicyPaths(paths, false) : new PolicyPaths([DefaultPath], true);
    }

    /// <summary>How the set is named in messages: the paths as given, and "(the default)" when none was.</summary>
    public string Label => string.Join(", ", Paths) + (Defaulted ? " (the default; choose with --policies)" : "");

    /// <summary>Reports a path that does not exist or holds no policy file; returns the exit code, or null when all is well.</summary>
    public int? Check(TextWriter stderr)
    {
        foreach (var path in Paths)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                stderr.WriteLine(Defaulted
                    ? $"oer: no --policies given and there is no '{DefaultPath}' folder here: pass the policy folder with --policies DIR"
                    : $"oer: path not found: {path}");
                return ExitCodes.Usage;
            }

            if (!AllowEmpty && Directory.Exists(path) && PolicyFolderLoader.FindPolicyFiles([path], new DiagnosticBag()).Count == 0)
            {
                stderr.WriteLine($"oer: no policy files (*.yaml, *.yml) in {path}{(Defaulted ? " (the default folder; choose with --policies DIR)" : "")}{OtherFiles(path)}");
                return ExitCodes.Usage;
            }
        }

        return null;
    }

    /// <summary>What the folder holds instead (a policy written as JSON, a .txt copy), so the author sees why nothing counted.</summary>
    private static string OtherFiles(string folder)
    {
        var others = Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MaxRecursionDepth = 8 })
            .Select(file => Path.GetRelativePath(folder, file))
            .Where(file => !file.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal)
            .Take(4)
            .ToList();
        if (others.Count == 0)
        {
            return "";
        }

        var found = string.Join(", ", others.Select(f => TextExcerpt.Of(f, 80)));
        return others.TrueForAll(IsTestFile)
            ? $"; found {found}: test files (*.tests.yaml) hold cases, not policies: run oer test on the folder that holds both"
            : $"; found {found}: policies are YAML files named *.yaml or *.yml";
    }

    private static bool IsTestFile(string file) =>
        file.EndsWith(".tests.yaml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".tests.yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>The revision of what was read: the git commit of a clean checkout, else a content hash (as the host reports it).</summary>
    public string Revision(PolicyLoadResult loaded)
    {
        var folder = Paths.Length == 1 ? (Directory.Exists(Paths[0]) ? Paths[0] : Path.GetDirectoryName(Path.GetFullPath(Paths[0]))) : null;
        return PolicyRevision.Compute(loaded.ContentHash, folder);
    }
}

/// <summary>The line every command prints (to stderr, so that JSON, SARIF and JUnit on stdout stay clean) about the set it loaded.</summary>
internal static class PolicyBanner
{
    public static void Write(TextWriter stderr, string label, PolicySetDefinition set, int files, string revision, int warnings = 0) =>
        stderr.WriteLine($"oer: policies from {label}: {Count(set.Policies.Length, "policy", "policies")} in {Count(files, "file", "files")}, revision {revision}"
            + (warnings > 0 ? $"; {Count(warnings, "warning", "warnings")} (oer validate shows them)" : ""));

    public static string Count(int count, string one, string many) => $"{count} {(count == 1 ? one : many)}";
}
