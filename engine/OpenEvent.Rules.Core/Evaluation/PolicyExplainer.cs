using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Evaluation;

// What `oer explain` reports for one policy and one event: every clause of the match pattern, the scope, each
// exclusion and the condition, marked pass/fail with the value seen, and the first clause that failed. Built from
// the reference evaluator's traces, so the explanation always agrees with the decision.

/// <summary>One scope dimension of a policy (or exclusion) against the event's normalized value.</summary>
public sealed record ScopeClause(string Dimension, ImmutableArray<string> Allowed, string? Actual, bool Passed, SourceLocation Location)
{
    /// <summary>What the author wrote when it named registry entries (e.g. <c>[{ labels: [sensitive] }]</c>), expanded into <see cref="Allowed"/>.</summary>
    public string? Written { get; init; }

    /// <summary>The values allowed as explain shows them, with what was written when the registry expanded it: <c>[10001234] (from [sales_prod])</c>.</summary>
    public string AllowedText => PolicyExplainer.Format(Allowed) + (Written is { } written ? $" (from {written})" : "");
}

public sealed record ExclusionExplanation(int Index, PatternTrace? Match, ImmutableArray<ScopeClause> Scope, bool Excluded, SourceLocation Location);

public enum ConditionResult
{
    /// <summary>No condition, or match / scope / exclusions already decided.</summary>
    NotEvaluated,
    True,
    False,
    Error,
}

/// <summary>The full account of why a policy did or did not apply to an event.</summary>
public sealed record PolicyExplanation(
    PolicyDefinition Policy,
    PatternTrace Match,
    ImmutableArray<ScopeClause> Scope,
    ImmutableArray<ExclusionExplanation> Exclusions,
    ConditionResult Condition,
    string? ConditionError,
    bool Applies,
    string? FirstFailure)
{
    /// <summary>For a staged policy that applies (spec.enforceIn): whether it enforced or audited this event, and why.</summary>
    public PolicyStage? Stage { get; init; }

    /// <summary>The waiver that lets the event through the policy (it applies, but its block and warn do not count); null when none does.</summary>
    public WaiverDefinition? Waiver { get; init; }
}

public static class PolicyExplainer
{
    /// <param name="decision">The decision of the compiled set for the same event: it carries the condition outcome.</param>
    public static PolicyExplanation Explain(PolicyDefinition policy, DataWorksEvent e, Decision decision) => Explain(policy, e, decision, default);

    /// <param name="decision">The decision of the compiled set for the same event: it carries the condition and detail outcomes.</param>
    /// <param name="detail">The event's detail as a policy sees it (<c>{"detail": ...}</c>), when there is one: detail clauses are traced over it.</param>
    public static PolicyExplanation Explain(PolicyDefinition policy, DataWorksEvent e, Decision decision, JsonElement detail)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(decision);
        using var enriched = DetailClauses.EventWithDetail(e.Root, detail);
        var root = enriched?.RootElement ?? e.Root;
        var match = ReferencePatternEvaluator.Explain(policy.Match, root);
        var scope = ScopeClauses(policy.Scope, e.Scope);
        var exclusions = ExplainExclusions(policy, e, root);
        var firstFailure = FirstClauseFailure(match, scope, exclusions);

        // A detail failure is recorded only for a policy that matched everything else: it decides, per detailErrors.
        var detailFailure = decision.DetailFailures.FirstOrDefault(f => f.Policy == policy.Name);
        if (detailFailure is not null)
        {
            firstFailure = detailFailure.Outcome == DetailErrorMode.Match
                ? null
                : $"detail: {detailFailure.Message} (detailErrors: {detailFailure.OutcomeText})";
        }

        var condition = ConditionResult.NotEvaluated;
        string? conditionError = null;
        if (firstFailure is null && detailFailure is null && policy.Condition is { } definition && policy.Mode != PolicyMode.Disabled)
        {
            (condition, conditionError, firstFailure) = ExplainCondition(policy.Name, definition, decision);
        }

        if (firstFailure is null && policy.Mode == PolicyMode.Disabled)
        {
            firstFailure = "the policy is disabled (mode: disabled)";
        }

        // The decision's stage when the policy is in it, so that explain says what the decision did.
        var stage = firstFailure is not null ? null
            : decision.Matched.Concat(decision.Audit).FirstOrDefault(m => m.Policy == policy.Name)?.Stage ?? PolicyStages.Decide(policy, e.Scope);
        return new PolicyExplanation(policy, match, scope, exclusions, condition, conditionError, firstFailure is null, firstFailure) { Stage = stage, Waiver = WaiverOf(policy, decision) };
    }

    private static ImmutableArray<ExclusionExplanation> ExplainExclusions(PolicyDefinition policy, DataWorksEvent e, JsonElement root) =>
        policy.Exclude.Select((exclusion, i) =>
        {
            var trace = exclusion.Match is null ? null : ReferencePatternEvaluator.Explain(exclusion.Match, root);
            var clauses = ScopeClauses(exclusion.Scope, e.Scope);
            return new ExclusionExplanation(i, trace, clauses, (trace?.Matched ?? true) && clauses.All(c => c.Passed), exclusion.Location);
        }).ToImmutableArray();

    /// <summary>The first of match, scope and exclusions that keeps the policy from applying, or null when none does.</summary>
    private static string? FirstClauseFailure(PatternTrace match, ImmutableArray<ScopeClause> scope, ImmutableArray<ExclusionExplanation> exclusions)
    {
        if (!match.Matched)
        {
            var clause = match.FirstFailure;
            return clause is null
                ? $"match ({match.Location})"
                : $"match: {clause.Path} {clause.Clause} ({clause.Location}); saw {Saw(clause.Actual)}";
        }

        if (scope.FirstOrDefault(c => !c.Passed) is { } failedScope)
        {
            return $"scope: {failedScope.Dimension} {Format(failedScope.Allowed)} ({failedScope.Location}); saw {failedScope.Actual ?? "no value"}";
        }

        return exclusions.FirstOrDefault(x => x.Excluded) is { } excluded
            ? $"exclude[{excluded.Index}] applies ({excluded.Location})"
            : null;
    }

    /// <summary>The condition's outcome as the compiled set's decision recorded it (it ran the condition; explain does not run it again).</summary>
    private static (ConditionResult Result, string? Error, string? FirstFailure) ExplainCondition(string policyName, ConditionDefinition definition, Decision decision)
    {
        var failure = decision.ConditionFailures.FirstOrDefault(f => f.Policy == policyName);
        var matched = decision.Matched.Concat(decision.Audit).Any(m => m.Policy == policyName);
        var result = failure is not null ? ConditionResult.Error : matched ? ConditionResult.True : ConditionResult.False;
        var firstFailure = matched ? null
            : failure is null ? $"condition ({definition.Location}) is false"
            : $"condition ({definition.Location}) threw {failure.Message}";
        return (result, failure?.Message, firstFailure);
    }

    /// <summary>The waiver that let the event through <paramref name="policy"/> in <paramref name="decision"/>, if any.</summary>
    private static WaiverDefinition? WaiverOf(PolicyDefinition policy, Decision decision) =>
        decision.Matched.FirstOrDefault(m => m.Policy == policy.Name)?.Waiver;

    private static ImmutableArray<ScopeClause> ScopeClauses(ScopeDefinition? scope, EventScope values)
    {
        if (scope is null)
        {
            return [];
        }

        var clauses = ImmutableArray.CreateBuilder<ScopeClause>();
        void Add(string dimension, string key, ImmutableArray<string> allowed, string? actual)
        {
            // A list the registry expanded to nothing (a selector that selects no workspace) still filters: it is shown.
            if (!allowed.IsDefaultOrEmpty || scope.Written.ContainsKey(key))
            {
                clauses.Add(new ScopeClause(dimension, allowed.IsDefault ? [] : allowed, actual, actual is not null && allowed.Contains(actual, StringComparer.Ordinal),
                    scope.LocationOf(key, 0)) { Written = scope.Written.GetValueOrDefault(key) });
            }
        }

        Add("tenant", "tenants", scope.Tenants, values.Tenant);
        Add("workspace", "workspaces", scope.Workspaces, values.Workspace);
        Add("region", "regions", scope.Regions, values.Region);
        Add("environment", "environments", scope.Environments, values.Environment);
        Add("operator", "operators", scope.Operators, values.Operator);
        if (!scope.Windows.IsDefaultOrEmpty)
        {
            // The event's own time decides; without one the event is outside every window, never judged by the clock.
            var time = values.Time;
            clauses.Add(new ScopeClause("window", [.. scope.Windows.Select(w => w.ToString())],
                time is { } t ? $"{t.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)} ({string.Join("; ", scope.Windows.Select(w => w.LocalText(t)).Distinct(StringComparer.Ordinal))})" : NoTime,
                ScopeFilter.InWindows(scope.Windows, time), scope.LocationOf("windows", 0)));
        }

        return clauses.ToImmutable();
    }

    /// <summary>What explain says when a scope has windows and the event has no time (the Function Compute envelope has none).</summary>
    internal const string NoTime = "no time: an event without a time never falls inside a window";

    public static string Format(ImmutableArray<string> values) => "[" + string.Join(", ", values) + "]";

    public static string Saw(ImmutableArray<string> actual) => actual.IsDefaultOrEmpty ? "no value" : string.Join(", ", actual);
}
