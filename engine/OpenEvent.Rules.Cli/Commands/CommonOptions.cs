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

    /// <summary><c>--expiring-within DAYS</c>: the review period of waivers (OER3101), 0 to 366 days.</summary>
    public static Option<int> ExpiringWithin() => new("--expiring-within")
    {
        Description = $"Report waivers that end within this many days (OER3101), 0 to {Validation.WaiverReview.MaxExpiringWithinDays} (default: {Validation.WaiverReview.DefaultExpiringWithinDays}).",
        DefaultValueFactory = _ => Validation.WaiverReview.DefaultExpiringWithinDays,
        HelpName = "DAYS",
    };

    /// <summary>Says on <paramref name="stderr"/> why <paramref name="days"/> is not a review period; returns the exit code, or null when it is one.</summary>
    public static int? CheckExpiringWithin(int days, TextWriter stderr)
    {
        if (days is >= 0 and <= Validation.WaiverReview.MaxExpiringWithinDays)
        {
            return null;
        }

        stderr.WriteLine($"oer: --expiring-within {days} is out of range: give 0 to {Validation.WaiverReview.MaxExpiringWithinDays} days");
        return ExitCodes.Usage;
    }
}
