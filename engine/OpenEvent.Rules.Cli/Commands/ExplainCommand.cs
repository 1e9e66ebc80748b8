using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using OpenEvent.Rules.Cli.CommandLine;
using System.Text;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// <c>oer explain [--policies DIR...] [--events PATH...] [--policy NAME] [--format text|json] [EVENTS...]</c>: for
/// each event and each policy (or the one named), every clause of type, match, scope, exclusions and condition, marked
/// pass/fail with the value seen, and the first clause that failed. <c>--event</c> is kept as an alias of <c>--events</c>.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Stream stdin, TimeProvider time)
    {
        var policies = CommonOptions.Policies();
        var events = CommonOptions.Events();
        events.Aliases.Add("--event");
        var policyName = new Option<string>("--policy") { Description = "Explain only this policy.", HelpName = "NAME" };
        var format = new Option<string>("--format") { Description = "text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var strict = CommonOptions.Strict();
        var details = DetailInputs.Details();
        var fetchDetail = DetailInputs.FetchDetail();
        var eventArguments = CommonOptions.EventArguments();
        var command = new Command("explain", "Show, clause by clause, why each policy did or did not match an event.")
        {
            policies,
            events,
            policyName,
            format,
            strict,
            details,
            fetchDetail,
            eventArguments,
        };
        command.With(
            [
                "oer explain --policies my-policies/ --events samples/events/FileChange-RunFile.json",
                "oer explain --policies policies --policy prod-deploy-freeze samples/events/FileChange-DeployFile.json",
            ],
            [
                (ExitCodes.Success, "every event was explained"),
                (ExitCodes.Failure, "an event is invalid or unreadable, the policies are invalid, or (with --strict) there were warnings"),
                (ExitCodes.Usage, CommandHelp.UsageExit + ", or no policy has the --policy name"),
            ]);
        command.SetAction((result, cancellationToken) => RunAsync(
            new Request(
                [.. result.GetValue(events) ?? [], .. result.GetValue(eventArguments) ?? []],
                result.GetValue(policies),
                result.GetValue(policyName),
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
    private sealed record Request(string[] Events, string[]? Policies, string? PolicyName, bool Json, bool Strict, string? Details, bool FetchDetail)
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
            var selected = await SelectPoliciesAsync(inputs.Compiled, request.PolicyName, stderr);
            if (selected is null)
            {
                return ExitCodes.Usage;
            }

            var (explained, invalid) = await ExplainEventsAsync(inputs.Compiled, selected.Value, inputs.Selection, inputs.Details, request.Json, stdout, stderr, cancellationToken);
            if (explained == 0 && invalid == 0)
            {
                await inputs.ReportNoEventAsync(stderr);
                return ExitCodes.Failure;
            }

            return invalid > 0 || (inputs.Warned && request.Strict) ? ExitCodes.Failure : ExitCodes.Success;
        }
    }

    /// <summary>Every policy, or the one named (null, reported with the closest name, when the set has none of that name).</summary>
    private static async Task<ImmutableArray<PolicyDefinition>?> SelectPoliciesAsync(CompiledPolicySet compiled, string? name, TextWriter stderr)
    {
        var selected = compiled.Definition.Policies;
        if (name is null)
        {
            return selected;
        }

        selected = [.. selected.Where(p => p.Name == name)];
        if (!selected.IsEmpty)
        {
            return selected;
        }

        var known = compiled.Definition.Policies.Select(p => p.Name).Order(StringComparer.Ordinal);
        var suggestion = Parsing.Suggestions.Closest(name, known);
        await stderr.WriteLineAsync(suggestion is not null
            ? $"oer: no policy named '{name}': did you mean '{suggestion}'?"
            : $"oer: no policy named '{name}'; the set has: {string.Join(", ", known)}");
        return null;
    }

    /// <summary>Explains each event of the inputs; counts the events explained and the inputs or events that could not be read.</summary>
    private static async Task<(int Explained, int Invalid)> ExplainEventsAsync(CompiledPolicySet compiled, ImmutableArray<PolicyDefinition> selected,
        EventFiles.Selection selection, RememberingSource? detailSource, bool json, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var invalid = 0;
        var explained = 0;
        foreach (var (file, read) in selection.Inputs)
        {
            if (await EventFiles.TryReadAsync(file, read, stderr) is not { } bytes)
            {
                invalid++;
                continue;
            }

            foreach (var slice in EventInputReader.Split(bytes, file))
            {
                using var e = compiled.TryRead(slice, out var error);
                if (e is null)
                {
                    invalid++;
                    await stderr.WriteLineAsync($"{file}[{slice.Origin.Index}]: invalid event {error!.Id}: {DecisionTable.OneLine(error.Message)}");
                    continue;
                }

                explained++;
                var decision = await compiled.Evaluator.EvaluateAsync(e, detailSource, cancellationToken);
                using var detail = decision.Detail?.Available == true ? detailSource?.Detail(e.Id)?.Parse() : null;
                var explanations = selected.Select(p => PolicyExplainer.Explain(p, e, decision, detail?.RootElement ?? default)).ToList();
                await stdout.WriteLineAsync(json ? ExplanationJson.Serialize(e, explanations, decision.Detail) : ExplanationText(e, decision, explanations));
            }
        }

        return (explained, invalid);
    }

    // Whether the decision asked for the event's detail, and what it got.
    private static string DetailText(Decision decision) => decision.Detail switch
    {
        null => "not asked for (no policy that reads it matched everything else)",
        { Error: { } error } => $"unavailable ({decision.Detail.Source}): {DecisionTable.OneLine(error)}",
        var detail => $"from {detail.Source}{(detail.FromCache ? " (cached)" : "")}",
    };

    private static string ExplanationText(DataWorksEvent e, Decision decision, IReadOnlyList<PolicyExplanation> explanations)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"event {e.Origin.File}[{e.Origin.Index}]  {e.Type}  id={e.Id}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  scope: tenant={e.Scope.Tenant ?? "-"} workspace={e.Scope.Workspace ?? "-"} region={e.Scope.Region ?? "-"} environment={e.Scope.Environment ?? "-"} operator={e.Scope.Operator ?? "-"}");
        if (e.Scope.HasRegistryFacts)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  registry: {RegistryFacts(e.Scope)}");
        }

        if (e.CatalogEntry?.Detail is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  detail: {DetailText(decision)}");
        }

        foreach (var explanation in explanations)
        {
            var policy = explanation.Policy;
            text.AppendLine();
            AppendHeader(text, explanation);
            text.AppendLine("  match:");
            AppendPattern(text, explanation.Match, "    ");
            if (!explanation.Scope.IsEmpty)
            {
                text.AppendLine("  scope:");
                AppendScope(text, explanation.Scope, "    ");
            }

            foreach (var exclusion in explanation.Exclusions)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  exclude[{exclusion.Index}] ({exclusion.Location}): {(exclusion.Excluded ? "applies: the event is excluded" : "does not apply")}");
                if (exclusion.Match is { } match)
                {
                    AppendPattern(text, match, "    ");
                }

                AppendScope(text, exclusion.Scope, "    ");
            }

            if (policy.Condition is { } condition)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  condition ({condition.Location}): {ConditionText(explanation)}");
            }
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>The policy's line (applies or not), its first failing clause, its stage (spec.enforceIn) and the waiver that let the event through.</summary>
    private static void AppendHeader(StringBuilder text, PolicyExplanation explanation)
    {
        var policy = explanation.Policy;
        text.AppendLine(CultureInfo.InvariantCulture, $"policy {policy.Name} ({policy.Location}, {policy.Mode.ToString().ToLowerInvariant()}): {(explanation.Applies ? "APPLIES" : "does not apply")}");
        if (explanation.FirstFailure is { } first)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  first failing clause: {first}");
        }

        if (explanation.Stage is { } stage)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  stage: {(stage.Enforced ? "enforces" : "audits")} ({TextExcerpt.Escape(stage.Reason)})");
        }

        if (explanation.Waiver is { } waiver)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {Reporting.WaiverText.Describe(waiver, policy.Name)} ({waiver.Location}; reason: {DecisionTable.OneLine(waiver.Reason)})");
        }
    }

    /// <summary>What the registry added to the event: names, labels, owners, and which values it filled in.</summary>
    private static string RegistryFacts(EventScope scope)
    {
        var facts = new List<string>();
        if (scope.WorkspaceName is { } workspace)
        {
            facts.Add($"workspace {workspace}");
        }

        if (scope.TenantName is { } tenant)
        {
            facts.Add($"tenant {tenant}");
        }

        if (!scope.Labels.IsDefaultOrEmpty)
        {
            facts.Add($"labels [{string.Join(", ", scope.Labels)}]");
        }

        if (!scope.Owners.IsDefaultOrEmpty)
        {
            facts.Add($"owners [{string.Join(", ", scope.Owners)}]");
        }

        var filled = new[] { ("tenant", scope.Tenant, scope.TenantOrigin), ("region", scope.Region, scope.RegionOrigin), ("environment", scope.Environment, scope.EnvironmentOrigin) }
            .Where(f => f.Item2 is not null && f.Item3 != FactOrigin.Event)
            .Select(f => $"{f.Item1} from the {(f.Item3 == FactOrigin.Account ? "account (aliyunaccountid)" : "workspace")}")
            .ToList();
        return string.Join(", ", facts) + (filled.Count == 0 ? "" : (facts.Count == 0 ? "" : "; ") + string.Join(", ", filled));
    }

    private static string ConditionText(PolicyExplanation explanation) => explanation.Condition switch
    {
        ConditionResult.True => "true",
        ConditionResult.False => "false",
        ConditionResult.Error => $"error: {explanation.ConditionError}",
        _ => "not evaluated",
    };

    private static void AppendPattern(StringBuilder text, PatternTrace trace, string indent)
    {
        foreach (var member in trace.Members)
        {
            switch (member)
            {
                case LeafTrace leaf:
                    foreach (var clause in leaf.Clauses)
                    {
                        text.AppendLine(CultureInfo.InvariantCulture, $"{indent}{Mark(clause.Passed)} {clause.Path} {clause.Clause}  saw {PolicyExplainer.Saw(clause.Actual)}  ({clause.Location})");
                    }

                    break;
                case NestedTrace nested:
                    text.AppendLine(CultureInfo.InvariantCulture, $"{indent}{Mark(nested.Passed)} {nested.Path}:");
                    foreach (var candidate in nested.Candidates)
                    {
                        if (nested.Candidates.Length > 1)
                        {
                            text.AppendLine(CultureInfo.InvariantCulture, $"{indent}  {Mark(candidate.Matched)} {candidate.Path}:");
                        }

                        AppendPattern(text, candidate, indent + (nested.Candidates.Length > 1 ? "    " : "  "));
                    }

                    break;
                case OrTrace or:
                    text.AppendLine(CultureInfo.InvariantCulture, $"{indent}{Mark(or.Passed)} $or ({or.Location}), one branch must match:");
                    for (var i = 0; i < or.Branches.Length; i++)
                    {
                        text.AppendLine(CultureInfo.InvariantCulture, $"{indent}  {Mark(or.Branches[i].Matched)} branch {i}:");
                        AppendPattern(text, or.Branches[i], indent + "    ");
                    }

                    break;
            }
        }
    }

    private static void AppendScope(StringBuilder text, IEnumerable<ScopeClause> clauses, string indent)
    {
        foreach (var clause in clauses)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{indent}{Mark(clause.Passed)} {clause.Dimension} in {clause.AllowedText}  saw {clause.Actual ?? "no value"}  ({clause.Location})");
        }
    }

    private static string Mark(bool passed) => passed ? "pass" : "FAIL";
}
