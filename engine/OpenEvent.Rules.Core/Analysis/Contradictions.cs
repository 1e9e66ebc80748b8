using System.Collections.Immutable;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Analysis;

// When a pattern can never match. A field of an event may be an array, and a leaf holds when SOME value matches, so
// two value clauses on one field (from the top level and a $or branch) never contradict in general: [6, 1] is both
// "> 5" and "< 3". Two things do contradict: "exists: false" beside a clause that needs a value, on any field; and two
// clauses no single value satisfies, on a data field the catalog documents as one scalar for every matched type (the
// validators already trust the catalog's field types for OER3022). "data" itself is always one object (the parser
// refuses any other), so every "data" member of the top level constrains the same object.

/// <summary>Proves that a pattern can never match, or says nothing.</summary>
internal sealed class Contradictions(MatchedTypes types)
{
    /// <summary>The field whose clauses contradict in every alternative of the pattern, or null when none was proven.</summary>
    public string? Find(PatternObject pattern)
    {
        var (items, complete) = Conjunctions.Of(pattern);
        if (!complete)
        {
            return null;
        }

        string? first = null;
        foreach (var conjunction in items)
        {
            if (InConjunction(conjunction, topLevel: true) is not { } field)
            {
                return null;
            }

            first ??= field;
        }

        return first;
    }

    private string? InConjunction(ImmutableArray<PatternMember> members, bool topLevel, string path = "")
    {
        foreach (var group in members.OfType<LeafMember>().GroupBy(l => l.Name, StringComparer.Ordinal))
        {
            var leaves = group.ToList();
            if (AbsentAndPresent(leaves) || (path == "data." && SingleValued(path + group.Key) && NoCommonValue(leaves)))
            {
                return path + group.Key;
            }
        }

        foreach (var group in members.OfType<NestedMember>().GroupBy(n => n.Name, StringComparer.Ordinal))
        {
            // At the top level "data" is one object: its patterns are one AND. Elsewhere an array may offer each
            // nested pattern its own element, so each is judged alone.
            var patterns = topLevel && group.Key == "data"
                ? [new PatternObject([.. group.SelectMany(n => n.Pattern.Members)], group.First().Location)]
                : group.Select(n => n.Pattern).ToList();
            foreach (var nested in patterns)
            {
                var (items, complete) = Conjunctions.Of(nested);
                if (!complete)
                {
                    continue;
                }

                string? first = null;
                var all = true;
                foreach (var item in items)
                {
                    if (InConjunction(item, topLevel: false, path + group.Key + ".") is not { } field)
                    {
                        all = false;
                        break;
                    }

                    first ??= field;
                }

                if (all && first is not null)
                {
                    return first;
                }
            }
        }

        return null;
    }

    private static bool AbsentAndPresent(List<LeafMember> leaves) =>
        leaves.Any(l => l.Matchers.All(MatcherSemantics.MatchesMissing))
        && leaves.Any(l => !l.Matchers.Any(MatcherSemantics.MatchesMissing));

    private bool SingleValued(string path) =>
        !types.IsUnconstrained && !types.IsEmpty
        && types.Types.All(t => t.Fields.TryGetValue(path, out var field) && !field.JsonTypes.IsEmpty
            && !field.JsonTypes.Contains("array") && !field.JsonTypes.Contains("object"));

    // Decided exactly in two shapes: one leaf lists only exact values (each is tried), or every leaf is one numeric
    // range (the ranges are intersected). Any other shape is not claimed.
    private static bool NoCommonValue(List<LeafMember> leaves)
    {
        if (leaves.Count < 2)
        {
            return false;
        }

        if (leaves.FirstOrDefault(l => l.Matchers.All(m => m is ExactMatcher)) is { } exacts)
        {
            return !exacts.Matchers.Cast<ExactMatcher>().Any(e => leaves.All(l => l.Matchers.Any(m => MatcherSemantics.Matches(m, e.Value))));
        }

        if (leaves.All(l => l.Matchers is [NumericMatcher]))
        {
            NumericRange? range = NumericRange.Of(((NumericMatcher)leaves[0].Matchers[0]).Comparisons);
            foreach (var leaf in leaves.Skip(1))
            {
                range = range?.Intersect(NumericRange.Of(((NumericMatcher)leaf.Matchers[0]).Comparisons));
            }

            return range is null;
        }

        return false;
    }
}
