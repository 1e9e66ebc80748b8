using System.CommandLine;
using System.Text;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// <c>oer dry-run --policies DIR [--format text|json] EVENTS...</c>: evaluates events (files, folders, "-" for
/// stdin) against a policy set and prints each decision. Nothing is sent anywhere. Exit 0 when every event
/// was evaluated; 1 when an input was invalid (each reported, the rest still evaluated) or the policies are
/// invalid; 2 for usage errors.
/// </summary>
internal static class DryRunCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Stream stdin)
    {
        var policies = new Option<string[]>("--policies") { Description = "A policy folder or file (default: policies); repeat the option for several." };
        var format = new Option<string>("--format") { Description = "text (a readable report) or json (one object per event per line).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var events = new Argument<string[]>("events") { Description = "Event files (JSON, a batch array, or JSON Lines), folders, or - for stdin.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("dry-run", "Evaluate events against the policies and show the decisions, without performing any action.")
        {
            policies,
            format,
            events,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var eventArguments = result.GetValue(events)!;
            if (EventFiles.FirstMissing(eventArguments) is { } missing)
            {
                await stderr.WriteLineAsync($"oer: path not found: {missing}");
                return ExitCodes.Usage;
            }

            var (compiled, exitCode) = await PolicyLoading.CompileAsync(result.GetValue(policies), stderr, cancellationToken);
            if (compiled is null)
            {
                return exitCode;
            }

            using (compiled)
            {
                var json = result.GetValue(format) == "json";
                var summary = new DecisionSummary();
                var table = new List<Decision>();
                foreach (var (name, read) in EventFiles.Expand(eventArguments, stdin))
                {
                    byte[] bytes;
                    try
                    {
                        bytes = read();
                    }
                    catch (IOException ex)
                    {
                        await stderr.WriteLineAsync($"oer: cannot read {name}: {ex.Message}");
                        summary.Errors++;
                        continue;
                    }

                    foreach (var decision in compiled.EvaluateInput(bytes, name))
                    {
                        summary.Add(decision);
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

                return summary.Errors > 0 ? ExitCodes.Failure : ExitCodes.Success;
            }
        });
        return command;
    }

    private sealed class DecisionSummary
    {
        private int _events;
        private int _fail;
        private int _warn;
        private int _ok;
        private int _regular;

        public int Errors { get; set; }

        public void Add(Decision decision)
        {
            _events++;
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
            $"{_events} event(s): {_fail} FAIL, {_warn} WARN, {_ok} OK, {_regular} regular, {Errors} invalid";
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
            Event: $"{d.Event.File}[{d.Event.Index}]",
            Type: d.Error is null ? (d.Event.Type!.StartsWith(TypePrefix, StringComparison.Ordinal) ? d.Event.Type[TypePrefix.Length..] : d.Event.Type) : "-",
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
                text.Append("    ").Append(error.Message).Append('\n');
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
                text.Append($"    condition error ({failure.Policy}): {failure.Message}; treated as {(failure.TreatedAsMatch ? "a match" : "no match")}\n");
            }
        }

        return text.ToString();
    }

    private static void AppendActions(StringBuilder text, PolicyMatch match, string prefix)
    {
        foreach (var action in match.Actions)
        {
            text.Append("    ").Append(prefix).Append(action switch
            {
                BlockOutcome block => $"block ({match.Policy}): {block.Reason}",
                WarnOutcome warn => $"warn ({match.Policy}): {warn.Reason}",
                NotifyOutcome notify => $"notify {notify.Channel} ({match.Policy}): {notify.Message}",
                ForwardOutcome forward => $"forward to {forward.Target} ({match.Policy})",
                _ => action.Kind,
            }).Append('\n');
        }
    }
}

/// <summary>The detailed human-readable form of one decision, used in `oer test` failure reports.</summary>
internal static class DecisionText
{
    public static string Format(Decision decision)
    {
        var text = new StringBuilder();
        var e = decision.Event;
        text.Append($"{e.File}[{e.Index}]");
        if (decision.Error is { } error)
        {
            text.Append($"  INVALID {error.Id}: {error.Message}");
            return text.ToString();
        }

        text.Append($"  {e.Type}  id={e.Id}");
        text.AppendLine();
        text.Append("  verdict: ").Append(decision.Verdict is { } v ? DecisionJson.VerdictText(v) : "none (regular event)");
        if (decision.Matched.IsEmpty && decision.Audit.IsEmpty)
        {
            text.AppendLine().Append("  no policy matched");
        }

        foreach (var match in decision.Matched)
        {
            AppendMatch(text, match, "matched");
        }

        foreach (var match in decision.Audit)
        {
            AppendMatch(text, match, "would (audit)");
        }

        foreach (var failure in decision.ConditionFailures)
        {
            text.AppendLine().Append($"  condition error in {failure.Policy} ({failure.Location}): {failure.Message}; treated as {(failure.TreatedAsMatch ? "a match" : "no match")}");
        }

        return text.ToString();
    }

    private static void AppendMatch(StringBuilder text, PolicyMatch match, string label)
    {
        text.AppendLine().Append($"  {label}: {match.Policy} (priority {match.Priority}, {match.Location})");
        foreach (var action in match.Actions)
        {
            text.AppendLine().Append("    ").Append(action switch
            {
                BlockOutcome block => $"block: {block.Reason}",
                WarnOutcome warn => $"warn: {warn.Reason}",
                NotifyOutcome notify => $"notify {notify.Channel}: {notify.Message}",
                ForwardOutcome forward => $"forward to {forward.Target}",
                _ => action.Kind,
            });
        }
    }
}
