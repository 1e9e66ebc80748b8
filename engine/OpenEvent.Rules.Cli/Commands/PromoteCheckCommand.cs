using System.CommandLine;
using System.Globalization;
using OpenEvent.Rules.Cli.CommandLine;
using OpenEvent.Rules.Cli.Reporting;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// <c>oer promote-check POLICY --decisions PATH... [--since 7d|DATE] [--max-would-block N] [--max-would-warn N]
/// [--max-per-workspace N] [--max-per-operator N] [--min-decisions N] [--top N] [--format text|json]</c>: reads the
/// host's decision log and says whether an audited or staged policy can enforce more widely: how many operations it
/// would have answered FAIL or WARN, where, for whom and why, against the thresholds. Exit 0 ready, 3 not ready, 2 a
/// command-line or input mistake (a path that is missing or holds no decision log).
/// </summary>
internal static class PromoteCheckCommand
{
    /// <summary>The exit code of a policy that is not ready (the code <c>oer impact --exit-code</c> uses for "changed").</summary>
    public const int NotReady = ExitCodes.Changed;

    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var policy = new Argument<string>("policy") { Description = "The policy's name (metadata.name), as the decision log names it." };
        var decisions = new Option<string[]>("--decisions")
        {
            Description = "The host's decision log (OpenEventRules:DecisionLog:Path) or the folder that holds it and its rolled files; repeat for several hosts.",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "PATH",
        };
        var since = new Option<string>("--since") { Description = "Only decisions from this age on (7d, 24h, 30m) or this date (2026-12-01, 2026-12-01T08:00:00Z). Default: every line." };
        var maxBlock = Limit("--max-would-block", "Most would-block (FAIL) outcomes allowed in the period (default 0: enforcing must stop nothing it did not stop).", 0, "--threshold");
        var maxWarn = Limit("--max-would-warn", "Most would-warn (WARN) outcomes allowed in the period (default 0).", 0);
        var perWorkspace = Limit("--max-per-workspace", "Most would-block outcomes allowed in any one workspace (default: no limit).", null);
        var perOperator = Limit("--max-per-operator", "Most would-block outcomes allowed for any one operator (default: no limit).", null);
        var minDecisions = Limit("--min-decisions", "Fewest decisions the period must hold to count as evidence (default 1).", 1);
        var top = Limit("--top", "How many workspaces, operators and reasons to list (default 10).", 10);
        var format = new Option<string>("--format") { Description = "text (default) or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");

        var command = new Command("promote-check", "Read the host's decision log and say whether an audited or staged policy is ready to enforce more widely.")
        {
            policy, decisions, since, maxBlock, maxWarn, perWorkspace, perOperator, minDecisions, top, format,
        };
        command.With(
            [
                "oer promote-check prod-deploy-freeze --decisions logs/ --since 7d",
                "oer promote-check prod-deploy-freeze --decisions /var/log/oer/decisions.jsonl --since 2026-12-01 --max-would-block 5 --max-per-workspace 2 --format json",
            ],
            [
                (ExitCodes.Success, "ready: the would-outcomes are within every threshold"),
                (NotReady, "not ready: a threshold is exceeded, or the period holds too few decisions"),
                (ExitCodes.Usage, CommandHelp.UsageExit + ", or --decisions holds no decision log"),
            ]);
        command.SetAction(result =>
        {
            var thresholds = new PromotionThresholds(result.GetValue(maxBlock), result.GetValue(maxWarn), result.GetValue(perWorkspace),
                result.GetValue(perOperator), result.GetValue(minDecisions) ?? 1);
            return Run(new Request(result.GetValue(policy)!, result.GetValue(decisions) ?? [], result.GetValue(since), thresholds,
                result.GetValue(top) ?? 10, result.GetValue(format) == "json"), stdout, stderr, time);
        });
        return command;
    }

    private sealed record Request(string Policy, string[] Paths, string? Since, PromotionThresholds Thresholds, int Top, bool Json);

    private static Option<int?> Limit(string name, string description, int? defaultValue, string? alias = null)
    {
        var option = alias is null ? new Option<int?>(name) : new Option<int?>(name, alias);
        option.Description = description;
        option.HelpName = "N";
        option.DefaultValueFactory = _ => defaultValue;
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 0)
            {
                result.AddError($"{name} must be 0 or more");
            }
        });
        return option;
    }

    private static int Run(Request request, TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        if (request.Paths.Length == 0)
        {
            stderr.WriteLine("oer: name the host's decision log with --decisions PATH (a file, or the folder that holds it)");
            return ExitCodes.Usage;
        }

        DateTimeOffset? since = null;
        if (request.Since is { } text)
        {
            if (ParseSince(text, time.GetUtcNow()) is not { } from)
            {
                stderr.WriteLine($"oer: --since '{text}' is not an age or a date: write it like 7d, 24h, 30m, 2026-12-01 or 2026-12-01T08:00:00Z");
                return ExitCodes.Usage;
            }

            since = from;
        }

        var (files, problem) = DecisionLogFiles.Resolve(request.Paths);
        if (problem is not null)
        {
            stderr.WriteLine(problem);
            return ExitCodes.Usage;
        }

        var counts = new DecisionLogFiles.ReadCounts();
        var beforeSince = 0;
        var inPeriod = DecisionLogFiles.Read(files, counts).Where(d =>
        {
            var keep = since is not { } start || d.Time >= start;
            beforeSince += keep ? 0 : 1;
            return keep;
        });
        var evidence = PromotionEvidence.Collect(request.Policy, inPeriod, since, request.Thresholds);
        if (counts.Decisions == 0)
        {
            stderr.WriteLine($"oer: {string.Join(", ", request.Paths)} holds no decision log line ({counts.Malformed} malformed): is it the host's OpenEventRules:DecisionLog:Path?");
            return ExitCodes.Usage;
        }

        if (evidence.DidYouMean is { } closest)
        {
            stderr.WriteLine($"oer: no decision in the period names policy '{request.Policy}': did you mean '{closest}'?");
            return ExitCodes.Usage;
        }

        if (!evidence.Named)
        {
            // Ready all the same (it would have stopped nothing), but a wrong name reads the same way: say so.
            stderr.WriteLine($"oer: note: no decision in the period names policy '{request.Policy}': it matched nothing there, or its name is not the one the host logs (metadata.name)");
        }

        var input = new PromotionReport.Input(files, counts.Malformed, beforeSince);
        stdout.Write(request.Json ? PromotionReport.Json(evidence, input, request.Top) + "\n" : PromotionReport.Text(evidence, input, request.Top));
        return evidence.Ready ? ExitCodes.Success : NotReady;
    }

    /// <summary>An age before <paramref name="now"/> (7d, 24h, 30m, 45s, or a TimeSpan) or a date (a date alone is midnight UTC).</summary>
    internal static DateTimeOffset? ParseSince(string text, DateTimeOffset now)
    {
        if (OutboxCommand.TryParseAge(text, out var age) && !text.Contains('-', StringComparison.Ordinal))
        {
            return now - age;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;
    }
}
