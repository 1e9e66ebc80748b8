using OpenEvent.Rules.FileSystem;

namespace OpenEvent.Rules.Host.Configuration;

/// <summary>
/// Keeps what the host writes out of the policy folder it loads and watches. With the data directory, a file target's
/// folder or the decision log inside it, forwarded event lines became files of the policy set (a target's path: inj.yaml),
/// the host's own writes triggered reloads that were refused, and the next start failed on them. So at start none of
/// DataDirectory, Outbox:Path, DecisionLog:Path, Actions:File:Directory and Conditions:CacheDirectory may be the policy
/// folder or inside it, and the policy folder may not be inside a folder the host writes anywhere below (the targets'
/// folder, the conditions cache). The data directory only roots relative paths: holding the policy folder is its default.
/// Paths are compared in full, normalized, with the symbolic links of the part that exists resolved.
/// </summary>
internal static class PolicyFolderSeparation
{
    private const string Prefix = RulesHostOptions.Section + ":";

    public static void Check(List<string> failures, RulesHostOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.PoliciesPath) || Canonical(options.PoliciesPath) is not { } policies)
        {
            return;
        }

        var written = new (string Key, string? Path, bool MayHoldPolicies)[]
        {
            ("DataDirectory", options.DataDirectory, true),
            ("Outbox:Path", options.Outbox.Path, false),
            ("DecisionLog:Path", options.DecisionLog.Path, false),
            ("Actions:File:Directory", options.Actions.File.Directory, false),
            ("Conditions:CacheDirectory", options.Conditions.CacheDirectory, false),
        };
        foreach (var (key, path, mayHoldPolicies) in written)
        {
            if (string.IsNullOrWhiteSpace(path) || Canonical(path) is not { } real)
            {
                continue;
            }

            if (FileProbe.IsInside(real, policies))
            {
                failures.Add($"{Prefix}{key} '{path}'{Resolved(path, real)} is inside {Prefix}PoliciesPath '{options.PoliciesPath}'{Resolved(options.PoliciesPath, policies)}: what the host writes there would be read as policy files and reload the set; move it out of the policy folder.");
            }
            else if (!mayHoldPolicies && FileProbe.IsInside(policies, real))
            {
                failures.Add($"{Prefix}PoliciesPath '{options.PoliciesPath}'{Resolved(options.PoliciesPath, policies)} is inside {Prefix}{key} '{path}'{Resolved(path, real)}: what the host writes there could land in the policy folder; keep the two apart.");
            }
        }
    }

    /// <summary>
    /// The absolute, normalized path with every symbolic link resolved in the part of it that exists (the rest, a file
    /// or folder the host creates later, is appended as written); null when it is not a valid path.
    /// </summary>
    internal static string? Canonical(string path)
    {
        try
        {
            var existing = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
            var missing = new Stack<string>();
            string? real;
            while ((real = FileProbe.RealPath(existing)) is null)
            {
                if (Path.GetDirectoryName(existing) is not { } parent)
                {
                    return Path.GetFullPath(path);
                }

                missing.Push(Path.GetFileName(existing));
                existing = parent;
            }

            return Path.Join([real, .. missing]);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The real path in the message too, when links make it differ from the setting (else the two look unrelated).</summary>
    private static string Resolved(string path, string real) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)), real, StringComparison.Ordinal) ? "" : $" (really '{real}')";
}
