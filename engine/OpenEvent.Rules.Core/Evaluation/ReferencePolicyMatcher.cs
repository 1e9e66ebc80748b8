using System.Collections.Immutable;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Evaluation;

/// <summary>The plain oracle: every policy in turn, every clause with the reference pattern evaluator.</summary>
internal sealed class ReferencePolicyMatcher(ImmutableArray<PolicyDefinition> policies) : IPolicyMatcher
{
    public void Match(DataWorksEvent e, List<int> matches)
    {
        for (var i = 0; i < policies.Length; i++)
        {
            if (Applies(policies[i], e))
            {
                matches.Add(i);
            }
        }
    }

    public static bool Applies(PolicyDefinition policy, DataWorksEvent e) =>
        ReferencePatternEvaluator.Matches(policy.Match, e.Root)
        && ScopeFilter.Matches(policy.Scope, e.Scope)
        && !policy.Exclude.Any(exclusion => IsExcluded(exclusion, e));

    public static bool IsExcluded(ExclusionDefinition exclusion, DataWorksEvent e) =>
        (exclusion.Match is null || ReferencePatternEvaluator.Matches(exclusion.Match, e.Root))
        && ScopeFilter.Matches(exclusion.Scope, e.Scope);
}
