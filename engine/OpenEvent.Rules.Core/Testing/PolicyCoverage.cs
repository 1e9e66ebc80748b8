using System.Text.Json;
using System.Collections.Immutable;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Testing;

// What the test cases exercised. Deliberately simple, so that an author can predict it:
// - a policy is covered when at least one case matched it (enforce or audit mode);
// - a clause (one entry of a leaf list in spec.match, nested objects and $or branches included) is covered when
//   at least one case's event made that entry pass, whether or not the whole policy matched;
// - a $or branch is covered when at least one case's event matched the whole branch;
// - an exclusion is covered when at least one case was excluded by it (the event matched the policy's match and
//   scope, and the exclusion held).
// Clause outcomes come from ReferencePatternEvaluator.Explain, the same traces `oer explain` prints.

/// <summary>One thing coverage counts: a clause, a $or branch or an exclusion of a policy.</summary>
/// <param name="Kind">clause | $or branch | exclusion.</param>
/// <param name="Description">e.g. <c>data.status: 5</c>, <c>data.$or[1]</c>, <c>exclude[0]</c>.</param>
public sealed record CoverageItem(string Policy, string Kind, string Description, SourceLocation Location);

/// <summary>The coverage of one policy.</summary>
public sealed record PolicyCoverageResult(
    string Policy,
    SourceLocation Location,
    int MatchingCases,
    int Items,
    ImmutableArray<CoverageItem> Uncovered)
{
    public bool Matched => MatchingCases > 0;
}

/// <summary>Coverage of every evaluated (not disabled) policy of the set, in set order.</summary>
public sealed record CoverageReport(ImmutableArray<PolicyCoverageResult> Policies)
{
    public int CoveredPolicies => Policies.Count(p => p.Matched);

    public int TotalItems => Policies.Sum(p => p.Items);

    public int CoveredItems => TotalItems - Policies.Sum(p => p.Uncovered.Length);

    public bool IsComplete => Policies.All(p => p.Matched && p.Uncovered.IsEmpty);
}

/// <summary>Collects coverage while the runner evaluates cases. Not thread-safe: one per run.</summary>
internal sealed class PolicyCoverage
{
    private readonly ImmutableArray<PolicyDefinition> _policies;
    private readonly Dictionary<string, int> _matchingCases = new(StringComparer.Ordinal);
    private readonly HashSet<(string Policy, string Kind, SourceLocation Location)> _covered = [];

    public PolicyCoverage(PolicySetDefinition set) =>
        _policies = [.. set.Policies.Where(p => p.Mode != PolicyMode.Disabled)];

    /// <summary>Records what one case exercised: <paramref name="evaluated"/> are the policies the case was evaluated against.</summary>
    /// <param name="detail">The detail the case gave (<c>{"detail": ...}</c>), so that detail clauses count as covered too; undefined when none.</param>
    public void Record(IEnumerable<PolicyDefinition> evaluated, DataWorksEvent e, Decision decision, JsonElement detail = default)
    {
        using var enriched = DetailClauses.EventWithDetail(e.Root, detail);
        var root = enriched?.RootElement ?? e.Root;
        foreach (var match in decision.Matched.Concat(decision.Audit))
        {
            _matchingCases[match.Policy] = _matchingCases.GetValueOrDefault(match.Policy) + 1;
        }

        foreach (var policy in evaluated)
        {
            var trace = ReferencePatternEvaluator.Explain(policy.Match, root);
            MarkTrace(policy.Name, trace);
            if (trace.Matched && ScopeFilter.Matches(policy.Scope, e.Scope))
            {
                foreach (var exclusion in policy.Exclude)
                {
                    if ((exclusion.Match is null || ReferencePatternEvaluator.Matches(exclusion.Match, root)) && ScopeFilter.Matches(exclusion.Scope, e.Scope))
                    {
                        _covered.Add((policy.Name, ExclusionKind, exclusion.Location));
                    }
                }
            }
        }
    }

    public CoverageReport Report()
    {
        var results = ImmutableArray.CreateBuilder<PolicyCoverageResult>(_policies.Length);
        foreach (var policy in _policies)
        {
            var items = Items(policy).ToList();
            var uncovered = items.Where(i => !_covered.Contains((policy.Name, i.Kind, i.Location))).ToImmutableArray();
            results.Add(new PolicyCoverageResult(policy.Name, policy.Location, _matchingCases.GetValueOrDefault(policy.Name), items.Count, uncovered));
        }

        return new CoverageReport(results.MoveToImmutable());
    }

    private const string ClauseKind = "clause";
    private const string BranchKind = "$or branch";
    private const string ExclusionKind = "exclusion";

    /// <summary>Every coverage item of a policy, in pattern order, then the exclusions.</summary>
    public static IEnumerable<CoverageItem> Items(PolicyDefinition policy)
    {
        foreach (var item in PatternItems(policy.Name, policy.Match, ""))
        {
            yield return item;
        }

        for (var i = 0; i < policy.Exclude.Length; i++)
        {
            yield return new CoverageItem(policy.Name, ExclusionKind, $"exclude[{i}]", policy.Exclude[i].Location);
        }
    }

    private static IEnumerable<CoverageItem> PatternItems(string policy, PatternObject pattern, string path)
    {
        foreach (var member in pattern.Members)
        {
            switch (member)
            {
                case LeafMember leaf:
                    foreach (var matcher in leaf.Matchers)
                    {
                        yield return new CoverageItem(policy, ClauseKind, $"{Join(path, leaf.Name)}: {MatcherFormatter.Format(matcher)}", matcher.Location);
                    }

                    break;
                case NestedMember nested:
                    foreach (var item in PatternItems(policy, nested.Pattern, Join(path, nested.Name)))
                    {
                        yield return item;
                    }

                    break;
                case OrMember or:
                    for (var i = 0; i < or.Branches.Length; i++)
                    {
                        var branchPath = $"{Join(path, "$or")}[{i}]";
                        yield return new CoverageItem(policy, BranchKind, branchPath, or.Branches[i].Location);
                        foreach (var item in PatternItems(policy, or.Branches[i], branchPath))
                        {
                            yield return item;
                        }
                    }

                    break;
            }
        }
    }

    private void MarkTrace(string policy, PatternTrace trace)
    {
        foreach (var member in trace.Members)
        {
            switch (member)
            {
                case LeafTrace leaf:
                    foreach (var clause in leaf.Clauses.Where(c => c.Passed))
                    {
                        _covered.Add((policy, ClauseKind, clause.Location));
                    }

                    break;
                case NestedTrace nested:
                    foreach (var candidate in nested.Candidates)
                    {
                        MarkTrace(policy, candidate);
                    }

                    break;
                case OrTrace or:
                    foreach (var branch in or.Branches)
                    {
                        if (branch.Matched)
                        {
                            _covered.Add((policy, BranchKind, branch.Location));
                        }

                        MarkTrace(policy, branch);
                    }

                    break;
            }
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
