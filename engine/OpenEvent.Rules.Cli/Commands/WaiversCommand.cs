using System.CommandLine;
using OpenEvent.Rules.Cli.CommandLine;
using OpenEvent.Rules.Cli.Reporting;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// <c>oer waivers [PATHS...] [--policies DIR...] [--decisions PATH...] [--format text|json] [--expiring-within DAYS] [--strict]</c>:
/// the waivers of a policy set with their owner, ticket, policies, expiry, days left and state (active, expiring,
/// expired) by today's clock, and how often each let an event through, counted from the host's decision log.
/// Exit 0 when the set loads; 1 with policy errors, or with --strict when a waiver has expired; 2 for command-line mistakes.
/// </summary>
internal static class WaiversCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var paths = new Argument<string[]>("paths") { Description = $"Policy files or folders, as --policies (default: {PolicyPaths.DefaultPath}).", Arity = ArgumentArity.ZeroOrMore };
        var policies = CommonOptions.Policies();
        var decisions = new Option<string[]>("--decisions")
        {
            Description = "The host's decision log (a file, or a folder: every *.jsonl below it, rolled files too), or oer dry-run --format json output; repeat for several. Counts how often each waiver applied.",
            HelpName = "PATH",
        };
        var format = new Option<string>("--format") { Description = "text (a table) or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var expiringWithin = CommonOptions.ExpiringWithin();
        var strict = new Option<bool>("--strict") { Description = "Fail (exit 1) when a waiver has expired." };
        var command = new Command("waivers", "List the waivers: owner, ticket, policies, expiry, days left, state, and how often each applied (from the decision log).")
        {
            paths, policies, decisions, format, expiringWithin, strict,
        };
        command.With(
            [
                "oer waivers --policies policies",
                "oer waivers --policies policies --decisions logs/ --format json",
                "oer waivers policies --strict      # in CI: fail while an expired waiver is left in the folder",
            ],
            [
                (ExitCodes.Success, "the set loads"),
                (ExitCodes.Failure, "the policies have errors, or (with --strict) a waiver has expired"),
                (ExitCodes.Usage, CommandHelp.UsageExit + ", or a --decisions path that does not exist"),
            ]);
        command.SetAction((result, cancellationToken) => RunAsync(
            PolicyPaths.From(result.GetValue(paths), result.GetValue(policies)),
            result.GetValue(decisions) ?? [],
            result.GetValue(format) == "json",
            new WaiverClock(time, result.GetValue(expiringWithin)),
            result.GetValue(strict),
            stdout,
            stderr,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(PolicyPaths policies, string[] decisions, bool json, WaiverClock clock, bool strict,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if ((CommonOptions.CheckExpiringWithin(clock.ExpiringWithinDays, stderr) ?? policies.Check(stderr)) is { } usage)
        {
            return usage;
        }

        var logFiles = DecisionLogWaivers.Files(decisions, stderr);
        if (logFiles is null)
        {
            return ExitCodes.Usage;
        }

        // The conditions are not compiled: listing waivers needs the files, and oer validate reports the rest.
        var loaded = await Sources.PolicyFolderLoader.LoadAsync(policies.Paths, cancellationToken);
        PolicyBanner.Write(stderr, policies.Label, loaded.Set, loaded.Files.Count, policies.Revision(loaded));
        if (loaded.HasErrors)
        {
            DiagnosticReport.WriteText(stderr, [.. loaded.Diagnostics.Where(d => d.IsError)], loaded.Files.Count);
            return ExitCodes.Failure;
        }

        var waivers = loaded.Set.Waivers;
        var count = decisions.Length == 0 ? null : DecisionLogWaivers.Count(logFiles, waivers.Select(w => w.Name).ToHashSet(StringComparer.Ordinal));
        var now = clock.Time.GetUtcNow();
        await stdout.WriteAsync(json
            ? WaiverReport.Json(waivers, now, clock.ExpiringWithinDays, count) + Environment.NewLine
            : WaiverReport.Text(waivers, now, clock.ExpiringWithinDays, count));
        var expired = waivers.Any(w => WaiverReview.StateAt(w, now, clock.ExpiringWithinDays) == WaiverState.Expired);
        return strict && expired ? ExitCodes.Failure : ExitCodes.Success;
    }
}
