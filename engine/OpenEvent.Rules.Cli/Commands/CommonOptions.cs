using System.CommandLine;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// The options every command spells the same way: <c>--policies</c> for the policy set, <c>--events</c> (or the same
/// paths as arguments) for the events, <c>--strict</c> for "warnings fail the run".
/// </summary>
internal static class CommonOptions
{
    public static Option<string[]> Policies(string? description = null) => new("--policies")
    {
        // One path per --policies: the words after it are the command's own arguments (events, test files).
        Description = description ?? $"A policy folder or file (default: {PolicyPaths.DefaultPath}); repeat the option for several.",
        HelpName = "DIR",
    };

    public static Option<string[]> Events() => new("--events")
    {
        Description = $"Event files (a CloudEvent, a batch array or JSON Lines), folders (their {EventFiles.Kinds} files) or - for standard input; the same as giving them as arguments.",
        AllowMultipleArgumentsPerToken = true,
        HelpName = "PATH",
    };

    public static Argument<string[]> EventArguments() => new("events")
    {
        Description = "Event files, folders or - (as --events).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<bool> Strict() => new("--strict")
    {
        Description = "Fail (exit 1) on warnings too: policy warnings, and files of an events folder that were skipped.",
    };
}
