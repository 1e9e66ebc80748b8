using System.Collections.Immutable;

namespace OpenEvent.Rules.Model.Patterns;

/// <summary>
/// Which of an entry's keys (<see cref="Matcher.IndexKeyOptions"/>) a set lists it under: the one the fewest of the
/// set's entries share on the same path, since a value that hits a key proposes every pattern listed under it. Ties go
/// to the longer key (fewer values hit it), then to the operator's own first choice. 10,000 wildcards "layer_*table_n"
/// over six layers were all listed under their layer, so a file name proposed ~750 of them; under their tails, about one.
/// </summary>
internal sealed class IndexKeyChoice
{
    // Counts of the keys some entry with several options may take, on each path.
    private readonly Dictionary<(string Path, IndexKey Key), int> _counts;

    // The options of the entries that have several, computed once (a wildcard's are parsed from its text): by reference,
    // as the entries are records whose equal twins sit in other patterns.
    private readonly Dictionary<Matcher, IndexKey[]> _options;

    private IndexKeyChoice(Dictionary<(string Path, IndexKey Key), int> counts, Dictionary<Matcher, IndexKey[]> options) =>
        (_counts, _options) = (counts, options);

    /// <summary>The choice for a set, or null when none of its entries has more than one key (every entry takes its own).</summary>
    public static IndexKeyChoice? For(IReadOnlyList<PatternObject> patterns)
    {
        // Most sets have no such entry: they are not walked for their paths (a string per leaf) at every start and reload.
        if (!patterns.Any(Offers))
        {
            return null;
        }

        var entries = new List<(string Path, Matcher Matcher)>();
        foreach (var pattern in patterns)
        {
            Walk(pattern, "", (path, matcher) => entries.Add((path, matcher)));
        }

        return For(entries);
    }

    /// <summary>
    /// The choice among one leaf's entries, for the leaf's own table of keys (a policy over 3,000 wildcards); its paths
    /// are empty: <see cref="Choose"/> takes <c>[]</c>.
    /// </summary>
    public static IndexKeyChoice? For(LeafMember leaf) =>
        leaf.Matchers.Any(m => m.MayHaveSeveralKeys) ? For(leaf.Matchers.Select(matcher => ("", matcher))) : null; // a list of 20 users: nothing to choose

    private static IndexKeyChoice? For(IEnumerable<(string Path, Matcher Matcher)> entries)
    {
        var all = entries as IReadOnlyCollection<(string Path, Matcher Matcher)> ?? [.. entries];
        var counts = new Dictionary<(string Path, IndexKey Key), int>();
        var several = new Dictionary<Matcher, IndexKey[]>(ReferenceEqualityComparer.Instance);
        foreach (var (path, matcher) in all)
        {
            if (!matcher.MayHaveSeveralKeys || several.ContainsKey(matcher))
            {
                continue;
            }

            var options = matcher.IndexKeyOptions();
            if (options.Length > 1)
            {
                several.Add(matcher, options);
                foreach (var option in options)
                {
                    counts[(path, option)] = 0;
                }
            }
        }

        if (counts.Count == 0)
        {
            return null;
        }

        // Every entry's keys count where some choice may take them (an exact "dws_" prefix weighs on a wildcard's head).
        foreach (var (path, matcher) in all)
        {
            var options = several.TryGetValue(matcher, out var known) ? known : matcher.ToIndexKey() is { } key ? [key] : [];
            foreach (var option in options)
            {
                if (counts.TryGetValue((path, option), out var count))
                {
                    counts[(path, option)] = count + 1;
                }
            }
        }

        return new IndexKeyChoice(counts, several);
    }

    /// <summary>The key <paramref name="matcher"/> at <paramref name="path"/> is listed under; null when it has none.</summary>
    public IndexKey? Choose(ImmutableArray<string> path, Matcher matcher)
    {
        if (!_options.TryGetValue(matcher, out var options))
        {
            return matcher.ToIndexKey();
        }

        var at = string.Concat(path.Select(name => "/" + JsonPointer.Escape(name)));
        var (best, bestCount) = (options[0], Count(at, options[0]));
        foreach (var option in options.AsSpan(1))
        {
            var count = Count(at, option);
            if (count < bestCount || (count == bestCount && option.Text!.Length > best.Text!.Length))
            {
                (best, bestCount) = (option, count);
            }
        }

        return best;
    }

    private int Count(string path, IndexKey key) => _counts.GetValueOrDefault((path, key));

    // Whether some entry of the pattern may have several keys.
    private static bool Offers(PatternObject pattern) => pattern.Members.Any(member => member switch
    {
        LeafMember leaf => leaf.Matchers.Any(m => m.MayHaveSeveralKeys),
        NestedMember nested => Offers(nested.Pattern),
        OrMember alternatives => alternatives.Branches.Any(Offers),
        _ => false,
    });

    // Each leaf entry with its path as IndexEntries names it (member names from the root; $or branches at their parent's),
    // written as a JSON pointer: a field name may hold any char, and no two paths may read as one ({"a/b"} and {"a":{"b"}}).
    private static void Walk(PatternObject pattern, string at, Action<string, Matcher> visit)
    {
        foreach (var member in pattern.Members)
        {
            switch (member)
            {
                case LeafMember leaf:
                    var path = at + "/" + JsonPointer.Escape(leaf.Name);
                    foreach (var matcher in leaf.Matchers)
                    {
                        visit(path, matcher);
                    }

                    break;
                case NestedMember nested:
                    Walk(nested.Pattern, at + "/" + JsonPointer.Escape(nested.Name), visit);
                    break;
                case OrMember alternatives:
                    foreach (var branch in alternatives.Branches)
                    {
                        Walk(branch, at, visit);
                    }

                    break;
            }
        }
    }
}
