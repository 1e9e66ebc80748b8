using System.Collections.Immutable;

namespace OpenEvent.Rules.Evaluation;

// What `oer explain` prints: the outcome of every member of a pattern against one event, with the values
// the evaluator actually saw. Built by ReferencePatternEvaluator.Explain, so it always agrees with Matches.
// Paths are event paths ("data.tableMapping[0].srcTable"); clauses are matchers as authored JSON.

/// <summary>The outcome of one pattern object against one event object (or against nothing, when the field was missing).</summary>
public sealed record PatternTrace(string Path, bool Matched, ImmutableArray<MemberTrace> Members, SourceLocation Location)
{
    /// <summary>
    /// The clause that made the pattern fail, depth-first: the first clause of the first failing member (all
    /// clauses of a failing leaf fail; all candidates of a failing nested member and all branches of a failing
    /// $or fail, so the first one is as good a witness as any). Null when the pattern matched.
    /// </summary>
    public ClauseTrace? FirstFailure
    {
        get
        {
            if (Matched)
            {
                return null;
            }

            foreach (var member in Members)
            {
                if (member.Passed)
                {
                    continue;
                }

                return member switch
                {
                    LeafTrace leaf => leaf.Clauses.FirstOrDefault(),
                    NestedTrace nested => nested.Candidates.Select(c => c.FirstFailure).FirstOrDefault(f => f is not null),
                    OrTrace or => or.Branches.Select(b => b.FirstFailure).FirstOrDefault(f => f is not null),
                    _ => null,
                };
            }

            return null;
        }
    }

    /// <summary>Every clause in the trace, depth-first in pattern order.</summary>
    public IEnumerable<ClauseTrace> AllClauses()
    {
        foreach (var member in Members)
        {
            var children = member switch
            {
                LeafTrace leaf => leaf.Clauses,
                NestedTrace nested => nested.Candidates.SelectMany(c => c.AllClauses()),
                OrTrace or => or.Branches.SelectMany(b => b.AllClauses()),
                _ => [],
            };
            foreach (var clause in children)
            {
                yield return clause;
            }
        }
    }
}

/// <summary>The outcome of one member of a pattern object.</summary>
public abstract record MemberTrace(string Path, bool Passed, SourceLocation Location);

/// <summary>A leaf list: <see cref="Actual"/> holds the field's leaf values as JSON text (empty when it has none).</summary>
public sealed record LeafTrace(string Path, bool Passed, ImmutableArray<string> Actual, ImmutableArray<ClauseTrace> Clauses, SourceLocation Location)
    : MemberTrace(Path, Passed, Location);

/// <summary>
/// A nested object: one candidate per object the nested pattern was tried on (the field's object, or each object
/// element of its array, path "name[i]"), or a single candidate for the empty object when the field had none.
/// </summary>
public sealed record NestedTrace(string Path, bool Passed, ImmutableArray<PatternTrace> Candidates, SourceLocation Location)
    : MemberTrace(Path, Passed, Location);

/// <summary>A $or: one trace per branch, in order.</summary>
public sealed record OrTrace(string Path, bool Passed, ImmutableArray<PatternTrace> Branches, SourceLocation Location)
    : MemberTrace(Path, Passed, Location);

/// <summary>One entry of a leaf list against the field's values.</summary>
/// <param name="Path">The event path of the field, e.g. "data.fileName".</param>
/// <param name="Clause">The entry as authored JSON, e.g. <c>{"suffix":".sql"}</c> or <c>"acs.dataworks"</c>.</param>
/// <param name="Actual">The field's leaf values as JSON text; empty when the field has none.</param>
public sealed record ClauseTrace(string Path, string Clause, bool Passed, ImmutableArray<string> Actual, SourceLocation Location);
