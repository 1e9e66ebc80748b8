using System.Collections.Frozen;
using System.Collections.Immutable;
using OpenEvent.Rules.Evaluation.Conditions;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Evaluation;

/// <summary>
/// Turns the policies that apply to an event into a <see cref="Decision"/>: runs conditions (a throwing
/// condition is recorded, and the policy follows its conditionErrors setting), renders actions, orders
/// matches by priority (higher first, then file and line), separates audit-mode matches, and derives the verdict.
/// Immutable and thread-safe: one instance serves every event of a policy set.
/// </summary>
public sealed class PolicyEvaluator
{
    private readonly ImmutableArray<PolicyDefinition> _policies;
    private readonly IPolicyMatcher _matcher;
    private readonly IConditionSet? _conditions;
    private readonly int[] _conditionIndex;
    private readonly TimeProvider _time;
    private readonly IReadOnlyDictionary<string, IReadOnlySet<string>> _sets;

    [ThreadStatic]
    private static List<int>? t_matches;

    /// <param name="policies">The evaluated (non-disabled) policies, in the order the matcher indexes them.</param>
    /// <param name="conditions">The compiled conditions, keyed by policy name; null when no policy has one.</param>
    public PolicyEvaluator(ImmutableArray<PolicyDefinition> policies, IPolicyMatcher matcher, IConditionSet? conditions = null, TimeProvider? time = null)
        : this(policies, matcher, conditions, time, registry: null)
    {
    }

    /// <param name="registry">The registry whose named sets conditions read (<c>e.InSet</c>); its sets are built here, once.</param>
    internal PolicyEvaluator(ImmutableArray<PolicyDefinition> policies, IPolicyMatcher matcher, IConditionSet? conditions, TimeProvider? time,
        RegistryDefinition? registry)
    {
        _policies = policies;
        _matcher = matcher;
        _conditions = conditions;
        _time = time ?? TimeProvider.System;
        _sets = (registry ?? RegistryDefinition.Empty).Sets
            .DistinctBy(s => s.Name, StringComparer.Ordinal)
            .ToFrozenDictionary(s => s.Name, IReadOnlySet<string> (s) => s.Texts.ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);
        _conditionIndex = [.. policies.Select(p => p.Condition is null || conditions is null ? -1 : conditions.IndexOf(p.Name))];
        if (_conditionIndex.Where((index, i) => index < 0 && policies[i].Condition is not null).Any())
        {
            throw new ArgumentException("every policy with a condition needs its compiled condition", nameof(conditions));
        }
    }

    public ImmutableArray<PolicyDefinition> Policies => _policies;

    /// <summary>
    /// Evaluates <paramref name="e"/>. Conditions run within the limits of the compiled set; a condition that throws
    /// or goes over its budget is recorded on the decision and its policy follows <c>conditionErrors</c>. Throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled (the caller left).
    /// </summary>
    public Decision Evaluate(DataWorksEvent e, CancellationToken cancellationToken = default)
    {
        var matches = t_matches ??= new List<int>(16);
        matches.Clear();
        _matcher.Match(e, matches);

        var enforced = ImmutableArray.CreateBuilder<PolicyMatch>();
        var audited = ImmutableArray.CreateBuilder<PolicyMatch>();
        var failures = ImmutableArray.CreateBuilder<ConditionFailure>();
        foreach (var index in matches)
        {
            var policy = _policies[index];
            if (!PassesCondition(index, policy, e, failures, cancellationToken))
            {
                continue;
            }

            var match = new PolicyMatch(policy.Name, policy.Mode, policy.Priority, policy.Location, Render(policy, e));
            (policy.Mode == PolicyMode.Audit ? audited : enforced).Add(match);
        }

        enforced.Sort(ByPriority);
        audited.Sort(ByPriority);
        var matched = enforced.ToImmutable();
        return new Decision(
            new EventDescriptor(e.Id, e.Type, e.Origin.File, e.Origin.Index),
            e.IsExtensionPoint ? VerdictOf(matched) : null,
            matched,
            audited.ToImmutable(),
            failures.ToImmutable(),
            Error: null)
        {
            Scope = e.Scope,
        };
    }

    private bool PassesCondition(int index, PolicyDefinition policy, DataWorksEvent e, ImmutableArray<ConditionFailure>.Builder failures, CancellationToken cancellationToken)
    {
        var conditionIndex = _conditionIndex[index];
        if (conditionIndex < 0 || policy.Condition is null)
        {
            return true;
        }

        var view = new ConditionEvent(e.Root, ToScopeValues(e.Scope), _time, _sets);
        var outcome = _conditions!.Evaluate(conditionIndex, view, policy.Condition.OnError, cancellationToken);
        if (outcome.Error is { } error)
        {
            // A broken condition must not stop the other policies; what it means for this one is the author's call.
            failures.Add(new ConditionFailure(policy.Name, policy.Condition.Location, $"{error.GetType().Name}: {error.Message}", outcome.Matched));
        }

        return outcome.Matched;
    }

    private static ScopeValues ToScopeValues(EventScope scope) =>
        new(scope.Tenant ?? "", scope.Workspace ?? "", scope.Region ?? "", scope.Environment ?? "", scope.Operator ?? "")
        {
            TenantName = scope.TenantName ?? "",
            WorkspaceName = scope.WorkspaceName ?? "",
            Labels = scope.Labels.IsDefault ? [] : scope.Labels,
            Owners = scope.Owners.IsDefault ? [] : scope.Owners,
        };

    private static ImmutableArray<ActionOutcome> Render(PolicyDefinition policy, DataWorksEvent e)
    {
        var outcomes = ImmutableArray.CreateBuilder<ActionOutcome>(policy.Actions.Length);
        foreach (var action in policy.Actions)
        {
            outcomes.Add(action switch
            {
                BlockAction block => new BlockOutcome(TemplateRenderer.Render(block.Reason, e, policy)),
                WarnAction warn => new WarnOutcome(TemplateRenderer.Render(warn.Reason, e, policy)),
                NotifyAction notify => new NotifyOutcome(notify.Channel, TemplateRenderer.Render(notify.Message, e, policy)),
                ForwardAction forward => new ForwardOutcome(forward.Target),
                _ => throw new InvalidOperationException($"unknown action {action.Kind}"),
            });
        }

        return outcomes.MoveToImmutable();
    }

    private static Verdict VerdictOf(ImmutableArray<PolicyMatch> enforced)
    {
        var verdict = Verdict.Ok;
        foreach (var match in enforced)
        {
            foreach (var action in match.Actions)
            {
                if (action is BlockOutcome)
                {
                    return Verdict.Fail;
                }

                if (action is WarnOutcome)
                {
                    verdict = Verdict.Warn;
                }
            }
        }

        return verdict;
    }

    private static int ByPriority(PolicyMatch a, PolicyMatch b)
    {
        var byPriority = b.Priority.CompareTo(a.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byFile = string.CompareOrdinal(a.Location.File, b.Location.File);
        return byFile != 0 ? byFile : a.Location.Line.CompareTo(b.Location.Line);
    }
}
