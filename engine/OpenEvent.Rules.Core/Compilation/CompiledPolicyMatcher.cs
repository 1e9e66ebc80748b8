using System.Collections.Immutable;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Compilation;

/// <summary>
/// The production matcher: every <c>match</c> and exclusion pattern of the set is compiled into one
/// <see cref="CompiledPatternSet"/> (indexed by type and field values, one pass over the event bytes); scope
/// and exclusions are then checked only for the few policies whose pattern matched.
/// </summary>
public sealed class CompiledPolicyMatcher : IPolicyMatcher
{
    private readonly ImmutableArray<PolicyDefinition> _policies;
    private readonly CompiledPatternSet _patterns;

    // Pattern id -> policy index for match patterns; exclusion pattern ids per policy (-1: exclusion without match).
    private readonly int[] _policyOfPattern;
    private readonly int[][] _exclusionPatterns;

    [ThreadStatic]
    private static MatchResult? t_result;

    public CompiledPolicyMatcher(ImmutableArray<PolicyDefinition> policies)
    {
        _policies = policies;
        var patterns = new List<Model.Patterns.PatternObject>();
        var policyOfPattern = new List<int>();
        _exclusionPatterns = new int[policies.Length][];
        for (var i = 0; i < policies.Length; i++)
        {
            patterns.Add(policies[i].Match);
            policyOfPattern.Add(i);
            var exclusions = new int[policies[i].Exclude.Length];
            for (var j = 0; j < exclusions.Length; j++)
            {
                if (policies[i].Exclude[j].Match is { } match)
                {
                    exclusions[j] = patterns.Count;
                    patterns.Add(match);
                    policyOfPattern.Add(-1);
                }
                else
                {
                    exclusions[j] = -1;
                }
            }

            _exclusionPatterns[i] = exclusions;
        }

        _policyOfPattern = [.. policyOfPattern];
        _patterns = new CompiledPatternSetBuilder().Build(patterns);
    }

    public void Match(DataWorksEvent e, List<int> matches)
    {
        var result = t_result ??= new MatchResult();
        _patterns.Match(e.Utf8.Span, result);
        var matched = result.PatternIds;
        foreach (var patternId in matched)
        {
            var policyIndex = _policyOfPattern[patternId];
            if (policyIndex < 0)
            {
                continue;
            }

            var policy = _policies[policyIndex];
            if (ScopeFilter.Matches(policy.Scope, e.Scope) && !IsExcluded(policyIndex, policy, e, matched))
            {
                matches.Add(policyIndex);
            }
        }
    }

    private bool IsExcluded(int policyIndex, PolicyDefinition policy, DataWorksEvent e, ReadOnlySpan<int> matched)
    {
        var exclusionPatterns = _exclusionPatterns[policyIndex];
        for (var j = 0; j < exclusionPatterns.Length; j++)
        {
            var patternId = exclusionPatterns[j];
            if ((patternId < 0 || matched.BinarySearch(patternId) >= 0) && ScopeFilter.Matches(policy.Exclude[j].Scope, e.Scope))
            {
                return true;
            }
        }

        return false;
    }
}
