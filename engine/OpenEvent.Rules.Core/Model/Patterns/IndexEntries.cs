using System.Collections.Immutable;

namespace OpenEvent.Rules.Model.Patterns;

/// <summary>A necessary condition of a pattern: some value at <see cref="Path"/> (member names from the pattern's root) hits one of <see cref="Keys"/>.</summary>
internal sealed record KeyedPath(ImmutableArray<string> Path, IndexKey[] Keys);

/// <summary>
/// A pattern's entries in the candidate index (Compilation/CandidateIndex), which the cost model (Analysis) prices the
/// same way: alternatives, each a list of keyed paths that all hold in an event the pattern matches through it. The AND
/// path's keyed leaves hold in every alternative; an $or multiplies the alternatives by its branches' own
/// (<c>{"source":[…],"$or":[{"data":{"projectId":[7]}},{"data":{"appId":[7]}}]}</c> is listed under projectId 7 and
/// under appId 7, not verified for every event of its source). An $or with a branch that has no keyed leaf, or one that
/// would take the pattern past <see cref="MaxPerPattern"/> (at its level or through a nested object), adds nothing:
/// leaving a predicate out only widens what is verified, so every answer stays exact.
/// </summary>
internal static class IndexEntries
{
    /// <summary>
    /// The most ways a pattern is listed over its $or branches: enough for the usual "this workspace field or that one",
    /// and a bound on what a pattern of nested $or lists can cost at compile time.
    /// </summary>
    public const int MaxPerPattern = 16;

    /// <param name="ors">False: the AND path alone, one entry (what a pattern past the set's budget is listed by).</param>
    /// <param name="choice">The set's choice among an entry's keys; null: each entry's first (<see cref="Matcher.ToIndexKey"/>).</param>
    public static List<List<KeyedPath>> Of(PatternObject pattern, bool ors = true, IndexKeyChoice? choice = null) => Of(pattern, [], ors, choice);

    private static List<List<KeyedPath>> Of(PatternObject pattern, ImmutableArray<string> at, bool ors, IndexKeyChoice? choice)
    {
        List<List<KeyedPath>> entries = [[]];
        foreach (var member in pattern.Members)
        {
            switch (member)
            {
                case LeafMember leaf when KeysOf(leaf, at.Add(leaf.Name), choice) is { } keys:
                    var path = new KeyedPath(at.Add(leaf.Name), keys);
                    entries.ForEach(entry => entry.Add(path));
                    break;
                case NestedMember nested:
                    var inner = Of(nested.Pattern, at.Add(nested.Name), ors, choice);
                    entries = Product(entries, entries.Count * inner.Count <= MaxPerPattern
                        ? inner
                        : Of(nested.Pattern, at.Add(nested.Name), ors: false, choice)); // one entry: its AND path
                    break;
                case OrMember alternatives when ors:
                    var branches = alternatives.Branches.SelectMany(branch => Of(branch, at, ors, choice)).ToList();
                    if (branches.TrueForAll(branch => branch.Count > 0) && entries.Count * branches.Count <= MaxPerPattern)
                    {
                        entries = Product(entries, branches);
                    }

                    break;
            }
        }

        return entries;
    }

    /// <summary>The index keys of a leaf (each entry's own), or null when some entry can match values no key describes.</summary>
    private static IndexKey[]? KeysOf(LeafMember leaf, ImmutableArray<string> path, IndexKeyChoice? choice)
    {
        var keys = new List<IndexKey>(leaf.Matchers.Length);
        foreach (var matcher in leaf.Matchers)
        {
            if ((choice is null ? matcher.ToIndexKey() : choice.Choose(path, matcher)) is not { } key)
            {
                return null;
            }

            keys.Add(key);
        }

        return keys.Count == 0 ? null : [.. keys];
    }

    // Every entry of the left joined with every entry of the right.
    private static List<List<KeyedPath>> Product(List<List<KeyedPath>> left, List<List<KeyedPath>> right) =>
        right.Count == 1
            ? [.. left.Select(entry => entry.Concat(right[0]).ToList())]
            : [.. left.SelectMany(entry => right.Select(other => entry.Concat(other).ToList()))];
}
