using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Compilation;

/// <summary>
/// Compiles a list of patterns into a <see cref="CompiledPatternSet"/>. Used once: extra paths are added first, then
/// <see cref="Build"/> freezes everything; later calls throw, so a set can never change under a running matcher.
/// </summary>
internal sealed class CompiledPatternSetBuilder
{
    private readonly List<string> _extraPaths = [];
    private bool _built;

    /// <summary>
    /// Asks the set to also extract the first scalar value (in document order) at a dotted path, e.g.
    /// <c>data.projectId</c>, <c>aliyunregionid</c> or <c>type</c>; read it with <see cref="MatchResult.TryGetExtra"/>.
    /// Arrays on the way are transparent, as in patterns. Returns the index to read it by.
    /// </summary>
    public int AddExtraPath(string dottedPath)
    {
        ThrowIfBuilt();
        ArgumentException.ThrowIfNullOrEmpty(dottedPath);
        if (dottedPath.Split('.').Any(s => s.Length == 0))
        {
            throw new ArgumentException($"The extra path \"{dottedPath}\" has an empty segment; write names separated by single dots, e.g. data.projectId.", nameof(dottedPath));
        }

        _extraPaths.Add(dottedPath);
        return _extraPaths.Count - 1;
    }

    /// <summary>Compiles <paramref name="patterns"/>; pattern ids in match results are their indexes in this list.</summary>
    public CompiledPatternSet Build(IReadOnlyList<PatternObject> patterns)
    {
        ThrowIfBuilt();
        _built = true;

        var trie = new PathTrieBuilder();
        var compiled = new CompiledObject[patterns.Count];
        var predicates = new AccessPredicate[patterns.Count][];
        for (var i = 0; i < patterns.Count; i++)
        {
            var found = new List<AccessPredicate>();
            compiled[i] = Compile(patterns[i], trie.Root, trie, found);
            predicates[i] = [.. found];
        }

        var extras = new PathNode[_extraPaths.Count];
        for (var i = 0; i < extras.Length; i++)
        {
            var node = trie.Root;
            foreach (var name in _extraPaths[i].Split('.'))
            {
                node = trie.Child(node, name);
            }

            extras[i] = node;
        }

        trie.Seal();
        var index = new CandidateIndexBuilder();
        var indexRoot = index.Build(predicates);
        return new CompiledPatternSet(compiled, trie.Root, trie.Nodes.Count, indexRoot, index.NodeCount, extras, [.. _extraPaths]);
    }

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("This CompiledPatternSetBuilder has already built its set; create a new builder for another set.");
        }
    }

    // One pass per pattern object: binds members to trie slots (verification) and lists the AND-path leaves that
    // the candidate index may use. $or branches are compiled but yield no predicate: none of them is necessary.
    private static CompiledObject Compile(PatternObject pattern, PathNode node, PathTrieBuilder trie, List<AccessPredicate>? predicates)
    {
        var members = new List<CompiledMember>(pattern.Members.Length);
        foreach (var member in pattern.Members)
        {
            switch (member)
            {
                case LeafMember leaf:
                {
                    var child = trie.Child(node, leaf.Name);
                    var tests = new List<ValueTest>();
                    bool existsTrue = false, existsFalse = false;
                    foreach (var matcher in leaf.Matchers)
                    {
                        if (matcher is ExistsMatcher exists)
                        {
                            existsTrue |= exists.Exists;
                            existsFalse |= !exists.Exists;
                        }
                        else
                        {
                            tests.Add(ValueTest.Create(matcher));
                        }
                    }

                    members.Add(new LeafCheck(node.IndexOf(child), [.. tests], existsTrue, existsFalse));
                    if (predicates is not null && KeysOf(leaf) is { } keys)
                    {
                        predicates.Add(new AccessPredicate(child, keys));
                    }

                    break;
                }

                case NestedMember nested:
                {
                    var child = trie.Child(node, nested.Name);
                    members.Add(new NestedCheck(node.IndexOf(child), Compile(nested.Pattern, child, trie, predicates)));
                    break;
                }

                case OrMember or:
                    members.Add(new OrCheck([.. or.Branches.Select(b => Compile(b, node, trie, null))]));
                    break;
                default:
                    throw new NotSupportedException($"Unknown pattern member {member.GetType().Name}.");
            }
        }

        return new CompiledObject([.. members.OrderBy(m => m.Cost)]);
    }

    /// <summary>The index keys of a leaf, or null when some entry can match values no key describes.</summary>
    private static IndexKey[]? KeysOf(LeafMember leaf)
    {
        var keys = new List<IndexKey>(leaf.Matchers.Length);
        foreach (var matcher in leaf.Matchers)
        {
            IndexKey? key = matcher switch
            {
                ExactMatcher { Value.Kind: ScalarKind.String } m => IndexKey.Of(IndexKeyKind.String, m.Value.Text!),
                ExactMatcher { Value.Kind: ScalarKind.Number } m => new IndexKey(IndexKeyKind.Number, null, m.Value.Number, 0, 0),
                ExactMatcher { Value.Kind: ScalarKind.True } => new IndexKey(IndexKeyKind.True, null, default, 0, 0),
                ExactMatcher { Value.Kind: ScalarKind.False } => new IndexKey(IndexKeyKind.False, null, default, 0, 0),
                ExactMatcher { Value.Kind: ScalarKind.Null } => new IndexKey(IndexKeyKind.Null, null, default, 0, 0),
                EqualsIgnoreCaseMatcher m => IndexKey.Of(IndexKeyKind.Upper, ValueMatchers.ToUpper(m.Value)),
                PrefixMatcher m => m.IgnoreCase
                    ? IndexKey.Of(IndexKeyKind.PrefixUpper, ValueMatchers.ToUpper(m.Value))
                    : IndexKey.Of(IndexKeyKind.Prefix, m.Value),
                SuffixMatcher m => m.IgnoreCase
                    ? IndexKey.Of(IndexKeyKind.SuffixUpper, ValueMatchers.ToUpper(m.Value))
                    : IndexKey.Of(IndexKeyKind.Suffix, m.Value),
                WildcardMatcher m => WildcardKey(WildcardPattern.Parse(m.Pattern)),
                NumericMatcher m => NumericKey(m),
                _ => null, // contains, cidr, anything-but, exists: verified, never indexed
            };
            if (key is null)
            {
                return null;
            }

            keys.Add(key.Value);
        }

        return keys.Count == 0 ? null : [.. keys];
    }

    private static IndexKey? WildcardKey(WildcardPattern pattern)
    {
        if (pattern.IsLiteral)
        {
            return IndexKey.Of(IndexKeyKind.String, pattern.Literal);
        }

        if (pattern.LeadingLiteral.Length > 0)
        {
            return IndexKey.Of(IndexKeyKind.Prefix, pattern.LeadingLiteral);
        }

        return pattern.TrailingLiteral.Length > 0 ? IndexKey.Of(IndexKeyKind.Suffix, pattern.TrailingLiteral) : null;
    }

    private static IndexKey NumericKey(NumericMatcher matcher)
    {
        if (matcher.Comparisons is [{ Operator: NumericOperator.Equal } only])
        {
            return new IndexKey(IndexKeyKind.Number, null, only.Value, 0, 0);
        }

        // Bounds in double are never tighter than the exact ones (decimal -> double is monotonic), so the range
        // is a superset: boundary values are verified exactly.
        double low = double.NegativeInfinity, high = double.PositiveInfinity;
        foreach (var c in matcher.Comparisons)
        {
            var v = c.Value.AsDouble;
            switch (c.Operator)
            {
                case NumericOperator.Equal:
                    low = Math.Max(low, v);
                    high = Math.Min(high, v);
                    break;
                case NumericOperator.GreaterThan or NumericOperator.GreaterThanOrEqual:
                    low = Math.Max(low, v);
                    break;
                default:
                    high = Math.Min(high, v);
                    break;
            }
        }

        return new IndexKey(IndexKeyKind.Range, null, default, low, high);
    }
}
