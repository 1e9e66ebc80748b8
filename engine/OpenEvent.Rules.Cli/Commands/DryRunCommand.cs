using System.CommandLine;
using System.Globalization;
using OpenEvent.Rules.Cli.CommandLine;
using System.Text;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// <c>oer dry-run [--policies DIR...] [--events PATH...] [--format text|json] [--strict] [EVENTS...]</c>: evaluates
/// events (files, folders, "-" for stdin) against a policy set and prints each decision. Nothing is sent anywhere.
/// Exit 0 when every event was evaluated; 1 when an input was invalid (each reported, the rest still evaluated), the
/// policies are invalid, or (with --strict) there were warnings or condition errors; 2 for command-line mistakes.
/// </summary>
internal static class DryRunCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Stream stdin, TimeProvider time)
    {
        var policies = CommonOptions.Policies();
        var events = CommonOptions.Events();
        var format = new Option<string>("--format") { Description = "text (a readable report) or json (one object per event per line).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var strict = CommonOptions.Strict();
        var details = DetailInputs.Details();
        var fetchDetail = DetailInputs.FetchDetail();
        var eventArguments = CommonOptions.EventArguments();
        var command = new Command("dry-run", "Evaluate events against the policies and show the decisions, without performing any action.")
        {
            policies,
            events,
            format,
            strict,
            details,
            fetchDetail,
            eventArguments,
        };
        command.With(
            [
                "oer dry-run --policies my-policies/ samples/events/FileChange-DeployFile.json",
                "oer dry-run --policies my-policies/ --events samples/events --format json",
                "cat event.json | oer dry-run --policies my-policies/ -",
                "oer dry-run --policies my-policies/ --details samples/details samples/events/FileChange-CommitFile.json",
            ],
            [
                (ExitCodes.Success, "every event was evaluated"),
                (ExitCodes.Failure, "an event is invalid or unreadable, the policies are invalid, or (with --strict) there were warnings or condition errors"),
                (ExitCodes.Usage, CommandHelp.UsageExit),
            ]);
        command.SetAction((result, cancellationToken) => RunAsync(
            new Request(
                [.. result.GetValue(events) ?? [], .. result.GetValue(eventArguments) ?? []],
                result.GetValue(policies),
                result.GetValue(format) == "json",
                result.GetValue(strict),
                result.GetValue(details),
                result.GetValue(fetchDetail)) { Time = time },
            stdout,
            stderr,
            stdin,
            cancellationToken));
        return command;
    }

    /// <summary>What the command line asked for.</summary>
    private sealed record Request(string[] Events, string[]? Policies, bool Json, bool Strict, string? Details, bool FetchDetail)
    {
        /// <summary>The clock conditions and waivers see.</summary>
        public TimeProvider Time { get; init; } = TimeProvider.System;
    }

    private static async Task<int> RunAsync(Request request, TextWriter stdout, TextWriter stderr, Stream stdin, CancellationToken cancellationToken)
    {
        var (inputs, exitCode) = await EvaluationInputs.ReadAsync(request.Events, request.Policies, request.Details, request.FetchDetail, request.Time,
            stderr, stdin, cancellationToken);
        if (inputs is null)
        {
            return exitCode;
        }

        using (inputs.Compiled)
        {
            var summary = await EvaluateAllAsync(inputs.Compiled, inputs.Selection, inputs.Details, request.Json, stdout, stderr, cancellationToken);
            if (summary.Events == 0)
            {
                await inputs.ReportNoEventAsync(stderr);
                return ExitCodes.Failure;
            }

            return summary.Errors > 0 || ((inputs.Warned || summary.ConditionErrors > 0 || summary.UnknownTypes.Count > 0) && request.Strict)
                ? ExitCodes.Failure
                : ExitCodes.Success;
        }
    }

    /// <summary>Evaluates every event of the inputs and writes the decisions: a JSON line each as they come, or one table at the end.</summary>
    private static async Task<DecisionSummary> EvaluateAllAsync(CompiledPolicySet compiled, EventFiles.Selection selection, RememberingSource? detailSource,
        bool json, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var summary = new DecisionSummary();
        var table = new List<Decision>();
        foreach (var (name, read) in selection.Inputs)
        {
            if (await EventFiles.TryReadAsync(name, read, stderr) is not { } bytes)
            {
                summary.Errors++;
                continue;
            }

            await foreach (var decision in compiled.EvaluateInputAsync(bytes, name, detailSource, cancellationToken))
            {
                summary.Add(decision);
                await WarnUnknownTypeAsync(decision, compiled.Parser.Catalog, summary, stderr);
                if (json)
                {
                    await stdout.WriteLineAsync(DecisionJson.Serialize(decision));
                }
                else
                {
                    table.Add(decision);
                }
            }
        }

        if (!json)
        {
            await stdout.WriteAsync(DecisionTable.Format(table));
            await stdout.WriteLineAsync(summary.ToString());
        }

        return summary;
    }

    /// <summary>
    /// Says once per type that an event's type is not in the catalog, as the host's log does: a misspelt type in a
    /// sample event is otherwise decided as an unknown regular event, and the dry run passes without a word.
    /// </summary>
    private static async Task WarnUnknownTypeAsync(Decision decision, EventCatalog catalog, DecisionSummary summary, TextWriter stderr)
    {
        if (decision is not { Error: null, Event.Type: { } type } || catalog.FindByType(type) is not null || !summary.UnknownTypes.Add(type))
        {
            return;
        }

        var closest = Suggestions.Closest(type, catalog.EventTypes.Select(t => t.Type));
        await stderr.WriteLineAsync($"{decision.Event.File}[{decision.Event.Index}]: warning: type '{TextExcerpt.Of(type, 200)}' is not in the DataWorks event catalog"
            + (closest is null ? "" : $" (did you mean '{closest}'?)")
            + "; it is decided by data.blockBusiness (true: an extension point, else a regular event)");
    }

    private sealed class DecisionSummary
    {
        /// <summary>The types not in the catalog, each warned about once; --strict fails on them as on other warnings.</summary>
        public HashSet<string> UnknownTypes { get; } = new(StringComparer.Ordinal);

        private int _fail;
        private int _warn;
        private int _ok;
        private int _regular;

        public int Errors { get; set; }

        public int Events { get; private set; }

        /// <summary>Conditions that threw (each treated as no match or a match): --strict fails on them as on warnings.</summary>
        public int ConditionErrors { get; private set; }

        public void Add(Decision decision)
        {
            Events++;
            ConditionErrors += decision.ConditionFailures.Length;
            switch (decision)
            {
                case { Error: not null }: Errors++; break;
                case { Verdict: Verdict.Fail }: _fail++; break;
                case { Verdict: Verdict.Warn }: _warn++; break;
                case { Verdict: Verdict.Ok }: _ok++; break;
                default: _regular++; break;
            }
        }

        public override string ToString() =>
            $"{Events} event(s): {_fail} FAIL, {_warn} WARN, {_ok} OK, {_regular} regular, {Errors} invalid"
            + (ConditionErrors > 0 ? $"; {ConditionErrors} condition error(s)" : "");
    }
}

/// <summary>
/// The text form of `oer dry-run`: a table with one row per event (where it came from, its type, the verdict and the
/// matched policies), each row followed by the rendered actions, indented.
/// </summary>
internal static class DecisionTable
{
    private const string TypePrefix = "dataworks:";

    public static string Format(IReadOnlyList<Decision> decisions)
    {
        var rows = decisions.Select(d => (
            Event: OneLine($"{d.Event.File}[{d.Event.Index}]"),
            Type: OneLine(d.Error is null ? (d.Event.Type!.StartsWith(TypePrefix, StringComparison.Ordinal) ? d.Event.Type[TypePrefix.Length..] : d.Event.Type) : "-"),
            Verdict: d.Error is not null ? "INVALID" : d.Verdict is { } v ? DecisionJson.VerdictText(v) : "-",
            Policies: d.Error is { } e ? e.Id : d.Matched.IsEmpty ? "-" : string.Join(", ", d.Matched.Select(m => m.Policy)))).ToList();
        var eventWidth = Math.Max("EVENT".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Event.Length));
        var typeWidth = Math.Max("TYPE".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Type.Length));
        var text = new StringBuilder();
        void Row(string a, string b, string c, string d) =>
            text.Append(a.PadRight(eventWidth)).Append("  ").Append(b.PadRight(typeWidth)).Append("  ").Append(c.PadRight(7)).Append("  ").Append(d).Append('\n');

        Row("EVENT", "TYPE", "VERDICT", "MATCHED");
        for (var i = 0; i < decisions.Count; i++)
        {
            Row(rows[i].Event, rows[i].Type, rows[i].Verdict, rows[i].Policies);
            var decision = decisions[i];
            if (decision.Error is { } error)
            {
                text.Append("    ").Append(OneLine(error.Message)).Append('\n');
                continue;
            }

            foreach (var match in decision.Matched)
            {
                AppendActions(text, match, "");
            }

            foreach (var match in decision.Audit)
            {
                AppendActions(text, match, "would ");
            }

            foreach (var failure in decision.ConditionFailures)
            {
                text.Append(CultureInfo.InvariantCulture, $"    condition error ({failure.Policy}): {OneLine(failure.Message)}; treated as {(failure.TreatedAsMatch ? "a match" : "no match")}\n");
            }

            foreach (var failure in decision.DetailFailures)
            {
                var outcome = failure.Outcome switch
                {
                    DetailErrorMode.Match => "treated as a match",
                    DetailErrorMode.FailMode => "answered with the fail mode",
                    _ => "treated as no match",
                };
                text.Append(CultureInfo.InvariantCulture, $"    detail error ({failure.Policy}): {OneLine(failure.Message)}; {outcome}\n");
            }
        }

        return text.ToString();
    }

    private static void AppendActions(StringBuilder text, PolicyMatch match, string prefix)
    {
        foreach (var action in match.Actions)
        {
            text.Append("    ").Append(prefix).Append(OneLine(action switch
            {
                BlockOutcome block => $"block ({match.Policy}): {block.Reason}",
                WarnOutcome warn => $"warn ({match.Policy}): {warn.Reason}",
                NotifyOutcome notify => $"notify {notify.Channel} ({match.Policy}): {notify.Message}",
                ForwardOutcome forward => $"forward to {forward.Target} ({match.Policy})",
                _ => action.Kind,
            })).Append('\n');
        }

        if (match.Stage is { } stage)
        {
            // A staged policy (spec.enforceIn): why it enforced here, or only audited.
            text.Append(CultureInfo.InvariantCulture, $"    stage ({match.Policy}): {OneLine(stage.Reason)}\n");
        }

        if (match.Waiver is { } waiver)
        {
            text.Append("    ").Append(OneLine(Reporting.WaiverText.Describe(waiver, match.Policy))).Append('\n');
        }
    }

    /// <summary>
    /// Values from an event (its type, a file name in a rendered reason, a parser message quoting a key) may hold line
    /// breaks or other control characters; a table row must stay one line, so they are shown escaped (\n, \u001b).
    /// </summary>
    public static string OneLine(string text) => TextExcerpt.Escape(text);
}
