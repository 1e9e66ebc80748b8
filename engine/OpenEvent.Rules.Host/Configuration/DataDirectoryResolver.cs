using Microsoft.Extensions.Options;

namespace OpenEvent.Rules.Host.Configuration;

/// <summary>
/// Makes the relative paths of the host's files (outbox, decision log, file targets' folder) absolute under
/// <see cref="RulesHostOptions.DataDirectory"/>, so that starting the host from another folder neither scatters
/// data/ and logs/ folders nor silently opens an empty outbox. Absolute paths are left as they are.
/// </summary>
internal sealed class DataDirectoryResolver : IPostConfigureOptions<RulesHostOptions>
{
    public void PostConfigure(string? name, RulesHostOptions options)
    {
        var root = Resolve(options);
        options.Outbox.Path = Under(root, options.Outbox.Path) ?? options.Outbox.Path;
        options.DecisionLog.Path = Under(root, options.DecisionLog.Path);
        options.Actions.File.Directory = Under(root, options.Actions.File.Directory) ?? options.Actions.File.Directory;
    }

    /// <summary>The data directory: the setting when given, else the folder holding the policy folder (or file).</summary>
    public static string Resolve(RulesHostOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            return Path.GetFullPath(options.DataDirectory);
        }

        var policies = Path.GetFullPath(string.IsNullOrWhiteSpace(options.PoliciesPath) ? "." : options.PoliciesPath);
        var folder = File.Exists(policies) ? Path.GetDirectoryName(policies)! : policies;
        return Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(folder)) ?? folder;
    }

    private static string? Under(string root, string? path) =>
        string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(root, path));
}
