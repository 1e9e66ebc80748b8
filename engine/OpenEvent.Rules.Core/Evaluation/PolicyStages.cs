using System.Collections.Immutable;
using System.Globalization;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Evaluation;

/// <summary>
/// Where a staged policy (spec.enforceIn) stood for one event: it enforced (the event is in enforceIn) or audited (it
/// is not), and why, naming the event's values. The decision carries it so that the decision log is the evidence
/// <c>oer promote-check</c> reads.
/// </summary>
/// <param name="Enforced">True: the policy enforced (its block or warn counted); false: it audited ("would" outcomes).</param>
/// <param name="Reason">E.g. <c>in enforceIn: workspace 10001234</c> or <c>not in enforceIn: workspace 10009999</c>.</param>
public sealed record PolicyStage(bool Enforced, string Reason);

/// <summary>
/// Staged enforcement: a policy with <c>spec.enforceIn</c> enforces for the events of its scope that enforceIn also
/// selects and audits the others. The enforceIn scopes are compiled once (hash sets, as the policy scopes), so a staged
/// policy costs one scope check per match; policies without enforceIn cost nothing.
/// </summary>
internal sealed class PolicyStages
{
    // By reference: the evaluator hands over the policy it matched, whatever its index.
    private readonly Dictionary<PolicyDefinition, CompiledScope> _enforceIn;

    private PolicyStages(Dictionary<PolicyDefinition, CompiledScope> enforceIn) => _enforceIn = enforceIn;

    /// <summary>The stages of <paramref name="policies"/>; null when none of them is staged.</summary>
    public static PolicyStages? Build(ImmutableArray<PolicyDefinition> policies)
    {
        var staged = new Dictionary<PolicyDefinition, CompiledScope>(ReferenceEqualityComparer.Instance);
        foreach (var policy in policies.Where(IsStaged))
        {
            staged.TryAdd(policy, ScopeFilter.Compile(policy.EnforceIn)!);
        }

        return staged.Count == 0 ? null : new PolicyStages(staged);
    }

    /// <summary>Whether <paramref name="policy"/> is staged: enforce mode with an enforceIn (other modes ignore it; validation refuses them, OER3110).</summary>
    public static bool IsStaged(PolicyDefinition policy) => policy.Mode == PolicyMode.Enforce && policy.EnforceIn is not null;

    /// <summary>The stage of <paramref name="policy"/> for an event of <paramref name="scope"/>; null when it is not staged.</summary>
    public PolicyStage? Find(PolicyDefinition policy, EventScope scope) =>
        _enforceIn.TryGetValue(policy, out var compiled) ? Describe(policy.EnforceIn!, scope, compiled.Matches(scope)) : null;

    /// <summary>The stage of <paramref name="policy"/> for an event of <paramref name="scope"/>, decided by the reference scope filter (explain).</summary>
    public static PolicyStage? Decide(PolicyDefinition policy, EventScope scope) =>
        IsStaged(policy) ? Describe(policy.EnforceIn!, scope, ScopeFilter.Matches(policy.EnforceIn, scope)) : null;

    /// <summary>The mode the match counts in: the policy's own, or for a staged policy what its stage says.</summary>
    public static PolicyMode ModeOf(PolicyDefinition policy, PolicyStage? stage) =>
        stage is null ? policy.Mode : stage.Enforced ? PolicyMode.Enforce : PolicyMode.Audit;

    // Only matched staged policies get here, so the text costs nothing on events no staged policy matches.
    private static PolicyStage Describe(ScopeDefinition enforceIn, EventScope scope, bool enforced)
    {
        var parts = new List<string>();
        foreach (var (name, allowed, value) in Dimensions(enforceIn, scope))
        {
            if (allowed.IsDefaultOrEmpty)
            {
                continue;
            }

            var listed = value is not null && allowed.Contains(value, StringComparer.Ordinal);
            if (enforced || !listed)
            {
                parts.Add(value is null ? $"the event has no {name}" : $"{name} {value}");
            }

            if (!enforced && !listed)
            {
                // The first dimension that keeps the event out says why; the others do not change the answer.
                break;
            }
        }

        if (!enforceIn.Windows.IsDefaultOrEmpty && (enforced || parts.Count == 0))
        {
            parts.Add(scope.Time is { } time
                ? $"time {time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} {(enforced ? "inside" : "outside")} its windows"
                : "the event has no time");
        }

        if (enforceIn.SelectsNothing && !enforced)
        {
            parts = ["enforceIn selects nothing"];
        }

        var what = parts.Count == 0 ? "every event of the policy's scope" : string.Join(", ", parts);
        return new PolicyStage(enforced, enforced ? $"in enforceIn: {what}" : $"not in enforceIn: {what}");
    }

    private static IEnumerable<(string Name, ImmutableArray<string> Allowed, string? Value)> Dimensions(ScopeDefinition s, EventScope e) =>
    [
        ("tenant", s.Tenants, e.Tenant),
        ("workspace", s.Workspaces, e.Workspace),
        ("region", s.Regions, e.Region),
        ("environment", s.Environments, e.Environment),
        ("operator", s.Operators, e.Operator),
    ];
}
