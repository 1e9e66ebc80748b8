using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Compilation;

/// <summary>
/// Compiles a list of patterns into a <see cref="CompiledPatternSet"/>. Used once: extra paths are added first, then
/// <see cref="Build"/> freezes everything; later calls throw, so a set can never change under a running matcher.
/// </summary>
internal sealed class CompiledPatternSetBuilder
{
    /// <summary>
    /// How many entries beyond one per pattern the whole set may list (<see cref="IndexEntries.Of"/>): each costs the
    /// index build a pass of its own, so a set of patterns with wide nested $or lists could otherwise take seconds
    /// to compile (10,000 patterns of 16 entries: ~2.4 s against ~0.3 s). Past the budget, a pattern is listed by
    /// its AND path alone, as before $or was indexed; answers stay exact either way.
    /// </summary>
    internal static int ExtraIndexEntries(int patternCount) => (2 * patternCount) + 4096;

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
        var programs = new PatternProgramWriter();
        var entries = new AccessPredicate[patterns.Count][][];
        var extraEntries = ExtraIndexEntries(patterns.Count);
        var choice = IndexKeyChoice.For(patterns);
        for (var i = 0; i < patterns.Count; i++)
        {
            var lengthAt = programs.BeginPattern();
            Emit(patterns[i], trie.Root, trie, programs);
            programs.End(lengthAt);
            var listed = IndexEntries.Of(patterns[i], choice: choice);
            if (listed.Count > 1 && (extraEntries -= listed.Count - 1) < 0)
            {
                listed = IndexEntries.Of(patterns[i], ors: false, choice); // the set's budget is spent
            }

            entries[i] = [.. listed.Select(entry => entry.Select(keyed => new AccessPredicate(trie.Node(keyed.Path), keyed.Keys)).ToArray())];
        }

        var extras = new PathNode[_extraPaths.Count];
        for (var i = 0; i < extras.Length; i++)
        {
            extras[i] = trie.Node(_extraPaths[i].Split('.'));
        }

        trie.Seal();
        var index = new CandidateIndexBuilder();
        var indexRoot = index.Build(entries, [.. patterns.Select(KeysDecide)]);
        var built = programs.Build();
        index.PointToBlocks(built);
        return new CompiledPatternSet(built, trie.Root, trie.Nodes.Count, indexRoot, index.NodeCount, extras, [.. _extraPaths])
        {
            IndexBuildWork = index.CountedItems,
            IndexDenseMoves = index.DenseMoves,
        };
    }

    private void ThrowIfBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("This CompiledPatternSetBuilder has already built its set; create a new builder for another set.");
        }
    }

    // One pass per pattern object: writes its verification block (members bound to path-trie slots, cheap first).
    private static void Emit(PatternObject pattern, PathNode node, PathTrieBuilder trie, PatternProgramWriter programs)
    {
        foreach (var member in pattern.Members.OrderBy(CostOf))
        {
            switch (member)
            {
                case LeafMember leaf:
                    // A long list of entries is looked up in a table of their keys (CompileLeaf), not tested in turn.
                    if (PatternProgramWriter.HasBlockForm(leaf) && leaf.Matchers.Count(HasKey) < KeyedLeafCheck.Minimum)
                    {
                        programs.Leaf(node.IndexOf(trie.Child(node, leaf.Name)), leaf);
                    }
                    else
                    {
                        programs.Fallback(CompileLeaf(leaf, node, trie));
                    }

                    break;
                case NestedMember nested:
                    var nestedNode = trie.Child(node, nested.Name);
                    var lengthAt = programs.BeginNested(node.IndexOf(nestedNode));
                    Emit(nested.Pattern, nestedNode, trie, programs);
                    programs.End(lengthAt);
                    break;
                case OrMember or:
                    // Inline, as the rest of the block: through the object form, a candidate's $or of three branches cost
                    // ~1.4 µs in cache misses at 10,000 patterns.
                    var orAt = programs.BeginOr();
                    foreach (var branch in or.Branches)
                    {
                        var branchAt = programs.BeginBranch();
                        Emit(branch, node, trie, programs);
                        programs.End(branchAt);
                    }

                    programs.End(orAt);
                    break;
                default:
                    throw new NotSupportedException($"Unknown pattern member {member.GetType().Name}.");
            }
        }
    }

    // The order a block checks its members in: a failing leaf spares nested and $or walks.
    private static int CostOf(PatternMember member) => member switch
    {
        LeafMember => 0,
        NestedMember => 1,
        _ => 2,
    };

    // Each entry compiles its own value test; an entry no value satisfies (exists: false) has none, and matches only a
    // field without values. A long list of keyed entries is looked up by their keys (KeyedLeafCheck).
    private static CompiledMember CompileLeaf(LeafMember leaf, PathNode node, PathTrieBuilder trie)
    {
        var child = trie.Child(node, leaf.Name);
        var acceptsMissing = leaf.Matchers.Any(m => m.MatchesMissing);
        if (leaf.Matchers.Count(HasKey) < KeyedLeafCheck.Minimum)
        {
            return new LeafCheck(node.IndexOf(child), [.. leaf.Matchers.Select(m => m.Compile()).OfType<ValueTest>()], acceptsMissing);
        }

        var byKey = new Dictionary<IndexKey, List<int>>(leaf.Matchers.Length); // sized once: its entries are 80 bytes each
        var choice = IndexKeyChoice.For(leaf); // 3,000 wildcards "dws_*_n" under their tails, not under six heads
        var verify = new ValueTest?[leaf.Matchers.Length];
        var unkeyed = new List<ValueTest>();
        for (var e = 0; e < leaf.Matchers.Length; e++)
        {
            var matcher = leaf.Matchers[e];
            if (!HasKey(matcher))
            {
                if (matcher.Compile() is { } test)
                {
                    unkeyed.Add(test);
                }

                continue;
            }

            var key = (choice is null ? matcher.ToIndexKey() : choice.Choose([], matcher))!.Value;
            if (!byKey.TryGetValue(key, out var entries))
            {
                byKey.Add(key, entries = []);
            }

            entries.Add(e);
            verify[e] = matcher.KeyIsExact ? null : matcher.Compile();
        }

        var keys = new FieldPartition(child);
        var id = 0;
        foreach (var (key, entries) in byKey)
        {
            keys.Add(key, new IndexNode(id++) { Scan = [.. entries] });
        }

        keys.Seal(); // without precomputed moves: a leaf's table is its pattern's own (the set's budget is the index's)
        return new KeyedLeafCheck(node.IndexOf(child), keys, verify, [.. unkeyed], acceptsMissing);
    }

    // An entry the index can key by a value (not by the field's presence alone, which every value hits).
    private static bool HasKey(Matcher matcher) => matcher.ToIndexKey() is { Kind: not IndexKeyKind.Present };

    /// <summary>
    /// Whether the pattern's index keys are its whole condition: only leaves and nested objects (no $or), every leaf's
    /// entries keyed exactly (<see cref="Matcher.KeyIsExact"/>: exact values, case-sensitive prefixes and suffixes; not
    /// wildcards, whose key is one of their literal runs, nor numeric bounds, whose keys are closed ranges).
    /// Element identity within arrays of objects is the one thing keys cannot see: the matcher checks such patterns
    /// when the event has an array of objects (<see cref="EventView.HasSiblingInstances"/>).
    /// </summary>
    internal static bool KeysDecide(PatternObject pattern) => pattern.Members.All(member => member switch
    {
        LeafMember leaf => leaf.Matchers.Length > 0 && leaf.Matchers.All(m => m.KeyIsExact),
        NestedMember nested => KeysDecide(nested.Pattern),
        _ => false,
    });
}
