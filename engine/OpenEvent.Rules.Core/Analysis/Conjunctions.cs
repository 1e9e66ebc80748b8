using System.Collections.Immutable;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Analysis;

/// <summary>
/// A pattern object written as an OR of plain conjunctions: every <c>$or</c> of the object (not of nested objects)
/// is multiplied out, so each conjunction holds only leaf and nested members. Bounded: past
/// <see cref="MaxConjunctions"/> the expansion stops and says it is incomplete, and callers then claim nothing.
/// </summary>
internal static class Conjunctions
{
    public const int MaxConjunctions = 64;

    /// <summary>The conjunctions, and whether they are all of them (false when the bound cut the expansion).</summary>
    public static (ImmutableArray<ImmutableArray<PatternMember>> Items, bool Complete) Of(PatternObject pattern)
    {
        var items = new List<ImmutableArray<PatternMember>> { ImmutableArray<PatternMember>.Empty };
        foreach (var member in pattern.Members)
        {
            if (member is not OrMember or)
            {
                for (var i = 0; i < items.Count; i++)
                {
                    items[i] = items[i].Add(member);
                }

                continue;
            }

            var next = new List<ImmutableArray<PatternMember>>();
            foreach (var branch in or.Branches)
            {
                var (branchItems, complete) = Of(branch);
                if (!complete)
                {
                    return ([.. items], false);
                }

                foreach (var prefix in items)
                {
                    foreach (var branchItem in branchItems)
                    {
                        if (next.Count == MaxConjunctions)
                        {
                            return ([.. next], false);
                        }

                        next.Add(prefix.AddRange(branchItem));
                    }
                }
            }

            items = next;
        }

        return ([.. items], true);
    }
}
